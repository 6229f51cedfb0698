"""Contacts: move or delete one or in bulk (other tenants' ids are "not found"), and missed
calls added to a campaign."""

from __future__ import annotations

from tests.api.conftest import Api


async def test_move_and_remove_one(api: Api) -> None:
    acme = api.tenants[0]
    target = (await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{acme.campaign.id}/lists",
                                json={"name": "second"})).json()["id"]
    contact = acme.contacts[0]
    r = await api.as_role(0, "supervisor", "POST", f"/api/contacts/{contact}/move", json={"list_id": target})
    assert r.json() == {"done": [contact], "skipped": {}}
    assert (await api.as_role(0, "supervisor", "GET", f"/api/contacts/{contact}")).json()["list_id"] == target
    r = await api.as_role(0, "supervisor", "DELETE", f"/api/contacts/{contact}")
    assert r.json() == {"done": [contact], "skipped": {}}
    assert (await api.as_role(0, "supervisor", "GET", f"/api/contacts/{contact}")).json()["state"] == "removed"


async def test_bulk_moves_and_removals_report_each_skip(api: Api) -> None:
    acme, globex = api.tenants
    other_campaign = (await api.as_role(0, "admin", "POST", "/api/campaigns", json={"name": "other"})).json()["id"]
    target = (await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{other_campaign}/lists",
                                json={"name": "moved"})).json()["id"]
    ids = [*acme.contacts[:3], globex.contacts[0], 999_999]
    r = await api.as_role(0, "supervisor", "POST", "/api/contacts/move", json={"contact_ids": ids,
                                                                               "list_id": target})
    assert r.json() == {"done": acme.contacts[:3],
                        "skipped": {str(globex.contacts[0]): "not-found", "999999": "not-found"}}
    r = await api.as_role(0, "supervisor", "POST", "/api/contacts/remove",
                          json={"contact_ids": [acme.contacts[0], globex.contacts[1]]})
    assert r.json() == {"done": [acme.contacts[0]], "skipped": {str(globex.contacts[1]): "not-found"}}
    assert (await api.services.store.contact(globex.contacts[1])).state.value == "pending"


async def test_missed_calls_join_a_campaign(api: Api) -> None:
    acme, globex = api.tenants
    missed = (await api.as_role(0, "supervisor", "GET", "/api/missed-calls")).json()["items"]
    assert [m["id"] for m in missed] == [acme.missed_call.id]
    r = await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{acme.campaign.id}/missed-calls",
                          json={"missed_call_ids": [acme.missed_call.id, globex.missed_call.id]})
    assert r.json() == {"done": [acme.missed_call.id], "skipped": {str(globex.missed_call.id): "not-found"}}
    lists = (await api.as_role(0, "supervisor", "GET", f"/api/campaigns/{acme.campaign.id}/lists")).json()["items"]
    missed_list = next(x for x in lists if x["name"] == "Missed calls")
    assert missed_list["status"] == "active"
    contacts = (await api.as_role(0, "supervisor", "GET", f"/api/lists/{missed_list['id']}/contacts")).json()
    assert [(c["phone"], c["zone"]) for c in contacts["items"]] == [(acme.missed_call.phone, "Europe/Paris")]
    assert (await api.as_role(0, "supervisor", "GET", "/api/missed-calls")).json()["items"] == []
