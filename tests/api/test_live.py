"""The live stream over a real WebSocket: state changes and figures pushed as they happen,
scoped to the caller, and a slow client coalesced then dropped without slowing anyone."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import socket
from typing import Any

import trio
from trio_websocket import WebSocketConnection, open_websocket_url

from ccengine.api import ApiServer
from ccengine.metrics import Notice
from tests.api.conftest import Api


async def next_message(ws: WebSocketConnection, kind: str, **match: Any) -> dict[str, Any]:
    while True:
        message = json.loads(await ws.get_message())
        if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
            return message  # type: ignore[no-any-return]


def live_url(api: Api, token: str) -> str:
    return f"{api.url.replace('http', 'ws')}/api/live?token={token}"


async def test_a_supervisor_sees_an_agents_pause_within_200_ms(api: Api) -> None:
    acme = api.tenants[0]
    agent = f"/api/agents/{acme.agent.id}"
    await api.as_role(0, "agent", "POST", f"{agent}/login", json={})
    async with open_websocket_url(live_url(api, acme.tokens["supervisor"])) as ws:
        hello = await next_message(ws, "hello")
        assert hello["role"] == "supervisor" and hello["tenant_id"] == acme.tenant.id
        first = await next_message(ws, "indicators")
        assert first["agents_connected"] == 1
        started = trio.current_time()
        await api.as_role(0, "agent", "POST", f"{agent}/pause", json={"reason": "break"})
        with trio.fail_after(0.2):
            change = await next_message(ws, "agent", agent_id=acme.agent.id, state="paused")
        assert change["pause_reason"] == "break"
        figures = await next_message(ws, "indicators")
        assert figures["agents_by_state"]["paused"] == 1
        elapsed = trio.current_time() - started
        assert elapsed < 1


async def test_campaign_changes_without_indicator_events_are_pushed(api: Api) -> None:
    acme = api.tenants[0]
    path = f"/api/campaigns/{acme.campaign.id}"
    async with open_websocket_url(live_url(api, acme.tokens["admin"])) as ws:
        await api.as_role(0, "supervisor", "POST", f"{path}/start")
        await next_message(ws, "campaign", campaign_id=acme.campaign.id, state="active")
        await api.as_role(0, "supervisor", "POST", f"{path}/pause")
        await api.as_role(0, "supervisor", "POST", f"{path}/stop")  # paused -> stopped: no indicator event
        await next_message(ws, "campaign", campaign_id=acme.campaign.id, state="stopped")
        await api.as_role(0, "supervisor", "POST", f"/api/lists/{acme.contact_list.id}/deactivate")
        await next_message(ws, "list", list_id=acme.contact_list.id, status="paused")


async def test_each_caller_sees_only_their_scope(api: Api) -> None:
    acme, globex = api.tenants
    other = await api.services.store.create_agent(acme.tenant.id, "acme other", campaign_ids=[acme.campaign.id])
    async with open_websocket_url(live_url(api, acme.tokens["agent"])) as mine, \
            open_websocket_url(live_url(api, globex.tokens["supervisor"])) as foreign:
        await next_message(mine, "indicators")
        await next_message(foreign, "indicators")
        await api.services.agents.login(other.id, campaigns=[acme.campaign.id])
        await api.as_role(0, "agent", "POST", f"/api/agents/{acme.agent.id}/login", json={})
        seen = await next_message(mine, "agent")
        assert seen["agent_id"] == acme.agent.id  # the other agent's login came first and was not shown
        await api.as_role(1, "agent", "POST", f"/api/agents/{globex.agent.id}/login", json={})
        theirs = await next_message(foreign, "agent")
        assert theirs["agent_id"] == globex.agent.id  # nothing of acme reached globex before it


async def test_a_bad_token_is_refused_with_a_problem(api: Api) -> None:
    r = await api.client.get("/api/live", params={"token": "nope"}, headers={
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()})
    assert r.status_code == 401 and r.json()["slug"] == "unauthenticated"


async def stalled_client(port: int, token: str) -> trio.socket.SocketType:
    """A WebSocket client that completes the handshake, then never reads."""
    sock = trio.socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    await sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    await sock.send(f"GET /api/live?token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += await sock.recv(1)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return sock


async def test_a_slow_client_is_dropped_and_stalls_nobody(api: Api, nursery: trio.Nursery) -> None:
    acme = api.tenants[0]
    api.services.settings = dataclasses.replace(api.services.settings, live_capacity=16)
    agents = [await api.services.store.create_agent(acme.tenant.id, f"agent {k}") for k in range(20)]
    hub = api.services.hub
    # A server whose connections have small send buffers (inherited from the listening socket),
    # so a client that does not read blocks the server's sends within a few messages.
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = await nursery.start(ApiServer(api.services, sock=listener, graceful_timeout_s=0.5).run)
    token = acme.tokens["supervisor"]
    slow = await stalled_client(port, token)
    try:
        async with open_websocket_url(f"ws://127.0.0.1:{port}/api/live?token={token}") as fast:
            await next_message(fast, "indicators")
            assert hub.subscribers == 2
            slowest_publish = 0.0
            for round_ in range(300):
                half = agents[:10] if round_ % 2 else agents[10:]
                started = trio.current_time()
                hub.publish([Notice(acme.tenant.id, "agent", a.id, a.id) for a in half])
                slowest_publish = max(slowest_publish, trio.current_time() - started)
                seen = {(await next_message(fast, "agent"))["agent_id"] for _ in half}
                assert seen == {a.id for a in half}  # the fast client got every change of the round
                if hub.subscribers == 1:
                    break
            assert hub.subscribers == 1, [(len(s._pending), s.dropped) for s in hub._subscriptions]
            assert slowest_publish < 0.01
            # the fast client is still served
            await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{acme.campaign.id}/start")
            await next_message(fast, "campaign", state="active")
    finally:
        slow.close()
        listener.close()
