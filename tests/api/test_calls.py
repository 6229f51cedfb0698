"""Active calls and callers waiting, read from the dialer's call board (a real ``CallBoard``,
filled here as a campaign task fills it), call state changes on the live stream, and
dispositions through a real dialer's wrap-ups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import trio
from trio_websocket import open_websocket_url

from ccengine import domain as d
from ccengine.dialer import ActiveCall, CallBoard, FlowState
from ccengine.store import CallEnd, CallProgress
from tests.api.conftest import Api, dialling
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


async def wrapping_up(api: Api, tenant: int, agent_id: int | None = None) -> int:
    """A call of the tenant's agent (or ``agent_id``), answered and ended as a campaign task
    records one, which the agent now wraps up (in the dialer's wrap-ups); returns its id."""
    t = api.tenants[tenant]
    agent_id = t.agent.id if agent_id is None else agent_id
    store, agents = api.services.store, api.services.agents
    assert api.services.dialer is not None
    now = d.now_us()
    [claim] = await store.claim_contacts(t.campaign.id, 1, now, "test")
    await store.progress_calls([CallProgress(claim.call_id, answered_at=now, connected_at=now, agent_id=agent_id)])
    await agents.login(agent_id, campaigns=[t.campaign.id])
    await agents.connect(agent_id, call_id=claim.call_id, campaign_id=t.campaign.id)
    await store.end_calls([CallEnd(claim.call_id, d.Outcome.HUMAN, d.now_us())])
    await api.services.dialer.wrapups.start(agent_id, claim.call_id)
    return claim.call_id


async def test_agents_and_supervisors_qualify_calls_wrapped_up(api: Api, nursery: trio.Nursery,
                                                                tmp_path: Path) -> None:
    acme = api.tenants[0]
    await dialling(api, nursery, tmp_path)
    call_id = await wrapping_up(api, 0)
    path = f"/api/calls/{call_id}/disposition"
    for tenant, role in ((1, "agent"), (1, "supervisor"), (1, "admin")):  # another tenant's call does not exist
        r = await api.as_role(tenant, role, "POST", path, json={"code": "sale"})
        assert r.status_code == 404 and r.json()["slug"] == "not-found", r.text
    r = await api.as_role(0, "agent", "POST", path, json={"code": "won-the-lottery"})
    assert r.status_code == 422 and r.json()["slug"] == "unknown-disposition", r.text
    r = await api.as_role(0, "agent", "POST", path, json={"code": "sale", "callback": {"at": "2030-01-01T10:00:00Z"}})
    assert r.status_code == 422 and r.json()["slug"] == "callback-not-allowed", r.text
    due = "2030-01-02T09:30:00Z"
    r = await api.as_role(0, "agent", "POST", path,
                          json={"code": "callback", "callback": {"at": due, "personal": True, "note": "after 9"}})
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["disposition"], r.json()["agent_id"]) == (call_id, "callback", acme.agent.id)
    assert (await api.services.store.agent_status(acme.agent.id)).state is d.AgentState.AVAILABLE
    [callback] = await api.services.store.callbacks(acme.campaign.id, agent_id=acme.agent.id)
    assert callback.due_at == d.from_datetime(dt.datetime(2030, 1, 2, 9, 30, tzinfo=dt.UTC))
    again = await api.as_role(0, "agent", "POST", path, json={"code": "sale"})
    assert again.status_code == 409 and again.json()["slug"] == "not-in-wrap-up", again.text

    # A supervisor qualifies the next call on behalf of the agent.
    second = await wrapping_up(api, 0)
    r = await api.as_role(0, "supervisor", "POST", f"/api/calls/{second}/disposition", json={"code": "not-interested"})
    assert r.status_code == 200 and r.json()["disposition"] == "not-interested", r.text
    assert (await api.services.store.call(second)).wrapup_ended_at is not None

    # An agent qualifies only their own calls: Bea's is hers (or her supervisor's) to qualify.
    bea = await api.services.store.create_agent(acme.tenant.id, "bea", campaign_ids=[acme.campaign.id])
    hers = await wrapping_up(api, 0, bea.id)
    r = await api.as_role(0, "agent", "POST", f"/api/calls/{hers}/disposition", json={"code": "sale"})
    assert r.status_code == 403 and r.json()["slug"] == "forbidden", r.text
    r = await api.as_role(0, "admin", "POST", f"/api/calls/{hers}/disposition", json={"code": "sale"})
    assert r.status_code == 200 and r.json()["agent_id"] == bea.id, r.text


async def test_qualifying_needs_a_dialer(api: Api) -> None:
    acme = api.tenants[0]
    now = d.now_us()
    [claim] = await api.services.store.claim_contacts(acme.campaign.id, 1, now, "test")
    r = await api.as_role(0, "supervisor", "POST", f"/api/calls/{claim.call_id}/disposition", json={"code": "sale"})
    assert r.status_code == 503 and r.json()["slug"] == "no-telephony", r.text
