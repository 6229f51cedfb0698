"""The Python side of the SIP core: commands in, typed events out (docs/sip.md)."""

from ccengine.errors import TelephonyError
from ccengine.telephony._engine import HangupCause, Telephony
from ccengine.telephony._events import (
    Answered,
    Bridged,
    DialOutcome,
    Dtmf,
    EarlyMedia,
    Failed,
    Held,
    HungUp,
    Incoming,
    LegEvent,
    Registration,
    Resumed,
    Ringing,
    SipEvent,
    TrunkStatus,
    Trying,
    Unbridged,
)
from ccengine.telephony._relay import InboundRelay

__all__ = [
    "Answered",
    "Bridged",
    "DialOutcome",
    "Dtmf",
    "EarlyMedia",
    "Failed",
    "HangupCause",
    "Held",
    "HungUp",
    "InboundRelay",
    "Incoming",
    "LegEvent",
    "Registration",
    "Resumed",
    "Ringing",
    "SipEvent",
    "Telephony",
    "TelephonyError",
    "TrunkStatus",
    "Trying",
    "Unbridged",
]
