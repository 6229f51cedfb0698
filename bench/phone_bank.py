"""Phone bank benchmark: one engine process registering hundreds of phone accounts
(``[[sip.account]]``) with an engine under test and holding its calls with media, against SIPp
doing the same registrations and answering the same calls in the same session. Not part of
``./dev test``: run it by hand (docs/performance.md, "Phone bank")::

    nice -n 10 python bench/phone_bank.py --accounts 500 --calls 200 --hold 20

Three processes per run, each pinned with ``taskset``: the registrar (the engine under test, an
engine of ours with the accounts as agents, on core 0), and the bank under test on core 1: our
engine (it rings and answers every call, and its media engine sends and receives 50 packets/s per
leg) or SIPp (the interop tests' ``agent_register.xml`` fed the same users and passwords from a
CSV file, at the rate our bank spaces its first REGISTERs, then SIPp's ``uas`` with
``-rtp_echo`` answering the calls on the Contact those registrations named). For each bank:
registrations that succeeded, the bank's CPU seconds for the registrations (every one
challenged and answered), and its CPU share while holding the calls.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import trio

REGISTRAR_CORE, BANK_CORE = "0", "1"
#: Our bank spaces first REGISTERs 4 ms apart (native/sip registration::START_SPACING).
REGISTER_RATE = 250

LISTEN = '[sip]\n{settings}[[sip.listen]]\ntransport = "udp"\naddress = "127.0.0.1:{port}"\n'

#: The agents' registering scenario of the SIP interop tests, fed from an injection file.
AGENT_REGISTER = Path(__file__).parents[1] / "native" / "sip" / "tests" / "scenarios" / "agent_register.xml"


def sipp_register(contact_port: int) -> str:
    """``agent_register.xml`` taking each call's user from field 0 and its whole
    ``[authentication …]`` keyword from field 1: SIPp reads credentials that vary per call only
    that way, not as fields nested inside the keyword."""
    text = AGENT_REGISTER.read_text()
    text = text.replace("[authentication username=[user] password=[password]]", "[field1]")
    fills = {"[user]": "[field0]", "[contact_port]": str(contact_port), "[expected]": "200"}
    for placeholder, value in fills.items():
        text = text.replace(placeholder, value)
    return text


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def users(accounts: int) -> list[str]:
    return [str(5000 + n) for n in range(accounts)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pinned(core: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", core, "nice", "-n", "10", *command]


# --- the two engine roles, each run in its own process -------------------------------------------


async def until_terminated(scope: trio.CancelScope) -> None:
    """SIGTERM cancels the role's nursery: the engine hangs up and unregisters as it stops."""
    with trio.open_signal_receiver(signal.SIGTERM) as signals:
        async for _ in signals:
            scope.cancel()
            return


async def registrar(accounts: int, port: int, calls: int, hold: float) -> None:
    """The engine under test: knows every account as an agent; once all registered, calls the
    first ``calls`` of them, holds, hangs up. Prints its milestones on stdout."""
    from ccengine.telephony import Answered, Failed, Media, Registration, Telephony

    config = LISTEN.format(settings='digest_algorithms = ["MD5"]\n', port=port)
    config += "".join(f'[[sip.agent]]\nuser = "{u}"\npassword = "pw-{u}"\n' for u in users(accounts))
    media = Media()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(until_terminated, nursery.cancel_scope)
        await nursery.start(media.run)
        telephony = Telephony(config, media=media)
        await nursery.start(telephony.run)
        print("ready", flush=True)
        bound: set[str] = set()
        answered: set[int] = set()
        failed: dict[int, str] = {}
        legs: list[int] = []
        async for event in telephony.events:
            if isinstance(event, Registration) and event.expires:
                bound.add(event.user)
                if len(bound) == accounts:
                    print("registered", flush=True)
                    if not calls:
                        continue
                    legs = [telephony.call_agent(u, caller_id="bench", timeout=30) for u in users(accounts)[:calls]]
            elif isinstance(event, Answered | Failed) and event.leg in legs:
                if isinstance(event, Answered):
                    answered.add(event.leg)
                else:
                    failed[event.leg] = f"{event.outcome}/{event.status}"
                if len(answered) + len(failed) == calls:
                    why = sorted(Counter(failed.values()).items())
                    print(f"answered {len(answered)} failed {len(failed)} {why}", flush=True)
                    await trio.sleep(hold)
                    print("hanging-up", flush=True)
                    for leg in legs:
                        telephony.hangup(leg)
                    print("done", flush=True)


async def bank(accounts: int, registrar_port: int) -> None:
    """Our phone bank: registers every account, rings and answers every call; prints the CPU its
    registrations took once all are bound."""
    from ccengine.telephony import Incoming, Media, RegisterStatus, Telephony

    config = LISTEN.format(settings="", port=0) + "".join(
        f'[[sip.account]]\nuser = "{u}"\npassword = "pw-{u}"\nregistrar = "127.0.0.1:{registrar_port}"\nexpires = 300\n'
        for u in users(accounts)
    )
    media = Media()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(until_terminated, nursery.cancel_scope)
        await nursery.start(media.run)
        telephony = Telephony(config, media=media)
        started = time.process_time()
        await nursery.start(telephony.run)
        ok = 0
        async for event in telephony.events:
            if isinstance(event, RegisterStatus) and event.ok and event.expires:
                ok += 1
                if ok == accounts:
                    print(f"registered {ok} cpu {time.process_time() - started:.3f}", flush=True)
            elif isinstance(event, Incoming) and event.account:
                telephony.ring(event.leg)
                telephony.answer(event.leg)


# --- the orchestration --------------------------------------------------------------------------


class Role:
    """A role's process and the lines it prints, read by a thread so waits can time out."""

    def __init__(self, core: str, *args: str) -> None:
        self.process = subprocess.Popen(pinned(core, [sys.executable, __file__, *args]), stdout=subprocess.PIPE,
                                        text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def expect(self, word: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise SystemExit(f"the process ended before saying {word!r}")
            if line.startswith(word):
                return line
        raise SystemExit(f"no {word!r} within {timeout:g} s")


def stop(*processes: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def hold_share(bank_pid: int, registrar: Role, calls: int, hold: float) -> tuple[int, float]:
    """Calls answered, and the bank's CPU share (of one core) between the last call's answer
    (or failure) and the hang-up."""
    settled = registrar.expect("answered")
    answered = int(settled.split()[1])
    if answered < calls:
        print(f"  (registrar: {settled})", flush=True)
    cpu, wall = cpu_seconds(bank_pid), time.monotonic()
    registrar.expect("hanging-up", timeout=hold + 30)
    return answered, (cpu_seconds(bank_pid) - cpu) / (time.monotonic() - wall)


def holding(answered: int, calls: int, share: float) -> str:
    per_hundred = 100 * share / answered * 100 if answered else float("nan")
    return f"{answered}/{calls} calls answered, held at {100 * share:.1f}% of a core ({per_hundred:.1f}% per 100 calls)"


def run_engine(accounts: int, calls: int, hold: float) -> str:
    port = free_port()
    registrar = Role(REGISTRAR_CORE, "_registrar", str(accounts), str(port), str(calls), str(hold))
    bank_role = None
    try:
        registrar.expect("ready")
        bank_role = Role(BANK_CORE, "_bank", str(accounts), str(port))
        registered = bank_role.expect("registered").split()
        registrar.expect("registered")
        answered, share = hold_share(bank_role.process.pid, registrar, calls, hold)
        cpu = float(registered[3])
        return (f"  ccengine bank: {registered[1]}/{accounts} registered, {cpu:.2f} s CPU "
                f"({1000 * cpu / accounts:.2f} ms each); {holding(answered, calls, share)}")
    finally:
        stop(*[r.process for r in (bank_role, registrar) if r is not None])


def run_sipp(accounts: int, calls: int, hold: float, work: Path) -> str:
    port, contact_port = free_port(), free_port()
    credentials = "".join(f"{u};[authentication username={u} password=pw-{u}]\n" for u in users(accounts))
    (work / "users.csv").write_text("SEQUENTIAL\n" + credentials)
    (work / "register.xml").write_text(sipp_register(contact_port))
    registrar = Role(REGISTRAR_CORE, "_registrar", str(accounts), str(port), str(calls), str(hold))
    answering = subprocess.Popen(
        pinned(BANK_CORE, ["sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(contact_port), "-rtp_echo",
                           "-mi", "127.0.0.1", "-l", "100000", "-nostdin"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
    try:
        registrar.expect("ready")
        register = [
            "sipp", "-sf", "register.xml", "-inf", "users.csv", "-i", "127.0.0.1", "-p", str(free_port()),
            "-m", str(accounts), "-r", str(REGISTER_RATE), "-rp", "1000", "-nostdin", "-timeout", "60s",
            f"127.0.0.1:{port}",
        ]
        before = os.times()
        done = subprocess.run(pinned(BANK_CORE, register), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              cwd=work, timeout=90, check=False)
        after = os.times()
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        if done.returncode != 0:
            return f"  SIPp bank: registrations failed (exit {done.returncode})"
        registrar.expect("registered")
        answered, share = hold_share(answering.pid, registrar, calls, hold)
        return (f"  SIPp bank: {accounts}/{accounts} registered, {cpu:.2f} s CPU ({1000 * cpu / accounts:.2f} ms "
                f"each, process start included); uas -rtp_echo: {holding(answered, calls, share)}")
    finally:
        stop(answering, registrar.process)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_registrar":
        accounts, port, calls, hold = sys.argv[2:6]
        trio.run(registrar, int(accounts), int(port), int(calls), float(hold))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_bank":
        trio.run(bank, int(sys.argv[2]), int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--calls", type=int, default=200, help="calls held at once (at most --accounts)")
    parser.add_argument("--hold", type=float, default=20.0, help="seconds the calls are held")
    parser.add_argument("--banks", default="engine,sipp")
    args = parser.parse_args()
    for needed in ("sipp", "taskset"):
        if shutil.which(needed) is None:
            raise SystemExit(f"{needed} is missing")
    calls = min(args.calls, args.accounts)
    print(f"{args.accounts} accounts, {calls} calls held {args.hold:g} s:", flush=True)
    for name in args.banks.split(","):
        if name == "engine":
            print(run_engine(args.accounts, calls, args.hold), flush=True)
        else:
            with tempfile.TemporaryDirectory(prefix="ccengine-phonebank-") as tmp:
                print(run_sipp(args.accounts, calls, args.hold, Path(tmp)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
