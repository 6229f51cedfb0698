"""``Telephony`` built on ``Media``: a carrier call bridged to an agent's registered softphone, the
audio flowing through our media engine both ways. Both peers are pjsua2 (PCMU forced), each in a
process of its own (``tone_phone``): the carrier plays 440 Hz, the agent 700 Hz, and each records
what it hears; the engine records the call's room. Tones are checked by spectrum."""

from __future__ import annotations

import subprocess
import sys
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import trio

from ccengine.telephony import Answered, Bridged, HungUp, Media, Registration, Telephony
from tests.telephony.rtp_peer import tone_level
from tests.telephony.test_engine import config, next_event

CARRIER_HZ, AGENT_HZ, AMPLITUDE = 440.0, 700.0, 6000.0
ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def tone_phone(record: Path, hz: float, *extra: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """A pjsua2 phone process, its SIP port once it listens; killed if the test fails first."""
    command = [
        sys.executable,
        "-m",
        "tests.telephony.tone_phone",
        "--tone",
        str(hz),
        "--record",
        str(record),
        "--seconds",
        "30",
        *extra,
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        # PJSIP logs a line or two to stdout before its log settings apply.
        for line in process.stdout:
            if line.startswith("ready"):
                break
        else:
            raise AssertionError("the phone ended before listening")
        yield process, int(line.split()[1])
    finally:
        if process.returncode is None:  # not reaped by `finished`: the test failed first
            process.kill()
            process.communicate(timeout=10)


def finished(process: subprocess.Popen[str]) -> str:
    """What the phone printed at the end (``done connected=True``) after exiting cleanly."""
    out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    return out.strip()


def loudest_window(path: Path, hz: float, other_hz: float, channel: int = 0) -> tuple[float, float]:
    """Over half-second windows of one channel: the best level of ``hz`` (relative to the sent
    amplitude), and the level of ``other_hz`` in that same window."""
    with wave.open(str(path)) as w:
        rate, channels = w.getframerate(), w.getnchannels()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")[channel::channels]
    step = rate // 2
    windows = [samples[i : i + step] for i in range(0, len(samples) - step + 1, step)]
    assert windows, f"{path} holds less than half a second"
    best = max(windows, key=lambda s: tone_level(s, hz, rate))
    return tone_level(best, hz, rate) / AMPLITUDE, tone_level(best, other_hz, rate) / AMPLITUDE


async def test_a_carrier_call_bridged_to_an_agent_carries_audio_through_the_media_engine(tmp_path: Path) -> None:
    heard_by_carrier, heard_by_agent, room_wav = tmp_path / "carrier.wav", tmp_path / "agent.wav", tmp_path / "room.wav"
    with tone_phone(heard_by_carrier, CARRIER_HZ) as (carrier, carrier_port):
        media = Media()
        telephony = Telephony(config(carrier_port=carrier_port), media=media)
        async with trio.open_nursery() as nursery:
            await nursery.start(media.run)
            await nursery.start(telephony.run)
            _, host, port = telephony.local_addresses()[0]
            agent_args = ("--registrar", f"{host}:{port}", "--user", "1001", "--password", "s3cret")
            with tone_phone(heard_by_agent, AGENT_HZ, *agent_args) as (agent, _):
                await next_event(telephony, lambda e: isinstance(e, Registration))
                agent_leg = telephony.call_agent("1001", caller_id="ccengine", timeout=5)
                await next_event(telephony, lambda e: e == Answered(agent_leg))
                customer_leg = telephony.originate(trunk="carrier", number="+33142000000", caller_id="100", timeout=5)
                await next_event(telephony, lambda e: e == Answered(customer_leg))
                assert telephony.room(customer_leg) is None

                telephony.bridge(customer_leg, agent_leg)
                await next_event(telephony, lambda e: e == Bridged(customer_leg, agent_leg))
                room = telephony.room(customer_leg)
                assert room is not None and telephony.room(agent_leg) == room
                for leg in (customer_leg, agent_leg):
                    media_leg = telephony.media_leg(leg)
                    assert media_leg is not None and telephony.sip_leg(media_leg.id) == leg
                media.record(room, room_wav)
                await trio.sleep(2.5)
                assert (telephony.rtp_packets(customer_leg) or 0) > 50
                assert (telephony.rtp_packets(agent_leg) or 0) > 50
                # The `Leg` works with the `Media` facade as it is (prompts, detection, stats).
                customer_media = telephony.media_leg(customer_leg)
                assert customer_media is not None and media.leg_stats(customer_media)["packets_sent"] > 50

                telephony.hangup(customer_leg)
                telephony.hangup(agent_leg)
                for _ in range(2):
                    await next_event(telephony, lambda e: isinstance(e, HungUp))
                with trio.fail_after(2):  # the legs are released just after HungUp is sent
                    while telephony.media_leg(agent_leg) is not None or telephony.media_leg(customer_leg) is not None:
                        await trio.sleep(0.02)
                assert telephony.room(agent_leg) is None
                assert await trio.to_thread.run_sync(finished, agent) == "done connected=True"
            assert await trio.to_thread.run_sync(finished, carrier) == "done connected=True"
            nursery.cancel_scope.cancel()

    # Each side hears the other's tone, loud and clear, and not its own.
    agent_hears, agent_echo = loudest_window(heard_by_agent, CARRIER_HZ, AGENT_HZ)
    assert agent_hears > 0.4 and agent_echo < 0.05, (agent_hears, agent_echo)
    carrier_hears, carrier_echo = loudest_window(heard_by_carrier, AGENT_HZ, CARRIER_HZ)
    assert carrier_hears > 0.4 and carrier_echo < 0.05, (carrier_hears, carrier_echo)
    # The room's recording: the customer on the first channel, the engine side (agent) on the second.
    customer_channel, _ = loudest_window(room_wav, CARRIER_HZ, AGENT_HZ, channel=0)
    agent_channel, _ = loudest_window(room_wav, AGENT_HZ, CARRIER_HZ, channel=1)
    assert customer_channel > 0.4 and agent_channel > 0.4, (customer_channel, agent_channel)
