"""Python's zone objects come from the engine's own tz database."""

from __future__ import annotations

import datetime as dt

import pytest

from ccengine import metrics as m


def test_zone_is_built_from_the_bundled_database():
    paris = m.zone("Europe/Paris")
    assert str(paris) == "Europe/Paris"
    assert dt.datetime(2026, 7, 1, 12, tzinfo=paris).utcoffset() == dt.timedelta(hours=2)
    assert dt.datetime(2026, 12, 1, 12, tzinfo=paris).utcoffset() == dt.timedelta(hours=1)
    assert m.TZDB_VERSION


def test_unknown_zone_is_an_error_with_a_slug():
    with pytest.raises(m.MetricsError) as err:
        m.zone("Nowhere/Land")
    assert err.value.slug == "unknown-time-zone"
