"""Peers of the native indicator engine for the benchmark: Polars and DuckDB.

Both peers compute the same report as the engine (``Report``: per (campaign, agent) group and
for the center, plus dial attempts per local hour) from the same event columns, each with its
fastest query shape measured on the project's machine kind (2 cores, AMD EPYC, 24 GiB), on ONE
thread each:

* **Polars** (2.1): the streaming engine, ``collect(engine="streaming")``. Polars sizes its
  thread pool once, at its first import, from ``POLARS_MAX_THREADS``: **the benchmark process
  sets ``POLARS_MAX_THREADS=1`` in its environment before anything imports polars**. As a
  convenience, importing this module while polars is not yet imported does
  ``os.environ.setdefault("POLARS_MAX_THREADS", "1")``; when polars is already imported it
  changes nothing and only warns. Call ``assert_single_threaded()`` before timing.
* **DuckDB** (2.0): a connection opened with ``threads=1`` (``SET threads=1`` again).

Usage (data prepared outside the timed part)::

    frame = polars_frame(cols)            # zero-copy over the numpy columns
    con = duckdb_prepare(cols)            # one-thread connection, zero-copy Arrow table
    assert_single_threaded(con)
    polars_report(frame, "Europe/Paris")  # timed
    duckdb_report(con, "Europe/Paris")    # timed
    reports_equal(a, b) == []

``*_counters`` return the per-group counters as numpy arrays (``Counters``), before the Python
dicts of a ``Report`` are built (``Counters.to_report()``, ~1.3 µs per group: 2.5 ms for the
~2,000 groups of a synthetic day, 50 ms for 33,000 groups).

Shapes kept (measured with ``POLARS_MAX_THREADS=1 python bench/peers.py --rows N --shapes``;
best of 3 after a warm-up; whole ``*_report`` calls; synthetic day, ~2,000 groups):

======================================  =========  ==========
shape                                     2M rows   10M rows
======================================  =========  ==========
Polars  filter kind IN report kinds,
        group by (campaign, agent,
        kind, flags & 19)  [kept]         27.6 ms    104.7 ms
Polars  same, no filter                   46.3 ms    143.2 ms
Polars  one group by (campaign, agent)
        with 11 conditional sums          49.3 ms    176.7 ms
Polars  local hour per row (vs bucket)    +14 ms      +89 ms
DuckDB  Arrow scan, bit-mask filter,
        group by (campaign, agent,
        kind, flags & 19)  [kept]         42.5 ms    144.3 ms
DuckDB  same, no filter                   43.0 ms    155.8 ms
DuckDB  conditional sums (FILTER)         71.8 ms    309.1 ms
DuckDB  local hour per row (vs bucket)    +72 ms     +389 ms
DuckDB  native table (compressed)         46.5 ms    182.6 ms
DuckDB  native table, uncompressed        36.5 ms    132.5 ms
DuckDB  registered Polars frame           39.7 ms    126.9 ms
======================================  =========  ==========

(Arrow, uncompressed table and Polars frame storage are within noise of each other: 132, 135,
134 ms best / 153, 160, 145 ms median over 8 interleaved runs at 10M; the compressed native
table is 30-40% slower to scan. In DuckDB ``kind IN (...)`` costs twice the bit-mask test
``(7053 >> kind) & 1 = 1``; in Polars ``is_in`` is the fast one.)

* Counters: one hash aggregation on ``(campaign, agent, kind, flags & 19)`` of the rows of the
  8 kinds the report reads, with ``count`` and ``sum(value)``; its small result (a few
  thousand rows) is pivoted into per-group counters with numpy (``counters_from_long``, shared
  by both peers, 1.5 ms). The single GROUP BY (campaign, agent) with conditional sums is
  1.7-2.1x slower in both.
* Attempts per local hour: attempts are counted per 15-minute UTC bucket, then only the bucket
  bounds (~100 rows a day) are converted to local time, by the peer itself. Every UTC offset in
  use since 1972 is a multiple of 15 minutes and changes on a 15-minute boundary, so a bucket
  lies within one local clock hour; this is *checked* on each bucket's two ends (same local hour
  and same UTC offset) and the peer converts every attempt (``hour_shape="per_row"``) when it
  does not hold (e.g. Africa/Monrovia's -00:44:30 until 1972, local mean time before ~1900, or
  times before 1970 for DuckDB, whose ``//`` truncates toward zero).

Other shapes stay selectable (``shape=``, ``hour_shape=``, ``duckdb_prepare(storage=...)``).
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

if "polars" not in sys.modules:
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    _POLARS_IMPORTED_BEFORE_US = False
else:  # pragma: no cover - depends on the importer
    _POLARS_IMPORTED_BEFORE_US = True

import polars as pl

if _POLARS_IMPORTED_BEFORE_US and pl.thread_pool_size() != 1:  # pragma: no cover
    warnings.warn(
        f"polars was imported before bench.peers with a pool of {pl.thread_pool_size()} threads; "
        "set POLARS_MAX_THREADS=1 in the environment before polars is first imported",
        RuntimeWarning,
        stacklevel=2,
    )

NONE = 0xFFFFFFFF  # "no id" in uint32 id columns
COLUMNS = ("time", "kind", "flags", "campaign", "agent", "value")
DTYPES = {
    "time": np.int64,
    "kind": np.uint8,
    "flags": np.uint16,
    "campaign": np.uint32,
    "agent": np.uint32,
    "value": np.float64,
}

# Event kinds and flags read by the report (docs/metrics.md).
DIAL_ATTEMPT, ANSWERED_HUMAN, ANSWERED_MACHINE = 0, 2, 3
CONNECTED, ABANDONED, HANGUP, WRAPUP_END, DISPOSITION = 7, 8, 9, 11, 12
POSITIVE, ARGUED, HANDLED = 1, 2, 16
FLAG_MASK = POSITIVE | ARGUED | HANDLED  # 19: the only flag bits the report reads
REPORT_KINDS = (0, 2, 3, 7, 8, 9, 11, 12)

COUNT_KEYS = (
    "attempts",
    "human_answers",
    "machine_answers",
    "connects",
    "abandons",
    "dispositions",
    "argued",
    "positive",
    "conversations",
)
SUM_KEYS = ("talk_seconds", "wrapup_seconds")
RATIO_KEYS = ("abandon_rate", "argued_share", "positive_share", "aht_seconds")
FIGURE_KEYS = COUNT_KEYS + SUM_KEYS + RATIO_KEYS

_US_PER_HOUR = 3_600_000_000
_BUCKET_US = 900_000_000  # 15 minutes: every UTC offset since 1972 is a multiple of it


# --------------------------------------------------------------------------------------------
# The canonical report
# --------------------------------------------------------------------------------------------

Figures = dict[str, float | None]


@dataclass
class Report:
    """The indicator set every side of the benchmark returns.

    ``groups`` is keyed by ``(campaign, agent)`` (``NONE`` = 4294967295 is a value of its own,
    e.g. the dial attempts of a campaign, which name no agent). A group all of whose figures are
    0 (or undefined) may be absent: ``reports_equal`` takes a missing group as such a group.
    Counts are ints, sums floats, ratios floats or ``None`` when the denominator is 0.
    """

    groups: dict[tuple[int, int], Figures] = field(default_factory=dict)
    center: Figures = field(default_factory=dict)
    attempts_by_local_hour: list[int] = field(default_factory=lambda: [0] * 24)


def figures(counts: dict[str, float]) -> Figures:
    """Figures (counts as ints, sums, ratios) from the counters of one group or the center."""
    out: Figures = {k: int(counts.get(k, 0)) for k in COUNT_KEYS}
    for k in SUM_KEYS:
        out[k] = float(counts.get(k, 0.0))
    out.update(_ratios(out))
    return out


def _ratios(f: Figures) -> Figures:
    """The four ratios from a group's counts and sums (all defined, never None)."""
    g = {k: float(f[k] or 0) for k in COUNT_KEYS + SUM_KEYS}

    def div(a: float, b: float) -> float | None:
        return a / b if b else None

    return {
        "abandon_rate": div(g["abandons"], g["human_answers"]),
        "argued_share": div(g["argued"], g["attempts"]),
        "positive_share": div(g["positive"], g["dispositions"]),
        "aht_seconds": div(g["talk_seconds"] + g["wrapup_seconds"], g["conversations"]),
    }


ZERO_FIGURES: Figures = figures({})


def _undefined(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _same(x: Any, y: Any, rel_tol: float) -> bool:
    if _undefined(x) or _undefined(y):
        return _undefined(x) and _undefined(y)
    if isinstance(x, int) and isinstance(y, int):
        return x == y
    return math.isclose(float(x), float(y), rel_tol=rel_tol, abs_tol=0.0)


def _name(v: int) -> str:
    return "NONE" if v == NONE else str(v)


def reports_equal(a: Report, b: Report, rel_tol: float = 1e-9, *, limit: int = 50) -> list[str]:
    """Differences between two reports, readable; empty when they are equal.

    None and NaN are equal; floats compare with ``math.isclose(rel_tol=rel_tol)``; a group
    missing on one side compares as a group whose figures are all 0 / undefined.
    At most ``limit`` differences are listed, then a count of the rest.
    """
    diffs: list[str] = []

    def cmp(where: str, fa: Figures, fb: Figures) -> None:
        for k in FIGURE_KEYS:
            x, y = fa.get(k, ZERO_FIGURES[k]), fb.get(k, ZERO_FIGURES[k])
            if not _same(x, y, rel_tol):
                diffs.append(f"{where} {k}: {x!r} != {y!r}")

    cmp("center", a.center, b.center)
    for key in sorted(set(a.groups) | set(b.groups)):
        cmp(
            f"group (campaign {_name(key[0])}, agent {_name(key[1])})",
            a.groups.get(key, ZERO_FIGURES),
            b.groups.get(key, ZERO_FIGURES),
        )
    ha, hb = list(a.attempts_by_local_hour), list(b.attempts_by_local_hour)
    if len(ha) != 24 or len(hb) != 24:
        diffs.append(f"attempts_by_local_hour: {len(ha)} != {len(hb)} entries (24 expected)")
    for h, (x, y) in enumerate(zip(ha, hb, strict=True)):
        if int(x) != int(y):
            diffs.append(f"attempts_by_local_hour[{h:02d}]: {x} != {y}")
    if len(diffs) > limit:
        diffs[limit:] = [f"... and {len(diffs) - limit} more differences"]
    return diffs


@dataclass
class Counters:
    """What a peer's query computes: one entry per ``(campaign, agent)`` group (numpy arrays)
    and the attempts per local hour. ``to_report()`` turns it into a ``Report`` (building the
    Python dicts costs ~1 µs per group; ``python bench/peers.py`` times it apart)."""

    campaign: np.ndarray  # uint64, one per group
    agent: np.ndarray  # uint64, one per group
    counters: dict[str, np.ndarray]  # COUNT_KEYS -> int64, SUM_KEYS -> float64, per group
    attempts_by_local_hour: np.ndarray  # int64[24]

    def to_report(self) -> Report:
        c = self.counters
        center = figures({k: c[k].sum() for k in COUNT_KEYS + SUM_KEYS})
        stacked = np.stack([c[k] for k in COUNT_KEYS + SUM_KEYS])
        idx = np.flatnonzero((stacked != 0).any(axis=0))  # all-zero groups are left out
        cnt = {k: np.asarray(c[k], dtype=np.int64)[idx] for k in COUNT_KEYS}
        sm = {k: np.asarray(c[k], dtype=np.float64)[idx] for k in SUM_KEYS}

        def ratio(num: np.ndarray, den: np.ndarray) -> list[float | None]:
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(den != 0, num / den, np.nan).tolist()
            return [None if math.isnan(x) else x for x in r]

        columns = [cnt[k].tolist() for k in COUNT_KEYS] + [sm[k].tolist() for k in SUM_KEYS]
        columns += [
            ratio(cnt["abandons"], cnt["human_answers"]),
            ratio(cnt["argued"], cnt["attempts"]),
            ratio(cnt["positive"], cnt["dispositions"]),
            ratio(sm["talk_seconds"] + sm["wrapup_seconds"], cnt["conversations"]),
        ]
        keys = zip(
            np.asarray(self.campaign, dtype=np.uint64)[idx].tolist(),
            np.asarray(self.agent, dtype=np.uint64)[idx].tolist(), strict=True,
        )
        rows = zip(*columns, strict=True)
        groups = {key: dict(zip(FIGURE_KEYS, row, strict=True)) for key, row in zip(keys, rows, strict=True)}
        hours = np.asarray(self.attempts_by_local_hour, dtype=np.int64)
        if hours.shape != (24,):
            raise ValueError(f"attempts_by_local_hour must have 24 entries, got {hours.shape}")
        return Report(groups=groups, center=center, attempts_by_local_hour=hours.tolist())


def counters_from_long(
    campaign: np.ndarray,
    agent: np.ndarray,
    kind: np.ndarray,
    fbits: np.ndarray,
    n: np.ndarray,
    v: np.ndarray,
    attempts_by_local_hour: np.ndarray,
) -> Counters:
    """Pivot the small aggregate ``(campaign, agent, kind, flags & 19) -> count n, sum v``
    (a few thousand rows) into per-group counters, with numpy."""
    campaign = np.asarray(campaign, dtype=np.uint64)
    agent = np.asarray(agent, dtype=np.uint64)
    kind = np.asarray(kind, dtype=np.int64)
    fbits = np.asarray(fbits, dtype=np.int64)
    nf = np.asarray(n, dtype=np.float64)  # bincount weights; exact below 2**53
    v = np.asarray(v, dtype=np.float64)
    keys, inv = np.unique((campaign << np.uint64(32)) | agent, return_inverse=True)
    g = len(keys)

    def tally(mask: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.bincount(inv[mask], weights=w[mask], minlength=g)

    is_disp = kind == DISPOSITION
    handled = (kind == HANGUP) & ((fbits & HANDLED) != 0)
    counts = {
        "attempts": tally(kind == DIAL_ATTEMPT, nf),
        "human_answers": tally(kind == ANSWERED_HUMAN, nf),
        "machine_answers": tally(kind == ANSWERED_MACHINE, nf),
        "connects": tally(kind == CONNECTED, nf),
        "abandons": tally(kind == ABANDONED, nf),
        "dispositions": tally(is_disp, nf),
        "argued": tally(is_disp & ((fbits & ARGUED) != 0), nf),
        "positive": tally(is_disp & ((fbits & POSITIVE) != 0), nf),
        "conversations": tally(handled, nf),
    }
    out = {k: c.astype(np.int64) for k, c in counts.items()}
    out["talk_seconds"] = tally(handled, v)
    out["wrapup_seconds"] = tally(kind == WRAPUP_END, v)
    return Counters(
        keys >> np.uint64(32),
        keys & np.uint64(NONE),
        out,
        np.asarray(attempts_by_local_hour, dtype=np.int64),
    )


def counters_from_wide(cols: dict[str, np.ndarray], attempts_by_local_hour: np.ndarray) -> Counters:
    """Counters from one row per ``(campaign, agent)`` with the counters as columns."""
    out = {k: np.asarray(cols[k], dtype=np.int64) for k in COUNT_KEYS}
    out.update({k: np.nan_to_num(np.asarray(cols[k], dtype=np.float64)) for k in SUM_KEYS})
    return Counters(
        np.asarray(cols["campaign"], dtype=np.uint64),
        np.asarray(cols["agent"], dtype=np.uint64),
        out,
        np.asarray(attempts_by_local_hour, dtype=np.int64),
    )


def _hours_from_buckets(
    n: np.ndarray,
    h_start: np.ndarray,
    h_end: np.ndarray,
    off_start: np.ndarray,
    off_end: np.ndarray,
) -> np.ndarray | None:
    """Attempts per local hour from per-bucket counts, or None when a bucket may span two
    local hours (its two ends differ in local hour or in UTC offset)."""
    if not (np.array_equal(h_start, h_end) and np.array_equal(off_start, off_end)):
        return None
    return _hours_from_rows(h_start, n)


def _hours_from_rows(h: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.bincount(
        np.asarray(h, dtype=np.int64), weights=np.asarray(n, dtype=np.float64), minlength=24
    ).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Threads
# --------------------------------------------------------------------------------------------


def assert_single_threaded(con: Any = None) -> None:
    """Assert that Polars (and DuckDB connection ``con`` when given) run on one thread.

    Polars reads ``POLARS_MAX_THREADS`` once, at its first import: the benchmark process must
    set ``POLARS_MAX_THREADS=1`` in its environment before anything imports polars.
    """
    size = pl.thread_pool_size()
    if size != 1:  # not `assert`: it must hold under `python -O` too
        raise AssertionError(
            f"polars runs a pool of {size} threads: set POLARS_MAX_THREADS=1 in the environment "
            "before polars is first imported (e.g. `POLARS_MAX_THREADS=1 python bench/...`)"
        )
    if con is not None:
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        if int(threads) != 1:
            raise AssertionError(f"duckdb connection runs {threads} threads: SET threads=1")


# --------------------------------------------------------------------------------------------
# Polars
# --------------------------------------------------------------------------------------------


def polars_frame(cols: dict[str, np.ndarray]) -> pl.DataFrame:
    """The events as a Polars DataFrame sharing the numpy buffers (zero-copy for contiguous
    arrays of the documented dtypes). Build it before timing."""
    data = {}
    for name in COLUMNS:
        arr = np.asarray(cols[name])
        if arr.dtype != DTYPES[name]:
            raise TypeError(f"column {name!r} is {arr.dtype}, expected {np.dtype(DTYPES[name])}")
        data[name] = np.ascontiguousarray(arr)
    return pl.DataFrame(data)


# Counter shapes. "kind_groupby_filtered" (the default) was the fastest at 2M and 10M rows.
POLARS_SHAPES = ("kind_groupby_filtered", "kind_groupby", "conditional_sums")
HOUR_SHAPES = ("buckets", "per_row")


def _polars_long(lf: pl.LazyFrame, shape: str) -> pl.LazyFrame:
    if shape == "kind_groupby_filtered":
        # is_in is fast in Polars, and dropping the ~40% of rows the report ignores pays.
        lf = lf.filter(pl.col("kind").is_in(REPORT_KINDS))
    elif shape != "kind_groupby":
        raise ValueError(f"unknown polars shape {shape!r}")
    fbits = (pl.col("flags") & FLAG_MASK).alias("fbits")
    return lf.group_by("campaign", "agent", "kind", fbits).agg(
        pl.len().alias("n"), pl.col("value").sum().alias("v")
    )


def _polars_conditional(lf: pl.LazyFrame) -> pl.LazyFrame:
    k, f, v = pl.col("kind"), pl.col("flags"), pl.col("value")
    disp = k == DISPOSITION
    handled = (k == HANGUP) & ((f & HANDLED) != 0)
    return lf.group_by("campaign", "agent").agg(
        (k == DIAL_ATTEMPT).sum().alias("attempts"),
        (k == ANSWERED_HUMAN).sum().alias("human_answers"),
        (k == ANSWERED_MACHINE).sum().alias("machine_answers"),
        (k == CONNECTED).sum().alias("connects"),
        (k == ABANDONED).sum().alias("abandons"),
        disp.sum().alias("dispositions"),
        (disp & ((f & ARGUED) != 0)).sum().alias("argued"),
        (disp & ((f & POSITIVE) != 0)).sum().alias("positive"),
        handled.sum().alias("conversations"),
        v.filter(handled).sum().alias("talk_seconds"),
        v.filter(k == WRAPUP_END).sum().alias("wrapup_seconds"),
    )


def _polars_hour_buckets(lf: pl.LazyFrame, tz: str) -> pl.LazyFrame:
    b = pl.col("b")
    # from_epoch gives a naive datetime; convert_time_zone reads a naive one as UTC.
    start = pl.from_epoch(b * _BUCKET_US, time_unit="us").dt.convert_time_zone(tz)
    end = pl.from_epoch(b * _BUCKET_US + (_BUCKET_US - 1), time_unit="us").dt.convert_time_zone(tz)
    return (
        lf.filter(pl.col("kind") == DIAL_ATTEMPT)
        .group_by((pl.col("time") // _BUCKET_US).alias("b"))  # `//` floors in Polars
        .agg(pl.len().alias("n"))
        .select(
            "n",
            start.dt.hour().alias("hs"),
            end.dt.hour().alias("he"),
            (start.dt.base_utc_offset() + start.dt.dst_offset()).alias("os"),
            (end.dt.base_utc_offset() + end.dt.dst_offset()).alias("oe"),
        )
    )


def _polars_hour_rows(lf: pl.LazyFrame, tz: str) -> pl.LazyFrame:
    hour = pl.from_epoch(pl.col("time"), time_unit="us").dt.convert_time_zone(tz).dt.hour()
    return (
        lf.filter(pl.col("kind") == DIAL_ATTEMPT).group_by(hour.alias("h")).agg(pl.len().alias("n"))
    )


def polars_counters(
    frame: pl.DataFrame | pl.LazyFrame,
    tz: str,
    *,
    shape: str = "kind_groupby_filtered",
    hour_shape: str = "buckets",
) -> Counters:
    """The per-group counters and hour counts, computed by Polars' streaming engine."""
    lf = frame.lazy()
    main = _polars_conditional(lf) if shape == "conditional_sums" else _polars_long(lf, shape)
    if hour_shape == "buckets":
        hours_q = _polars_hour_buckets(lf, tz)
    elif hour_shape == "per_row":
        hours_q = _polars_hour_rows(lf, tz)
    else:
        raise ValueError(f"unknown hour shape {hour_shape!r}")
    agg, hrs = pl.collect_all([main, hours_q], engine="streaming")

    hours: np.ndarray | None
    if hour_shape == "buckets":
        hours = _hours_from_buckets(
            hrs["n"].to_numpy(),
            hrs["hs"].to_numpy(),
            hrs["he"].to_numpy(),
            hrs["os"].to_numpy(),
            hrs["oe"].to_numpy(),
        )
        if hours is None:  # a bucket may span two local hours: convert every attempt
            rows = _polars_hour_rows(lf, tz).collect(engine="streaming")
            hours = _hours_from_rows(rows["h"].to_numpy(), rows["n"].to_numpy())
    else:
        hours = _hours_from_rows(hrs["h"].to_numpy(), hrs["n"].to_numpy())

    if shape == "conditional_sums":
        return counters_from_wide({k: agg[k].to_numpy() for k in agg.columns}, hours)
    return counters_from_long(
        agg["campaign"].to_numpy(),
        agg["agent"].to_numpy(),
        agg["kind"].to_numpy(),
        agg["fbits"].to_numpy(),
        agg["n"].to_numpy(),
        agg["v"].to_numpy(),
        hours,
    )


def polars_report(
    frame: pl.DataFrame | pl.LazyFrame,
    tz: str,
    *,
    shape: str = "kind_groupby_filtered",
    hour_shape: str = "buckets",
) -> Report:
    """The report computed by Polars' streaming engine from ``polars_frame(cols)``."""
    return polars_counters(frame, tz, shape=shape, hour_shape=hour_shape).to_report()


# --------------------------------------------------------------------------------------------
# DuckDB
# --------------------------------------------------------------------------------------------

# Counter shapes; "kind_groupby_filtered" (the default) was the fastest at 2M and 10M rows.
DUCKDB_SHAPES = ("kind_groupby_filtered", "kind_groupby", "conditional_sums")
# Where the events live; "arrow" (the default) was the fastest to scan.
DUCKDB_STORAGES = ("arrow", "table", "table_uncompressed", "polars")


def duckdb_prepare(cols: dict[str, np.ndarray], *, storage: str = "arrow") -> Any:
    """A one-thread DuckDB connection holding the events as relation ``events``.

    ``storage``: ``"arrow"`` registers a zero-copy Arrow table over the numpy arrays (the
    fastest to query here); ``"table"`` copies them into a native DuckDB table (compressed,
    slower to scan); ``"table_uncompressed"`` likewise with compression off; ``"polars"``
    registers the zero-copy Polars frame. Do it before timing.
    """
    import duckdb
    import pyarrow as pa

    con = duckdb.connect(config={"threads": 1})
    con.execute("SET threads=1")
    frame = polars_frame(cols)  # checks the dtypes
    if storage == "polars":
        con.register("events", frame)  # the connection keeps a reference to it
        return con
    table = pa.table({name: pa.array(frame[name].to_numpy()) for name in COLUMNS})
    if storage == "arrow":
        con.register("events", table)
    elif storage in ("table", "table_uncompressed"):
        if storage == "table_uncompressed":
            con.execute("PRAGMA force_compression='uncompressed'")
        con.register("events_arrow", table)
        con.execute("CREATE TABLE events AS SELECT * FROM events_arrow")
        con.unregister("events_arrow")
        con.execute("CHECKPOINT")
    else:
        raise ValueError(f"unknown duckdb storage {storage!r}")
    return con


# Report kinds as a bit set: (mask >> kind) & 1 was 2x faster than `kind IN (...)` in DuckDB.
_REPORT_KIND_MASK = sum(1 << k for k in REPORT_KINDS)  # 7053

_DUCK_LONG = f"""
SELECT campaign, agent, kind, flags & {FLAG_MASK} AS fbits, count(*) AS n, sum(value) AS v
FROM events {{where}}
GROUP BY campaign, agent, kind, fbits
"""

_DUCK_WIDE = f"""
SELECT campaign, agent,
  count(*) FILTER (WHERE kind = {DIAL_ATTEMPT}) AS attempts,
  count(*) FILTER (WHERE kind = {ANSWERED_HUMAN}) AS human_answers,
  count(*) FILTER (WHERE kind = {ANSWERED_MACHINE}) AS machine_answers,
  count(*) FILTER (WHERE kind = {CONNECTED}) AS connects,
  count(*) FILTER (WHERE kind = {ABANDONED}) AS abandons,
  count(*) FILTER (WHERE kind = {DISPOSITION}) AS dispositions,
  count(*) FILTER (WHERE kind = {DISPOSITION} AND flags & {ARGUED} <> 0) AS argued,
  count(*) FILTER (WHERE kind = {DISPOSITION} AND flags & {POSITIVE} <> 0) AS positive,
  count(*) FILTER (WHERE kind = {HANGUP} AND flags & {HANDLED} <> 0) AS conversations,
  coalesce(sum(value) FILTER (WHERE kind = {HANGUP} AND flags & {HANDLED} <> 0), 0)
    AS talk_seconds,
  coalesce(sum(value) FILTER (WHERE kind = {WRAPUP_END}), 0) AS wrapup_seconds
FROM events
GROUP BY campaign, agent
"""

# Local time of a UTC microsecond count `x` in zone $tz (ICU), as a naive TIMESTAMP.
_DUCK_LOCAL = "timezone($tz, timezone('UTC', make_timestamp({x})))"

_DUCK_HOUR_BUCKETS = f"""
WITH b AS (
  SELECT time // {_BUCKET_US} AS b, count(*) AS n
  FROM events WHERE kind = {DIAL_ATTEMPT} GROUP BY b
), t AS (
  SELECT b, n, b * {_BUCKET_US} AS s, b * {_BUCKET_US} + {_BUCKET_US - 1} AS e FROM b
), l AS (
  SELECT b, n, s, e, {_DUCK_LOCAL.format(x="s")} AS ls, {_DUCK_LOCAL.format(x="e")} AS le FROM t
)
SELECT b, n, hour(ls) AS hs, hour(le) AS he, epoch_us(ls) - s AS os, epoch_us(le) - e AS oe
FROM l
"""

_DUCK_HOUR_ROWS = f"""
SELECT hour({_DUCK_LOCAL.format(x="time")}) AS h, count(*) AS n
FROM events WHERE kind = {DIAL_ATTEMPT} GROUP BY h
"""


def duckdb_counters(
    con: Any,
    tz: str,
    *,
    shape: str = "kind_groupby_filtered",
    hour_shape: str = "buckets",
) -> Counters:
    """The per-group counters and hour counts, computed by DuckDB over relation ``events`` of
    ``con`` (from ``duckdb_prepare``; a connection, or a cursor of one)."""
    if shape == "kind_groupby":
        agg = con.execute(_DUCK_LONG.format(where="")).fetchnumpy()
    elif shape == "kind_groupby_filtered":
        where = f"WHERE ({_REPORT_KIND_MASK} >> kind) & 1 = 1"
        agg = con.execute(_DUCK_LONG.format(where=where)).fetchnumpy()
    elif shape == "conditional_sums":
        agg = con.execute(_DUCK_WIDE).fetchnumpy()
    else:
        raise ValueError(f"unknown duckdb shape {shape!r}")

    hours: np.ndarray | None = None
    if hour_shape == "buckets":
        hb = con.execute(_DUCK_HOUR_BUCKETS, {"tz": tz}).fetchnumpy()
        # DuckDB's `//` truncates toward zero: bucket 0 also holds the times in (-15 min, 0),
        # and negative buckets are off by one; such data (before 1970) takes the per-row path.
        if len(hb["b"]) == 0 or int(np.min(hb["b"])) > 0:
            hours = _hours_from_buckets(hb["n"], hb["hs"], hb["he"], hb["os"], hb["oe"])
    elif hour_shape != "per_row":
        raise ValueError(f"unknown hour shape {hour_shape!r}")
    if hours is None:  # per_row, or a bucket may span two local hours
        hr = con.execute(_DUCK_HOUR_ROWS, {"tz": tz}).fetchnumpy()
        hours = _hours_from_rows(hr["h"], hr["n"])

    if shape == "conditional_sums":
        return counters_from_wide(agg, hours)
    return counters_from_long(
        agg["campaign"], agg["agent"], agg["kind"], agg["fbits"], agg["n"], agg["v"], hours
    )


def duckdb_report(
    con: Any,
    tz: str,
    *,
    shape: str = "kind_groupby_filtered",
    hour_shape: str = "buckets",
) -> Report:
    """The report computed by DuckDB from ``duckdb_prepare(cols)``."""
    return duckdb_counters(con, tz, shape=shape, hour_shape=hour_shape).to_report()


# --------------------------------------------------------------------------------------------
# Synthetic data (self-checks only; the benchmark's data comes from the native generator)
# --------------------------------------------------------------------------------------------

# Share of each kind (0-29) among the events of a predictive-dialer day (percent): attempt,
# ringing, human, machine, no answer, busy, invalid; connected, abandoned, hangup, wrap-up
# start and end, disposition; login, logout, pause, resume; callback scheduled and done,
# csat, nps, sale, message answered; queue entered, answered, abandoned; campaign and list
# (de)activations.
_KIND_WEIGHTS = np.array(
    [28.0, 18.0, 6.0, 3.0, 9.0, 1.5, 1.0, 5.5, 0.4, 7.0, 5.0, 5.0, 5.0, 0.1, 0.1,
     0.6, 0.6, 0.5, 0.3, 0.4, 0.3, 0.4, 0.6, 0.5, 0.4, 0.1, 0.01, 0.01, 0.02, 0.02]
)
_KIND_WEIGHTS /= _KIND_WEIGHTS.sum()
_AGENTLESS_KINDS = np.array([0, 1, 2, 3, 4, 5, 6, 8, 23, 25, 26, 27, 28, 29])
_CAMPAIGNLESS_KINDS = np.array([13, 14, 15, 16])
# Relative call volume per local clock hour of an outbound center working 8:00-21:00.
_HOUR_PROFILE = np.array(
    [1, 1, 1, 1, 1, 1, 2, 6, 40, 70, 85, 90, 70, 60, 80, 90, 85, 75, 55, 30, 10, 4, 2, 1],
    dtype=np.float64,
)


def _epoch_us(dt: datetime) -> int:
    return (dt - datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))) // timedelta(microseconds=1)


def synthetic_columns(
    n_events: int,
    seed: int,
    *,
    agents: int = 1000,
    campaigns: int = 50,
    tz: str = "Europe/Paris",
    day: str = "2026-11-20",
) -> dict[str, np.ndarray]:
    """A plausible contact-center day of ``n_events`` events (vectorised; for self-checks).

    Times are sorted across the local day ``day`` in ``tz`` (23, 24 or 25 hours), busiest in
    business hours; kinds follow a predictive dialer's mix; dialer events (attempts, answers,
    abandons ...) name no agent; each agent works mostly for a home campaign; agent login and
    pause events name no campaign; hangups of handled calls carry HANDLED, dispositions
    POSITIVE / ARGUED; values are talk, wrap-up, wait seconds, scores, revenue per kind.
    With the defaults a day has ~3,000 (campaign, agent) groups, ~2,000 with report figures.
    """
    rng = np.random.default_rng(seed)
    zone = ZoneInfo(tz)
    d = date.fromisoformat(day)
    start = _epoch_us(datetime(d.year, d.month, d.day, tzinfo=zone))
    nd = d + timedelta(days=1)
    end = _epoch_us(datetime(nd.year, nd.month, nd.day, tzinfo=zone))
    span = end - start

    # Times: elapsed hour of the local day drawn from the profile, then uniform in the hour.
    n_hours = -(-span // _US_PER_HOUR)
    prof = _HOUR_PROFILE[np.minimum(np.arange(n_hours), 23)]
    hour = rng.choice(n_hours, size=n_events, p=prof / prof.sum())
    offs = hour * _US_PER_HOUR + rng.integers(0, _US_PER_HOUR, size=n_events)
    time = start + np.sort(np.minimum(offs, span - 1))

    kind = rng.choice(30, size=n_events, p=_KIND_WEIGHTS).astype(np.uint8)

    # Agents: agent kinds name one; unhandled hangups (machines, abandons) name none.
    agent = rng.integers(0, agents, size=n_events, dtype=np.uint32)
    agentless = np.isin(kind, _AGENTLESS_KINDS)
    hangup = kind == HANGUP
    unhandled = hangup & (rng.random(n_events) < 0.15)
    agent[agentless | unhandled] = NONE

    # Campaigns: a Zipf-like share of the dialer traffic; an agent works for two campaigns,
    # mostly the first.
    cw = 1.0 / np.arange(1, campaigns + 1)
    cw /= cw.sum()
    campaign = rng.choice(campaigns, size=n_events, p=cw).astype(np.uint32)
    staffed = rng.choice(campaigns, size=(2, agents), p=cw).astype(np.uint32)
    has_agent = agent != NONE
    which = (rng.random(n_events) < 0.2).astype(np.intp)
    campaign[has_agent] = staffed[which[has_agent], agent[has_agent]]
    campaign[np.isin(kind, _CAMPAIGNLESS_KINDS)] = NONE

    # Flags.
    flags = np.zeros(n_events, dtype=np.uint16)
    r = rng.random(n_events)
    flags[hangup & has_agent & (r < 0.93)] = HANDLED
    disp = kind == DISPOSITION
    argued = disp & (rng.random(n_events) < 0.45)
    positive = disp & (argued & (r < 0.5) | (r > 0.98))
    flags[argued] |= ARGUED
    flags[positive] |= POSITIVE
    flags[np.isin(kind, (17, 18)) & (r < 0.4)] |= 4  # SHARED
    flags[(kind == 22) & (r < 0.3)] |= 8  # FIRST_RESPONSE

    # Values, rounded to the millisecond.
    value = np.zeros(n_events, dtype=np.float64)
    talk = hangup & has_agent
    value[talk] = rng.gamma(2.0, 90.0, size=int(talk.sum()))
    value[unhandled] = rng.gamma(1.0, 8.0, size=int(unhandled.sum()))
    for k, mean in ((WRAPUP_END, 30.0), (22, 120.0), (24, 25.0), (25, 60.0)):
        m = kind == k
        value[m] = rng.gamma(2.0, mean / 2.0, size=int(m.sum()))
    m = kind == 19
    value[m] = rng.integers(1, 6, size=int(m.sum()))
    m = kind == 20
    value[m] = rng.integers(0, 11, size=int(m.sum()))
    m = kind == 21
    value[m] = rng.gamma(2.0, 40.0, size=int(m.sum()))
    value = np.round(value, 3)

    return {
        "time": time.astype(np.int64),
        "kind": kind,
        "flags": flags,
        "campaign": campaign,
        "agent": agent,
        "value": value,
    }


# --------------------------------------------------------------------------------------------
# Measuring the shapes: POLARS_MAX_THREADS=1 python bench/peers.py [--rows N] [--shapes]
# --------------------------------------------------------------------------------------------


def _best_of(fn: Any, repeat: int) -> tuple[float, float, Any]:
    """(best wall seconds, CPU seconds of that run, last result) over ``repeat`` runs."""
    import time

    best = (math.inf, math.inf)
    out = None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall < best[0]:
            best = (wall, cpu)
    return best[0], best[1], out


def _main(argv: list[str] | None = None) -> int:
    import argparse
    import time

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tz", default="Europe/Paris")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--shapes", action="store_true", help="measure every shape, not only the defaults"
    )
    args = ap.parse_args(argv)

    assert_single_threaded()
    t = time.perf_counter()
    cols = synthetic_columns(args.rows, args.seed, tz=args.tz)
    print(
        f"{args.rows:,} synthetic events in {time.perf_counter() - t:.1f} s; "
        f"best of {args.repeat} after a warm-up, one thread each (cpu/wall ≈ 1: one thread, "
        f"not preempted); load average {os.getloadavg()}"
    )
    frame = polars_frame(cols)
    runs: dict[str, Any] = {}

    def show(label: str, fn: Any) -> None:
        fn()  # warm-up, untimed (allocator, caches, lazy imports)
        wall, cpu, out = _best_of(fn, args.repeat)
        print(f"  {label:58s} {wall * 1e3:9.1f} ms   cpu/wall {cpu / wall:4.2f}", flush=True)
        runs[label] = out

    pshapes = POLARS_SHAPES if args.shapes else POLARS_SHAPES[:1]
    hshapes = HOUR_SHAPES if args.shapes else HOUR_SHAPES[:1]
    for shape in pshapes:
        for hour_shape in hshapes:
            show(
                f"polars_report shape={shape} hours={hour_shape}",
                lambda s=shape, h=hour_shape: polars_report(frame, args.tz, shape=s, hour_shape=h),
            )
    counters = polars_counters(frame, args.tz)
    show(
        "  polars_counters (default shapes; no Report dicts)",
        lambda: polars_counters(frame, args.tz),
    )
    show(f"  Counters.to_report ({len(counters.campaign):,} groups)", counters.to_report)

    storages = DUCKDB_STORAGES if args.shapes else DUCKDB_STORAGES[:1]
    dshapes = DUCKDB_SHAPES if args.shapes else DUCKDB_SHAPES[:1]
    for storage in storages:
        t = time.perf_counter()
        con = duckdb_prepare(cols, storage=storage)
        assert_single_threaded(con)
        print(f"  (duckdb_prepare storage={storage}: {time.perf_counter() - t:.2f} s, untimed)")
        for shape in dshapes:
            for hour_shape in hshapes:
                show(
                    f"duckdb_report storage={storage} shape={shape} hours={hour_shape}",
                    lambda c=con, s=shape, h=hour_shape: duckdb_report(
                        c, args.tz, shape=s, hour_shape=h
                    ),
                )
        if storage == DUCKDB_STORAGES[0]:
            show(
                "  duckdb_counters (default shapes; no Report dicts)",
                lambda c=con: duckdb_counters(c, args.tz),
            )
        con.close()

    reports = [(k, v) for k, v in runs.items() if isinstance(v, Report)]
    base_label, base = reports[0]
    bad = 0
    for label, rep in reports[1:]:
        diffs = reports_equal(base, rep)
        if diffs:
            bad += 1
            print(f"MISMATCH {label} vs {base_label}:", *diffs[:10], sep="\n  ")
    print(f"load average at the end: {os.getloadavg()}")
    print(
        f"{len(reports)} reports, {len(base.groups):,} groups: "
        + ("all equal" if not bad else f"{bad} differ")
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(_main())
