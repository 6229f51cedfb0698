"""The simulated carrier over loopback SIP and RTP, driven by an engine-under-test ``Telephony``
(with its ``Media``) whose trunk points at it: each call's outcome seen by the calling side is
the carrier's draw for it, audio arrives, a machine is told from a person by the caller's
answering-machine detection, and a few hundred calls at once stay bounded in time."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trio

from ccengine.pacing import Scenario
from ccengine.sim import Carrier, Draws
from ccengine.telephony import Answered, Failed, HungUp, Media, MediaEvent, Telephony

#: Short rings and talks so a test lasts seconds: 15 % of calls ring out (6 s timeout).
LOOPBACK = """
name = "loopback"
hours = 8
agents = 5
[outcomes]
human = 0.35
machine = 0.25
busy = 0.15
invalid = 0.10
[ring]
answer_mean = 1.5
answer_sd = 0.5
timeout = 6
[talk]
mean = 4
sd = 1
[wrap]
mean = 2
sd = 1
"""


@dataclass
class Dialled:
    """What the calling side saw of one call (times in trio seconds)."""

    number: str
    placed: float
    answered: float | None = None
    ended: float | None = None
    failed: str | None = None
    hung_up_by: str | None = None
    packets: int | None = None
    verdict: str | None = None


@dataclass
class Caller:
    """The engine under test: originates through its trunk ``carrier``, detects machines on
    every answered call and hangs up a machine once detected (the campaigns' drop rule)."""

    telephony: Telephony
    media: Media
    calls: dict[int, Dialled] = field(default_factory=dict)
    by_media_leg: dict[int, int] = field(default_factory=dict)
    done: trio.Event = field(default_factory=trio.Event)
    expected: int = 0

    def dial(self, count: int, timeout: float) -> None:
        self.expected += count
        for i in range(count):
            number = f"+3310000{i:04d}"
            leg = self.telephony.originate(trunk="carrier", number=number, caller_id="+33100000000", timeout=timeout)
            self.calls[leg] = Dialled(number, trio.current_time())

    def _finished(self) -> None:
        if sum(c.ended is not None for c in self.calls.values()) == self.expected:
            self.done.set()

    async def follow_sip(self) -> None:
        async for event in self.telephony.events:
            match event:
                case Answered(leg=leg) if leg in self.calls:
                    self.calls[leg].answered = trio.current_time()
                    media_leg = self.telephony.media_leg(leg)
                    assert media_leg is not None
                    self.by_media_leg[media_leg.id] = leg
                    self.media.detect(media_leg)
                case Failed(leg=leg, outcome=outcome) if leg in self.calls:
                    self.calls[leg].failed, self.calls[leg].ended = outcome, trio.current_time()
                    self._finished()
                case HungUp(leg=leg, by=by) if leg in self.calls:
                    self.calls[leg].hung_up_by, self.calls[leg].ended = by, trio.current_time()
                    self._finished()

    async def follow_media(self) -> None:
        async for event in self.media.events:
            self.on_media(event)

    def on_media(self, event: MediaEvent) -> None:
        if event.kind != "detection":
            return
        leg = self.by_media_leg.get(event.fields["leg"])
        if leg is None or self.calls[leg].ended is not None:
            return
        call = self.calls[leg]
        call.verdict = event.fields["verdict"]
        call.packets = self.telephony.rtp_packets(leg)
        if call.verdict == "machine":
            self.telephony.hangup(leg)


@asynccontextmanager
async def carrier_and_caller(scenario: str, seed: int, voices: Path, **options: object) -> AsyncIterator[
        tuple[Carrier, Caller]]:
    carrier = Carrier(Draws(Scenario.parse(scenario), seed), voices_dir=voices, **options)  # type: ignore[arg-type]
    async with trio.open_nursery() as nursery:
        await nursery.start(carrier.run)
        assert carrier.address is not None
        host, port = carrier.address
        media = Media()
        telephony = Telephony(
            f'[[sip.listen]]\ntransport = "udp"\naddress = "127.0.0.1:0"\n'
            f'[[sip.trunk]]\nname = "carrier"\naddress = "{host}:{port}"\n', media=media)
        await nursery.start(media.run)
        await nursery.start(telephony.run)
        caller = Caller(telephony, media)
        nursery.start_soon(caller.follow_sip)
        nursery.start_soon(caller.follow_media)
        yield carrier, caller
        nursery.cancel_scope.cancel()


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("voices")


async def test_each_call_meets_its_drawn_fate(voices: Path) -> None:
    async with carrier_and_caller(LOOPBACK, 3, voices) as (carrier, caller):
        ring_timeout = carrier.draws.ring_timeout
        # The engine gives up a little after the scenario's timeout, so drawn answers all land.
        caller.dial(40, timeout=ring_timeout + 2)
        with trio.fail_after(40):
            await caller.done.wait()
        with trio.fail_after(5):
            while carrier.active:
                await trio.sleep(0.05)
    fates = {record.number: record for record in carrier.calls}
    assert len(fates) == carrier.counts.offered == 40
    assert sorted(r.fate.rank for r in fates.values()) == list(range(40))
    seen = {call.number: call for call in caller.calls.values()}
    verdicts: Counter[tuple[str, str | None]] = Counter()
    for number, record in fates.items():
        call, fate = seen[number], record.fate
        match fate.outcome:
            case "busy":
                assert (call.failed, record.result) == ("busy", "busy")
            case "invalid":
                assert (call.failed, record.result) == ("invalid-number", "invalid")
            case "no-answer":
                assert (call.failed, record.result) == ("no-answer", "cancelled")
                assert call.ended is not None
                assert call.ended - call.placed == pytest.approx(ring_timeout + 2, abs=0.5)
            case "human":
                assert call.answered is not None and call.ended is not None
                assert call.answered - call.placed == pytest.approx(fate.ring, abs=0.5)
                # The person hangs up after the talk drawn, unless the detector hung up first.
                if call.verdict != "machine":
                    assert (call.hung_up_by, record.result) == ("remote", "hung-up")
                    assert call.ended - call.answered == pytest.approx(fate.talk, abs=0.5)
                verdicts["human", call.verdict] += 1
            case "machine":
                assert call.answered is not None
                assert call.answered - call.placed == pytest.approx(fate.ring, abs=0.5)
                # Detected, the caller drops it during its greeting: the carrier sees the engine end it.
                if call.verdict == "machine":
                    assert (call.hung_up_by, record.result) == ("local", "ended-by-engine")
                verdicts["machine", call.verdict] += 1
        if call.answered is not None:
            # ~50 packets a second arrive from the carrier until the detector decides (≥ 1 s).
            assert call.packets is not None and call.packets >= 40, (number, call)
    people, machines = carrier.counts.drawn["human"], carrier.counts.drawn["machine"]
    assert people >= 8 and machines >= 5, carrier.counts.drawn
    assert verdicts["human", "human"] >= 0.8 * people, verdicts
    assert verdicts["machine", "machine"] >= 0.8 * machines, verdicts
    assert carrier.counts.errors == 0
    assert carrier.counts.answered == people + machines
    assert carrier.counts.person_seconds == pytest.approx(
        sum(r.answered_seconds or 0 for r in carrier.calls if r.fate.outcome == "human"))


async def test_hundreds_of_calls_at_once_stay_bounded(voices: Path) -> None:
    # Everyone answers within a second or two and talks 8 ± 1 s: 300 calls overlap; the
    # carrier takes 250 at once and refuses the rest with 503 (congestion for the caller).
    everyone = LOOPBACK.replace("human = 0.35", "human = 1.0").replace("machine = 0.25", "machine = 0") \
        .replace("busy = 0.15", "busy = 0").replace("invalid = 0.10", "invalid = 0") \
        .replace("answer_mean = 1.5", "answer_mean = 1").replace("mean = 4\nsd = 1", "mean = 8\nsd = 1")
    started = trio.current_time()
    peak = 0
    async with carrier_and_caller(everyone, 1, voices, max_calls=250) as (carrier, caller):
        caller.dial(300, timeout=10)
        with trio.fail_after(45):
            while not caller.done.is_set():
                peak = max(peak, carrier.active)
                await trio.sleep(0.05)
    outcomes = Counter(c.failed or c.hung_up_by for c in caller.calls.values())
    assert outcomes == {"remote": 250, "congestion": 50}, outcomes
    assert carrier.counts.results == {"hung-up": 250, "refused": 50}
    assert peak == 250
    assert all(c.packets is not None and c.packets >= 40 for c in caller.calls.values() if c.answered), \
        "audio from every answered call"
    assert trio.current_time() - started < 45
