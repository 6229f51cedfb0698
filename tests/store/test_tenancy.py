"""Agent profiles listed in bulk are the profiles read one by one."""

from __future__ import annotations

from ccengine.store import Store


async def test_agents_in_bulk_match_agents_one_by_one(store: Store) -> None:
    acme = await store.create_tenant("acme")
    other = await store.create_tenant("other")
    north = await store.create_team(acme.id, "north")
    south = await store.create_team(acme.id, "south")
    made = [
        await store.create_agent(acme.id, "a", team_ids=[north.id, south.id], campaign_ids=[3, 4], queue_ids=[1]),
        await store.create_agent(acme.id, "b", skills=["fr", "en"]),
        await store.create_agent(other.id, "c", campaign_ids=[9]),
        await store.create_agent(acme.id, "d", team_ids=[south.id], queue_ids=[2, 5]),
    ]
    assert await store.agents(acme.id) == [await store.agent(a.id) for a in made if a.tenant_id == acme.id]
    assert await store.agents() == [await store.agent(a.id) for a in made]
