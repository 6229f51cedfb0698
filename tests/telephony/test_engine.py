"""``Telephony`` over real loopback SIP: an agent's pjsua2 phone registers with digest auth and
takes the engine's call; SIPp plays a carrier; bad input raises ``TelephonyError``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import trio

from ccengine import _native
from ccengine.telephony import (
    Answered,
    Failed,
    HungUp,
    Registration,
    SipEvent,
    Telephony,
    TelephonyError,
    Trying,
)
from tests.sipp_peer import SCENARIOS, free_udp_port, sipp, succeeded
from tests.telephony.softphone import Softphone

CONFIG = """
[sip]
digest_algorithms = {algorithms}
[[sip.listen]]
transport = "udp"
address = "127.0.0.1:0"
[[sip.trunk]]
name = "carrier"
address = "127.0.0.1:{carrier_port}"
[[sip.agent]]
user = "1001"
password = "s3cret"
"""


def config(*, carrier_port: int = 9, algorithms: str = '["SHA-256", "MD5"]') -> str:
    return CONFIG.format(carrier_port=carrier_port, algorithms=algorithms)


async def next_event(telephony: Telephony, wanted: Callable[[SipEvent], bool]) -> SipEvent:
    with trio.fail_after(15):
        async for event in telephony.events:
            if wanted(event):
                return event
    raise AssertionError("event channel closed")


@pytest.mark.parametrize("algorithms", ['["SHA-256", "MD5"]', '["MD5"]'])
async def test_pjsua2_agent_registers_and_takes_the_engines_call(algorithms: str) -> None:
    telephony = Telephony(config(algorithms=algorithms))
    async with trio.open_nursery() as nursery:
        await nursery.start(telephony.run)
        _, host, port = telephony.local_addresses()[0]
        phone = Softphone(user="1001", password="s3cret", registrar=(host, port))
        try:
            nursery.start_soon(phone.pump)
            registered = await next_event(telephony, lambda e: isinstance(e, Registration))
            assert isinstance(registered, Registration)
            assert (registered.user, registered.expires) == ("1001", 300)
            with trio.fail_after(5):
                while phone.state.registered is None:
                    await trio.sleep(0.01)
            assert phone.state.registered == 200
            assert telephony.agent_contact("1001") == registered.contact

            leg = telephony.call_agent("1001", caller_id="ccengine", timeout=5)
            await next_event(telephony, lambda e: e == Answered(leg))
            with trio.fail_after(5):
                while not (telephony.rtp_packets(leg) or 0) or "CONFIRMED" not in phone.state.call_states:
                    await trio.sleep(0.02)
            telephony.hangup(leg)
            assert await next_event(telephony, lambda e: isinstance(e, HungUp)) == HungUp(leg, "local", "normal")
            with trio.fail_after(5):
                while "DISCONNECTED" not in phone.state.call_states:
                    await trio.sleep(0.02)
            assert telephony.leg_count() == 0
        finally:
            phone.close()
        nursery.cancel_scope.cancel()


async def test_sipp_carrier_busy_arrives_as_typed_events(tmp_path: Path) -> None:
    port = free_udp_port()
    scenario = (SCENARIOS / "carrier_final.xml").read_text().replace("[status]", "486").replace("[reason]", "Busy Here")
    (tmp_path / "busy.xml").write_text(scenario)
    with sipp(["-p", str(port), "-sf", str(tmp_path / "busy.xml")], tmp_path) as carrier:
        await trio.sleep(0.3)  # let SIPp bind
        telephony = Telephony(config(carrier_port=port))
        async with trio.open_nursery() as nursery:
            await nursery.start(telephony.run)
            leg = telephony.originate(trunk="carrier", number="+33142000000", caller_id="100", timeout=5)
            assert await next_event(telephony, lambda e: True) == Trying(leg)
            assert await next_event(telephony, lambda e: True) == Failed(leg, "busy", 486)
            nursery.cancel_scope.cancel()
        assert succeeded(carrier)


async def test_refused_input_raises_telephony_error_with_its_slug() -> None:
    with pytest.raises(TelephonyError) as refused:
        await Telephony("[sip]\nlisten = []").run()
    assert refused.value.slug == "bad-config"
    telephony = Telephony(config())
    async with trio.open_nursery() as nursery:
        await nursery.start(telephony.run)
        with pytest.raises(TelephonyError) as unknown:
            telephony.originate(trunk="nope", number="1", caller_id="100", timeout=1)
        assert unknown.value.slug == "unknown-trunk"
        with pytest.raises(TelephonyError) as gone:
            telephony.answer(99)
        assert gone.value.slug == "unknown-leg"
        with pytest.raises(TelephonyError) as cause:
            telephony.hangup(99, "whatever")  # type: ignore[arg-type]
        assert cause.value.slug == "bad-config"
        nursery.cancel_scope.cancel()


def test_commands_racing_the_shutdown_neither_stop_it_nor_get_past_it() -> None:
    """A caller still commanding the engine (another thread, a service stopping late) while it
    shuts down: the shutdown completes, and commands after it are refused (``engine-stopped``)."""
    engine = _native.SipEngine(config(), None)
    stop = threading.Event()
    refused: list[str] = []

    def command_until_stopped() -> None:
        while not stop.is_set():
            try:
                engine.leg_count()
            except TelephonyError as e:
                refused.append(e.slug)

    commanding = [threading.Thread(target=command_until_stopped) for _ in range(2)]
    for thread in commanding:
        thread.start()
    try:
        time.sleep(0.05)
        engine.shutdown()  # raised "Already borrowed" when a command was under way
    finally:
        stop.set()
        for thread in commanding:
            thread.join()
    with pytest.raises(TelephonyError) as after:
        engine.leg_count()
    assert after.value.slug == "engine-stopped"
    assert set(refused) <= {"engine-stopped"}
