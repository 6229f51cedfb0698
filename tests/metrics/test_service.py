"""The metrics service under trio: events from many tasks are batched, logged, then counted."""

from __future__ import annotations

import numpy as np
import trio

from ccengine import metrics as m

SIZES = {"tenant": 1, "agent": 20, "team": 2, "campaign": 2, "list": 4, "queue": 1, "channel": 1}


def _day() -> m.EventBatch:
    return m.synthetic_day(agents=20, teams=2, campaigns=2, lists=4, queues=1, target_events=30_000, seed=5)


def _aggregator() -> m.Aggregator:
    return m.Aggregator(sizes=SIZES, tz="Europe/Paris")


async def _send_all(sender: trio.MemorySendChannel[m.Event], events: list[m.Event]) -> None:
    async with sender:
        for i, event in enumerate(events):
            await sender.send(event)
            if i % 997 == 0:
                await trio.sleep(0)  # let the service take a batch now and then


async def test_events_from_many_tasks_are_logged_then_counted(tmp_path):
    day = _day()
    events = [day.event(i) for i in range(len(day))]
    log = m.EventLog(tmp_path)
    service = m.MetricsService(_aggregator(), log, max_batch=5_000)
    by_agent: dict[int, list[m.Event]] = {}
    for e in events:  # each agent's events come from one task, in order, as in the dialer
        by_agent.setdefault(e.agent % 4, []).append(e)
    async with trio.open_nursery() as nursery:
        await nursery.start(service.run)
        for share in by_agent.values():
            nursery.start_soon(_send_all, service.sender(), share)
        service.close()
    assert service.ingested + service.rejected == len(events)
    assert 1 < service.batches < len(events)
    direct = _aggregator()
    direct.ingest(day)
    now = int(day.time[-1])
    # Interleaving the tasks reorders events (each agent's stay in order), so sums may differ in
    # their last bits, never more.
    for dimension in ("center", "agent", "campaign", "queue"):
        got = service.aggregator.table(now, "day", dimension).values
        want = direct.table(now, "day", dimension).values
        assert np.allclose(got, want, rtol=1e-12, equal_nan=True), dimension
    rebuilt = _aggregator()
    log.rebuild(rebuilt)
    assert rebuilt.table(now, "day", "agent").values.tobytes() == service.aggregator.table(
        now, "day", "agent").values.tobytes()
    assert log.checkpoints(), "a last checkpoint is written when the service ends"


async def test_refused_events_are_kept_with_their_reason_and_the_rest_land():
    service = m.MetricsService(_aggregator())
    t = 1_795_158_000_000_000
    async with trio.open_nursery() as nursery:
        await nursery.start(service.run)
        sender = service.sender()
        service.close()
        async with sender:
            await sender.send(m.Event(t, m.EventKind.DIAL_ATTEMPT, campaign=1))
            await sender.send(m.Event(t, m.EventKind.CSAT_SCORED, value=42.0))
            await sender.send(m.Event(t + 1, m.EventKind.DIAL_ATTEMPT, campaign=1))
    assert (service.ingested, service.rejected) == (2, 1)
    event, rejection = service.rejections[0]
    assert event.value == 42.0 and rejection.slug == "score-out-of-range"
    assert service.aggregator.values(t + 2, "day", "campaign", 1)["attempts"] == 2.0


async def test_a_cancelled_service_never_counts_what_it_did_not_log(tmp_path):
    day = _day()
    events = [day.event(i) for i in range(len(day))]
    log = m.EventLog(tmp_path)
    service = m.MetricsService(_aggregator(), log, max_batch=500, checkpoint_every=0.0)
    async with trio.open_nursery() as nursery:
        await nursery.start(service.run)
        sender = service.sender()
        for event in events[:10_000]:
            await sender.send(event)
        await trio.sleep(0)
        nursery.cancel_scope.cancel()
    logged = sum(len(b) for b in log.batches())
    assert service.ingested <= logged
    rebuilt = _aggregator()
    log.rebuild(rebuilt)  # the newest checkpoint plus the segments after it
    now = int(day.time[9_999])
    assert rebuilt.values(now, "day")["attempts"] >= service.aggregator.values(now, "day")["attempts"]
