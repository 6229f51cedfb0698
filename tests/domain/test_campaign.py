from __future__ import annotations

import datetime as dt

import pytest

from ccengine import domain as d
from ccengine.errors import DomainError
from ccengine.metrics import zone

PARIS = zone("Europe/Paris")


def test_default_calling_hours_are_monday_to_saturday_nine_to_eight() -> None:
    s = d.Schedule()
    assert s.is_open(dt.datetime(2026, 11, 23, 9, 0, tzinfo=PARIS))
    assert not s.is_open(dt.datetime(2026, 11, 23, 20, 0, tzinfo=PARIS))  # the end is excluded
    assert not s.is_open(dt.datetime(2026, 11, 23, 8, 59, tzinfo=PARIS))
    assert not s.is_open(dt.datetime(2026, 11, 29, 12, 0, tzinfo=PARIS))  # Sunday


def test_first_and_last_days_bound_the_schedule() -> None:
    s = d.Schedule(first_day=dt.date(2026, 11, 24), last_day=dt.date(2026, 11, 25))
    assert not s.is_open(dt.datetime(2026, 11, 23, 12, tzinfo=PARIS))
    assert s.is_open(dt.datetime(2026, 11, 25, 12, tzinfo=PARIS))
    assert not s.is_open(dt.datetime(2026, 11, 26, 12, tzinfo=PARIS))


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "  "}, {"abandon_cap": 0.0}, {"abandon_cap": 1.5}, {"max_attempts": 0}, {"power_ratio": 0.5},
        {"connect_limit_s": 0}, {"retry_delays": {d.Outcome.BUSY: -1}},
        {"dispositions": (d.Disposition(code="a", label="A"), d.Disposition(code="a", label="B"))},
    ],
)
def test_impossible_campaigns_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(DomainError) as e:
        d.Campaign(**{"id": 1, "tenant_id": 1, "name": "x", **bad})  # type: ignore[arg-type]
    assert e.value.slug == "invalid-campaign"


def test_windows_must_be_real() -> None:
    with pytest.raises(DomainError):
        d.Window(7, dt.time(9), dt.time(10))
    with pytest.raises(DomainError):
        d.Window(0, dt.time(10), dt.time(9))


def test_dispositions_by_code() -> None:
    c = d.Campaign(id=1, tenant_id=1, name="x")
    assert c.disposition("sale").positive and not c.disposition("wrong-person").final
    with pytest.raises(DomainError) as e:
        c.disposition("nope")
    assert e.value.slug == "unknown-disposition"


def test_moments_are_utc_microseconds() -> None:
    moment = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    assert d.to_datetime(d.from_datetime(moment)) == moment
    with pytest.raises(ValueError):
        d.from_datetime(dt.datetime(2026, 1, 1))


def test_the_time_left_in_the_calling_hours() -> None:
    s = d.Schedule()
    assert s.open_for(dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)) == 10 * 3600
    assert s.open_for(dt.datetime(2026, 11, 23, 21, 0, tzinfo=PARIS)) == 0
    # 29 March 2026, Paris skips 02:00-03:00: from 01:00 to noon is ten real hours.
    sunday = d.Schedule(windows=(d.Window(6, dt.time(0), dt.time(12)),))
    assert sunday.open_for(dt.datetime(2026, 3, 29, 1, 0, tzinfo=PARIS)) == 10 * 3600
    # An evening window running into the next morning counts as one.
    late = d.Schedule(windows=(d.Window(0, dt.time(18), dt.time.max), d.Window(1, dt.time(0), dt.time(2))))
    assert late.open_for(dt.datetime(2026, 11, 23, 22, 0, tzinfo=PARIS)) == 4 * 3600
    # ... unless the campaign's last day ends first.
    assert d.Schedule(windows=late.windows, last_day=dt.date(2026, 11, 23)).open_for(
        dt.datetime(2026, 11, 23, 22, 0, tzinfo=PARIS)) == pytest.approx(2 * 3600, abs=1e-3)
