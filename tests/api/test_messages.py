"""The supervisor → agent chat: kept in the store, pushed live to the agent's stream only, read
back as a conversation."""

from __future__ import annotations

import trio
from trio_websocket import open_websocket_url

from tests.api.conftest import Api
from tests.api.test_live import live_url, next_message


async def test_a_message_reaches_the_agents_stream_at_once_and_is_kept(api: Api) -> None:
    acme = api.tenants[0]
    path = f"/api/agents/{acme.agent.id}/messages"
    async with open_websocket_url(live_url(api, acme.tokens["agent"])) as ws:
        await next_message(ws, "hello")
        r = await api.as_role(0, "supervisor", "POST", path, json={"text": "read the offer slowly"})
        assert r.status_code == 201, r.text
        sent = r.json()
        with trio.fail_after(1):
            pushed = await next_message(ws, "message")
    assert pushed["message_id"] == sent["id"] and pushed["text"] == "read the offer slowly"
    assert pushed["from_user"] == acme.users["supervisor"].id and pushed["agent_id"] == acme.agent.id
    await api.as_role(0, "admin", "POST", path, json={"text": "and smile"})
    mine = await api.as_role(0, "agent", "GET", path)
    assert [m["text"] for m in mine.json()["items"]] == ["read the offer slowly", "and smile"]
    first = await api.as_role(0, "supervisor", "GET", path, params={"limit": 1})
    assert [m["text"] for m in first.json()["items"]] == ["read the offer slowly"]
    rest = await api.as_role(0, "supervisor", "GET", path, params={"after": first.json()["next_after"]})
    assert [m["text"] for m in rest.json()["items"]] == ["and smile"] and rest.json()["next_after"] is None


async def test_another_agent_neither_receives_nor_reads_the_message(api: Api) -> None:
    acme = api.tenants[0]
    other = await api.services.store.create_agent(acme.tenant.id, "acme other")
    async with open_websocket_url(live_url(api, acme.tokens["agent"])) as ws:
        await next_message(ws, "hello")
        r = await api.as_role(0, "supervisor", "POST", f"/api/agents/{other.id}/messages", json={"text": "psst"})
        assert r.status_code == 201
        with trio.move_on_after(0.3) as quiet:
            await next_message(ws, "message")
        assert quiet.cancelled_caught, "a message to another agent reached this agent's stream"
    r = await api.as_role(0, "agent", "GET", f"/api/agents/{other.id}/messages")
    assert r.status_code == 403


async def test_an_agent_cannot_write_and_an_empty_message_is_refused(api: Api) -> None:
    acme = api.tenants[0]
    path = f"/api/agents/{acme.agent.id}/messages"
    assert (await api.as_role(0, "agent", "POST", path, json={"text": "hi"})).status_code == 403
    r = await api.as_role(0, "supervisor", "POST", path, json={"text": ""})
    assert r.status_code == 422 and r.json()["slug"] == "invalid-request"
    assert (await api.as_role(0, "supervisor", "GET", path)).json()["items"] == []
