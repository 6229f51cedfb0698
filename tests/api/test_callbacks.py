"""Callbacks: the shared agenda and personal ones; an agent sees the shared agenda and their own."""

from __future__ import annotations

from tests.api.conftest import Api


async def test_shared_and_personal_agenda(api: Api) -> None:
    acme = api.tenants[0]
    agenda = f"/api/campaigns/{acme.campaign.id}/callbacks"
    personal = (await api.as_role(0, "supervisor", "POST", f"/api/contacts/{acme.contacts[0]}/callback", json={
        "due_at": "2030-01-02T10:00:00+01:00", "agent_id": acme.agent.id, "note": "after lunch"})).json()
    assert personal["due_at"] == "2030-01-02T09:00:00Z" and not personal["shared"]
    other = await api.services.store.create_agent(acme.tenant.id, "acme other")
    theirs = await api.services.store.schedule_callback(acme.contacts[1], 2_000_000_000 * 10**6, agent_id=other.id)
    everything = (await api.as_role(0, "supervisor", "GET", agenda)).json()["items"]
    assert {c["id"] for c in everything} == {acme.callback.id, personal["id"], theirs.id}
    shared = (await api.as_role(0, "supervisor", "GET", agenda, params={"shared": True})).json()["items"]
    assert [c["id"] for c in shared] == [acme.callback.id]
    mine = (await api.as_role(0, "agent", "GET", agenda)).json()["items"]
    assert {c["id"] for c in mine} == {acme.callback.id, personal["id"]}
    r = await api.as_role(0, "agent", "POST", f"/api/callbacks/{theirs.id}/close", json={"state": "done"})
    assert r.status_code == 403


async def test_reassign_to_the_shared_agenda_and_close(api: Api) -> None:
    acme = api.tenants[0]
    cb = (await api.as_role(0, "supervisor", "POST", f"/api/contacts/{acme.contacts[0]}/callback", json={
        "due_at": "2030-01-02T10:00:00+01:00", "agent_id": acme.agent.id})).json()
    r = await api.as_role(0, "supervisor", "PATCH", f"/api/callbacks/{cb['id']}", json={"agent_id": None})
    assert r.json()["shared"] is True and r.json()["due_at"] == cb["due_at"]
    r = await api.as_role(0, "supervisor", "PATCH", f"/api/callbacks/{cb['id']}",
                          json={"due_at": "2030-01-03T10:00:00+01:00"})
    assert r.json()["shared"] is True and r.json()["due_at"] == "2030-01-03T09:00:00Z"
    r = await api.as_role(0, "agent", "POST", f"/api/callbacks/{cb['id']}/close", json={"state": "cancelled"})
    assert r.json()["state"] == "cancelled"
    again = await api.as_role(0, "agent", "POST", f"/api/callbacks/{cb['id']}/close", json={"state": "done"})
    assert again.status_code == 409 and again.json()["slug"] == "callback-closed"
    assert (await api.services.store.contact(acme.contacts[0])).state.value == "pending"


async def test_a_moment_needs_an_offset(api: Api) -> None:
    acme = api.tenants[0]
    for due in ("2030-01-02T10:00:00", 1893580800):
        r = await api.as_role(0, "supervisor", "POST", f"/api/contacts/{acme.contacts[0]}/callback",
                              json={"due_at": due})
        assert r.status_code == 422 and r.json()["slug"] == "invalid-request", due


async def test_an_agent_sees_only_the_agendas_of_their_campaigns(api: Api) -> None:
    acme = api.tenants[0]
    other = (await api.as_role(0, "admin", "POST", "/api/campaigns", json={"name": "other"})).json()["id"]
    r = await api.as_role(0, "agent", "GET", f"/api/campaigns/{other}/callbacks")
    assert r.status_code == 403
    await api.as_role(0, "supervisor", "PUT", f"/api/agents/{acme.agent.id}/assignment",
                      json={"campaign_ids": [other]})
    assert (await api.as_role(0, "agent", "GET", f"/api/campaigns/{other}/callbacks")).status_code == 200
    r = await api.as_role(0, "agent", "POST", f"/api/callbacks/{acme.callback.id}/close", json={"state": "done"})
    assert r.status_code == 403  # no longer assigned to the callback's campaign
