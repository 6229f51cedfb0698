"""One-shot analytics over an event log (the call report) and the synthetic day."""

from __future__ import annotations

import dataclasses

import numpy as np

from ccengine import _native
from ccengine.metrics._events import COLUMNS, EventBatch

CELL_FIELDS = (
    "attempts", "human_answers", "machine_answers", "connects", "abandons", "dispositions",
    "argued", "positive", "conversations", "talk_seconds", "wrapup_seconds",
)


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _figures(cell: tuple[float, ...]) -> dict[str, float | None]:
    c = dict(zip(CELL_FIELDS, cell, strict=True))
    return {
        **c,
        "abandon_rate": _ratio(c["abandons"], c["human_answers"]),
        "argued_share": _ratio(c["argued"], c["attempts"]),
        "positive_share": _ratio(c["positive"], c["dispositions"]),
        "aht_seconds": _ratio(c["talk_seconds"] + c["wrapup_seconds"], c["conversations"]),
    }


@dataclasses.dataclass(frozen=True, slots=True)
class CallReport:
    """Dialer figures per (campaign, agent) — NONE marks dial attempts not yet with an agent —
    for the center, and attempts per local hour of day."""

    groups: dict[tuple[int, int], dict[str, float | None]]
    center: dict[str, float | None]
    attempts_by_local_hour: list[int]


def call_report(batch: EventBatch, tz: str = "UTC") -> CallReport:
    """The call report of a batch, in one native pass over the six columns it reads."""
    groups, center, hours = _native.call_report(
        batch.time, batch.kind, batch.flags, batch.campaign, batch.agent, batch.value, tz
    )
    return CallReport({key: _figures(cell) for key, cell in groups}, _figures(center), list(hours))


def synthetic_day(
    *,
    date: str = "2026-11-20",
    tz: str = "Europe/Paris",
    agents: int = 1000,
    teams: int = 50,
    campaigns: int = 50,
    lists: int = 200,
    queues: int = 10,
    target_events: int = 10_000_000,
    seed: int = 1,
) -> EventBatch:
    """A seeded, consistent synthetic day of an outbound center, sorted by time (demo, benches)."""
    raw = _native.synthetic_day(
        date=date, tz=tz, agents=agents, teams=teams, campaigns=campaigns, lists=lists,
        queues=queues, target_events=target_events, seed=seed,
    )
    return EventBatch({name: np.frombuffer(raw[name], dtype=dtype) for name, (dtype, _) in COLUMNS.items()})
