"""The engine's own registrations over real loopback SIP and RTP.

A phone bank (a second engine of ours with ``[[sip.account]]`` tables) registers dozens of
accounts with digest auth to the engine under test, which calls one of them like an agent's
phone: the account side sees ``Incoming(account=…)``, rings, answers, and audio flows both ways
through two media engines. A trunk with ``register = true`` registers with SIPp acting as a
carrier's registrar that checks the digest, refreshes, and unregisters when the engine stops.
"""

from __future__ import annotations

import math
import struct
import wave
from collections.abc import Callable
from pathlib import Path

import pytest
import trio

from ccengine.telephony import (
    Answered,
    HungUp,
    Incoming,
    Media,
    RegisterStatus,
    Registration,
    Ringing,
    SipEvent,
    Telephony,
    TelephonyError,
)
from tests.sipp_peer import SCENARIOS, free_udp_port, sipp, succeeded

ACCOUNTS = 60
#: An account whose password the engine under test does not know.
IMPOSTOR = "2999"

UNDER_TEST = """
[sip]
digest_algorithms = {algorithms}
[[sip.listen]]
transport = "udp"
address = "127.0.0.1:0"
"""

PHONE_BANK = """
[sip]
[[sip.listen]]
transport = "udp"
address = "127.0.0.1:0"
"""


def users() -> list[str]:
    return [str(2000 + n) for n in range(ACCOUNTS)]


def under_test(algorithms: str) -> str:
    agents = "".join(f'[[sip.agent]]\nuser = "{u}"\npassword = "pw-{u}"\n' for u in [*users(), IMPOSTOR])
    return UNDER_TEST.format(algorithms=algorithms) + agents


def phone_bank(registrar_port: int) -> str:
    passwords = {**{u: f"pw-{u}" for u in users()}, IMPOSTOR: "a guess"}
    return PHONE_BANK + "".join(
        f'[[sip.account]]\nuser = "{u}"\npassword = "{p}"\nregistrar = "127.0.0.1:{registrar_port}"\nexpires = 120\n'
        for u, p in passwords.items()
    )


def tone(path: Path, hz: float) -> Path:
    """One second of a tone, 8 kHz mono 16-bit."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        samples = (int(6000 * math.sin(2 * math.pi * hz * n / 8000)) for n in range(8000))
        w.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return path


async def collect(telephony: Telephony, seen: list[SipEvent]) -> None:
    async for event in telephony.events:
        seen.append(event)


async def until(condition: Callable[[], bool], seconds: float = 15) -> None:
    with trio.fail_after(seconds):
        while not condition():
            await trio.sleep(0.02)


def statuses(seen: list[SipEvent]) -> list[RegisterStatus]:
    return [e for e in seen if isinstance(e, RegisterStatus)]


@pytest.mark.parametrize("algorithms", ['["SHA-256"]', '["MD5"]'])
async def test_a_phone_bank_registers_accounts_and_takes_the_engines_call(algorithms: str, tmp_path: Path) -> None:
    ut_seen: list[SipEvent] = []
    bank_seen: list[SipEvent] = []
    ut_media, bank_media = Media(), Media()
    async with trio.open_nursery() as nursery:
        await nursery.start(ut_media.run)
        await nursery.start(bank_media.run)
        ut = Telephony(under_test(algorithms), media=ut_media)
        await nursery.start(ut.run)
        nursery.start_soon(collect, ut, ut_seen)
        registrar_port = ut.local_addresses()[0][2]
        async with trio.open_nursery() as bank_nursery:
            bank = Telephony(phone_bank(registrar_port), media=bank_media)
            await bank_nursery.start(bank.run)
            bank_nursery.start_soon(collect, bank, bank_seen)
            bank_port = bank.local_addresses()[0][2]

            # Every account registers (the registrar challenged each one); the impostor fails.
            await until(lambda: len(statuses(bank_seen)) >= ACCOUNTS + 1)
            by_name = {s.name: s for s in statuses(bank_seen)}
            assert by_name[IMPOSTOR] == RegisterStatus(IMPOSTOR, "account", False, 0, "wrong-credentials", 403)
            assert {n for n, s in by_name.items() if s.ok} == set(users())
            assert {(s.kind, s.expires, s.reason, s.status) for s in by_name.values() if s.ok} == {
                ("account", 120, "registered", 200)
            }
            await until(lambda: {e.user for e in ut_seen if isinstance(e, Registration)} == set(users()))
            for user in users():
                assert ut.agent_contact(user) == f"sip:{user}@127.0.0.1:{bank_port}"
            assert ut.agent_contact(IMPOSTOR) is None

            # The engine under test calls one account: it rings, answers, and both sides talk.
            ut_leg = ut.call_agent("2042", caller_id="ccengine", timeout=10)
            await until(lambda: any(isinstance(e, Incoming) for e in bank_seen))
            incoming = next(e for e in bank_seen if isinstance(e, Incoming))
            assert incoming.account == "2042"
            assert incoming.agent is None
            assert incoming.to_uri == f"sip:2042@127.0.0.1:{bank_port}"
            bank_leg = incoming.leg
            bank.ring(bank_leg)
            await until(lambda: Ringing(ut_leg) in ut_seen)
            assert Answered(ut_leg) not in ut_seen
            bank.answer(bank_leg)
            await until(lambda: Answered(ut_leg) in ut_seen)
            for telephony, media, leg, hz in ((ut, ut_media, ut_leg, 440.0), (bank, bank_media, bank_leg, 700.0)):
                media_leg = telephony.media_leg(leg)
                assert media_leg is not None
                media.play(media_leg, tone(tmp_path / f"{hz}.wav", hz), loop=True)
            await until(lambda: (ut.rtp_packets(ut_leg) or 0) > 25 and (bank.rtp_packets(bank_leg) or 0) > 25)
            ut.hangup(ut_leg)
            await until(lambda: HungUp(bank_leg, "remote", "bye") in bank_seen)
            await until(lambda: HungUp(ut_leg, "local", "normal") in ut_seen)

            # A leg that ended cannot ring.
            with pytest.raises(TelephonyError) as refused:
                bank.ring(bank_leg)
            assert refused.value.slug == "unknown-leg"
            bank_nursery.cancel_scope.cancel()

        # The bank stopped: each account removed its binding from the registrar.
        await until(lambda: sum(1 for e in ut_seen if isinstance(e, Registration) and e.expires == 0) == ACCOUNTS)
        for user in users():
            assert ut.agent_contact(user) is None
        nursery.cancel_scope.cancel()


async def test_ringing_an_unknown_or_outbound_leg_is_refused() -> None:
    telephony = Telephony(PHONE_BANK + '[[sip.trunk]]\nname = "carrier"\naddress = "127.0.0.1:9"\n')
    async with trio.open_nursery() as nursery:
        await nursery.start(telephony.run)
        with pytest.raises(TelephonyError) as unknown:
            telephony.ring(12345)
        assert unknown.value.slug == "unknown-leg"
        leg = telephony.originate(trunk="carrier", number="100", caller_id="200", timeout=5)
        with pytest.raises(TelephonyError) as outbound:
            telephony.ring(leg)
        assert outbound.value.slug == "wrong-state"
        nursery.cancel_scope.cancel()


TRUNK = """
[sip]
[[sip.listen]]
transport = "udp"
address = "127.0.0.1:0"
[[sip.trunk]]
name = "carrier"
address = "127.0.0.1:{port}"
username = "acct"
password = "{password}"
register = true
register_expires = {expires}
"""


async def test_a_trunk_registers_with_the_carrier_refreshes_and_unregisters(tmp_path: Path) -> None:
    port = free_udp_port()
    expires = 2
    scenario = (SCENARIOS / "trunk_registrar.xml").read_text().replace("[expires]", str(expires))
    (tmp_path / "registrar.xml").write_text(scenario)
    with sipp(["-p", str(port), "-sf", str(tmp_path / "registrar.xml")], tmp_path) as registrar:
        await trio.sleep(0.3)  # let SIPp bind
        telephony = Telephony(TRUNK.format(port=port, password="trunkpw", expires=3600))
        seen: list[SipEvent] = []
        async with trio.open_nursery() as nursery:
            await nursery.start(telephony.run)
            nursery.start_soon(collect, telephony, seen)
            # Granted 2 s, the trunk refreshes every second: the first grant and two refreshes.
            await until(lambda: len(statuses(seen)) >= 3, seconds=10)
            assert statuses(seen)[:3] == [RegisterStatus("carrier", "trunk", True, expires, "registered", 200)] * 3
            nursery.cancel_scope.cancel()
        # Stopping removed the binding (Expires: 0, challenged and answered): SIPp's run passes.
        assert succeeded(registrar)


async def test_a_trunk_refused_by_its_carrier_reports_why(tmp_path: Path) -> None:
    port = free_udp_port()
    scenario = (SCENARIOS / "trunk_registrar.xml").read_text().replace("[expires]", "60")
    (tmp_path / "registrar.xml").write_text(scenario)
    with sipp(["-p", str(port), "-sf", str(tmp_path / "registrar.xml")], tmp_path) as registrar:
        await trio.sleep(0.3)
        telephony = Telephony(TRUNK.format(port=port, password="not it", expires=60))
        seen: list[SipEvent] = []
        async with trio.open_nursery() as nursery:
            await nursery.start(telephony.run)
            nursery.start_soon(collect, telephony, seen)
            await until(lambda: bool(statuses(seen)))
            assert statuses(seen)[0] == RegisterStatus("carrier", "trunk", False, 0, "wrong-credentials", 403)
            nursery.cancel_scope.cancel()
        registrar.kill()
