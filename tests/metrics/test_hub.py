"""The live hub: notices coalesced per subscriber, bounded, never blocking the publisher."""

from __future__ import annotations

import pytest
import trio

from ccengine.metrics import Dropped, Event, EventKind, Hub, Notice


async def test_notices_are_coalesced_by_what_changed() -> None:
    hub = Hub()
    with hub.subscribe(lambda n: True) as sub:
        hub.publish([Notice(1, "agent", 7, 7), Notice(1, "agent", 7, 7), Notice(1, "campaign", 3)])
        hub.publish([Notice(1, "agent", 7, 7)])
        assert sorted((n.topic, n.key) for n in await sub.receive()) == [("agent", 7), ("campaign", 3)]
    assert hub.subscribers == 0


async def test_a_subscriber_gets_what_it_accepts() -> None:
    hub = Hub()
    with hub.subscribe(lambda n: n.tenant == 2) as sub:
        hub.publish([Notice(1, "campaign", 3), Notice(2, "campaign", 4)])
        assert [n.key for n in await sub.receive()] == [4]


async def test_a_subscriber_past_its_capacity_is_dropped() -> None:
    hub = Hub()
    with trio.CancelScope() as scope, hub.subscribe(lambda n: True, capacity=3, scope=scope) as sub:
        hub.publish([Notice(1, "agent", k, k) for k in range(4)])
        assert sub.dropped
        with pytest.raises(Dropped):
            await sub.receive()
    assert scope.cancel_called


async def test_receive_waits_for_a_notice() -> None:
    hub = Hub()
    got: list[Notice] = []
    with hub.subscribe(lambda n: True) as sub:
        async with trio.open_nursery() as nursery:
            async def take() -> None:
                got.extend(await sub.receive())

            nursery.start_soon(take)
            await trio.testing.wait_all_tasks_blocked()
            assert got == []
            hub.publish([Notice(1, "list", 5)])
    assert got == [Notice(1, "list", 5)]


def test_counted_events_make_notices() -> None:
    hub = Hub()
    with hub.subscribe(lambda n: True) as sub:
        hub.publish_events([
            Event(1, EventKind.AGENT_PAUSE, tenant=1, agent=7),
            Event(2, EventKind.CAMPAIGN_ACTIVATED, tenant=1, campaign=3),
            Event(3, EventKind.LIST_DEACTIVATED, tenant=1, campaign=3, list=9),
            Event(4, EventKind.DIAL_ATTEMPT, campaign=3),  # no tenant: nobody's to see
        ])
        pending = sorted((n.topic, n.key) for n in sub._pending.values())
    assert pending == [("agent", 7), ("campaign", 3), ("indicators", 0), ("list", 9)]


def test_a_tenants_version_moves_with_its_notices() -> None:
    hub = Hub()
    assert hub.version(1) == 0
    hub.publish([Notice(1, "agent", 7, 7), Notice(2, "campaign", 3)])
    hub.publish_events([Event(1, EventKind.AGENT_LOGIN, tenant=1, agent=7)])
    assert (hub.version(1), hub.version(2), hub.version(3)) == (3, 1, 0)
