"""CPU of the simulated carrier holding many calls with audio, beside the CPU of the engine side
placing the same calls, measured in the same run. Not part of ``./dev test``: run it by hand
(docs/simulator.md, "Limits and cost")::

    nice -n 10 python bench/sim_carrier_load.py --calls 100 300 --hold 40

The carrier runs as its own process (``ccengine sim carrier``); this process is the engine side:
a ``Telephony`` on a ``Media`` engine originating the calls through a trunk pointed at the
carrier. Everyone answers within about a second and talks ``--hold`` seconds; once every call is
up, both processes' CPU time is sampled over ``--window`` seconds of steady talk (the carrier
playing speech into every call, the engine receiving it).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import trio

from ccengine.telephony import Answered, Failed, HungUp, Media, Telephony

SCENARIO = """
name = "everyone talks"
hours = 8
agents = 1
[outcomes]
human = 1.0
[ring]
answer_mean = 1.0
answer_sd = 0.3
timeout = 6
[talk]
mean = {hold}
sd = 1
[wrap]
mean = 10
sd = 1
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its threads so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(calls: int, hold: float, window: float, voices: Path) -> tuple[float, float]:
    """(carrier CPU share of a core, engine side CPU share) while ``calls`` calls talk."""
    with tempfile.TemporaryDirectory() as work:
        scenario = Path(work) / "everyone.toml"
        scenario.write_text(SCENARIO.format(hold=hold))
        command = [sys.executable, "-m", "ccengine.cli", "sim", "carrier", str(scenario), "--listen",
                   "127.0.0.1:0", "--voices", str(voices)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as carrier:
            try:
                assert carrier.stdout is not None
                ready = await trio.to_thread.run_sync(carrier.stdout.readline)
                port = int(ready.rsplit(":", 1)[1])
                return await _load(carrier.pid, port, calls, window)
            finally:
                carrier.terminate()
                carrier.communicate(timeout=30)


async def _load(carrier_pid: int, port: int, calls: int, window: float) -> tuple[float, float]:
    media = Media()
    telephony = Telephony(f'[[sip.listen]]\ntransport = "udp"\naddress = "127.0.0.1:0"\n'
                          f'[[sip.trunk]]\nname = "carrier"\naddress = "127.0.0.1:{port}"\n', media=media)
    answered, ended = set(), 0
    all_up = trio.Event()
    async with trio.open_nursery() as nursery:
        await nursery.start(media.run)
        await nursery.start(telephony.run)

        async def follow() -> None:
            nonlocal ended
            async for event in telephony.events:
                match event:
                    case Answered(leg=leg):
                        answered.add(leg)
                        if len(answered) == calls:
                            all_up.set()
                    case Failed() | HungUp():
                        ended += 1

        async def drain_media() -> None:
            async for _ in media.events:
                pass

        nursery.start_soon(follow)
        nursery.start_soon(drain_media)
        for i in range(calls):
            telephony.originate(trunk="carrier", number=f"+3310{i:06d}", caller_id="+331", timeout=10)
            await trio.sleep(0.01)  # 100 calls a second: a ramp, not a burst of INVITEs
        with trio.fail_after(30):
            await all_up.wait()
        await trio.sleep(2)  # the hellos are over: every call is in its talk
        carrier_before, own_before, started = cpu_seconds(carrier_pid), own_cpu_seconds(), trio.current_time()
        await trio.sleep(window)
        elapsed = trio.current_time() - started
        carrier_share = (cpu_seconds(carrier_pid) - carrier_before) / elapsed
        own_share = (own_cpu_seconds() - own_before) / elapsed
        if ended:
            raise SystemExit(f"{ended} calls ended during the measure: lengthen --hold")
        nursery.cancel_scope.cancel()
    return carrier_share, own_share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--hold", type=float, default=40.0, help="talk seconds of every call")
    parser.add_argument("--window", type=float, default=20.0, help="seconds of steady talk measured")
    args = parser.parse_args()
    print("calls  carrier CPU (share of a core)  per 100 calls  engine side CPU  per 100 calls  carrier/engine")
    with tempfile.TemporaryDirectory() as voices:
        for calls in args.calls:
            carrier, engine = trio.run(measure, calls, args.hold, args.window, Path(voices))
            print(f"{calls:>5}  {carrier:>29.3f}  {carrier * 100 / calls:>13.3f}  {engine:>15.3f}  "
                  f"{engine * 100 / calls:>13.3f}  {carrier / engine:>14.2f}", flush=True)


if __name__ == "__main__":
    main()
