"""Users' credentials and API sessions in the store (migration 4)."""

from __future__ import annotations

from ccengine import domain as d
from ccengine.store import Store

TOKEN = b"\x01" * 32


async def test_a_session_lives_until_it_expires_or_its_user_changes(store: Store) -> None:
    tenant = await store.create_tenant("acme")
    user = await store.create_user(tenant.id, "marie", "Marie", d.Role.AGENT, "$argon2id$stored")
    agent = await store.create_agent(tenant.id, "Marie", user_id=user.id)
    assert await store.credentials("marie") == (user, "$argon2id$stored")
    assert await store.credentials("nobody") is None
    await store.open_session(TOKEN, user.id, expires_at=1_000, address="192.0.2.1")
    info = await store.session(TOKEN, now=999)
    assert info is not None and info.user == user and info.agent_id == agent.id
    assert await store.session(TOKEN, now=1_000) is None  # expired
    assert await store.purge_sessions(now=1_000) == 1
    await store.open_session(TOKEN, user.id, expires_at=10**18, address=None)
    await store.edit_user(user.id, name="Marie C.")
    assert (await store.session(TOKEN, now=0)) is not None  # a new name keeps the session
    await store.edit_user(user.id, role=d.Role.SUPERVISOR)
    assert await store.session(TOKEN, now=0) is None  # a new role ends it


async def test_touching_a_session_records_the_agents_last_activity(store: Store) -> None:
    tenant = await store.create_tenant("acme")
    user = await store.create_user(tenant.id, "marie", "Marie", d.Role.AGENT)
    agent = await store.create_agent(tenant.id, "Marie", user_id=user.id)
    await store.open_session(TOKEN, user.id, expires_at=10**18, address=None)
    await store.touch_session(TOKEN, 5_000, agent.id)
    assert (await store.session(TOKEN, 0)).last_used_at == 5_000  # type: ignore[union-attr]
    assert (await store.agent_status(agent.id)).last_seen_at == 5_000
    assert await store.close_session(TOKEN) and not await store.close_session(TOKEN)
    assert [u.login for u in await store.users(tenant.id)] == ["marie"]
