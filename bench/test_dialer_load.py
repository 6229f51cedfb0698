"""The dialer under a simulated campaign (bench/dialer_load.py). ``./dev bench -k dialer`` runs
200 agents for four minutes; with ``--benchmark-disable`` (``./dev test``) it runs once, with 5
agents for about half a minute, so the bench does not rot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import trio

from bench.dialer_load import SCENARIO, Figures, campaign


@pytest.fixture
def small(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("benchmark_disable"))


def test_dialer_under_campaign(benchmark: Any, tmp_path: Path, small: bool) -> None:
    agents, contacts, idle, warmup, window = (5, 200, 2, 10, 8) if small else (200, 20_000, 15, 90, 150)
    figures: Figures = benchmark.pedantic(
        lambda: trio.run(lambda: campaign(tmp_path, SCENARIO, agents=agents, contacts=contacts, idle=idle,
                                          warmup=warmup, window=window)), rounds=1, iterations=1)
    row = figures.summary()
    benchmark.extra_info.update(row)
    print(row)
    assert figures.session_legs == agents
    assert figures.calls_max > 0 and figures.cpu > 0 and figures.sim_cpu > 0
    assert "answered" in figures.carrier
    assert all(ms >= 0 for ms in figures.bridge_ms)
