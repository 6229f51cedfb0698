"""The live stream: a WebSocket that pushes agent, campaign and list state changes and indicator
updates, scoped to what the caller may see (their tenant; an agent only themself).

Each connection subscribes to the hub (``ccengine.metrics.Hub``) that the metrics service feeds
once a batch is counted. Changes pile up in the subscription keyed by what changed, so a burst
about one agent becomes one message, and indicator figures are sent at most once per
``live_min_interval_s``; a client that falls more than ``live_capacity`` different changes
behind is dropped (closed with 1013, "try again later") — publishing never waits for anyone.
"""

from __future__ import annotations

import json
import math
from typing import Any

import trio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ccengine import domain as d
from ccengine.api._auth import Caller, caller_of_token
from ccengine.api._calls import call_out
from ccengine.api._indicators import live_figures, sized
from ccengine.api._models import moment
from ccengine.api._problems import Problem, problem_response
from ccengine.api._services import Services
from ccengine.errors import NotFound
from ccengine.metrics import Dropped, Notice

router = APIRouter()

TRY_AGAIN_LATER = 1013


def _bearer(ws: WebSocket) -> str | None:
    header = ws.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return ws.query_params.get("token")


@router.websocket("/api/live")
async def live(ws: WebSocket) -> None:
    services: Services = ws.app.state.services
    try:
        token = _bearer(ws)
        if not token:
            raise Problem(401, "unauthenticated", "the live stream needs a token (?token= or Authorization)")
        caller = await caller_of_token(services, token)
    except Problem as problem:
        await ws.send_denial_response(problem_response(ws, problem))
        return
    await ws.accept()
    dropped = False
    async with trio.open_nursery() as nursery:
        with services.hub.subscribe(_scope(caller), capacity=services.settings.live_capacity,
                                    scope=nursery.cancel_scope) as subscription:
            nursery.start_soon(_until_closed, ws, nursery.cancel_scope)
            try:
                await ws.send_json({"type": "hello", "user_id": caller.user.id, "role": caller.role.value,
                                    "tenant_id": caller.tenant_id, "agent_id": caller.agent_id})
                await _push(ws, services, caller, subscription.receive)
            except Dropped:
                pass
            finally:
                dropped = subscription.dropped
            nursery.cancel_scope.cancel()
    if dropped:
        with trio.move_on_after(1):
            await ws.close(TRY_AGAIN_LATER, "too slow: reconnect")


def _scope(caller: Caller) -> Any:
    if caller.role is d.Role.AGENT:
        mine = caller.agent_id
        return lambda n: n.tenant == caller.tenant_id and n.agent == mine and n.topic in ("agent", "indicators",
                                                                                          "message")
    return lambda n: n.tenant == caller.tenant_id


async def _until_closed(ws: WebSocket, scope: trio.CancelScope) -> None:
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
    except WebSocketDisconnect:
        pass
    scope.cancel()


async def _push(ws: WebSocket, services: Services, caller: Caller, receive: Any) -> None:
    """State changes are sent as soon as they are known; figures at most once per interval
    (they move with almost every event)."""
    shared: SharedReads = ws.app.state.live_reads
    await ws.send_text(await _figures(shared, caller))
    figures_due, next_figures = False, trio.current_time() + services.settings.live_min_interval_s
    while True:
        notices: list[Notice] = []
        with trio.move_on_at(next_figures if figures_due else math.inf):
            notices = await receive()
        for notice in notices:
            if notice.topic == "indicators":
                figures_due = True
            elif (text := await shared.text(notice.tenant, notice.topic, notice.key)) is not None:
                await ws.send_text(text)
        now = trio.current_time()
        if figures_due and now >= next_figures:
            await ws.send_text(await _figures(shared, caller))
            figures_due, next_figures = False, now + services.settings.live_min_interval_s


async def _figures(shared: SharedReads, caller: Caller) -> str:
    if caller.role is not d.Role.AGENT:
        text = await shared.text(caller.tenant_id, "indicators", 0)
        assert text is not None
        return text
    aggregator = shared.services.aggregator
    if caller.agent_id is None:
        return json.dumps({"type": "indicators", "figures": {}})
    sized(aggregator, "agent", caller.agent_id)
    now = d.now_us()
    return json.dumps({"type": "indicators", "now": _iso(now),
                       "figures": aggregator.values(now, "day", "agent", caller.agent_id)})


class SharedReads:
    """What the streams send, read from the store and encoded once per change for every
    subscriber (a change reaching 500 screens costs one read, not 500): a message is reused
    while the hub has published nothing about its tenant since it was read."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._latest: dict[tuple[int, str, int], tuple[int, str | None]] = {}
        self._locks: dict[tuple[int, str, int], trio.Lock] = {}

    async def text(self, tenant_id: int, topic: str, key: int) -> str | None:
        """The message about an entity (or the tenant's figures), None if it no longer exists."""
        entry = (tenant_id, topic, key)
        async with self._locks.setdefault(entry, trio.Lock()):
            version = self.services.hub.version(tenant_id)
            cached = self._latest.get(entry)
            if cached is not None and cached[0] == version:
                return cached[1]
            message = await self._read(tenant_id, topic, key)
            text = None if message is None else json.dumps(message, separators=(",", ":"))
            self._latest[entry] = (version, text)
            return text

    async def _read(self, tenant_id: int, topic: str, key: int) -> dict[str, Any] | None:
        store = self.services.store
        try:
            if topic == "indicators":
                figures = await live_figures(self.services, tenant_id)
                return {"type": "indicators", **figures.model_dump(mode="json")}
            if topic == "agent":
                s = await store.agent_status(key)
                return {"type": "agent", "agent_id": s.agent_id, "state": s.state.value, "since": _iso(s.since),
                        "pause_reason": s.pause_reason, "pause_pending": s.pause_pending,
                        "campaign_ids": sorted(s.campaign_ids)}
            if topic == "campaign":
                c = await store.campaign(key)
                return {"type": "campaign", "campaign_id": c.id, "state": c.state.value,
                        "run_state": c.run_state.value,
                        "inactive_reason": c.inactive_reason.value if c.inactive_reason else None}
            if topic == "list":
                x = await store.contact_list(key)
                return {"type": "list", "list_id": x.id, "campaign_id": x.campaign_id, "status": x.status.value}
            if topic == "message":
                m = await store.message(key)
                return None if m is None else {"type": "message", "message_id": m.id, "agent_id": m.agent_id,
                                               "from_user": m.from_user, "at": _iso(m.at), "text": m.text}
            if topic == "call":
                return self._call(key)
        except NotFound:
            return None
        return None

    def _call(self, call_id: int) -> dict[str, Any] | None:
        """A call's state from the board (phone masked: one message serves every role); a call
        gone from the board has ended."""
        supervision = self.services.supervision
        if supervision is None:
            return None
        call = supervision.board.get(call_id)
        if call is None:
            return {"type": "call", "call_id": call_id, "state": "ended"}
        return {"type": "call", **call_out(call, full_phone=False).model_dump(mode="json")}


def _iso(us: int) -> str:
    when = moment(us)
    assert when is not None
    return when.isoformat()
