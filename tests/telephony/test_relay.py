"""``InboundRelay`` with real peers: a SIPp caller relayed to a busy SIPp carrier gets 486, the
carrier's answer mapped through the dial outcome."""

from __future__ import annotations

from pathlib import Path

import trio

from ccengine.telephony import InboundRelay, Telephony
from ccengine.telephony._relay import dialled_number
from tests.sipp_peer import SCENARIOS, free_udp_port, sipp, succeeded


def test_dialled_number_is_the_to_user() -> None:
    assert dialled_number("sip:+33142000000@127.0.0.1:5060") == "+33142000000"
    assert dialled_number("sip:0142@host;user=phone") == "0142"
    assert dialled_number("sips:1000@host") == "1000"


async def test_a_busy_callee_makes_the_caller_hear_busy(tmp_path: Path) -> None:
    carrier_port, engine_port = free_udp_port(), free_udp_port()
    busy = (SCENARIOS / "carrier_final.xml").read_text().replace("[status]", "486").replace("[reason]", "Busy Here")
    (tmp_path / "busy.xml").write_text(busy)
    config = f"""
[[sip.listen]]
transport = "udp"
address = "127.0.0.1:{engine_port}"
[[sip.trunk]]
name = "carrier"
address = "127.0.0.1:{carrier_port}"
"""
    with sipp(["-p", str(carrier_port), "-sf", str(tmp_path / "busy.xml")], tmp_path) as carrier:
        telephony = Telephony(config)
        relay = InboundRelay(telephony, trunk="carrier", ring_timeout=5)
        async with trio.open_nursery() as nursery:
            await nursery.start(telephony.run)
            await nursery.start(relay.run)
            caller_args = ["-p", str(free_udp_port()), "-sf", str(SCENARIOS / "caller_rejected.xml"),
                           f"127.0.0.1:{engine_port}"]
            with sipp(caller_args, tmp_path) as caller:
                assert await trio.to_thread.run_sync(succeeded, caller)
            assert await trio.to_thread.run_sync(succeeded, carrier)
            assert (relay.relayed, relay.refused) == (0, 1)
            nursery.cancel_scope.cancel()
