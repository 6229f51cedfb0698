"""The live stream: a WebSocket that pushes agent, campaign and list state changes and indicator
updates, scoped to what the caller may see (their tenant; an agent only themself).

Each connection subscribes to the hub (``ccengine.metrics.Hub``) that the metrics service feeds
once a batch is counted. Changes pile up in the subscription keyed by what changed, so a burst
about one agent becomes one message, and indicator figures are sent at most once per
``live_min_interval_s``; a client that falls more than ``live_capacity`` different changes
behind is dropped (closed with 1013, "try again later") — publishing never waits for anyone.
"""

from __future__ import annotations

import math
from typing import Any

import trio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ccengine import domain as d
from ccengine.api._auth import Caller, caller_of_token
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
        await ws.send_denial_response(problem_response(ws, problem))  # type: ignore[arg-type]
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
        return lambda n: n.tenant == caller.tenant_id and n.agent == mine and n.topic in ("agent", "indicators")
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
    (they move with almost every event, and each reading costs a store round trip)."""
    await ws.send_json(await _indicators(ws, services, caller))
    figures_due, next_figures = False, trio.current_time() + services.settings.live_min_interval_s
    while True:
        notices: list[Notice] = []
        with trio.move_on_at(next_figures if figures_due else math.inf):
            notices = await receive()
        for notice in notices:
            if notice.topic == "indicators":
                figures_due = True
            elif (message := await _state(services, notice)) is not None:
                await ws.send_json(message)
        now = trio.current_time()
        if figures_due and now >= next_figures:
            await ws.send_json(await _indicators(ws, services, caller))
            figures_due, next_figures = False, now + services.settings.live_min_interval_s


async def _state(services: Services, notice: Notice) -> dict[str, Any] | None:
    """The current state of what a notice names (read now: later changes are already in it)."""
    try:
        if notice.topic == "agent":
            s = await services.store.agent_status(notice.key)
            return {"type": "agent", "agent_id": s.agent_id, "state": s.state.value, "since": _iso(s.since),
                    "pause_reason": s.pause_reason, "pause_pending": s.pause_pending,
                    "campaign_ids": sorted(s.campaign_ids)}
        if notice.topic == "campaign":
            c = await services.store.campaign(notice.key)
            return {"type": "campaign", "campaign_id": c.id, "state": c.state.value, "run_state": c.run_state.value,
                    "inactive_reason": c.inactive_reason.value if c.inactive_reason else None}
        if notice.topic == "list":
            x = await services.store.contact_list(notice.key)
            return {"type": "list", "list_id": x.id, "campaign_id": x.campaign_id, "status": x.status.value}
    except NotFound:
        return None
    return None


async def _indicators(ws: WebSocket, services: Services, caller: Caller) -> dict[str, Any]:
    if caller.role is d.Role.AGENT:
        if caller.agent_id is None:
            return {"type": "indicators", "figures": {}}
        sized(services.aggregator, "agent", caller.agent_id)
        now = d.now_us()
        return {"type": "indicators", "now": _iso(now),
                "figures": services.aggregator.values(now, "day", "agent", caller.agent_id)}
    shared: SharedFigures = ws.app.state.live_figures
    return await shared.of(caller.tenant_id)


class SharedFigures:
    """A tenant's dashboard, read once per change for all its subscribers (a change reaching 500
    screens reads the store once, not 500 times): reused while the hub has published nothing
    about the tenant since it was read."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._latest: dict[int, tuple[int, dict[str, Any]]] = {}
        self._locks: dict[int, trio.Lock] = {}

    async def of(self, tenant_id: int) -> dict[str, Any]:
        async with self._locks.setdefault(tenant_id, trio.Lock()):
            version = self._services.hub.version(tenant_id)
            cached = self._latest.get(tenant_id)
            if cached is not None and cached[0] == version:
                return cached[1]
            figures = await live_figures(self._services, tenant_id)
            message = {"type": "indicators", **figures.model_dump(mode="json")}
            self._latest[tenant_id] = (version, message)
            return message


def _iso(us: int) -> str:
    when = moment(us)
    assert when is not None
    return when.isoformat()
