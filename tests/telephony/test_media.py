"""ccengine.telephony._media over real RTP on loopback: whisper and barge by spectrum, the
abandon prompt's timing, recording events, errors with slugs."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
import trio

from ccengine.errors import MediaError
from ccengine.telephony._media import MODES, Media, MediaEvent
from tests.telephony.rtp_peer import Peer, tone_level

TONES = {"customer": 440.0, "agent": 700.0, "supervisor": 1100.0}


async def next_event(media: Media, kind: str) -> MediaEvent:
    with trio.fail_after(5):
        async for event in media.events:
            if event.kind == kind:
                return event
    raise AssertionError(f"no {kind} event")


async def start_peer(nursery: trio.Nursery, tone_hz: float) -> tuple[Peer, str, int]:
    """A phone whose socket closes with the nursery, and its address."""
    peer = Peer(tone_hz)
    nursery.start_soon(peer.close_when_cancelled)
    host, port = await peer.bind()
    return peer, host, port


def levels(peer: Peer) -> dict[str, float]:
    heard = peer.recent(15)
    return {role: tone_level(heard, hz) / peer.amplitude for role, hz in TONES.items()}


async def test_a_whisper_reaches_the_agent_and_never_the_customer(tmp_path: Path) -> None:
    async with trio.open_nursery() as nursery:
        await whisper_then_barge(nursery, tmp_path)
        nursery.cancel_scope.cancel()


async def whisper_then_barge(nursery: trio.Nursery, tmp_path: Path) -> None:
    media = Media()
    await nursery.start(media.run)
    room = media.create_room()
    peers, legs = {}, {}
    for role, hz in TONES.items():
        peer, host, port = await start_peer(nursery, hz)
        leg = media.open_leg("PCMU")
        media.set_remote(leg, host, port)
        media.add_to_room(room, leg, role, "whisper")  # type: ignore[arg-type]
        nursery.start_soon(peer.receive_forever)
        peers[role], legs[role] = peer, leg

    async def talk(frames: int) -> None:
        async with trio.open_nursery() as n:
            for role, peer in peers.items():
                n.start_soon(peer.send, (legs[role].host, legs[role].port), frames)

    media.record(room, tmp_path / "call.wav")
    await talk(30)
    heard = {role: levels(peer) for role, peer in peers.items()}
    assert heard["customer"]["agent"] > 0.6
    assert heard["customer"]["supervisor"] < 0.05, "the customer must never hear a whisper"
    assert heard["agent"]["customer"] > 0.6 and heard["agent"]["supervisor"] > 0.6
    assert heard["supervisor"]["customer"] > 0.6 and heard["supervisor"]["agent"] > 0.6

    media.set_mode(legs["supervisor"], "barge")
    await talk(20)
    assert levels(peers["customer"])["supervisor"] > 0.6, "barge: the customer hears the supervisor"

    media.stop_record(room)
    started = await next_event(media, "recording-started")
    ended = await next_event(media, "recording-ended")
    assert started.fields["path"] == ended.fields["path"] == str(tmp_path / "call.wav")
    assert ended.fields["error"] is None and ended.fields["duration_ms"] >= 900
    with wave.open(str(tmp_path / "call.wav")) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 8000)
    stats = media.leg_stats(legs["customer"])
    assert stats["packets_received"] >= 50 and stats["malformed_too_short"] == 0


async def test_the_abandon_prompt_starts_well_within_two_seconds_of_the_command(tmp_path: Path) -> None:
    async with trio.open_nursery() as nursery:
        await abandon_prompt(nursery, tmp_path)
        nursery.cancel_scope.cancel()


async def abandon_prompt(nursery: trio.Nursery, tmp_path: Path) -> None:
    prompt = tmp_path / "abandon.wav"
    with wave.open(str(prompt), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)  # resampled by the engine
        w.writeframes((np.sin(np.arange(16000) * 2 * np.pi * 500 / 16000) * 8000).astype("<i2").tobytes())
    media = Media()
    await nursery.start(media.run)
    peer, host, port = await start_peer(nursery, 0.0)
    leg = media.open_leg("PCMU")
    media.set_remote(leg, host, port)
    nursery.start_soon(peer.receive_forever)
    nursery.start_soon(peer.send, (leg.host, leg.port), 100)
    await trio.sleep(0.2)
    assert peer.first_sound is None
    commanded = trio.current_time()
    media.play(leg, prompt)
    event = await next_event(media, "prompt-started")
    assert event.fields["leg"] == leg.id
    await next_event(media, "prompt-ended")
    assert peer.first_sound is not None
    assert peer.first_sound - commanded < 2.0


async def test_refusals_carry_their_slug(nursery: trio.Nursery, tmp_path: Path) -> None:
    media = Media()
    with pytest.raises(MediaError) as stopped:
        media.open_leg()
    assert stopped.value.slug == "stopped"
    await nursery.start(media.run)
    leg = media.open_leg("PCMA")
    room = media.create_room()
    cases = [
        (lambda: media.open_leg("G729"), "bad-setting"),  # type: ignore[arg-type]
        (lambda: media.set_remote(leg, "127.0.0.1", 4000, payload_type=18), "unsupported-codec"),
        (lambda: media.set_remote(leg, "not-an-ip", 4000), "bad-setting"),
        (lambda: media.add_to_room(room + 100, leg, "agent"), "unknown-id"),
        (lambda: media.add_to_room(room, leg, "operator"), "bad-setting"),  # type: ignore[arg-type]
        (lambda: media.set_mode(leg, "whisper"), "unknown-id"),
        (lambda: media.play(leg, tmp_path / "missing.wav"), "bad-audio"),
        (lambda: media.send_digits(leg, "12z"), "bad-setting"),
        (lambda: media.detect(leg, greeting_ms=-1), None),
    ]
    for call, slug in cases:
        if slug is None:
            with pytest.raises(OverflowError):
                call()
            continue
        with pytest.raises(MediaError) as refused:
            call()
        assert refused.value.slug == slug
    media.add_to_room(room, leg, "agent")
    with pytest.raises(MediaError) as not_supervisor:
        media.set_mode(leg, "barge")
    assert not_supervisor.value.slug == "bad-setting"
    assert "takeover-agent-listening" in MODES


async def test_every_kind_of_event_reaches_python_with_its_fields() -> None:
    async with trio.open_nursery() as nursery:
        await events_of_every_kind(nursery)
        nursery.cancel_scope.cancel()


async def events_of_every_kind(nursery: trio.Nursery) -> None:
    media = Media()
    await nursery.start(media.run)
    customer, host, port = await start_peer(nursery, 0.0)
    leg = media.open_leg("PCMU")
    # Signalled at a port nobody uses: symmetric RTP must move to where the peer sends from.
    media.set_remote(leg, host, port + 1 if port < 65535 else port - 1, event_payload_type=101)
    media.detect(leg, after_greeting_silence_ms=400)
    target = (leg.host, leg.port)
    customer.tone_hz = 500.0
    await customer.send(target, 15)  # "Hello?"
    latched = await next_event(media, "remote-latched")
    assert (latched.fields["leg"], latched.fields["host"], latched.fields["port"]) == (leg.id, host, port)
    customer.tone_hz = 0.0
    await customer.send(target, 40)
    detection = await next_event(media, "detection")
    assert detection.fields["verdict"] == "human" and detection.fields["reason"] == "short-greeting"
    assert detection.fields["words"] == 1 and 200 <= detection.fields["voice_ms"] <= 400
    assert 600 <= detection.fields["after_ms"] <= 1300

    # RFC 4733 digit 5, end packet sent three times.
    for i, end in enumerate([False, True, True, True]):
        payload = bytes([5, (0x80 if end else 0) | 10]) + (160 * (i + 1)).to_bytes(2, "big")
        await customer.sock.sendto(
            bytes([0x80, 101]) + (1000 + i).to_bytes(2, "big") + b"\0\0\x10\0" + b"\0\0\0\7" + payload, target
        )
    digit = await next_event(media, "telephone-event")
    assert (digit.fields["digit"], digit.fields["event"], digit.fields["duration_ms"]) == ("5", 5, 40)

    agent, supervisor = media.open_leg(), media.open_leg()
    first, second = media.create_room(), media.create_room()
    media.add_to_room(first, agent, "agent")
    media.add_to_room(first, supervisor, "supervisor", "persistent-listen")
    media.move_leg(agent, second)
    moved = await next_event(media, "leg-moved")
    assert (moved.fields["leg"], moved.fields["room"]) == (supervisor.id, second)
    media.set_mode(supervisor, "whisper")

    media.close_leg(leg)
    closed = await next_event(media, "leg-closed")
    assert closed.fields["leg"] == leg.id
    assert closed.fields["stats"]["packets_received"] >= 55 and closed.fields["stats"]["malformed_bad_version"] == 0
