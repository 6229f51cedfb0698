"""Supervision through the API without a call to join (the real-call path is in
tests/supervision/test_service.py): the clear refusals, and the audit log's filters, paging and
tenant scope."""

from __future__ import annotations

import datetime as dt

from ccengine import domain as d
from ccengine.dialer import FlowState
from tests.api.conftest import Api
from tests.api.test_calls import put_call


async def test_supervising_an_agent_who_is_not_on_a_call_is_a_conflict(api: Api) -> None:
    acme = api.tenants[0]
    r = await api.as_role(0, "supervisor", "POST", f"/api/agents/{acme.agent.id}/supervision",
                          json={"mode": "listen", "follow": True})
    assert r.status_code == 409 and r.json()["slug"] == "agent-not-on-call", r.text


async def test_a_supervisor_without_a_phone_is_told_so(api: Api) -> None:
    acme = api.tenants[0]
    put_call(api, 0, 1, FlowState.CONNECTED, acme.agent.id)
    r = await api.as_role(0, "supervisor", "POST", f"/api/agents/{acme.agent.id}/supervision", json={"mode": "barge"})
    assert r.status_code == 409 and r.json()["slug"] == "no-supervisor-phone", r.text


async def test_switching_or_stopping_what_one_does_not_supervise_is_not_found(api: Api) -> None:
    acme = api.tenants[0]
    path = f"/api/agents/{acme.agent.id}/supervision"
    r = await api.as_role(0, "supervisor", "PATCH", path, json={"mode": "takeover"})
    assert r.status_code == 404 and r.json()["slug"] == "not-supervising"
    r = await api.as_role(0, "admin", "DELETE", path)
    assert r.status_code == 404 and r.json()["slug"] == "not-supervising"
    assert (await api.as_role(0, "supervisor", "GET", "/api/supervision")).json() == []
    r = await api.as_role(0, "supervisor", "POST", path, json={"mode": "eavesdrop"})
    assert r.status_code == 422


async def test_the_audit_log_filters_pages_and_stays_in_its_tenant(api: Api) -> None:
    acme, globex = api.tenants
    store = api.services.store
    supervisor, admin = acme.users["supervisor"].id, acme.users["admin"].id
    base = d.from_datetime(dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC))
    first = await store.open_audit(session=None, tenant_id=acme.tenant.id, supervisor_id=supervisor,
                                   agent_id=acme.agent.id, call_id=11, mode="listen", at=base)
    await store.close_audit(first.id, base + 30 * d.SECOND, "switched")
    second = await store.open_audit(session=first.session, tenant_id=acme.tenant.id, supervisor_id=supervisor,
                                    agent_id=acme.agent.id, call_id=11, mode="whisper", at=base + 30 * d.SECOND)
    await store.close_audit(second.id, base + 45 * d.SECOND, "stopped")
    await store.open_audit(session=None, tenant_id=acme.tenant.id, supervisor_id=admin, agent_id=acme.agent.id,
                           call_id=12, mode="barge", at=base + 3600 * d.SECOND)
    await store.open_audit(session=None, tenant_id=globex.tenant.id, supervisor_id=globex.users["admin"].id,
                           agent_id=globex.agent.id, call_id=13, mode="listen", at=base)

    everything = (await api.as_role(0, "supervisor", "GET", "/api/supervision/audit")).json()["items"]
    assert [(e["mode"], e["duration_s"], e["end_reason"]) for e in everything] == [
        ("listen", 30.0, "switched"), ("whisper", 15.0, "stopped"), ("barge", None, None)]
    assert everything[0]["session"] == everything[1]["session"] != everything[2]["session"]
    mine = await api.as_role(0, "admin", "GET", "/api/supervision/audit", params={"supervisor_id": supervisor})
    assert [e["mode"] for e in mine.json()["items"]] == ["listen", "whisper"]
    later = await api.as_role(0, "admin", "GET", "/api/supervision/audit",
                              params={"since": "2026-11-23T09:30:00+00:00", "until": "2026-11-23T11:00:00+00:00"})
    assert [e["mode"] for e in later.json()["items"]] == ["barge"]
    page = (await api.as_role(0, "admin", "GET", "/api/supervision/audit", params={"limit": 2})).json()
    assert len(page["items"]) == 2 and page["next_after"] == second.id
    assert (await api.as_role(0, "agent", "GET", "/api/supervision/audit")).status_code == 403
    theirs = (await api.as_role(1, "supervisor", "GET", "/api/supervision/audit")).json()["items"]
    assert [e["agent_id"] for e in theirs] == [globex.agent.id]
