"""Keeping every indicator of every entity current: batch ingest of a whole day, one more
second of traffic into a live aggregator, a full snapshot, and a cold rebuild from the stored
log — each against its baseline in the same run (the peers' recompute of the call report, or
the obvious Python way).

Run: ``./dev bench -k ingest``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time

import numpy as np
import pytest

from bench import peers
from bench.conftest import SIZES, TZ
from ccengine import metrics as m

GROUP_DAY = "whole day, one core"


def _aggregator() -> m.Aggregator:
    return m.Aggregator(sizes=SIZES, tz=TZ)


def _ingest_day(day: m.EventBatch) -> m.IngestReport:
    return _aggregator().ingest(day)


def test_ingest_day_all_indicators(benchmark, day):
    benchmark.group = GROUP_DAY
    report = benchmark.pedantic(_ingest_day, args=(day,), rounds=3, warmup_rounds=1)
    assert report.accepted == len(day)
    benchmark.extra_info["events"] = len(day)


def test_recompute_report_polars_baseline(benchmark, polars_day):
    benchmark.group = GROUP_DAY
    peers.assert_single_threaded()
    benchmark.pedantic(peers.polars_counters, args=(polars_day, TZ), rounds=3, warmup_rounds=1)


def _at(day: m.EventBatch, local: str) -> int:
    moment = dt.datetime.combine(dt.date(2026, 11, 20), dt.time.fromisoformat(local), m.zone(TZ))
    return int(np.searchsorted(day.time, int(moment.timestamp()) * 1_000_000))


@pytest.fixture(scope="module")
def live_day(day):
    """An aggregator holding the day until 15:00, and the following seconds, one batch each."""
    agg = _aggregator()
    start = _at(day, "15:00")
    agg.ingest(day.take(slice(0, start)))
    t0 = int(day.time[start])
    edges = np.searchsorted(day.time, t0 + np.arange(0, 301) * 1_000_000)
    seconds = [day.take(slice(int(a), int(b))) for a, b in itertools.pairwise(edges)]
    return agg, iter(seconds)


def test_live_one_more_second(benchmark, live_day):
    """One second of the center's traffic (all indicators of all entities kept current)."""
    benchmark.group = "live: one second of traffic vs recomputing the day"
    agg, seconds = live_day

    def next_second():
        return (next(seconds),), {}

    report = benchmark.pedantic(agg.ingest, setup=next_second, rounds=200, warmup_rounds=0)
    assert report.rejected == 0


def test_live_recompute_polars_baseline(benchmark, polars_day):
    benchmark.group = "live: one second of traffic vs recomputing the day"
    benchmark.pedantic(peers.polars_counters, args=(polars_day, TZ), rounds=3, warmup_rounds=1)


@pytest.fixture(scope="module")
def full_day(day):
    agg = _aggregator()
    agg.ingest(day)
    return agg, int(day.time[-1])


def _snapshot(agg: m.Aggregator, now: int) -> tuple[m.Table, m.Table]:
    return agg.table(now, "day", "agent"), agg.table(now, "day", "campaign")


def test_snapshot_agents_and_campaigns(benchmark, full_day):
    """Every indicator of today for 1,000 agents and 50 campaigns."""
    benchmark.group = "snapshot: 1,000 agents + 50 campaigns"
    agg, now = full_day
    agents, campaigns = benchmark(_snapshot, agg, now)
    assert agents.values.shape[0] == 1000 and campaigns.values.shape[0] == 50


def test_snapshot_one_query_per_entity_baseline(benchmark, full_day):
    benchmark.group = "snapshot: 1,000 agents + 50 campaigns"
    agg, now = full_day

    def per_entity():
        return [agg.values(now, "day", "agent", a) for a in range(1000)] + [
            agg.values(now, "day", "campaign", c) for c in range(50)
        ]

    rows = benchmark.pedantic(per_entity, rounds=5)
    agents, _ = _snapshot(agg, now)
    assert rows[7] == agents.row(7)


@pytest.fixture(scope="module")
def stored_day(day, tmp_path_factory, polars_day):
    directory = tmp_path_factory.mktemp("log")
    log = m.EventLog(directory / "events")
    for start in range(0, len(day), 1_000_000):
        log.append(day.take(slice(start, start + 1_000_000)))
    ipc = directory / "events.arrow"
    polars_day.write_ipc(ipc, compression="uncompressed")
    return log, ipc


def _rebuild(log: m.EventLog) -> m.IngestReport:
    return log.rebuild(_aggregator())


def test_cold_rebuild_from_log(benchmark, stored_day, day):
    """Every indicator, rebuilt from the day's stored log (as after a restart)."""
    benchmark.group = "cold: load the stored day and compute"
    log, _ = stored_day
    report = benchmark.pedantic(_rebuild, args=(log,), rounds=3, warmup_rounds=1)
    assert report.accepted == len(day)


@pytest.fixture(scope="module")
def checkpointed_day(day, tmp_path_factory):
    """The day stored with a checkpoint written after its second-to-last segment (a restart
    finds the checkpoint a bit behind), and the rows of the last segment."""
    log = m.EventLog(tmp_path_factory.mktemp("checkpointed") / "events")
    # 1M-row segments as in ``stored_day``; at least four when the day is small (checks only).
    rows = min(1_000_000, -(-len(day) // 4))
    starts = range(0, len(day), rows)
    agg = _aggregator()
    for start in starts[:-1]:
        batch = day.take(slice(start, start + rows))
        log.append(batch)
        agg.ingest(batch)
    written = time.perf_counter()
    checkpoint = log.checkpoint(agg)
    write_ms = (time.perf_counter() - written) * 1e3
    log.append(day.take(slice(starts[-1], None)))
    return log, len(day) - starts[-1], checkpoint.stat().st_size, write_ms


def test_cold_rebuild_from_checkpointed_log(benchmark, checkpointed_day, full_day):
    """The same, restoring the checkpoint and replaying only the segment written after it."""
    benchmark.group = "cold: load the stored day and compute"
    log, tail_rows, checkpoint_bytes, write_ms = checkpointed_day
    report = benchmark.pedantic(_rebuild, args=(log,), rounds=3, warmup_rounds=1)
    assert report.accepted == tail_rows
    benchmark.extra_info.update(checkpoint_bytes=checkpoint_bytes, checkpoint_write_ms=round(write_ms, 1))
    rebuilt = _aggregator()
    log.rebuild(rebuilt)
    live, now = full_day
    assert rebuilt.table(now, "day", "agent").values.tobytes() == live.table(now, "day", "agent").values.tobytes()


def test_cold_polars_load_and_report_baseline(benchmark, stored_day):
    """Polars scans the same day from uncompressed Arrow IPC and computes the call report only."""
    import polars as pl

    benchmark.group = "cold: load the stored day and compute"
    _, ipc = stored_day
    benchmark.pedantic(lambda: peers.polars_counters(pl.scan_ipc(ipc), TZ), rounds=3,
                       warmup_rounds=1)
