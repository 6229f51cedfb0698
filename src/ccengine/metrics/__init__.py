"""The indicator engine: every event of the center aggregated live into the figures operators
watch (docs/metrics.md)."""

from ccengine import _native  # noqa: F401  (loads the extension, which registers _pack)
from ccengine.errors import MetricsError
from ccengine.metrics._aggregator import (
    AGENT_STATES,
    INDICATORS,
    Aggregator,
    IndicatorValue,
    IngestReport,
    Live,
    PeriodReport,
    QueueLive,
    Rejection,
    Table,
)
from ccengine.metrics._dashboard import Dashboard
from ccengine.metrics._events import COLUMNS, NONE, Event, EventBatch, EventKind, Flag
from ccengine.metrics._hub import Dropped, Hub, Notice, Subscription
from ccengine.metrics._log import EventLog
from ccengine.metrics._report import CallReport, call_report, synthetic_day
from ccengine.metrics._service import MetricsService
from ccengine.metrics._tz import TZDB_VERSION, zone

__all__ = [
    "AGENT_STATES",
    "COLUMNS",
    "INDICATORS",
    "NONE",
    "TZDB_VERSION",
    "Aggregator",
    "CallReport",
    "Dashboard",
    "Dropped",
    "Event",
    "EventBatch",
    "EventKind",
    "EventLog",
    "Flag",
    "Hub",
    "IndicatorValue",
    "IngestReport",
    "Live",
    "MetricsError",
    "MetricsService",
    "Notice",
    "PeriodReport",
    "QueueLive",
    "Rejection",
    "Subscription",
    "Table",
    "call_report",
    "synthetic_day",
    "zone",
]
