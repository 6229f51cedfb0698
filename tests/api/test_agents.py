"""Agents: details, assignment card, and supervisor actions through ``ccengine.agents``."""

from __future__ import annotations

from tests.api.conftest import Api


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
