"""The supervision audit log and the chat in the store: sessions numbered by their first line, an
end written once, filters, and an agent's conversation in order."""

from __future__ import annotations

from ccengine import domain as d
from ccengine.store import Store
from tests.store.conftest import make_world


async def test_audit_lines_of_one_session_and_their_ends(store: Store) -> None:
    world = await make_world(store, contacts=1)
    tenant = world.tenant.id
    boss = await store.create_user(tenant, "boss", "Boss", d.Role.SUPERVISOR)
    agent = await store.create_agent(tenant, "Ada")
    first = await store.open_audit(session=None, tenant_id=tenant, supervisor_id=boss.id, agent_id=agent.id,
                                   call_id=5, mode="listen", at=1_000)
    assert first.session == first.id and first.ended_at is None
    await store.close_audit(first.id, 2_000, "switched")
    await store.close_audit(first.id, 9_000, "stopped")  # an end is written once
    second = await store.open_audit(session=first.session, tenant_id=tenant, supervisor_id=boss.id,
                                    agent_id=agent.id, call_id=5, mode="barge", at=2_000)
    lines = await store.audit(tenant)
    assert [(x.mode, x.session, x.ended_at, x.end_reason) for x in lines] == [
        ("listen", first.id, 2_000, "switched"), ("barge", first.id, None, None)]
    assert [x.id for x in await store.audit(tenant, since=1_500)] == [second.id]
    assert [x.id for x in await store.audit(tenant, until=1_500)] == [first.id]
    assert await store.audit(tenant, agent_id=agent.id + 1) == []
    assert [x.id for x in await store.audit(tenant, after=first.id)] == [second.id]


async def test_a_restart_closes_the_lines_of_supervisions_a_dead_engine_left_open(store: Store) -> None:
    world = await make_world(store, contacts=1)
    tenant = world.tenant.id
    boss = await store.create_user(tenant, "boss", "Boss", d.Role.SUPERVISOR)
    agent = await store.create_agent(tenant, "Ada")
    done = await store.open_audit(session=None, tenant_id=tenant, supervisor_id=boss.id, agent_id=agent.id,
                                  call_id=5, mode="listen", at=1_000)
    await store.close_audit(done.id, 2_000, "stopped")
    await store.open_audit(session=None, tenant_id=tenant, supervisor_id=boss.id, agent_id=agent.id, call_id=6,
                           mode="barge", at=3_000)
    await store.recover()
    lines = await store.audit(tenant)
    assert [(x.ended_at is not None and x.ended_at >= x.started_at, x.end_reason) for x in lines] == [
        (True, "stopped"), (True, "engine-restart")]
    assert lines[0].ended_at == 2_000, "a line already ended keeps its end"


async def test_an_agents_conversation_in_order(store: Store) -> None:
    world = await make_world(store, contacts=1)
    tenant = world.tenant.id
    boss = await store.create_user(tenant, "boss", "Boss", d.Role.SUPERVISOR)
    ada, bob = await store.create_agent(tenant, "Ada"), await store.create_agent(tenant, "Bob")
    first = await store.add_message(tenant, ada.id, boss.id, "slow down")
    await store.add_message(tenant, bob.id, boss.id, "for Bob")
    await store.add_message(tenant, ada.id, boss.id, "good")
    assert [m.text for m in await store.messages(ada.id)] == ["slow down", "good"]
    assert [m.text for m in await store.messages(ada.id, after=first.id)] == ["good"]
    assert await store.message(first.id) == first
    assert await store.message(first.id + 100) is None
