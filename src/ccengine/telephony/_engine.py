"""``Telephony``: the SIP engine as a trio service.

Commands are plain method calls: the native engine answers each at once (it only queues the SIP
work), so they never wait on the network. Events arrive on ``telephony.events``, a trio channel
the service fills in batches: the native side makes a file descriptor readable when events wait
and the service sleeps in ``trio.lowlevel.wait_readable`` until then. No Python runs on the SIP
threads.

Given a running ``Media`` facade, calls' audio flows through the media engine: each SIP leg has a
media leg, and each bridged call is a mixing room (``room``) that supervisors can join and that
can be recorded. Without one, a plain UDP relay carries bridged legs' packets (SIP-only use).
"""

from __future__ import annotations

from typing import Literal

import trio

from ccengine import _native
from ccengine.telephony._events import SipEvent, from_native
from ccengine.telephony._media import Leg, Media

__all__ = ["HangupCause", "Telephony"]

HangupCause = Literal["normal", "busy", "no-answer", "rejected", "abandoned", "failure"]

#: Events taken from the native queue per wake-up.
_BATCH = 1_000


class Telephony:
    """The SIP face of the engine, configured by the ``[sip]`` table of a TOML document. With
    ``media`` (started before this service), calls' audio runs through that media engine."""

    def __init__(self, config_toml: str, *, media: Media | None = None, buffer: int = 10_000) -> None:
        self._config = config_toml
        self._media = media
        self._native: _native.SipEngine | None = None
        self._send, self.events = trio.open_memory_channel[SipEvent](buffer)

    @property
    def engine(self) -> _native.SipEngine:
        if self._native is None:
            raise RuntimeError("the telephony service is not running")
        return self._native

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Bind, report started, then pump events until cancelled; then hang up every call."""
        media = None if self._media is None else self._media.engine
        native = await trio.to_thread.run_sync(_native.SipEngine, self._config, media)
        self._native = native
        try:
            task_status.started()
            while True:
                await trio.lowlevel.wait_readable(native.wake_fd())
                for raw in native.drain_events(_BATCH):
                    await self._send.send(from_native(raw))
        finally:
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(native.shutdown)
            self._native = None
            self._send.close()

    def local_addresses(self) -> list[tuple[str, str, int]]:
        """``(transport, ip, port)`` the engine listens on."""
        return self.engine.local_addrs()

    def originate(self, *, trunk: str, number: str, caller_id: str, timeout: float) -> int:
        """Dial ``number`` through ``trunk``; returns the new leg. Progress arrives as events."""
        return self.engine.originate_trunk(trunk, number, caller_id, timeout)

    def call_agent(self, user: str, *, caller_id: str, timeout: float) -> int:
        """Ring an agent's registered phone; returns the new leg."""
        return self.engine.originate_agent(user, caller_id, timeout)

    def answer(self, leg: int) -> None:
        self.engine.answer(leg)

    def ring(self, leg: int) -> None:
        """Tell the caller of an offered (inbound) leg that it rings: 180 Ringing. The engine
        sends only 100 Trying on its own; a leg can ring any number of times before ``answer``."""
        self.engine.ring(leg)

    def reject(self, leg: int, status: int = 486) -> None:
        self.engine.reject(leg, status)

    def hangup(self, leg: int, cause: HangupCause = "normal") -> None:
        """BYE an answered leg, CANCEL a ringing one, refuse an offered one."""
        self.engine.hangup(leg, cause)

    def bridge(self, a: int, b: int) -> None:
        self.engine.bridge(a, b)

    def unbridge(self, a: int, b: int) -> None:
        """The two legs stop hearing each other; the agent side keeps the call's room (and its
        supervisors) until its next bridge, the customer side leaves it."""
        self.engine.unbridge(a, b)

    def detach(self, leg: int) -> None:
        """Takes a bridged leg out of its call: its partner keeps the call's room (supervisors,
        recording) and ``leg`` goes to a room of its own, taking its persistent listeners along.
        A takeover releases the agent's session leg this way; it can be bridged again at once."""
        self.engine.detach(leg)

    def hold(self, leg: int) -> None:
        self.engine.hold(leg, True)

    def resume(self, leg: int) -> None:
        self.engine.hold(leg, False)

    def agent_contact(self, user: str) -> str | None:
        """Where an agent's phone is registered now, if it is."""
        return self.engine.agent_contact(user)

    def leg_count(self) -> int:
        return self.engine.leg_count()

    def rtp_packets(self, leg: int) -> int | None:
        """RTP packets received on a leg's media socket so far."""
        return self.engine.rtp_packets(leg)

    def media_leg(self, leg: int) -> Leg | None:
        """The ``Media`` leg carrying a SIP leg's audio: where prompts play and detection runs."""
        found = self.engine.media_leg(leg)
        return None if found is None else Leg(*found)

    def sip_leg(self, media_leg: int) -> int | None:
        """The SIP leg of a ``Media`` leg, to place that engine's events (digits, detection)."""
        return self.engine.sip_leg(media_leg)

    def room(self, leg: int) -> int | None:
        """The ``Media`` room of a bridged call: where supervisors join, what is recorded."""
        return self.engine.room(leg)
