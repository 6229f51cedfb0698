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
from ccengine.dialer._dialer import Dialer
from ccengine.dialer._live import LiveCampaign
from ccengine.dialer._router import EventRouter, Fallback, Handler
from ccengine.dialer._sessions import AgentSessions, SessionError
from ccengine.dialer._settings import dialling_from_table
from ccengine.dialer._shares import AgentShares, CampaignNeeds, choose_counter
from ccengine.dialer._wrapups import CallbackRequest, WrapUps

__all__ = [
    "Action",
    "ActiveCall",
    "AgentSessions",
    "AgentShares",
    "Bridge",
    "CallBoard",
    "CallFlow",
    "CallbackRequest",
    "CampaignNeeds",
    "CampaignTask",
    "Detect",
    "Dialer",
    "Dialling",
    "End",
    "EventRouter",
    "Fallback",
    "FlowState",
    "Handler",
    "Hangup",
    "LiveCampaign",
    "Play",
    "SessionError",
    "WantAgent",
    "WrapUps",
    "choose_counter",
    "dialling_from_table",
    "outcome_of_failure",
]
