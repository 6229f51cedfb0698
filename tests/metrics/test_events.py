"""Batches: columns, defaults, strict conversions, and the Cython packer."""

from __future__ import annotations

import numpy as np
import pytest

from ccengine import metrics as m


def test_omitted_columns_take_their_defaults():
    batch = m.EventBatch.from_columns(time=[1, 2], kind=[m.EventKind.DIAL_ATTEMPT, m.EventKind.BUSY])
    assert batch.agent.tolist() == [m.NONE, m.NONE]
    assert batch.value.dtype == np.float64 and batch.value.tolist() == [0.0, 0.0]
    assert batch.event(1) == m.Event(2, m.EventKind.BUSY)


def test_values_that_do_not_fit_their_column_are_refused():
    with pytest.raises(ValueError, match="agent"):
        m.EventBatch.from_columns(time=[1], kind=[0], agent=[-1])
    with pytest.raises(ValueError, match="must hold integers"):
        m.EventBatch.from_columns(time=[1], kind=[0], campaign=[1.5])
    with pytest.raises(ValueError, match="shape"):
        m.EventBatch.from_columns(time=[1, 2], kind=[0])
    with pytest.raises(ValueError, match="unknown columns"):
        m.EventBatch.from_columns(time=[1], kind=[0], colour=[3])


def test_packer_writes_every_field_of_every_event():
    events = [
        m.Event(10, m.EventKind.SALE, tenant=0, campaign=1, list=2, agent=3, team=4, queue=5, channel=6,
                call=7, value=8.5, aux=9, flags=m.Flag.POSITIVE),
        m.Event(11, m.EventKind.DIAL_ATTEMPT),
    ]
    batch = m.EventBatch.from_events(events)
    assert [batch.event(i) for i in range(2)] == events


def test_packer_names_the_bad_row():
    events = [m.Event(1, 0), m.Event(2, 0, agent=-5)]
    with pytest.raises(ValueError, match="event 1"):
        m.EventBatch.from_events(events)
    with pytest.raises(ValueError, match="event 0"):
        m.EventBatch.from_events([(1, 2, 3)])  # type: ignore[list-item]


def test_take_selects_rows_into_a_new_batch():
    batch = m.EventBatch.from_columns(time=[1, 2, 3], kind=[0, 1, 2])
    assert batch.take(slice(1, 3)).kind.tolist() == [1, 2]
    with pytest.raises(AttributeError):
        batch.time = np.zeros(3, np.int64)  # type: ignore[misc]


def test_python_kinds_match_the_native_codes():
    from ccengine import _native

    assert {k.name: k.value for k in m.EventKind} == dict(_native.EVENT_KINDS)
    assert {f.name: f.value for f in m.Flag} == dict(_native.FLAGS)
