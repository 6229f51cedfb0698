"""The call report (attempts, answers, connects, abandons and their rate, argued and positive
counts and shares, AHT and talk time per (campaign, agent) and for the center, attempts per
local hour) over a whole day: our one native pass against Polars' streaming engine and DuckDB,
each on one thread with its fastest measured query shape (bench/peers.py). Every side's result
is checked equal to ours.

Run: ``./dev bench -k report`` (or ``python -m pytest bench/test_report.py --benchmark-only``).
"""

from __future__ import annotations

from bench import peers
from bench.conftest import TZ
from ccengine import _native
from ccengine import metrics as m


def _ours(day: m.EventBatch):
    return _native.call_report(day.time, day.kind, day.flags, day.campaign, day.agent, day.value, TZ)


def _as_peer_report(report: m.CallReport) -> peers.Report:
    def figures(f: dict) -> dict:
        return {k: (int(v) if k in peers.COUNT_KEYS else v) for k, v in f.items()}

    return peers.Report(
        groups={key: figures(f) for key, f in report.groups.items()},
        center=figures(report.center),
        attempts_by_local_hour=report.attempts_by_local_hour,
    )


def test_report_ccengine(benchmark, day, polars_day):
    benchmark.group = "call report, one core"
    benchmark.pedantic(_ours, args=(day,), rounds=7, warmup_rounds=1)
    ours = _as_peer_report(m.call_report(day, TZ))
    assert peers.reports_equal(ours, peers.polars_report(polars_day, TZ)) == []


def test_report_polars_streaming(benchmark, day, polars_day):
    benchmark.group = "call report, one core"
    peers.assert_single_threaded()
    counters = benchmark.pedantic(peers.polars_counters, args=(polars_day, TZ), rounds=5, warmup_rounds=1)
    assert peers.reports_equal(counters.to_report(), _as_peer_report(m.call_report(day, TZ))) == []


def test_report_duckdb(benchmark, day, duckdb_day):
    benchmark.group = "call report, one core"
    counters = benchmark.pedantic(peers.duckdb_counters, args=(duckdb_day, TZ), rounds=5, warmup_rounds=1)
    assert peers.reports_equal(counters.to_report(), _as_peer_report(m.call_report(day, TZ))) == []
