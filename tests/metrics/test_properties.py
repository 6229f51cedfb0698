"""The native indicator engine against the plain-Python reference (reference.py), on random
streams of a small center (strategies.py).

Counts must be equal, other figures equal within float noise; the same stream fed in one batch,
in several batches or event by event must give identical answers.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.metrics import reference as ref
from tests.metrics.strategies import SIZES, Query, Stream, queries, streams


def _load_engine() -> ModuleType:
    """ccengine.metrics with its native aggregator, or an error that says what is missing."""
    try:
        from ccengine import metrics
    except ImportError as error:
        raise ImportError(
            "ccengine cannot be imported: build the extension into the venv (maturin develop)"
        ) from error
    if not hasattr(metrics, "Aggregator"):
        raise ImportError(
            "ccengine.metrics has no Aggregator: the native indicator engine is not built into "
            "this install (maturin develop)"
        )
    return metrics


m = _load_engine()

SERVICE_LEVEL_SECONDS = 20.0
COLUMN_TYPES = {
    "time": np.int64,
    "kind": np.uint8,
    "flags": np.uint16,
    **dict.fromkeys(ref.DIMENSIONS, np.uint32),
    "call": np.uint64,
    "value": np.float64,
    "aux": np.uint32,
}


def _aggregator(stream: Stream) -> Any:
    return m.Aggregator(tz=stream.zone, week_start=stream.week_start,
                        service_level_seconds=SERVICE_LEVEL_SECONDS, sizes=dict(SIZES))


def _calendar(stream: Stream) -> ref.Calendar:
    # The engine's own tz database, so both sides cut periods alike.
    return ref.Calendar(m.zone(stream.zone), stream.week_start)


def _batch(events: Sequence[ref.Ev]) -> Any:
    return m.EventBatch.from_columns(**{
        name: np.array([getattr(ev, name) for ev in events], dtype=dtype)
        for name, dtype in COLUMN_TYPES.items()
    })


def _ingest(agg: Any, events: Sequence[ref.Ev], cuts: Sequence[int] = ()) -> list[tuple[int, str]]:
    """Feeds `events` in batches split at `cuts`; the rejections, indexed in the whole stream."""
    errors = []
    for begin, end in zip([0, *cuts], [*cuts, len(events)], strict=True):
        report = agg.ingest(_batch(events[begin:end]))
        assert (report.accepted, report.rejected) == (end - begin - len(report.errors),
                                                      len(report.errors))
        errors += [(begin + int(row), str(slug)) for row, slug in report.errors]
    return errors


def _push(agg: Any, events: Sequence[ref.Ev]) -> list[tuple[int, str]]:
    """Feeds `events` one by one; the rejections the engine raised."""
    errors = []
    for index, ev in enumerate(events):
        try:
            agg.push(ev.kind, ev.time, ev.tenant, ev.campaign, ev.list, ev.agent, ev.team,
                     ev.queue, ev.channel, ev.call, ev.value, ev.aux, ev.flags)
        except m.MetricsError as error:
            errors.append((index, error.slug))
    return errors


class EngineTime:
    """The engine's time never goes back: a query reads as of the later of its `now`, the newest
    accepted event and every earlier query's `now` (docs/metrics.md, Limits)."""

    def __init__(self, accepted: Sequence[ref.Ev]) -> None:
        self.latest = max((ev.time for ev in accepted), default=None)

    def at(self, query: Query) -> Query:
        now = query.now if self.latest is None else max(query.now, self.latest)
        self.latest = now
        return dataclasses.replace(query, now=now)


def _engine_answer(agg: Any, query: Query) -> dict[str, float | None]:
    if query.span in ref.PERIODS:
        return agg.values(query.now, query.span, query.dimension, query.entity)
    return agg.rolling(query.now, query.span, query.dimension, query.entity)


def _reference_answer(
    accepted: Sequence[ref.Ev], cal: ref.Calendar, query: Query
) -> dict[str, float | None]:
    if query.span in ref.PERIODS:
        return ref.values(accepted, cal=cal, now=query.now, period=query.span,
                          dimension=query.dimension, entity=query.entity,
                          sl_seconds=SERVICE_LEVEL_SECONDS)
    # The engine lists every indicator for a window too, the distinct counts having no value.
    return dict.fromkeys(ref.DISTINCT) | ref.rolling(
        accepted, cal=cal, now=query.now, window=query.span, dimension=query.dimension,
        entity=query.entity, sl_seconds=SERVICE_LEVEL_SECONDS,
    )


def _live(agg: Any, now: int) -> dict[str, Any]:
    # The engine returns a Live record; as_dict() gives the figures under the doc's names.
    return agg.live(now).as_dict()


def _close(have: float, want: float) -> bool:
    return math.isclose(have, want, rel_tol=1e-9, abs_tol=1e-6)


def _assert_matches(
    got: Mapping[str, float | None], expected: Mapping[str, float | None], query: Query
) -> None:
    assert set(got) == set(expected), query
    for name, want in expected.items():
        have = got[name]
        where = f"{name}: engine {have!r}, reference {want!r}, for {query}"
        if want is None or have is None:
            assert have is None and want is None, where
        elif name in ref.COUNTS:
            assert have == want, where
        else:
            assert _close(have, want), where


def _assert_live_matches(got: Mapping[str, Any], expected: Mapping[str, Any], now: int) -> None:
    figures = {name: value for name, value in expected.items() if name != "queues"}
    assert {name: got[name] for name in figures} == figures, now
    assert set(got["queues"]) == set(expected["queues"]), now
    for queue, want in expected["queues"].items():
        have = got["queues"][queue]
        assert have["waiting"] == want["waiting"], (queue, now)
        assert _close(have["longest_wait_seconds"], want["longest_wait_seconds"]), (queue, now)


@settings(max_examples=60, deadline=None)
@given(streams())
def test_rejections_match_the_reference(stream: Stream) -> None:
    _, expected = ref.validate(stream.events, SIZES, cal=_calendar(stream))
    assert _ingest(_aggregator(stream), stream.events) == expected


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_indicators_match_the_reference(data: st.DataObject) -> None:
    stream = data.draw(streams(), label="stream")
    cal = _calendar(stream)
    accepted, _ = ref.validate(stream.events, SIZES, cal=cal)
    agg = _aggregator(stream)
    _ingest(agg, stream.events)
    time = EngineTime(accepted)
    for _ in range(4):
        query = time.at(data.draw(queries(stream), label="query"))
        _assert_matches(_engine_answer(agg, query), _reference_answer(accepted, cal, query), query)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_live_figures_match_the_reference(data: st.DataObject) -> None:
    stream = data.draw(streams(), label="stream")
    accepted, _ = ref.validate(stream.events, SIZES, cal=_calendar(stream))
    agg = _aggregator(stream)
    _ingest(agg, stream.events)
    time = EngineTime(accepted)
    for _ in range(3):
        now = time.at(data.draw(queries(stream), label="query")).now
        _assert_live_matches(_live(agg, now), ref.live(accepted, now=now), now)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_one_batch_several_batches_and_pushes_agree(data: st.DataObject) -> None:
    stream = data.draw(streams(), label="stream")
    events = stream.events
    cuts = sorted(data.draw(st.lists(st.integers(0, len(events)), max_size=4), label="cuts"))
    whole, split, pushed = (_aggregator(stream) for _ in range(3))
    _, expected = ref.validate(events, SIZES, cal=_calendar(stream))
    rejections = [_ingest(whole, events), _ingest(split, events, cuts), _push(pushed, events)]
    assert rejections == [expected] * 3
    assert _ingest(whole, []) == []  # an empty batch is fine and changes nothing
    for _ in range(3):
        query = data.draw(queries(stream), label="query")
        answer = _engine_answer(whole, query)
        assert _engine_answer(split, query) == answer == _engine_answer(pushed, query), query
        assert _live(whole, query.now) == _live(split, query.now) == _live(pushed, query.now)
