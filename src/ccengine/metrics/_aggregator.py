"""The indicator engine as Python sees it: ingest events, read indicators as plain data."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from ccengine import _native
from ccengine.metrics._events import Event, EventBatch

if TYPE_CHECKING:  # typing_extensions is a development dependency only
    from typing_extensions import Buffer

INDICATORS: tuple[str, ...] = tuple(_native.INDICATORS)
AGENT_STATES: tuple[str, ...] = tuple(_native.AGENT_STATES)

Period = Literal["day", "week", "month"]
Window = Literal["15m", "1h", "24h", "30d"]
Dimension = Literal["center", "tenant", "agent", "team", "campaign", "list", "queue", "channel"]
Values = dict[str, float | None]


@dataclasses.dataclass(frozen=True, slots=True)
class Rejection:
    row: int
    slug: str
    message: str


@dataclasses.dataclass(frozen=True, slots=True)
class IngestReport:
    """What a batch did: rows accepted, and each refused row with its reason."""

    accepted: int
    rejections: tuple[Rejection, ...]

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def errors(self) -> list[tuple[int, str]]:
        return [(r.row, r.slug) for r in self.rejections]


@dataclasses.dataclass(frozen=True, slots=True)
class IndicatorValue:
    """An indicator with the previous period's value and the trend between them."""

    value: float | None
    previous: float | None
    trend: Literal["up", "down", "stable"] | None
    comparison: Literal["to_date", "whole"]


@dataclasses.dataclass(frozen=True, slots=True)
class PeriodReport:
    """A period's indicators for one entity; times are UTC microseconds."""

    start: int
    end: int
    previous_start: int
    previous_end: int
    now: int
    indicators: dict[str, IndicatorValue]


@dataclasses.dataclass(frozen=True, slots=True)
class QueueLive:
    waiting: int
    longest_wait_seconds: float


@dataclasses.dataclass(frozen=True, slots=True)
class Live:
    """Figures that are not sums over time: who is connected now, what is active."""

    now: int
    agents_by_state: dict[str, int]
    active_campaigns: int
    shared_callbacks_pending: int
    queues: dict[int, QueueLive]

    @property
    def agents_connected(self) -> int:
        return sum(n for state, n in self.agents_by_state.items() if state != "logged_out")

    def as_dict(self) -> dict[str, object]:
        """The live figures under their documented names (docs/metrics.md)."""
        figures: dict[str, object] = {"agents_connected": self.agents_connected}
        for state, n in self.agents_by_state.items():
            if state != "logged_out":
                figures[f"agents_{state}"] = n
        figures["active_campaigns"] = self.active_campaigns
        figures["shared_callbacks_pending"] = self.shared_callbacks_pending
        figures["queues"] = {
            q: {"waiting": v.waiting, "longest_wait_seconds": v.longest_wait_seconds} for q, v in self.queues.items()
        }
        return figures


@dataclasses.dataclass(frozen=True, slots=True)
class Table:
    """Every indicator for every entity of a dimension: ``values[entity, indicator]``."""

    dimension: str
    values: npt.NDArray[np.float64]

    def column(self, indicator: str) -> npt.NDArray[np.float64]:
        return self.values[:, INDICATORS.index(indicator)]

    def row(self, entity: int) -> Values:
        row = self.values[entity]
        return {name: (None if np.isnan(v) else float(v)) for name, v in zip(INDICATORS, row, strict=True)}


class Aggregator:
    """Live indicators of a center (docs/metrics.md). Not thread-safe: one owner task."""

    def __init__(
        self,
        *,
        sizes: Mapping[str, int],
        tz: str = "UTC",
        week_start: Literal["monday", "sunday"] = "monday",
        service_level_seconds: float = 20.0,
        trend_tolerance: float = 0.05,
    ) -> None:
        self._native = _native.Aggregator(
            tz=tz,
            week_start=week_start,
            service_level_seconds=service_level_seconds,
            trend_tolerance=trend_tolerance,
            sizes=dict(sizes),
        )
        #: Ingests one event; raises MetricsError (with ``.slug``) when it is refused. The
        #: native method itself (no Python frame in between: this is the per-event hot path).
        #: Signature: ``push(kind, time, tenant=NONE, campaign=NONE, list=NONE, agent=NONE,
        #: team=NONE, queue=NONE, channel=NONE, call=0, value=0.0, aux=0, flags=0)``.
        self.push = self._native.push

    @property
    def tz(self) -> str:
        """The time zone periods are cut in (a restored checkpoint brings its own)."""
        return self._native.tz()

    @property
    def sizes(self) -> dict[str, int]:
        return dict(self._native.sizes())

    def resize(self, dimension: Dimension, size: int) -> None:
        self._native.resize(dimension, size)

    def push_event(self, event: Event) -> None:
        self._native.push(event.kind, event.time, *event[2:])

    def ingest(self, batch: EventBatch) -> IngestReport:
        """Ingests a batch: good rows land, refused rows are reported with their reason."""
        accepted, rejected = self._native.ingest(batch)
        return IngestReport(accepted, tuple(Rejection(*r) for r in rejected))

    def values(self, now: int, period: Period, dimension: Dimension = "center", entity: int = 0) -> Values:
        """Every indicator of the period containing ``now``, up to ``now``."""
        return dict(zip(INDICATORS, self._native.values(now, period, dimension, entity), strict=True))

    def rolling(self, now: int, window: Window, dimension: Dimension = "center", entity: int = 0) -> Values:
        return dict(zip(INDICATORS, self._native.rolling(now, window, dimension, entity), strict=True))

    def report(self, now: int, period: Period, dimension: Dimension = "center", entity: int = 0) -> PeriodReport:
        """The period's indicators with the previous period's values and trends."""
        start, end, prev_start, prev_end, effective_now, values = self._native.report(now, period, dimension, entity)
        return PeriodReport(
            start, end, prev_start, prev_end, effective_now,
            {name: IndicatorValue(*v) for name, v in zip(INDICATORS, values, strict=True)},
        )

    def table(self, now: int, period: Period, dimension: Dimension) -> Table:
        raw = self._native.table(now, period, dimension)
        values = np.frombuffer(raw, dtype=np.float64).reshape(-1, len(INDICATORS))
        return Table(dimension, values)

    def series(
        self, now: int, period: Period, indicator: str, dimension: Dimension = "center", entity: int = 0
    ) -> list[tuple[int, float | None]]:
        """Chart points: by local hour for a day, by local day for a week or month."""
        return self._native.series(now, period, dimension, entity, indicator)

    def live(self, now: int) -> Live:
        effective_now, states, campaigns, callbacks, queues = self._native.live(now)
        return Live(
            effective_now,
            dict(zip(AGENT_STATES, states, strict=True)),
            campaigns,
            callbacks,
            {q: QueueLive(waiting, longest) for q, waiting, longest in queues},
        )

    def checkpoint(self) -> bytes:
        """The whole state (configuration, counters, agents, queues, activity) as bytes."""
        return self._native.checkpoint()

    def restore(self, data: Buffer) -> None:
        """Replaces the whole state, configuration included, with that of a checkpoint; raises
        MetricsError (slug ``bad-checkpoint``) on damaged, truncated or foreign input."""
        self._native.restore(data)

    def agent_state(self, agent: int) -> tuple[str, int] | None:
        """(state, since) of an agent, ``since`` being the time of the event that set it."""
        return self._native.agent_state(agent)
