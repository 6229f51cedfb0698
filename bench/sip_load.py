"""SIP load benchmark: SIPp drives calls (setup, hold, teardown, no media) through a device under
test on loopback, and the same load runs in the same session against two references: SIPp to
SIPp directly (the tool's own ceiling) and Kamailio as a stateful proxy. Not part of ``./dev
test``: run it by hand (docs/performance.md, "SIP load")::

    nice -n 10 python bench/sip_load.py --rate 500 --seconds 60 --targets engine,sipp,kamailio

The device under test is pinned to core 0 and the SIPp processes to core 1 (``taskset``). For the
engine it is ``ccengine serve`` relaying each call from the SIPp caller to the SIPp callee
(B2BUA: two legs per call, the relay's decisions taken in Python). Each run reports successful
and failed calls, retransmissions, peak concurrent calls and the device's CPU seconds per 1,000
calls. Kamailio must be installed (Debian ``kamailio``); it runs with ``-x tlsf -m 2048``.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DUT_CORE, SIPP_CORE = "0", "1"

KAMAILIO_CFG = """#!KAMAILIO
debug=0
log_stderror=yes
children=1
disable_tcp=yes
listen=udp:127.0.0.1:{port}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
    # SIPp's uac scenario sends ACK and BYE to the proxy's address, not to a route set: every
    # request goes on to the callee, through a transaction (ACKs to 2xx statelessly).
    $du = "sip:127.0.0.1:{uas_port}";
    t_relay();
}}
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(core: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", core, "nice", "-n", "10", *command]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children still running."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@dataclass
class Result:
    target: str
    rate: int
    seconds: int
    successful: int
    failed: int
    retransmissions: int
    peak_concurrent: int
    dut_cpu: float | None

    def line(self) -> str:
        total = self.successful + self.failed
        share = 100 * self.failed / total if total else 0.0
        cpu = ""
        if self.dut_cpu is not None:
            per_thousand = 1000 * self.dut_cpu / max(total, 1)
            cpu = f", DUT CPU {self.dut_cpu:.1f} s ({per_thousand:.2f} s per 1,000 calls)"
        return (f"{self.target:>9}: {self.rate} calls/s x {self.seconds} s: {self.successful} ok, {self.failed} failed "
                f"({share:.3f}%), {self.retransmissions} retransmissions, peak {self.peak_concurrent} concurrent{cpu}")


def read_stats(path: Path) -> tuple[int, int, int, int]:
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    last = rows[-1]
    peak = max(int(r["CurrentCall"]) for r in rows)
    return int(last["SuccessfulCall(C)"]), int(last["FailedCall(C)"]), int(last["Retransmissions(C)"]), peak


def start_dut(target: str, port: int, uas_port: int, work: Path) -> subprocess.Popen[bytes] | None:
    if target == "sipp":
        return None
    if target == "engine":
        config = work / "engine.toml"
        config.write_text(f"""
[serve]
relay_trunk = "callee"
ring_timeout = 30
[[sip.listen]]
transport = "udp"
address = "127.0.0.1:{port}"
[[sip.trunk]]
name = "callee"
address = "127.0.0.1:{uas_port}"
""")
        command = [sys.executable, "-m", "ccengine.cli", "serve", str(config)]
    else:
        config = work / "kamailio.cfg"
        config.write_text(KAMAILIO_CFG.format(port=port, uas_port=uas_port))
        command = ["kamailio", "-f", str(config), "-DD", "-E", "-x", "tlsf", "-m", "2048", "-M", "64",
                   "-Y", str(work / "kamailio.fifo")]
    dut = subprocess.Popen(pinned(DUT_CORE, command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           cwd=work)
    time.sleep(2.0)
    if dut.poll() is not None:
        raise SystemExit(f"{target} did not start (exit {dut.returncode})")
    return dut


def run(target: str, rate: int, seconds: int, hold_ms: int) -> Result:
    with tempfile.TemporaryDirectory(prefix=f"ccengine-sipload-{target}-") as tmp:
        work = Path(tmp)
        uas_port, dut_port = free_port(), free_port()
        # taskset and nice exec their command: these pids are SIPp's and the device's own.
        uas = subprocess.Popen(pinned(SIPP_CORE, ["sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(uas_port),
                                                  "-nostdin"]),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
        dut = None
        try:
            dut = start_dut(target, dut_port, uas_port, work)
            target_port = uas_port if dut is None else dut_port
            cpu_before = cpu_seconds(dut.pid) if dut else 0.0
            stats = work / "uac.csv"
            calls = rate * seconds
            uac = [
                "sipp", "-sn", "uac", "-i", "127.0.0.1", "-p", str(free_port()), "-r", str(rate), "-d", str(hold_ms),
                "-m", str(calls), "-l", str(rate * (hold_ms // 1000 + 5)), "-s", "1000", "-nostdin",
                "-trace_stat", "-stf", str(stats), "-fd", "1", "-timeout", f"{seconds + 60}s",
                "-max_socket", "1", f"127.0.0.1:{target_port}",
            ]
            subprocess.run(pinned(SIPP_CORE, uac), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work,
                           timeout=seconds + 90, check=False)
            dut_cpu = cpu_seconds(dut.pid) - cpu_before if dut else None
            ok, failed, retrans, peak = read_stats(stats)
        finally:
            if dut is not None:
                dut.send_signal(signal.SIGTERM)
                try:
                    dut.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    dut.kill()
                    dut.wait()
            uas.kill()
            uas.wait()
        return Result(target, rate, seconds, ok, failed, retrans, peak, dut_cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, nargs="+", default=[500], help="calls per second (several: one run each)")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--hold-ms", type=int, default=1000)
    parser.add_argument("--targets", default="engine,sipp,kamailio")
    args = parser.parse_args()
    for needed in ("sipp", "taskset"):
        if shutil.which(needed) is None:
            raise SystemExit(f"{needed} is missing")
    targets = args.targets.split(",")
    if "kamailio" in targets and shutil.which("kamailio") is None:
        raise SystemExit("kamailio is missing: apt-get install kamailio")
    for rate in args.rate:
        for target in targets:
            print(run(target, rate, args.seconds, args.hold_ms).line(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
