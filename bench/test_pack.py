"""Getting Python event objects into the engine: the Cython packer (what it buys) against
plain-Python packing and against the PyO3 per-event path.

Run: ``./dev bench -k pack``.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.conftest import SIZES, TZ
from ccengine import metrics as m

N = 100_000


@pytest.fixture(scope="module")
def python_events(day) -> list[m.Event]:
    """Consecutive events from the middle of the day, as the Python objects the dialer makes."""
    start = len(day) // 2
    batch = day.take(slice(start, start + min(N, len(day) - start)))
    return [batch.event(i) for i in range(len(batch))]


@pytest.fixture(scope="module")
def warm(day):
    """The day before the sample, so the sample's agent events follow their predecessors."""
    return day.take(slice(0, len(day) // 2))


def _fresh(warm: m.EventBatch) -> m.Aggregator:
    agg = m.Aggregator(sizes=SIZES, tz=TZ)
    agg.ingest(warm)
    return agg


def pack_python(events: list[m.Event]) -> m.EventBatch:
    """The obvious Python way: one list per field, then one numpy array per column."""
    fields = list(zip(*events, strict=True))
    return m.EventBatch({name: np.array(fields[m.Event._fields.index(name)], dtype=dtype)
                         for name, (dtype, _) in m.COLUMNS.items()})


def test_pack_cython(benchmark, python_events):
    benchmark.group = "pack 100k Python events into a batch"
    batch = benchmark(m.EventBatch.from_events, python_events)
    assert batch.event(5) == python_events[5]


def test_pack_plain_python(benchmark, python_events):
    benchmark.group = "pack 100k Python events into a batch"
    batch = benchmark(pack_python, python_events)
    assert batch.event(5) == python_events[5]


def _ingest_cython(agg: m.Aggregator, events: list[m.Event]) -> None:
    agg.ingest(m.EventBatch.from_events(events))


def _ingest_plain(agg: m.Aggregator, events: list[m.Event]) -> None:
    agg.ingest(pack_python(events))


def _ingest_per_event(agg: m.Aggregator, events: list[m.Event]) -> None:
    push = agg.push
    for e in events:
        push(e.kind, e.time, e.tenant, e.campaign, e.list, e.agent, e.team, e.queue, e.channel, e.call,
             e.value, e.aux, e.flags)


@pytest.mark.parametrize("path", [_ingest_cython, _ingest_plain, _ingest_per_event],
                         ids=["cython_pack_then_batch", "python_pack_then_batch", "pyo3_push_per_event"])
def test_python_events_into_the_engine(benchmark, python_events, warm, path):
    benchmark.group = "100k Python events into the engine"

    def setup():
        return (_fresh(warm), python_events), {}

    benchmark.pedantic(path, setup=setup, rounds=3)
