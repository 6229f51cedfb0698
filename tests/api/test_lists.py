"""Contact lists: actions, recycling, settings, contacts by page, and CSV upload with its
line-by-line report."""

from __future__ import annotations

from ccengine import domain as d
from ccengine.store import CallEnd
from tests.api.conftest import Api


async def test_activate_deactivate_finish(api: Api) -> None:
    acme = api.tenants[0]
    r = await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{acme.campaign.id}/lists",
                          json={"name": "extra", "priority": 3})
    list_id = r.json()["id"]
    assert r.json()["status"] == "paused"
    statuses = [(await api.as_role(0, "supervisor", "POST", f"/api/lists/{list_id}/{action}")).json()["status"]
                for action in ("activate", "deactivate", "finish", "activate")]
    assert statuses == ["active", "paused", "finished", "active"]
    r = await api.as_role(0, "supervisor", "PATCH", f"/api/lists/{list_id}", json={"priority": 9})
    assert r.json()["priority"] == 9 and r.json()["name"] == "extra"
    r = await api.as_role(0, "supervisor", "GET", f"/api/campaigns/{acme.campaign.id}/lists",
                          params={"status": "active"})
    assert {x["name"] for x in r.json()["items"]} == {"main", "extra"}


async def test_recycle_by_chosen_outcomes(api: Api) -> None:
    acme = api.tenants[0]
    store = api.services.store
    await store.edit_campaign(acme.campaign.id, max_attempts=1)
    claims = await store.claim_contacts(acme.campaign.id, 2, d.now_us(), "test")
    await store.end_calls([CallEnd(claims[0].call_id, d.Outcome.BUSY, d.now_us()),
                           CallEnd(claims[1].call_id, d.Outcome.NO_ANSWER, d.now_us())])
    r = await api.as_role(0, "supervisor", "POST", f"/api/lists/{acme.contact_list.id}/recycle",
                          json={"outcomes": ["busy"]})
    assert r.json() == {"recycled": 1}
    bad = await api.as_role(0, "supervisor", "POST", f"/api/lists/{acme.contact_list.id}/recycle",
                            json={"outcomes": ["human"]})
    assert bad.status_code == 422


async def test_contacts_are_paged_and_filtered_by_state(api: Api) -> None:
    acme = api.tenants[0]
    r = await api.as_role(0, "supervisor", "GET", f"/api/lists/{acme.contact_list.id}/contacts",
                          params={"limit": 3, "state": "pending"})
    body = r.json()
    assert len(body["items"]) == 3 and body["next_after"] is not None
    more = (await api.as_role(0, "supervisor", "GET", f"/api/lists/{acme.contact_list.id}/contacts",
                              params={"limit": 3, "state": "pending", "after": body["next_after"]})).json()
    assert len(more["items"]) == 1 and more["next_after"] is None
    callbacks = (await api.as_role(0, "supervisor", "GET", f"/api/lists/{acme.contact_list.id}/contacts",
                                   params={"state": "callback"})).json()
    assert [c["id"] for c in callbacks["items"]] == [acme.callback.contact_id]


async def test_csv_upload_reports_bad_rows_and_lands_good_ones(api: Api) -> None:
    acme = api.tenants[0]
    csv = ("nom;telephone;ville\n"
           "Alice;06.12.34.56.78;Paris\n"
           "Bob;not a number;Lyon\n"
           "Carole;+33-6-98-76-54-32;Nantes\n"
           "Dup;0612345678;Paris\n"
           "Eve;;Lille\n")
    r = await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{acme.campaign.id}/imports",
                          files={"file": ("prospects.csv", csv.encode(), "text/csv")},
                          data={"list_name": "prospects", "country": "FR"})
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["accepted"] == 2 and report["rejected"] == 3
    assert report["delimiter"] == ";" and report["phone_column"] == "telephone"
    assert [x["line"] for x in report["rejections"]] == [3, 5, 6]
    assert report["rejected_by_reason"]["duplicate-in-file"] == 1
    pages = (await api.as_role(0, "supervisor", "GET", f"/api/imports/{report['import_id']}/rejections",
                               params={"limit": 2})).json()
    assert [x["line"] for x in pages["items"]] == [3, 5] and pages["next_after"] == 5
    contacts = (await api.as_role(0, "supervisor", "GET", f"/api/lists/{report['list_id']}/contacts")).json()
    assert [(c["phone"], c["fields"]["ville"], c["source_line"]) for c in contacts["items"]] == [
        ("+33612345678", "Paris", 2), ("+33698765432", "Nantes", 4)]
    listed = (await api.as_role(0, "supervisor", "GET", f"/api/lists/{report['list_id']}")).json()
    assert listed["status"] == "active" and listed["contacts_by_state"]["pending"] == 2


async def test_an_unreadable_file_is_refused_whole(api: Api) -> None:
    acme = api.tenants[0]
    r = await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{acme.campaign.id}/imports",
                          files={"file": ("empty.csv", b"", "text/csv")})
    assert r.status_code == 422 and r.json()["slug"] == "file-empty"
    r = await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{acme.campaign.id}/imports",
                          data={"list_name": "x"})
    assert r.status_code == 422 and r.json()["slug"] == "invalid-request"
