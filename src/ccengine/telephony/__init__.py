"""The Python side of the telephony core: SIP commands in, typed events out (docs/sip.md), and the
media engine's legs, rooms, prompts, recordings and detection (docs/media.md)."""

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
    RegisterStatus,
    Registration,
    Resumed,
    Ringing,
    SipEvent,
    TrunkStatus,
    Trying,
    Unbridged,
)
from ccengine.telephony._media import Codec, Leg, Media, MediaEvent, Mode, Role
from ccengine.telephony._relay import InboundRelay

__all__ = [
    "Answered",
    "Bridged",
    "Codec",
    "DialOutcome",
    "Dtmf",
    "EarlyMedia",
    "Failed",
    "HangupCause",
    "Held",
    "HungUp",
    "InboundRelay",
    "Incoming",
    "Leg",
    "LegEvent",
    "Media",
    "MediaEvent",
    "Mode",
    "RegisterStatus",
    "Registration",
    "Resumed",
    "Ringing",
    "Role",
    "SipEvent",
    "Telephony",
    "TelephonyError",
    "TrunkStatus",
    "Trying",
    "Unbridged",
]
