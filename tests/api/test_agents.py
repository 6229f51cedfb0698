"""Agents: details, assignment card, and supervisor actions through ``ccengine.agents``."""

from __future__ import annotations

from pathlib import Path

import trio

from ccengine import domain as d
from ccengine.sim import Account, PhoneBank
from tests.api.conftest import PASSWORD, Api, dialling


async def test_a_supervisor_drives_an_agent(api: Api) -> None:
    acme = api.tenants[0]
    path = f"/api/agents/{acme.agent.id}"
    states = []
    for action, body in (("login", {"campaign_ids": [acme.campaign.id]}), ("pause", {"reason": "lunch"}),
                         ("resume", None), ("logout", {})):
        r = await api.as_role(0, "supervisor", "POST", f"{path}/{action}", json=body)
        assert r.status_code == 200, r.text
        states.append(r.json()["state"])
    assert states == ["available", "paused", "available", "logged-out"]
    details = (await api.as_role(0, "supervisor", "GET", path)).json()
    assert [a["action"] for a in details["activities"]] == ["logout", "resume", "pause", "login"]
    supervisor = acme.users["supervisor"].id
    assert {a["by_user"] for a in details["activities"]} == {supervisor}
    assert details["activities"][2]["detail"] == "lunch"
    assert details["status"]["login_address"] is None  # a supervisor's address is not the agent's
    assert details["status"]["pause_s"] >= 0 and details["status"]["production_s"] > 0


async def test_end_wrapup_and_refusals(api: Api) -> None:
    acme = api.tenants[0]
    agents = api.services.agents
    await agents.login(acme.agent.id, campaigns=[acme.campaign.id])
    await agents.connect(acme.agent.id, call_id=7, campaign_id=acme.campaign.id)
    r = await api.as_role(0, "supervisor", "POST", f"/api/agents/{acme.agent.id}/logout", json={})
    assert r.status_code == 409 and "on a call" in r.json()["detail"]
    await agents.hangup(acme.agent.id)
    r = await api.as_role(0, "supervisor", "POST", f"/api/agents/{acme.agent.id}/end-wrapup")
    assert r.json()["state"] == "available"


async def test_login_only_to_assigned_campaigns(api: Api) -> None:
    acme = api.tenants[0]
    other = (await api.as_role(0, "admin", "POST", "/api/campaigns", json={"name": "other"})).json()["id"]
    r = await api.as_role(0, "agent", "POST", f"/api/agents/{acme.agent.id}/login", json={"campaign_ids": [other]})
    assert r.status_code == 409 and r.json()["slug"] == "not-assigned"
    r = await api.as_role(0, "supervisor", "PUT", f"/api/agents/{acme.agent.id}/assignment",
                          json={"campaign_ids": [acme.campaign.id, other]})
    assert r.json()["campaign_ids"] == sorted([acme.campaign.id, other])
    r = await api.as_role(0, "agent", "POST", f"/api/agents/{acme.agent.id}/login", json={"campaign_ids": [other]})
    assert r.json()["campaign_ids"] == [other]
    listed = (await api.as_role(0, "supervisor", "GET", "/api/agents", params={"campaign_id": other,
                                                                                "state": "available"})).json()
    assert [a["id"] for a in listed["items"]] == [acme.agent.id]


async def test_admin_creates_an_agent_for_a_user(api: Api) -> None:
    user = (await api.as_role(0, "admin", "POST", "/api/users", json={
        "login": "bob", "name": "Bob", "role": "agent", "password": "long enough"})).json()
    r = await api.as_role(0, "admin", "POST", "/api/agents", json={"name": "Bob", "user_id": user["id"],
                                                                   "extension": "1002"})
    assert r.status_code == 201 and r.json()["status"]["state"] == "logged-out"
    foreign = await api.as_role(0, "admin", "POST", "/api/agents", json={
        "name": "Spy", "user_id": api.tenants[1].users["agent"].id})
    assert foreign.status_code == 404


async def test_with_a_dialer_logging_in_calls_the_agents_phone_and_logging_out_hangs_it_up(
        api: Api, nursery: trio.Nursery, tmp_path: Path) -> None:
    acme, globex = api.tenants
    store = api.services.store
    second = await store.create_campaign(d.Campaign(id=0, tenant_id=acme.tenant.id, name="acme second"))
    await store.assign_agent(acme.agent.id, team_ids=[], campaign_ids=[acme.campaign.id, second.id], queue_ids=[])
    dialer = await dialling(api, nursery, tmp_path)
    _, host, port = dialer.telephony.local_addresses()[0]
    phones = PhoneBank([Account(acme.agent.extension, PASSWORD)], f"{host}:{port}")
    await nursery.start(phones.run)
    path = f"/api/agents/{acme.agent.id}"

    r = await api.as_role(0, "agent", "POST", f"{path}/login", json={"campaign_ids": [acme.campaign.id]})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "available" and r.json()["campaign_ids"] == [acme.campaign.id]
    assert r.json()["login_address"] == "127.0.0.1"  # the agent logged in themself
    leg = dialer.sessions.leg_of(acme.agent.id)
    assert leg is not None and acme.agent.extension in phones.calls  # the session leg, answered
    again = await api.as_role(0, "agent", "POST", f"{path}/login", json={"campaign_ids": [second.id]})
    assert again.status_code == 200 and dialer.sessions.leg_of(acme.agent.id) == leg  # not called twice
    assert again.json()["campaign_ids"] == sorted([acme.campaign.id, second.id])
    assert dialer.sessions.agents_of(second.id) == [acme.agent.id]
    # Out of one campaign only: the session stays up for the other.
    r = await api.as_role(0, "agent", "POST", f"{path}/logout", json={"campaign_ids": [second.id]})
    assert r.status_code == 200 and r.json()["campaign_ids"] == [acme.campaign.id], r.text
    assert dialer.sessions.leg_of(acme.agent.id) == leg and dialer.sessions.agents_of(second.id) == []

    r = await api.as_role(0, "supervisor", "POST", f"{path}/logout", json={})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "logged-out"
    assert dialer.sessions.leg_of(acme.agent.id) is None
    with trio.fail_after(5):  # the phone is hung up; its hang-up reaching the engine changes nothing
        while acme.agent.extension in phones.calls:
            await trio.sleep(0.02)
    await trio.sleep(0.2)
    assert (await api.services.store.agent_status(acme.agent.id)).state is d.AgentState.LOGGED_OUT
    details = (await api.as_role(0, "supervisor", "GET", path)).json()
    assert [(a["action"], a["by_user"]) for a in details["activities"][:4]] == [
        ("logout", acme.users["supervisor"].id), ("logout", None), ("login", None), ("login", None)]

    # Globex's agent has no phone registered: the login is refused and they stay logged out.
    r = await api.as_role(1, "supervisor", "POST", f"/api/agents/{globex.agent.id}/login", json={})
    assert r.status_code == 409 and r.json()["slug"] == "phone-unreachable", r.text
    assert (await api.services.store.agent_status(globex.agent.id)).state is d.AgentState.LOGGED_OUT
