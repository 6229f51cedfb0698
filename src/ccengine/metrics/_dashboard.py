"""The admin dashboard of seed 000: the figures its modules show, read from an aggregator."""

from __future__ import annotations

import dataclasses

from ccengine.metrics._aggregator import Aggregator


@dataclasses.dataclass(frozen=True, slots=True)
class Dashboard:
    """Seed 000's modules for the whole center, today until ``now``."""

    now: int
    agents_connected: int
    active_campaigns: int
    production_hours: float
    active_lists: int
    argued_calls: int
    argued_share: float | None
    positive_contacts: int
    positive_share: float | None
    shared_callbacks: int
    abandon_rate: float | None

    @classmethod
    def read(cls, aggregator: Aggregator, now: int) -> Dashboard:
        live = aggregator.live(now)
        today = aggregator.values(now, "day")

        def count(name: str) -> int:
            value = today[name]
            return int(value) if value is not None else 0

        return cls(
            now=live.now,
            agents_connected=live.agents_connected,
            active_campaigns=live.active_campaigns,
            production_hours=today["production_hours"] or 0.0,
            active_lists=count("active_lists"),
            argued_calls=count("argued_calls"),
            argued_share=today["argued_share"],
            positive_contacts=count("positive_contacts"),
            positive_share=today["positive_share"],
            shared_callbacks=live.shared_callbacks_pending,
            abandon_rate=today["abandon_rate"],
        )
