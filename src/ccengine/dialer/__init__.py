"""The dialer: one trio task per running campaign asks the pacer how many calls to place, places
them, bridges the people who answer onto free agents and records every outcome."""

from ccengine.dialer._board import ActiveCall, CallBoard
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
from ccengine.dialer._campaign import CampaignTask, Dialling
from ccengine.dialer._live import LiveCampaign
from ccengine.dialer._router import EventRouter
from ccengine.dialer._sessions import AgentSessions, SessionError

__all__ = [
    "Action",
    "ActiveCall",
    "AgentSessions",
    "Bridge",
    "CallBoard",
    "CallFlow",
    "CampaignTask",
    "Detect",
    "Dialling",
    "End",
    "EventRouter",
    "FlowState",
    "Hangup",
    "LiveCampaign",
    "Play",
    "SessionError",
    "WantAgent",
    "outcome_of_failure",
]
