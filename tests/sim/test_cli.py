"""``ccengine sim carrier`` as a process of its own: it prints where it listens, answers a call
with the scenario's odds, and on SIGTERM stops cleanly with a summary and exit code 0; a bad
scenario or an address in use is refused with the reason, exit code 2."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import trio

from ccengine import cli
from ccengine.telephony import Failed, Telephony

EVERYONE_BUSY = """
name = "busy"
hours = 1
agents = 1
[outcomes]
human = 0
busy = 1
[talk]
mean = 60
sd = 20
[wrap]
mean = 10
sd = 5
"""


async def test_the_carrier_runs_as_a_process_and_stops_on_sigterm(tmp_path: Path) -> None:
    scenario = tmp_path / "busy.toml"
    scenario.write_text(EVERYONE_BUSY)
    command = [sys.executable, "-m", "ccengine.cli", "sim", "carrier", str(scenario), "--listen", "127.0.0.1:0",
               "--seed", "4", "--voices", str(tmp_path / "voices")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            ready = await trio.to_thread.run_sync(process.stdout.readline)
            assert "'busy' seed 4, SIP on udp 127.0.0.1:" in ready, ready
            port = int(ready.rsplit(":", 1)[1])
            telephony = Telephony(f'[[sip.listen]]\ntransport = "udp"\naddress = "127.0.0.1:0"\n'
                                  f'[[sip.trunk]]\nname = "carrier"\naddress = "127.0.0.1:{port}"\n')
            async with trio.open_nursery() as nursery:
                await nursery.start(telephony.run)
                leg = telephony.originate(trunk="carrier", number="+3310000", caller_id="+331", timeout=10)
                with trio.fail_after(10):
                    async for event in telephony.events:
                        if isinstance(event, Failed) and event.leg == leg:
                            assert event.outcome == "busy"
                            break
                nursery.cancel_scope.cancel()
            process.send_signal(signal.SIGTERM)
            out, err = await trio.to_thread.run_sync(lambda: process.communicate(timeout=15))
        finally:
            if process.returncode is None:
                process.kill()
    assert process.returncode == 0, err
    assert "calls offered 1; drawn: busy 1; ended: busy 1" in out, out


def test_a_bad_scenario_is_refused_with_its_line(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text(EVERYONE_BUSY.replace("busy = 1", "busy = 2"))
    assert cli.main(["sim", "carrier", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert "probability" in err and "bad-scenario" in err


def test_an_address_in_use_is_refused_without_a_trace(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "busy.toml"
    scenario.write_text(EVERYONE_BUSY)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        code = cli.main(["sim", "carrier", str(scenario), "--listen", f"127.0.0.1:{port}",
                         "--voices", str(tmp_path / "voices")])
    assert code == 2
    err = capsys.readouterr().err
    assert "bind-failed" in err and "Traceback" not in err
