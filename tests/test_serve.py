"""``ccengine serve`` as an operator runs it: a real process, SIPp calling in through it to a
SIPp carrier (the inbound relay), then SIGTERM; it must stop cleanly with exit code 0."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ccengine.errors import TelephonyError
from ccengine.serve import load
from tests.sipp_peer import SCENARIOS, free_udp_port, sipp, succeeded


def test_serve_relays_a_call_and_stops_on_sigterm(tmp_path: Path) -> None:
    carrier_port, engine_port = free_udp_port(), free_udp_port()
    config = tmp_path / "ccengine.toml"
    config.write_text(f"""
[serve]
relay_trunk = "carrier"
ring_timeout = 10

[[sip.listen]]
transport = "udp"
address = "127.0.0.1:{engine_port}"

[[sip.trunk]]
name = "carrier"
address = "127.0.0.1:{carrier_port}"
""")
    command = [sys.executable, "-m", "ccengine.cli", "serve", str(config)]
    with (
        sipp(["-p", str(carrier_port), "-sf", str(SCENARIOS / "carrier_answer.xml")], tmp_path) as carrier,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as server,
    ):
        try:
            assert server.stdout is not None
            assert server.stdout.readline().strip() == f"ccengine serve: SIP on udp 127.0.0.1:{engine_port}"
            caller_args = ["-p", str(free_udp_port()), "-sn", "uac", "-d", "200", "-s", "+33142000000",
                           f"127.0.0.1:{engine_port}"]
            with sipp(caller_args, tmp_path) as caller:
                assert succeeded(caller)
            assert succeeded(carrier)
            time.sleep(0.2)
            server.send_signal(signal.SIGTERM)
            out, err = server.communicate(timeout=15)
            assert server.returncode == 0, err
            assert "SIGTERM, hanging up and stopping" in out
            assert "stopped" in err
        finally:
            if server.poll() is None:
                server.kill()


def test_bad_serve_settings_are_refused() -> None:
    with pytest.raises(TelephonyError) as bad:
        load("[serve]\nrelay = 1\n")
    assert bad.value.slug == "bad-config"
    with pytest.raises(TelephonyError):
        load("not toml [")
    assert load("[serve]\nrelay_trunk = \"c\"\n[sip]\n").relay_trunk == "c"
    with pytest.raises(TelephonyError, match="nothing to serve"):
        load("[serve]\n")


def test_media_binds_where_sip_listens_unless_told() -> None:
    listen = '[sip]\n[[sip.listen]]\ntransport = "udp"\naddress = "{}"\n'
    assert load(listen.format("127.0.0.2:5060")).media_address == "127.0.0.2"
    assert load(listen.format("[::1]:5060")).media_address == "0.0.0.0"
    assert load('[serve]\nmedia_address = "127.0.0.3"\n' + listen.format("[::1]:5060")).media_address == "127.0.0.3"
