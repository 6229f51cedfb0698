"""The dialer under a simulated campaign (docs/performance.md, "Dialer under a simulated
campaign"): the engine as ``ccengine serve`` runs it, with its agents' desk work
(``SimulatedAgents``: logging in, qualifying calls), in this process; the simulated carrier and
the agents' softphones in another (``bench/sim_side.py``), so that the engine's CPU is measured
apart from the simulator's.

After the agents are logged in, an idle window (every session leg up, the agents' voices
flowing, no campaign) gives the baseline; then the campaign starts, and after a warm-up a steady
window measures the engine's CPU (``getrusage`` of this process, every thread, with a per-thread
breakdown from ``/proc/self/task``), the calls in flight (the dialer's call board, sampled every
second: customer legs in any state, and those bridged to an agent; the agents' session legs are
counted apart), and the time from a call being known to be a person (the detector's verdict: the
campaign's machine rule leaves a message, so every answer is listened to) to its leg being
bridged onto a free agent's session leg (``CampaignTask.bridge_delays``).

``python -m bench.dialer_load --agents 200 --minutes 5`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import trio

from ccengine import domain as d
from ccengine.api import ApiServer, Services, add_user
from ccengine.demo._center import ABANDON_WORDS, MACHINE_WORDS, engine_config
from ccengine.demo._world import AGENT_PASSWORD, DISPOSITION_SHARES, build
from ccengine.pacing import Scenario
from ccengine.serve import Running, load, serve
from ccengine.sim import Draws, SimulatedAgents, default_cache, spoken
from ccengine.store import Store

SCENARIO = Path(__file__).parent / "scenarios" / "agents-200-short.toml"
_TICK = os.sysconf("SC_CLK_TCK")
API_PASSWORD = "bench password"


@dataclass(slots=True)
class Figures:
    agents: int
    window_s: float
    idle_cpu: float
    """Cores the engine's process used in the idle window (sessions up, no campaign)."""
    cpu: float
    """Cores the engine's process used in the steady window."""
    sim_cpu: float
    """Cores the simulator's process (carrier and phones) used in the steady window."""
    calls_mean: float
    """Customer calls in flight on the call board (any state), mean of the samples."""
    calls_max: int
    connected_mean: float
    """Of those, bridged to an agent."""
    session_legs: int
    cpu_per_100_calls: float
    bridge_ms: list[float] = field(default_factory=list)
    threads: dict[str, float] = field(default_factory=dict)
    """Cores per engine thread name in the steady window."""
    carrier: str = ""
    api: dict[str, dict[str, float]] = field(default_factory=dict)
    """Admin API read latencies and live fan-out delays, after the steady window (``--api``)."""

    def summary(self) -> dict[str, object]:
        row = {k: v for k, v in asdict(self).items() if k != "bridge_ms"}
        if self.bridge_ms:
            row |= {"bridges": len(self.bridge_ms), "bridge_p50_ms": round(statistics.median(self.bridge_ms), 2),
                    "bridge_p99_ms": round(percentile(self.bridge_ms, 0.99), 2),
                    "bridge_max_ms": round(max(self.bridge_ms), 2)}
        return row


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    return _stat_cpu(Path(f"/proc/{pid}/stat").read_text())


def thread_cpu() -> dict[str, float]:
    """CPU seconds of this process's threads, summed by thread name (the main thread, where trio
    runs, is named apart: a library may have renamed it)."""
    by_name: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            name = "main (trio)" if task.name == str(os.getpid()) else (task / "comm").read_text().strip()
            seconds = _stat_cpu((task / "stat").read_text())
        except OSError:
            continue  # the thread ended meanwhile
        by_name[name] = by_name.get(name, 0.0) + seconds
    return by_name


def _stat_cpu(stat: str) -> float:
    fields = stat.rpartition(")")[2].split()  # the name in parentheses may hold spaces
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


class Lines:
    """Lines of a child's standard output."""

    def __init__(self, stream: trio.abc.ReceiveStream) -> None:
        self.stream = stream
        self.buffer = b""

    async def next(self) -> str:
        while b"\n" not in self.buffer:
            chunk = await self.stream.receive_some()
            if not chunk:
                raise RuntimeError(f"the simulator ended early: {self.buffer.decode()!r}")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode()


async def campaign(directory: Path, scenario_path: Path, *, agents: int, contacts: int, idle: float, warmup: float,
                   window: float, seed: int = 1, api: tuple[int, int, int] | None = None) -> Figures:
    """``api``: (concurrency, requests per task, live subscribers) of the API load run after
    the steady window, the campaign still running."""
    scenario = Scenario.load(scenario_path)
    with Store(directory / "center.db") as store:
        world = await build(store, directory, contacts=contacts, agents=agents, seed=seed)
        await add_user(store, world.tenant.id, "boss", "Boss", d.Role.SUPERVISOR, API_PASSWORD)
    cache = default_cache()
    abandon = await trio.to_thread.run_sync(spoken, cache, "abandon-fr", "fr-fr", ABANDON_WORDS)
    machine = await trio.to_thread.run_sync(spoken, cache, "machine-message-fr", "fr-fr", MACHINE_WORDS)
    draws = Draws(scenario, seed)
    command = [sys.executable, "-m", "bench.sim_side", str(scenario_path), str(seed), str(agents), AGENT_PASSWORD,
               str(cache)]
    async with trio.open_nursery() as outside:
        sim = await outside.start(lambda task_status: trio.run_process(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=Path(__file__).parents[1],
            task_status=task_status, check=False))
        assert sim.stdin is not None and sim.stdout is not None
        lines = Lines(sim.stdout)
        _, host, port = (await lines.next()).split()
        text = engine_config(directory, carrier=(host, int(port)), agents=world.agents, abandon=abandon.path,
                             machine=machine.path, ring_timeout=draws.ring_timeout, tz=world.tenant.tz)
        async with trio.open_nursery() as engine:
            running: Running = await engine.start(lambda task_status: serve(
                load(text, directory), quiet=True, task_status=task_status))
            assert running.telephony is not None and running.center is not None
            center = running.center
            services, dialer = center.services, center.dialer
            assert services is not None and dialer is not None
            _, sip_host, sip_port = running.telephony.local_addresses()[0]
            await sim.stdin.send_all(f"registrar {sip_host}:{sip_port}\n".encode())
            assert await lines.next() == "registered"
            simulated = SimulatedAgents(dialer, services.agents, services.hub, draws, tenant_id=world.tenant.id,
                                        campaign_id=world.campaign.id, agents=[a.id for a in world.agents],
                                        shares=DISPOSITION_SHARES, seed=seed)
            await engine.start(simulated.run)
            legs = sum(1 for a in world.agents if dialer.sessions.leg_of(a.id) is not None)

            cpu, started = own_cpu(), time.monotonic()
            await trio.sleep(idle)
            idle_cpu = (own_cpu() - cpu) / (time.monotonic() - started)

            await services.campaigns.act(world.campaign.id, "start")
            await trio.sleep(warmup)
            task = dialer.tasks[world.campaign.id]
            task.bridge_delays.clear()
            cpu, sim_cpu, threads, started = own_cpu(), process_cpu(sim.pid), thread_cpu(), time.monotonic()
            samples: list[tuple[int, int]] = []
            while time.monotonic() - started < window:
                on_board = dialer.board.calls()
                samples.append((len(on_board), sum(1 for c in on_board if c.agent_id is not None)))
                await trio.sleep(1.0)
            elapsed = time.monotonic() - started
            used, sim_used = (own_cpu() - cpu) / elapsed, (process_cpu(sim.pid) - sim_cpu) / elapsed
            threads = {name: round((s - threads.get(name, 0.0)) / elapsed, 3) for name, s in thread_cpu().items()}
            delays = [us / 1000 for us in task.bridge_delays]
            api_figures = {} if api is None else await api_load(services, world.campaign.id, world.agents[0].id, *api)
            await services.campaigns.act(world.campaign.id, "stop")
            engine.cancel_scope.cancel()
        await sim.stdin.aclose()
        carrier = ""
        with trio.move_on_after(10):
            while not carrier.startswith("carrier:"):
                carrier = await lines.next()
        outside.cancel_scope.cancel()
    calls_mean = statistics.fmean(n for n, _ in samples)
    return Figures(
        agents=agents, window_s=round(elapsed, 1), idle_cpu=round(idle_cpu, 3), cpu=round(used, 3),
        sim_cpu=round(sim_used, 3), calls_mean=round(calls_mean, 1), calls_max=max(n for n, _ in samples),
        connected_mean=round(statistics.fmean(c for _, c in samples), 1), session_legs=legs,
        cpu_per_100_calls=round(100 * used / calls_mean, 3) if calls_mean else 0.0, bridge_ms=delays,
        threads=dict(sorted(threads.items(), key=lambda kv: -kv[1])), carrier=carrier, api=api_figures)


async def api_load(services: Services, campaign_id: int, agent_id: int, concurrency: int, requests: int,
                   subscribers: int) -> dict[str, dict[str, float]]:
    """bench/api_load.py's reads and live fan-out against an admin API server on the engine's
    services, in the engine's process and event loop, with the bare endpoint beside them (the
    served API's application is not reachable from here to add it)."""
    server = ApiServer(services, port=0, graceful_timeout_s=0.5)
    server.app.add_api_route("/bare", bare)
    here = Path(__file__).parents[1]
    async with trio.open_nursery() as nursery:
        url = f"http://127.0.0.1:{await nursery.start(server.run)}"
        async with httpx.AsyncClient(base_url=url) as client:
            login = await client.post("/api/sessions", json={"login": "boss", "password": API_PASSWORD})
            token = login.raise_for_status().json()["token"]
        paths = ["/bare", "/api/me", "/api/agents?limit=200", "/api/indicators/live",
                 f"/api/campaigns/{campaign_id}/performance", f"/api/agents/{agent_id}", "/api/indicators?period=day"]
        done = await trio.run_process(
            [sys.executable, "-m", "bench.api_load", "reads", url, token, str(concurrency), str(requests), *paths],
            capture_stdout=True, cwd=here)
        latencies: dict[str, list[float]] = json.loads(done.stdout)
        done = await trio.run_process(
            [sys.executable, "-m", "bench.api_load", "fanout", url, token, str(subscribers), "5"],
            capture_stdout=True, cwd=here)
        fanout: list[float] = json.loads(done.stdout.decode().splitlines()[-1])
        nursery.cancel_scope.cancel()
    bare_p50 = statistics.median(latencies["/bare"])
    rows = {path: {"p50_ms": round(statistics.median(v), 2), "p99_ms": round(percentile(v, 0.99), 2),
                   "p50_over_bare": round(statistics.median(v) / bare_p50, 1), "requests": len(v)}
            for path, v in latencies.items()}
    rows["live fan-out"] = {"subscribers": subscribers, "messages": len(fanout),
                            "p50_ms": round(statistics.median(fanout), 2),
                            "p99_ms": round(percentile(fanout, 0.99), 2)}
    return rows


async def bare() -> dict[str, bool]:
    return {"ok": True}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--agents", type=int, default=200)
    p.add_argument("--contacts", type=int, default=20_000)
    p.add_argument("--minutes", type=float, default=5.0, help="whole campaign: warm-up plus steady window")
    p.add_argument("--warmup", type=float, default=90.0, help="seconds from the start before measuring")
    p.add_argument("--idle", type=float, default=15.0, help="seconds of the idle baseline window")
    p.add_argument("--scenario", type=Path, default=SCENARIO)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--api", action="store_true",
                   help="then the admin API's reads (8 tasks x 100) and live fan-out (500 subscribers)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="ccengine-dialer-load-") as directory:
        figures = trio.run(lambda: campaign(Path(directory), args.scenario, agents=args.agents, contacts=args.contacts,
                                            idle=args.idle, warmup=args.warmup,
                                            window=args.minutes * 60 - args.warmup, seed=args.seed,
                                            api=(8, 100, 500) if args.api else None))
    print(json.dumps(figures.summary(), indent=1))


if __name__ == "__main__":
    main()
