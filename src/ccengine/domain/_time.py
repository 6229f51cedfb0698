"""Moments are UTC microseconds since the epoch everywhere in the domain, as in the event log."""

from __future__ import annotations

import datetime as dt
import time

SECOND = 1_000_000


def now_us() -> int:
    """The current moment, UTC microseconds."""
    return time.time_ns() // 1_000


def to_datetime(moment_us: int, zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    return dt.datetime.fromtimestamp(moment_us / SECOND, dt.UTC).astimezone(zone)


def from_datetime(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("a moment needs a time zone")
    return int(moment.timestamp() * SECOND)
