"""Checkpoints: an aggregator restored from another's checkpoint, at any point of a day, then
fed the rest of the day alongside it, answers exactly like it."""

from __future__ import annotations

import functools
from typing import Literal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ccengine import metrics as m

SIZES = {"tenant": 1, "agent": 30, "team": 3, "campaign": 3, "list": 6, "queue": 2, "channel": 1}
# Two calendars, so the time zone and first weekday have to come back from the checkpoint.
CENTERS: tuple[tuple[str, Literal["monday", "sunday"]], ...] = (
    ("Europe/Paris", "monday"),
    ("America/New_York", "sunday"),
)
HOUR = 3_600_000_000


@functools.cache
def _day(center: int) -> m.EventBatch:
    return m.synthetic_day(
        tz=CENTERS[center][0], agents=SIZES["agent"], teams=SIZES["team"], campaigns=SIZES["campaign"],
        lists=SIZES["list"], queues=SIZES["queue"], target_events=30_000, seed=center + 11,
    )


def _answers(agg: m.Aggregator, now: int) -> list[object]:
    """Every table of every dimension and period, and the live figures, at ``now``."""
    tables = [agg.table(now, period, dim).values for period in ("day", "week", "month") for dim in (*SIZES, "center")]
    return [np.nan_to_num(t, nan=-1.0).tobytes() for t in tables] + [agg.live(now)]


@settings(max_examples=25, deadline=None)
@given(center=st.integers(0, len(CENTERS) - 1), fraction=st.floats(0.0, 1.0), query_first=st.booleans())
def test_a_restored_aggregator_goes_on_like_the_original(center, fraction, query_first):
    day = _day(center)
    tz, week_start = CENTERS[center]
    split = int(fraction * len(day))
    original = m.Aggregator(sizes=SIZES, tz=tz, week_start=week_start, service_level_seconds=12.0)
    original.ingest(day.take(slice(0, split)))
    restored = m.Aggregator(sizes={"agent": 1})
    restored.restore(original.checkpoint())
    if query_first and split:
        # A query moves the engine's clock: the checkpoint must carry that too.
        now = int(day.time[split - 1]) + HOUR // 4
        assert _answers(restored, now) == _answers(original, now)
    rest = day.take(slice(split, None))
    assert restored.ingest(rest) == original.ingest(rest)
    end = int(day.time[-1])
    for now in (end, end + HOUR, end + 30 * HOUR):
        assert _answers(restored, now) == _answers(original, now)
    assert restored.checkpoint() == original.checkpoint()
