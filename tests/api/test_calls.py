"""Active calls and callers waiting, read from the dialer's call board (a real ``CallBoard``,
filled here as a campaign task fills it), and call state changes on the live stream."""

from __future__ import annotations

import trio
from trio_websocket import open_websocket_url

from ccengine import domain as d
from ccengine.dialer import ActiveCall, CallBoard, FlowState
from tests.api.conftest import Api
from tests.api.test_live import live_url, next_message


def board(api: Api) -> CallBoard:
    assert api.services.supervision is not None
    return api.services.supervision.board


def put_call(api: Api, tenant: int, call_id: int, state: FlowState, agent_id: int | None = None) -> None:
    t = api.tenants[tenant]
    now = d.now_us()
    # As a campaign task does: on the board when placed, then moved to its state (and agent).
    board(api).put(ActiveCall(call_id, t.tenant.id, t.campaign.id, t.contacts[0], "+33612345678",
                              FlowState.RINGING, now, now, 1000 + call_id))
    board(api).move(call_id, state, now, agent_id=agent_id)


async def test_active_calls_and_callers_waiting_of_the_callers_tenant(api: Api) -> None:
    acme = api.tenants[0]
    put_call(api, 0, 1, FlowState.CONNECTED, acme.agent.id)
    put_call(api, 0, 2, FlowState.WAITING)
    put_call(api, 1, 3, FlowState.RINGING)
    r = await api.as_role(0, "supervisor", "GET", "/api/calls/active")
    assert r.status_code == 200, r.text
    calls = r.json()
    assert [(c["call_id"], c["state"], c["agent_id"]) for c in calls] == [(1, "connected", acme.agent.id),
                                                                          (2, "waiting", None)]
    assert calls[0]["campaign_id"] == acme.campaign.id
    waiting = (await api.as_role(0, "supervisor", "GET", "/api/calls/waiting")).json()
    assert [c["call_id"] for c in waiting] == [2]
    assert [c["call_id"] for c in (await api.as_role(1, "admin", "GET", "/api/calls/active")).json()] == [3]
    other_campaign = await api.as_role(0, "admin", "GET", "/api/calls/active", params={"campaign_id": 999})
    assert other_campaign.json() == []


async def test_supervisors_see_numbers_masked_and_admins_in_full(api: Api) -> None:
    put_call(api, 0, 1, FlowState.WAITING)
    supervisor = (await api.as_role(0, "supervisor", "GET", "/api/calls/active")).json()[0]
    admin = (await api.as_role(0, "admin", "GET", "/api/calls/active")).json()[0]
    assert admin["phone"] == "+33612345678"
    assert supervisor["phone"] == "+336******78"
    assert (await api.as_role(0, "agent", "GET", "/api/calls/active")).status_code == 403


async def test_call_state_changes_reach_the_live_stream(api: Api) -> None:
    acme = api.tenants[0]
    async with open_websocket_url(live_url(api, acme.tokens["supervisor"])) as ws:
        await next_message(ws, "hello")
        put_call(api, 0, 7, FlowState.RINGING)
        with trio.fail_after(1):
            ringing = await next_message(ws, "call", call_id=7)
        assert ringing["state"] == "ringing" and ringing["phone"] == "+336******78"
        board(api).move(7, FlowState.CONNECTED, d.now_us(), agent_id=acme.agent.id)
        with trio.fail_after(1):
            connected = await next_message(ws, "call", call_id=7, state="connected")
        assert connected["agent_id"] == acme.agent.id
        board(api).drop(7)
        with trio.fail_after(1):
            await next_message(ws, "call", call_id=7, state="ended")


async def test_without_telephony_calls_and_supervision_answer_503(api: Api) -> None:
    acme = api.tenants[0]
    api.services.supervision = None
    for method, path in (("GET", "/api/calls/active"), ("GET", "/api/calls/waiting"), ("GET", "/api/supervision"),
                         ("POST", f"/api/agents/{acme.agent.id}/supervision")):
        r = await api.as_role(0, "supervisor", method, path, json={} if method == "POST" else None)
        assert r.status_code == 503 and r.json()["slug"] == "no-telephony", (path, r.text)
    # The chat and the audit log need no telephony.
    assert (await api.as_role(0, "supervisor", "GET", "/api/supervision/audit")).status_code == 200
