"""The typed events the SIP engine reports, built from the native side's plain tuples.

Leg events carry the leg id they concern; trunk and registration events concern a peer. Each
class is a frozen dataclass: match on the class (``match event: case Answered(leg=leg): …``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

__all__ = [
    "Answered",
    "Bridged",
    "DialOutcome",
    "Dtmf",
    "EarlyMedia",
    "Failed",
    "Held",
    "HungUp",
    "Incoming",
    "LegEvent",
    "RegisterStatus",
    "Registration",
    "Resumed",
    "Ringing",
    "SipEvent",
    "TrunkStatus",
    "Trying",
    "Unbridged",
    "from_native",
]

#: What a failed dial attempt means (the SIP status mapped by the engine, docs/sip.md).
DialOutcome = Literal[
    "busy", "invalid-number", "no-answer", "congestion", "rejected", "auth-failed", "cancelled",
    "unreachable", "failed",
]


@dataclass(frozen=True, slots=True)
class Incoming:
    """A peer called in; ``agent`` names the agent when the caller is one of ours, ``account``
    the phone account (``[[sip.account]]``) the call is for."""

    leg: int
    from_uri: str
    to_uri: str
    agent: str | None
    account: str | None = None


@dataclass(frozen=True, slots=True)
class Trying:
    leg: int


@dataclass(frozen=True, slots=True)
class Ringing:
    leg: int


@dataclass(frozen=True, slots=True)
class EarlyMedia:
    """183 (or 180) with SDP: the network plays tones or an announcement."""

    leg: int


@dataclass(frozen=True, slots=True)
class Answered:
    leg: int


@dataclass(frozen=True, slots=True)
class Failed:
    """An originated call ended without an answer; ``status`` is the SIP final status."""

    leg: int
    outcome: DialOutcome
    status: int


@dataclass(frozen=True, slots=True)
class HungUp:
    """An answered (or offered) call ended; ``by`` is ``local`` when we ended it."""

    leg: int
    by: Literal["local", "remote"]
    cause: str


@dataclass(frozen=True, slots=True)
class Held:
    leg: int


@dataclass(frozen=True, slots=True)
class Resumed:
    leg: int


@dataclass(frozen=True, slots=True)
class Dtmf:
    leg: int
    digit: str
    duration_ms: int


@dataclass(frozen=True, slots=True)
class Bridged:
    leg: int
    other: int


@dataclass(frozen=True, slots=True)
class Unbridged:
    leg: int
    other: int


@dataclass(frozen=True, slots=True)
class TrunkStatus:
    """A trunk's OPTIONS keep-alive got answered (``up``) or stopped being answered."""

    trunk: str
    up: bool


@dataclass(frozen=True, slots=True)
class Registration:
    """An agent's phone registered (``expires > 0``) or its registration ended."""

    user: str
    contact: str
    expires: int


@dataclass(frozen=True, slots=True)
class RegisterStatus:
    """One of the engine's own registrations (a trunk with ``register = true``, or a phone
    account) changed. ``ok`` with ``expires > 0``: bound for that many seconds (first time or
    refreshed; ``reason`` is ``registered``); ``ok`` with 0: removed at shutdown
    (``unregistered``); not ``ok``: it failed, ``reason`` says why (``wrong-credentials``,
    ``no-credentials``, ``unsupported-challenge``, ``rejected``, ``no-response``) and ``status`` is
    the registrar's final status (0 when none came). Failures are retried after 5 s, doubling up
    to 5 minutes."""

    name: str
    kind: Literal["trunk", "account"]
    ok: bool
    expires: int
    reason: str
    status: int


LegEvent = (
    Incoming | Trying | Ringing | EarlyMedia | Answered | Failed | HungUp | Held | Resumed | Dtmf
    | Bridged | Unbridged
)
SipEvent = LegEvent | TrunkStatus | Registration | RegisterStatus


def from_native(raw: tuple[str, int, tuple[object, ...]]) -> SipEvent:
    """One event from the native side: ``(kind, leg, fields)``, fields as listed per kind in
    ``ccengine._native.SipEngine.drain_events``."""
    kind, leg, fields = raw
    f = cast(tuple[Any, ...], fields)
    match kind:
        case "incoming":
            return Incoming(leg, f[0], f[1], f[2], f[3])
        case "trying":
            return Trying(leg)
        case "ringing":
            return Ringing(leg)
        case "early-media":
            return EarlyMedia(leg)
        case "answered":
            return Answered(leg)
        case "failed":
            return Failed(leg, f[0], f[1])
        case "hung-up":
            return HungUp(leg, f[0], f[1])
        case "held":
            return Held(leg)
        case "resumed":
            return Resumed(leg)
        case "dtmf":
            return Dtmf(leg, f[0], f[1])
        case "bridged":
            return Bridged(leg, f[0])
        case "unbridged":
            return Unbridged(leg, f[0])
        case "trunk":
            return TrunkStatus(f[0], f[1])
        case "registration":
            return Registration(f[0], f[1], f[2])
        case "register-status":
            return RegisterStatus(f[0], f[1], f[2], f[3], f[4], f[5])
    raise ValueError(f"unknown SIP event kind {kind!r}")
