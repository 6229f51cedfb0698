"""Self-check of bench/peers.py: Polars and DuckDB reports equal a plain-Python reading of the
indicator definitions, on synthetic days (including DST days, a half-hour zone and a zone whose
offset is not a multiple of 15 minutes, which takes the per-row local-hour path).

Run: /work/main/.venv/bin/python -m pytest bench/test_peers_selfcheck.py -q -p no:cacheprovider
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # sets POLARS_MAX_THREADS=1 when polars is not imported yet

NONE = 4294967295
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def reference_report(cols: dict[str, np.ndarray], tz: str) -> peers.Report:
    """The report, one event at a time, straight from the definitions."""
    zone = ZoneInfo(tz)
    counters = peers.COUNT_KEYS
    groups: dict[tuple[int, int], dict] = defaultdict(
        lambda: {**dict.fromkeys(counters, 0), "talk_seconds": 0.0, "wrapup_seconds": 0.0}
    )
    hours = [0] * 24
    rows = zip(*(cols[n].tolist() for n in ("time", "kind", "flags", "campaign", "agent", "value")), strict=True)
    for t, k, f, c, a, v in rows:
        g = groups[(c, a)]
        if k == 0:
            g["attempts"] += 1
            hours[(EPOCH + timedelta(microseconds=t)).astimezone(zone).hour] += 1
        elif k == 2:
            g["human_answers"] += 1
        elif k == 3:
            g["machine_answers"] += 1
        elif k == 7:
            g["connects"] += 1
        elif k == 8:
            g["abandons"] += 1
        elif k == 9 and f & 16:
            g["conversations"] += 1
            g["talk_seconds"] += v
        elif k == 11:
            g["wrapup_seconds"] += v
        elif k == 12:
            g["dispositions"] += 1
            g["argued"] += bool(f & 2)
            g["positive"] += bool(f & 1)

    def with_ratios(g: dict) -> dict:
        def div(a: float, b: float) -> float | None:
            return a / b if b else None

        return {
            **g,
            "abandon_rate": div(g["abandons"], g["human_answers"]),
            "argued_share": div(g["argued"], g["attempts"]),
            "positive_share": div(g["positive"], g["dispositions"]),
            "aht_seconds": div(g["talk_seconds"] + g["wrapup_seconds"], g["conversations"]),
        }

    center = {
        k: sum(g[k] for g in groups.values()) for k in (*counters, "talk_seconds", "wrapup_seconds")
    }
    return peers.Report(
        groups={key: with_ratios(g) for key, g in groups.items()},
        center=with_ratios(center),
        attempts_by_local_hour=hours,
    )


@pytest.fixture(scope="module")
def day() -> dict[str, np.ndarray]:
    return peers.synthetic_columns(200_000, 42)


@pytest.fixture(scope="module")
def expected(day: dict[str, np.ndarray]) -> peers.Report:
    return reference_report(day, "Europe/Paris")


@pytest.fixture(scope="module")
def duck(day: dict[str, np.ndarray]):
    con = peers.duckdb_prepare(day)
    yield con
    con.close()


def test_synthetic_day_is_plausible(day: dict[str, np.ndarray]) -> None:
    assert {k: v.dtype for k, v in day.items()} == {k: np.dtype(t) for k, t in peers.DTYPES.items()}
    assert all(len(v) == 200_000 for v in day.values())
    t, kind, flags, agent = day["time"], day["kind"], day["flags"], day["agent"]
    assert np.all(np.diff(t) >= 0)
    paris = ZoneInfo("Europe/Paris")
    assert {
        (EPOCH + timedelta(microseconds=int(x))).astimezone(paris).date().isoformat()
        for x in (t[0], t[-1])
    } == {"2026-11-20"}
    assert np.all(agent[np.isin(kind, (0, 1, 2, 3, 4, 5, 6, 8))] == NONE)
    assert np.all(agent[np.isin(kind, (7, 10, 11, 12))] != NONE)
    shares = np.bincount(kind, minlength=30) / len(kind)
    assert 0.2 < shares[0] < 0.35 and shares[8] < shares[2] and shares[12] > 0.03
    assert set(np.unique(kind)) == set(range(30))  # ignored kinds are present
    hangup = kind == 9
    assert np.any(hangup & (flags & 16 == 0) & (agent != NONE))  # unhandled, with an agent
    assert np.any(hangup & (agent == NONE))
    disp_flags = set(np.unique(flags[kind == 12]).tolist())
    assert disp_flags == {0, 1, 2, 3}


def test_reference_sees_the_day(expected: peers.Report) -> None:
    hours = expected.attempts_by_local_hour
    assert sum(hours) == expected.center["attempts"]
    assert sum(hours) > 0
    assert max(hours[9:19]) > 10 * max(hours[0:6])  # business hours are the busy ones
    assert expected.center["abandon_rate"] is not None
    assert (0, NONE) in expected.groups


@pytest.mark.parametrize("shape", peers.POLARS_SHAPES)
@pytest.mark.parametrize("hour_shape", peers.HOUR_SHAPES)
def test_polars_matches_reference(day, expected, shape: str, hour_shape: str) -> None:
    got = peers.polars_report(
        peers.polars_frame(day), "Europe/Paris", shape=shape, hour_shape=hour_shape
    )
    assert peers.reports_equal(expected, got) == []
    assert all(isinstance(got.center[k], int) for k in peers.COUNT_KEYS)


@pytest.mark.parametrize("shape", peers.DUCKDB_SHAPES)
@pytest.mark.parametrize("hour_shape", peers.HOUR_SHAPES)
def test_duckdb_matches_reference(duck, expected, shape: str, hour_shape: str) -> None:
    got = peers.duckdb_report(duck, "Europe/Paris", shape=shape, hour_shape=hour_shape)
    assert peers.reports_equal(expected, got) == []


@pytest.mark.parametrize("storage", peers.DUCKDB_STORAGES)
def test_duckdb_storages(day, expected, storage: str) -> None:
    con = peers.duckdb_prepare(day, storage=storage)
    try:
        peers.assert_single_threaded(con)
        assert peers.reports_equal(expected, peers.duckdb_report(con, "Europe/Paris")) == []
    finally:
        con.close()


def test_polars_equals_duckdb(day, duck) -> None:
    a = peers.polars_report(peers.polars_frame(day), "Europe/Paris")
    b = peers.duckdb_report(duck, "Europe/Paris")
    assert peers.reports_equal(a, b) == []
    assert a.groups.keys() == b.groups.keys()


@pytest.mark.parametrize(
    "tz, when",
    [
        ("Europe/Paris", "2026-10-25"),  # 25 hours: 02:00-03:00 happens twice
        ("Europe/Paris", "2026-03-29"),  # 23 hours: no 02:00 hour
        ("Asia/Kolkata", "2026-11-20"),  # +05:30
        ("Australia/Lord_Howe", "2026-04-05"),  # half-hour DST change
        ("America/New_York", "2026-11-01"),
        ("Africa/Monrovia", "1971-06-01"),  # -00:44:30: buckets span hours -> per-row path
        ("Europe/Paris", "1890-06-01"),  # local mean time +00:09:21, before 1970
    ],
)
def test_local_hours_across_zones(tz: str, when: str) -> None:
    cols = peers.synthetic_columns(30_000, 3, agents=40, campaigns=5, tz=tz, day=when)
    expected = reference_report(cols, tz)
    polars_rep = peers.polars_report(peers.polars_frame(cols), tz)
    con = peers.duckdb_prepare(cols)
    try:
        duck_rep = peers.duckdb_report(con, tz)
    finally:
        con.close()
    assert peers.reports_equal(expected, polars_rep) == []
    assert peers.reports_equal(expected, duck_rep) == []


def test_bucket_check_rejects_a_fractional_offset() -> None:
    # Monrovia's -00:44:30: some 15-minute buckets straddle a local hour.
    cols = peers.synthetic_columns(5_000, 1, tz="Africa/Monrovia", day="1971-06-01")
    hrs = peers._polars_hour_buckets(peers.polars_frame(cols).lazy(), "Africa/Monrovia").collect()
    got = peers._hours_from_buckets(*(hrs[c].to_numpy() for c in ("n", "hs", "he", "os", "oe")))
    assert got is None


def test_empty_input() -> None:
    cols = {k: np.zeros(0, dtype=t) for k, t in peers.DTYPES.items()}
    for rep in (
        peers.polars_report(peers.polars_frame(cols), "UTC"),
        peers.duckdb_report(peers.duckdb_prepare(cols), "UTC"),
    ):
        assert rep.groups == {}
        assert rep.attempts_by_local_hour == [0] * 24
        assert rep.center["attempts"] == 0 and rep.center["aht_seconds"] is None


def test_polars_frame_is_zero_copy(day) -> None:
    frame = peers.polars_frame(day)
    for name in peers.COLUMNS:
        assert np.shares_memory(frame[name].to_numpy(), day[name]), name


def test_polars_frame_rejects_wrong_dtypes(day) -> None:
    with pytest.raises(TypeError, match="kind"):
        peers.polars_frame({**day, "kind": day["kind"].astype(np.int64)})


def test_reports_equal() -> None:
    base = peers.Counters(
        np.array([1, 1], dtype=np.uint64),
        np.array([NONE, 7], dtype=np.uint64),
        {
            **{k: np.array([0, 0]) for k in peers.COUNT_KEYS},
            **{k: np.array([0.0, 0.0]) for k in peers.SUM_KEYS},
        },
        np.zeros(24, dtype=np.int64),
    )
    base.counters["attempts"] = np.array([10, 0])
    base.counters["talk_seconds"] = np.array([0.0, 100.0])
    base.counters["conversations"] = np.array([0, 2])
    a = base.to_report()
    assert a.groups[(1, NONE)]["aht_seconds"] is None
    assert a.groups[(1, 7)]["aht_seconds"] == 50.0
    b = peers.Report(
        groups={k: dict(v) for k, v in a.groups.items()},
        center=dict(a.center),
        attempts_by_local_hour=list(a.attempts_by_local_hour),
    )
    assert peers.reports_equal(a, b) == []
    b.groups[(1, NONE)]["aht_seconds"] = math.nan  # None and NaN are the same
    b.groups[(1, 7)]["talk_seconds"] = 100.0 * (1 + 1e-12)
    b.groups[(2, 3)] = dict(peers.ZERO_FIGURES)  # a missing group is an all-zero one
    assert peers.reports_equal(a, b) == []
    b.groups[(1, 7)]["conversations"] = 3
    b.groups[(1, 7)]["aht_seconds"] = 100.0 / 3
    b.attempts_by_local_hour[5] = 1
    b.center["abandon_rate"] = 0.5
    diffs = peers.reports_equal(a, b)
    assert diffs == [
        "center abandon_rate: None != 0.5",
        "group (campaign 1, agent 7) conversations: 2 != 3",
        "group (campaign 1, agent 7) aht_seconds: 50.0 != 33.333333333333336",
        "attempts_by_local_hour[05]: 0 != 1",
    ]
    del b.groups[(1, NONE)]
    assert "group (campaign 1, agent NONE) attempts: 10 != 0" in peers.reports_equal(a, b)


def test_single_threaded() -> None:
    # bench/conftest.py sets POLARS_MAX_THREADS=1 before anything imports polars.
    peers.assert_single_threaded()
