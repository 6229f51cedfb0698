"""``Carrier``: a simulated carrier that answers the engine's calls with a scenario's odds, over
real SIP and RTP. It is our own SIP and media engine used as a peer: the engine under test points
a trunk at the carrier's address, and each call it places meets the fate the pacing simulator
would give it (``Draws``: the n-th call received, one fate per seed).

Per call: a person or a machine picks up after the drawn ring time (a person says hello, waits,
then talks in short sentences until the drawn talk time has passed, and hangs up; a machine
plays a long greeting and a beep, records for a while and hangs up); a busy number answers 486,
an invalid one 404; a call nobody answers rings until the engine gives up (CANCEL), or until
``no_answer_limit`` (480). Everything is counted for comparison with the engine's records.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import trio

from ccengine.errors import CCEngineError
from ccengine.sim._draws import CallFate, Draws, Outcome
from ccengine.sim._voices import Voices, default_cache, make_voices
from ccengine.telephony import HungUp, Incoming, Leg, Media, SipEvent, Telephony
from ccengine.telephony._relay import dialled_number

__all__ = ["CallRecord", "Carrier", "CarrierCounts", "Result"]

#: How a call the carrier received ended.
#: ``hung-up``: answered, and the carrier hung up at the end of the talk or the message;
#: ``ended-by-engine``: answered, and the engine hung up first; ``busy`` / ``invalid``: refused
#: with 486 / 404; ``cancelled``: the engine gave up while it rang; ``gave-up``: nobody
#: answered and the engine never cancelled, refused with 480 after ``no_answer_limit``;
#: ``refused``: more calls than ``max_calls`` at once, refused with 503; ``failed``: the SIP or
#: media engine refused a command for this call.
Result = Literal["hung-up", "ended-by-engine", "busy", "invalid", "cancelled", "gave-up", "refused", "failed"]

#: Seconds between the INVITE and the 180 of a call that rings (the network finding the line).
RINGBACK_AFTER = 0.2
#: Slugs of a command refused because the leg ended meanwhile (its hang-up not yet seen).
_LEG_GONE = frozenset({"unknown-leg", "wrong-state", "unknown-id"})


@dataclass(slots=True)
class CallRecord:
    """One call the carrier received. Times are seconds since the carrier started."""

    fate: CallFate
    number: str
    offered_at: float
    result: Result | None = None
    answered_at: float | None = None
    ended_at: float | None = None

    @property
    def answered_seconds(self) -> float | None:
        """Seconds from the answer to the end of an answered call."""
        if self.answered_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.answered_at


@dataclass(slots=True)
class CarrierCounts:
    offered: int = 0
    drawn: Counter[Outcome] = field(default_factory=Counter)
    results: Counter[Result] = field(default_factory=Counter)
    answered: int = 0
    #: Seconds people and machines were on the line, answer to hang-up.
    person_seconds: float = 0.0
    machine_seconds: float = 0.0
    #: Commands the SIP or media engine refused other than for a leg that had just ended.
    errors: int = 0

    def summary(self) -> str:
        drawn = ", ".join(f"{k} {v}" for k, v in sorted(self.drawn.items()))
        results = ", ".join(f"{k} {v}" for k, v in sorted(self.results.items()))
        return (f"calls offered {self.offered}; drawn: {drawn or '—'}; ended: {results or '—'}; answered "
                f"{self.answered}; people talked {self.person_seconds:,.0f} s, machines {self.machine_seconds:,.0f} s; "
                f"errors {self.errors}")


@dataclass(frozen=True, slots=True)
class _Running:
    telephony: Telephony
    media: Media
    voices: Voices


@dataclass(slots=True)
class _Live:
    leg: int
    record: CallRecord
    gone: trio.Event = field(default_factory=trio.Event)


class Carrier:
    """The simulated carrier, a trio service: ``await nursery.start(carrier.run)`` binds, makes
    the voices (once per cache directory) and returns when calls can arrive at ``address``."""

    def __init__(
        self, draws: Draws, *, listen: str = "127.0.0.1:0", voices_dir: Path | None = None, max_calls: int = 1000,
        day_offset: float = 0.0, no_answer_limit: float = 180.0, keep_calls: bool = True,
    ) -> None:
        """``listen``: ``host:port`` (port 0: any free one). ``day_offset``: seconds into the
        scenario's day at start (its laws drift with the time of day). ``keep_calls``: keep a
        ``CallRecord`` per call in ``calls``."""
        self.draws = draws
        self.listen = listen
        self.voices_dir = voices_dir or default_cache()
        self.max_calls = max_calls
        self.day_offset = day_offset
        self.no_answer_limit = no_answer_limit
        self.keep_calls = keep_calls
        self.counts = CarrierCounts()
        self.calls: list[CallRecord] = []
        self.address: tuple[str, int] | None = None
        self._live: dict[int, _Live] = {}
        self._next_rank = 0
        self._started = math.nan
        self._running: _Running | None = None

    @property
    def active(self) -> int:
        """Calls in progress."""
        return len(self._live)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        host = self.listen.rpartition(":")[0].strip("[]")
        voices = await trio.to_thread.run_sync(make_voices, self.voices_dir)
        media = Media(bind=host)
        telephony = Telephony(f'[[sip.listen]]\ntransport = "udp"\naddress = "{self.listen}"\n', media=media)
        async with trio.open_nursery() as nursery:
            await nursery.start(media.run)
            await nursery.start(telephony.run)
            self._running = _Running(telephony, media, voices)
            _, ip, port = next(a for a in telephony.local_addresses() if a[0] == "udp")
            self.address = (ip, port)
            self._started = trio.current_time()
            nursery.start_soon(self._drain_media, media)
            task_status.started()
            try:
                async for event in telephony.events:
                    self._handle(event, nursery)
            finally:
                self._running = None

    def _now(self) -> float:
        return trio.current_time() - self._started

    def _handle(self, event: SipEvent, nursery: trio.Nursery) -> None:
        match event:
            case Incoming(leg=leg, to_uri=to_uri):
                self._offer(leg, dialled_number(to_uri), nursery)
            case HungUp(leg=leg, by="remote"):
                live = self._live.get(leg)
                if live is not None:
                    live.gone.set()
            case _:
                pass  # answers and hang-ups we made, and anything else: nothing to do

    def _offer(self, leg: int, number: str, nursery: trio.Nursery) -> None:
        rank = self._next_rank
        self._next_rank += 1
        now = self._now()
        record = CallRecord(self.draws.call(rank, self.day_offset + now), number, now)
        if self.keep_calls:
            self.calls.append(record)
        self.counts.offered += 1
        self.counts.drawn[record.fate.outcome] += 1
        live = _Live(leg, record)
        if len(self._live) >= self.max_calls:
            try:
                self._io().telephony.reject(leg, 503)
            except CCEngineError:
                self.counts.errors += 1
                self._finish(live, "failed")
            else:
                self._finish(live, "refused")
            return
        self._live[leg] = live
        nursery.start_soon(self._serve, live)

    def _io(self) -> _Running:
        assert self._running is not None, "calls arrive only while the SIP face runs"
        return self._running

    async def _serve(self, live: _Live) -> None:
        fate = live.record.fate
        telephony = self._io().telephony
        try:
            if fate.outcome in ("human", "machine", "no-answer"):
                if await self._until_gone(live, min(RINGBACK_AFTER, fate.ring)):
                    self._finish(live, "cancelled")
                    return
                self._ringback(live.leg)
            ring = self.no_answer_limit if fate.outcome == "no-answer" else fate.ring
            if await self._until_gone(live, ring - (self._now() - live.record.offered_at)):
                self._finish(live, "cancelled")
                return
            match fate.outcome:
                case "busy":
                    telephony.reject(live.leg, 486)
                    self._finish(live, "busy")
                case "invalid":
                    telephony.reject(live.leg, 404)
                    self._finish(live, "invalid")
                case "no-answer":
                    telephony.reject(live.leg, 480)
                    self._finish(live, "gave-up")
                case _:
                    await self._talk(live)
        except CCEngineError as err:
            if err.slug in _LEG_GONE:
                self._finish(live, "cancelled" if live.record.answered_at is None else "ended-by-engine")
            else:
                self.counts.errors += 1
                self._finish(live, "failed")
        finally:
            del self._live[live.leg]

    def _ringback(self, leg: int) -> None:
        """180 Ringing. ``Telephony.ring`` comes with the SIP registration client work (branch
        h1-register); until it is merged the carrier answers without 180. Once it is, this is the
        one place to call ``self._io().telephony.ring(leg)`` directly."""
        ring = getattr(self._io().telephony, "ring", None)
        if ring is not None:
            ring(leg)

    async def _talk(self, live: _Live) -> None:
        """Answers, speaks, and hangs up after the talk (a person) or the message (a machine)."""
        io, fate = self._io(), live.record.fate
        telephony, media, voices = io.telephony, io.media, io.voices
        telephony.answer(live.leg)
        answered = live.record.answered_at = self._now()
        self.counts.answered += 1
        leg = telephony.media_leg(live.leg)
        if fate.outcome == "human":
            hello = voices.hellos[fate.rank % len(voices.hellos)]
            stay = fate.talk
            self._play(media, leg, hello.path)
            if await self._until_gone(live, min(hello.seconds, stay)):
                self._finish(live, "ended-by-engine")
                return
            if stay > hello.seconds:
                self._play(media, leg, voices.talk.path, loop=True)
        else:
            greeting = voices.greetings[fate.rank % len(voices.greetings)]
            stay = greeting.seconds + fate.talk
            self._play(media, leg, greeting.path)
        if await self._until_gone(live, answered + stay - self._now()):
            self._finish(live, "ended-by-engine")
            return
        telephony.hangup(live.leg)
        self._finish(live, "hung-up")

    def _play(self, media: Media, leg: Leg | None, path: Path, *, loop: bool = False) -> None:
        if leg is None:  # a SIP leg always has a media leg on the media engine: count it if not
            self.counts.errors += 1
            return
        media.play(leg, path, loop=loop)

    @staticmethod
    async def _until_gone(live: _Live, seconds: float) -> bool:
        """Waits ``seconds`` or until the engine ends the call; whether it did."""
        with trio.move_on_after(max(seconds, 0.0)):
            await live.gone.wait()
        return live.gone.is_set()

    def _finish(self, live: _Live, result: Result) -> None:
        record = live.record
        record.result = result
        record.ended_at = self._now()
        self.counts.results[result] += 1
        seconds = record.answered_seconds
        if seconds is not None:
            if record.fate.outcome == "human":
                self.counts.person_seconds += seconds
            else:
                self.counts.machine_seconds += seconds

    @staticmethod
    async def _drain_media(media: Media) -> None:
        """The media engine's events (prompts started and ended) concern no decision here."""
        async for _ in media.events:
            pass
