from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ccengine import domain as d
from ccengine.store import Store

#: Every day, all day: tests that are not about calling hours should not depend on the clock.
ALWAYS = d.Schedule(tz="Europe/Paris", windows=tuple(d.Window(w, dt.time(0), dt.time(23, 59, 59)) for w in range(7)))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "center.db") as s:
        yield s


@dataclass
class World:
    tenant: d.Tenant
    campaign: d.Campaign
    lists: list[d.ContactList]


async def make_world(store: Store, *, contacts: int = 10, lists: int = 1, schedule: d.Schedule = ALWAYS,
                     **campaign: object) -> World:
    """A tenant, a campaign and active lists holding ``contacts`` French mobile numbers each."""
    tenant = await store.create_tenant("acme", "Europe/Paris")
    camp = await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name="sales", schedule=schedule,
                                                  **campaign))  # type: ignore[arg-type]
    made = []
    for k in range(lists):
        lst = await store.create_list(camp.id, f"list-{k}", priority=k, status=d.ListStatus.ACTIVE)
        result = await store.add_contacts(
            lst.id, [(f"+3361{k}{i:06d}", "Europe/Paris", {"n": str(i)}) for i in range(contacts)])
        assert len(result.done) == contacts
        made.append(lst)
    return World(tenant, camp, made)
