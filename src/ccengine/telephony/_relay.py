"""``InboundRelay``: what ``ccengine serve`` does with calls before campaigns exist. A call from
outside is relayed to a trunk (B2BUA): the number dialled is called through the trunk, and the
caller is answered and bridged when the callee answers, or refused with the status matching the
dial outcome. Whichever side hangs up, the other is hung up. Calls from agents are answered (an
agent dialling in to open their session leg).
"""

from __future__ import annotations

import contextlib

import trio

from ccengine.errors import TelephonyError
from ccengine.telephony._engine import Telephony
from ccengine.telephony._events import Answered, DialOutcome, Failed, HungUp, Incoming, SipEvent

__all__ = ["InboundRelay"]

#: The SIP status a caller gets for each way the relayed call can fail.
_REFUSAL: dict[DialOutcome, int] = {
    "busy": 486,
    "invalid-number": 404,
    "no-answer": 480,
    "congestion": 503,
    "rejected": 603,
}


def dialled_number(to_uri: str) -> str:
    """The user part of a To URI (``sip:+33142@host;user=phone`` → ``+33142``)."""
    user = to_uri.removeprefix("sip:").removeprefix("sips:").split("@", 1)[0]
    return user.split(";", 1)[0]


class InboundRelay:
    def __init__(self, telephony: Telephony, *, trunk: str | None, ring_timeout: float = 30.0) -> None:
        self.telephony = telephony
        self.trunk = trunk
        self.ring_timeout = ring_timeout
        #: leg -> the other leg of its relayed call.
        self._peer: dict[int, int] = {}
        self.relayed = 0
        self.refused = 0

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        async for event in self.telephony.events:
            await self.offer(event)

    async def offer(self, event: SipEvent) -> None:
        """One event; when another service reads the SIP events (the dialer's router), it hands
        the relay those of the legs it does not own (it is the router's fallback)."""
        # A command refused because the leg ended meanwhile: its own event follows.
        with contextlib.suppress(TelephonyError):
            self.handle(event)

    def handle(self, event: SipEvent) -> None:
        t = self.telephony
        match event:
            case Incoming(leg=leg, agent=agent) if agent is not None:
                t.answer(leg)
            case Incoming(leg=leg, to_uri=to_uri):
                if self.trunk is None:
                    self.refused += 1
                    t.reject(leg, 480)
                    return
                outbound = t.originate(trunk=self.trunk, number=dialled_number(to_uri), caller_id="ccengine",
                                       timeout=self.ring_timeout)
                self._peer[leg] = outbound
                self._peer[outbound] = leg
            case Answered(leg=leg) if leg in self._peer:
                caller = self._peer[leg]
                t.answer(caller)
                t.bridge(caller, leg)
                self.relayed += 1
            case Failed(leg=leg, outcome=outcome) if leg in self._peer:
                caller = self._peer.pop(leg)
                self._peer.pop(caller, None)
                self.refused += 1
                t.reject(caller, _REFUSAL.get(outcome, 480))
            case HungUp(leg=leg) if leg in self._peer:
                other = self._peer.pop(leg)
                self._peer.pop(other, None)
                t.hangup(other)
