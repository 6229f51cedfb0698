"""Campaigns through the API: create, edit, the run actions, performance, dispositions, calls."""

from __future__ import annotations

from ccengine import domain as d
from ccengine.store import CallEnd
from tests.api.conftest import Api


async def test_create_edit_and_run_a_campaign(api: Api) -> None:
    r = await api.as_role(0, "admin", "POST", "/api/campaigns", json={
        "name": "winter", "dial_mode": "power", "power_ratio": 2, "retry_delays": {"busy": 600},
        "schedule": {"tz": "Europe/Paris", "windows": [{"weekday": 0, "start": "09:00", "end": "18:00"}]}})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["state"] == "stopped" and created["power_ratio"] == 2.0
    assert created["schedule"]["windows"] == [{"weekday": 0, "start": "09:00", "end": "18:00"}]
    campaign_id = created["id"]
    r = await api.as_role(0, "admin", "PATCH", f"/api/campaigns/{campaign_id}", json={"max_attempts": 3})
    assert r.json()["max_attempts"] == 3 and r.json()["dial_mode"] == "power"
    states = []
    for action in ("start", "pause", "resume", "stop"):
        r = await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{campaign_id}/{action}")
        assert r.status_code == 200, r.text
        states.append(r.json()["state"])
    assert states == ["active", "paused", "active", "stopped"]
    stored = await api.services.store.campaign(campaign_id)
    assert stored.run_state is d.RunState.STOPPED and stored.max_attempts == 3


async def test_campaigns_are_paged_and_filtered(api: Api) -> None:
    for k in range(5):
        await api.as_role(0, "admin", "POST", "/api/campaigns", json={"name": f"c{k}"})
    seen, after = [], 0
    while True:
        r = (await api.as_role(0, "admin", "GET", "/api/campaigns", params={"limit": 2, "after": after})).json()
        seen += [c["name"] for c in r["items"]]
        if r["next_after"] is None:
            break
        after = r["next_after"]
    assert seen == ["acme sales", "c0", "c1", "c2", "c3", "c4"]
    await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{api.tenants[0].campaign.id}/start")
    active = (await api.as_role(0, "admin", "GET", "/api/campaigns", params={"state": "active"})).json()
    assert [c["name"] for c in active["items"]] == ["acme sales"]


async def test_performance_reads_the_indicator_engine(api: Api) -> None:
    acme = api.tenants[0]
    await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{acme.campaign.id}/start")
    r = await api.as_role(0, "supervisor", "GET", f"/api/campaigns/{acme.campaign.id}/performance",
                          params={"period": "day"})
    body = r.json()
    assert body["campaign"]["state"] == "active"
    assert body["lists"][0]["contacts_by_state"]["pending"] == 4  # one of five waits for its callback
    assert body["indicators"]["dimension"] == "campaign"
    assert set(body["indicators"]["indicators"]["attempts"]) == {"value", "previous", "trend", "comparison"}


async def test_dispositions_are_replaced_whole(api: Api) -> None:
    acme = api.tenants[0]
    new = [{"code": "rdv", "label": "Rendez-vous", "positive": True, "argued": True, "final": True,
            "callback": False}]
    r = await api.as_role(0, "admin", "PUT", f"/api/campaigns/{acme.campaign.id}/dispositions", json=new)
    assert r.json() == new
    r = await api.as_role(0, "supervisor", "GET", f"/api/campaigns/{acme.campaign.id}/dispositions")
    assert r.json() == new
    dup = await api.as_role(0, "admin", "PUT", f"/api/campaigns/{acme.campaign.id}/dispositions", json=new * 2)
    assert dup.status_code == 422 and dup.json()["slug"] == "invalid-campaign"


async def test_call_records_are_paged(api: Api) -> None:
    acme = api.tenants[0]
    store = api.services.store
    claims = await store.claim_contacts(acme.campaign.id, 3, d.now_us(), "test")
    await store.end_calls([CallEnd(c.call_id, d.Outcome.NO_ANSWER, d.now_us()) for c in claims])
    first = (await api.as_role(0, "supervisor", "GET", f"/api/campaigns/{acme.campaign.id}/calls",
                               params={"limit": 2})).json()
    assert len(first["items"]) == 2 and first["next_after"] == first["items"][-1]["id"]
    rest = (await api.as_role(0, "supervisor", "GET", f"/api/campaigns/{acme.campaign.id}/calls",
                              params={"limit": 2, "after": first["next_after"]})).json()
    assert len(rest["items"]) == 1 and rest["next_after"] is None
    assert rest["items"][0]["outcome"] == "no-answer"
