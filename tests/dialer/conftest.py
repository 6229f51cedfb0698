from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio

from ccengine import domain as d
from ccengine.metrics import Aggregator, Event, EventBatch
from tests.store.conftest import store

__all__ = ["collected_events", "indicators", "store"]


@asynccontextmanager
async def collected_events() -> AsyncIterator[tuple[trio.MemorySendChannel[Event], list[Event]]]:
    """A sender as ``MetricsService.sender()`` gives, and the list of what was sent on it."""
    send, receive = trio.open_memory_channel[Event](10_000)
    sent: list[Event] = []

    async def collect() -> None:
        async for event in receive:
            sent.append(event)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(collect)
        yield send, sent
        await trio.sleep(0.05)  # let the collector drain
        nursery.cancel_scope.cancel()


def indicators(events: list[Event], campaign_id: int) -> dict[str, float | None]:
    """A campaign's figures over the last 15 minutes once the indicator engine has counted
    ``events`` (every one accepted)."""
    agg = Aggregator(sizes={"tenant": 16, "agent": 64, "team": 4, "campaign": 16, "list": 16, "queue": 1,
                            "channel": 1})
    report = agg.ingest(EventBatch.from_events(events))
    assert not report.rejections, report.rejections
    return agg.rolling(max(e.time for e in events) + d.SECOND, "15m", "campaign", campaign_id)
