"""Plain data types of the center: campaigns, lists, contacts, agents, calls (docs/data-model.md).

Moments are UTC microseconds since the epoch, as in the event log; ids are the store's integers.
"""

from ccengine.domain._agent import Agent, AgentState, AgentStatus
from ccengine.domain._calls import Callback, CallbackState, CallRecord
from ccengine.domain._campaign import (
    DEFAULT_DISPOSITIONS,
    DEFAULT_RETRY_DELAYS,
    AbandonWindow,
    Campaign,
    CampaignState,
    DialMode,
    Disposition,
    InactiveReason,
    MachineRule,
    RunState,
    Schedule,
    Window,
    next_run_state,
)
from ccengine.domain._contacts import (
    LIST_TRANSITIONS,
    Contact,
    ContactList,
    ContactState,
    DoNotCall,
    ListStatus,
    MissedCall,
    next_list_status,
)
from ccengine.domain._outcome import Outcome
from ccengine.domain._tenancy import Role, Team, Tenant, User
from ccengine.domain._time import SECOND, from_datetime, now_us, to_datetime

__all__ = [
    "DEFAULT_DISPOSITIONS",
    "DEFAULT_RETRY_DELAYS",
    "LIST_TRANSITIONS",
    "SECOND",
    "AbandonWindow",
    "Agent",
    "AgentState",
    "AgentStatus",
    "CallRecord",
    "Callback",
    "CallbackState",
    "Campaign",
    "CampaignState",
    "Contact",
    "ContactList",
    "ContactState",
    "DialMode",
    "Disposition",
    "DoNotCall",
    "InactiveReason",
    "ListStatus",
    "MachineRule",
    "MissedCall",
    "Outcome",
    "Role",
    "RunState",
    "Schedule",
    "Team",
    "Tenant",
    "User",
    "Window",
    "from_datetime",
    "next_list_status",
    "next_run_state",
    "now_us",
    "to_datetime",
]
