"""The dialer: one trio task per running campaign asks the pacer how many calls to place, places
them, bridges the people who answer onto free agents and records every outcome."""

from ccengine.dialer._call_flow import (
    Action,
    Bridge,
    CallFlow,
    Detect,
    End,
    FlowState,
    Hangup,
    Play,
    WantAgent,
    outcome_of_failure,
)
from ccengine.dialer._live import LiveCampaign

__all__ = [
    "Action",
    "Bridge",
    "CallFlow",
    "Detect",
    "End",
    "FlowState",
    "Hangup",
    "LiveCampaign",
    "Play",
    "WantAgent",
    "outcome_of_failure",
]
