"""Admin API speed (docs/performance.md, "Admin API"): latency of the common reads under load,
against a bare FastAPI endpoint on the same server in the same run (the framework's ceiling), and
live-push fan-out delay to many WebSocket subscribers, while 200 agents change state.

The server runs here, in one trio run with the store, the metrics service and the agents'
activity (each agent logs in, then pauses and resumes: 25 transitions a second across the
center, every one through the state machine, the store, the indicator engine and the hub — about
five times the agent state changes of a real 200-agent outbound center, where each call makes
four (connect, hang-up, wrap-up start and end) every three minutes or so). The
load comes from another process (``bench/api_load.py``), so its CPU is not the server's. Run:
``./dev bench -k api``. With ``--benchmark-disable`` (``./dev test``) each runs once, small.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import argon2
import httpx
import pytest
import trio

from ccengine import domain as d
from ccengine.agents import AgentService
from ccengine.api import ApiServer, ApiSettings, Services, add_user
from ccengine.campaigns import CampaignService
from ccengine.metrics import Aggregator, Hub, MetricsService
from ccengine.store import Store

AGENTS = 200
TRANSITIONS_PER_S = 25
PASSWORD = "bench password"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def with_center(path: Path, body: Callable[[str, str, Services, dict[str, int]], Awaitable[Any]]) -> Any:
    """A served center of AGENTS agents at work; ``body(url, token, services, ids)`` runs the load."""
    with Store(path) as store:
        hub = Hub()
        aggregator = Aggregator(sizes={"tenant": 2, "agent": AGENTS + 1, "team": 1, "campaign": 2, "list": 2,
                                       "queue": 1, "channel": 1}, tz="Europe/Paris")
        metrics = MetricsService(aggregator, hub=hub)
        hasher = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        services = Services(store=store, agents=AgentService(store, metrics.sender()),
                            campaigns=CampaignService(store, metrics.sender(), hub=hub), aggregator=aggregator,
                            hub=hub, settings=ApiSettings(passwords=hasher))
        tenant = await store.create_tenant("bench", "Europe/Paris")
        await add_user(store, tenant.id, "boss", "Boss", d.Role.SUPERVISOR, PASSWORD, hasher=hasher)
        campaign = await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name="sales"))
        contact_list = await store.create_list(campaign.id, "main", status=d.ListStatus.ACTIVE)
        await store.add_contacts(contact_list.id, [(f"+336{i:08d}", "Europe/Paris", {}) for i in range(1000)])
        agents = [await store.create_agent(tenant.id, f"agent {k}", campaign_ids=[campaign.id])
                  for k in range(AGENTS)]
        server = ApiServer(services, port=0, graceful_timeout_s=0.5)
        server.app.add_api_route("/bare", bare)

        async def activity() -> None:
            for a in agents:
                await services.agents.login(a.id, campaigns=[campaign.id])
            paused: set[int] = set()
            chooser = random.Random(1)
            while True:
                agent_id = chooser.choice(agents).id
                if agent_id in paused:
                    await services.agents.resume(agent_id)
                    paused.discard(agent_id)
                else:
                    await services.agents.pause(agent_id, "break")
                    paused.add(agent_id)
                await trio.sleep(1 / TRANSITIONS_PER_S)

        async with trio.open_nursery() as nursery:
            await nursery.start(metrics.run)
            port = await nursery.start(server.run)
            nursery.start_soon(activity)
            url = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=url) as client:
                login = await client.post("/api/sessions", json={"login": "boss", "password": PASSWORD})
                token = login.json()["token"]
            await trio.sleep(0.5)  # the agents are logged in and at work
            result = await body(url, token, services, {"campaign": campaign.id, "agent": agents[0].id})
            nursery.cancel_scope.cancel()
        return result


async def bare() -> dict[str, bool]:
    return {"ok": True}


def load(*args: object) -> list[str]:
    return [sys.executable, "-m", "bench.api_load", *map(str, args)]


@pytest.fixture
def small(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("benchmark_disable"))


def test_api_reads_under_load(benchmark: Any, tmp_path: Path, small: bool) -> None:
    concurrency, requests = (2, 10) if small else (8, 250)

    async def reads(url: str, token: str, _services: Services, ids: dict[str, int]) -> dict[str, list[float]]:
        paths = ["/bare", "/api/me", "/api/agents?limit=200", "/api/indicators/live",
                 f"/api/campaigns/{ids['campaign']}/performance", f"/api/agents/{ids['agent']}",
                 "/api/indicators?period=day"]
        done = await trio.run_process(load("reads", url, token, concurrency, requests, *paths), capture_stdout=True,
                                      cwd=Path(__file__).parents[1])
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    latencies = benchmark.pedantic(lambda: trio.run(with_center, tmp_path / "bench.db", reads), rounds=1,
                                   iterations=1)
    bare_p50 = statistics.median(latencies["/bare"])
    rows = {path: {"p50_ms": round(statistics.median(v), 2), "p99_ms": round(percentile(v, 0.99), 2),
                   "p50_over_bare": round(statistics.median(v) / bare_p50, 1), "requests": len(v)}
            for path, v in latencies.items()}
    benchmark.extra_info.update(rows)
    for path, row in rows.items():
        print(f"{path:45} {row}")
    assert all(len(v) > 0 for v in latencies.values())


def test_live_fanout(benchmark: Any, tmp_path: Path, small: bool) -> None:
    subscribers, changes = (5, 3) if small else (500, 20)

    async def fan(url: str, token: str, _services: Services, _ids: dict[str, int]) -> list[float]:
        # the agents' activity is the source of changes: it runs all along
        done = await trio.run_process(load("fanout", url, token, subscribers, changes), capture_stdout=True,
                                      cwd=Path(__file__).parents[1])
        lines = done.stdout.decode().splitlines()
        assert lines[0] == "ready", lines[:1]
        return json.loads(lines[-1])  # type: ignore[no-any-return]

    delays = benchmark.pedantic(lambda: trio.run(with_center, tmp_path / "bench.db", fan), rounds=1, iterations=1)
    row = {"subscribers": subscribers, "messages": len(delays), "p50_ms": round(statistics.median(delays), 2),
           "p99_ms": round(percentile(delays, 0.99), 2), "max_ms": round(max(delays), 2)}
    benchmark.extra_info.update(row)
    print(row)
    assert len(delays) >= subscribers * changes
