"""Answering machines over loopback: the carrier is a pjsua2 phone (``tone_phone --play``) that
answers with speech made by espeak-ng — a voicemail greeting, or a person's short "Hello?" — and
the engine's detector tells them apart on the customer's media leg: machines follow the
campaign's rule (here, the message is left), people are bridged to the agent."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ccengine import domain as d
from ccengine.metrics import EventKind
from ccengine.store import Store
from tests.dialer.conftest import collected_events, indicators
from tests.dialer.test_campaign import PROMPT_S, all_ended, center, prompt
from tests.telephony.test_engine_media import tone_phone

VOICEMAIL = ("Hello, you have reached the voicemail of John Smith. I am not available right now, "
             "please leave a message after the tone.")


def spoken(path: Path, text: str) -> Path:
    """``text`` spoken by espeak-ng at 8 kHz, after 0.3 s of silence and followed by 4 s of it
    (clips the detector classifies well: native/media/tests/amd_accuracy.rs)."""
    raw = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(path), "pad", "0.3", "4"],
                   check=True, capture_output=True)
    return path


async def test_a_machine_is_detected_and_given_the_campaign_message(store: Store, tmp_path: Path) -> None:
    greeting = spoken(tmp_path / "voicemail.wav", VOICEMAIL)
    # Two lines for one agent: both calls reach the carrier's voicemail at once.
    with tone_phone(tmp_path / "carrier.wav", 0, "--play", str(greeting)) as (_, carrier_port):
        async with (collected_events() as (sender, sent),
                    center(store, tmp_path, contacts=2, agents=1, talk_ms=0, carrier_port=carrier_port,
                           dial_mode=d.DialMode.POWER, power_ratio=2.0, machine_rule=d.MachineRule.MESSAGE,
                           machine_message=prompt(tmp_path / "message.wav"), events=sender) as c):
            records = await all_ended(store, c.campaign.id, 2, 20)
            assert (await store.agent_status(c.agent_ids[0])).state is d.AgentState.AVAILABLE
    assert [r.outcome for r in records] == [d.Outcome.MACHINE] * 2
    for r in records:
        assert r.connected_at is None and r.agent_id is None
        assert r.answered_at is not None and r.ended_at is not None
        # The detector heard more than its 2 s greeting limit, then the message played whole.
        assert (r.ended_at - r.answered_at) / d.SECOND >= 2.0 + PROMPT_S
    figures = indicators(sent, c.campaign.id)
    assert (figures["machine_answers"], figures["human_answers"], figures["attempts"]) == (2, 0, 2)
    assert EventKind.CONNECTED not in [e.kind for e in sent]


async def test_a_person_saying_hello_is_detected_as_a_person_and_bridged(store: Store, tmp_path: Path) -> None:
    hello = spoken(tmp_path / "hello.wav", "Hello?")
    # The carrier's phone hangs up its call after 6 s.
    with tone_phone(tmp_path / "carrier.wav", 0, "--play", str(hello), "--seconds", "6") as (_, carrier_port):
        async with center(store, tmp_path, contacts=1, agents=1, talk_ms=0, carrier_port=carrier_port,
                          dial_mode=d.DialMode.PROGRESSIVE, machine_rule=d.MachineRule.DROP) as c:
            (record,) = await all_ended(store, c.campaign.id, 1, 20)
    assert record.outcome is d.Outcome.HUMAN and record.agent_id == c.agent_ids[0]
    assert record.answered_at is not None and record.connected_at is not None
    # Bridged once the detector heard the greeting end (0.8 s of silence after "Hello?"): well
    # within the connect limit, which runs from the end of the greeting.
    assert (record.connected_at - record.answered_at) / d.SECOND < 3.0
