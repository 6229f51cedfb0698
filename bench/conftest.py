"""Shared data of the benchmarks: one synthetic day of a 1,000-agent center (50 campaigns,
200 lists), and the peers' copies of it, prepared once, outside every timed part.

The day holds ``CCENGINE_BENCH_EVENTS`` events (default 10,000,000). When benchmarks are
disabled (``--benchmark-disable``, as in ``./dev test``) each benchmark runs once as a test on a
300,000-event day, checking that every side still computes the same figures.
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # before anything imports polars

import pytest

from ccengine import metrics as m

TZ = "Europe/Paris"
SIZES = {"tenant": 1, "agent": 1000, "team": 50, "campaign": 50, "list": 200, "queue": 10, "channel": 1}


@pytest.fixture(scope="session")
def day_events(request: pytest.FixtureRequest) -> int:
    if request.config.getoption("benchmark_disable"):
        return 300_000
    return int(os.environ.get("CCENGINE_BENCH_EVENTS", 10_000_000))


@pytest.fixture(scope="session")
def day(day_events: int) -> m.EventBatch:
    return m.synthetic_day(
        date="2026-11-20", tz=TZ, agents=SIZES["agent"], teams=SIZES["team"], campaigns=SIZES["campaign"],
        lists=SIZES["list"], queues=SIZES["queue"], target_events=day_events, seed=1,
    )


@pytest.fixture(scope="session")
def columns(day: m.EventBatch) -> dict:
    return day.columns()


@pytest.fixture(scope="session")
def polars_day(columns: dict):
    from bench import peers

    return peers.polars_frame(columns)


@pytest.fixture(scope="session")
def duckdb_day(columns: dict):
    from bench import peers

    con = peers.duckdb_prepare(columns)
    peers.assert_single_threaded(con)
    return con
