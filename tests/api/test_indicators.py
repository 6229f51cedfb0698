"""Indicators by period, dimension and agent, with trend and comparison; chart series; the live
dashboard; all read from the indicator engine the engine's services feed."""

from __future__ import annotations

import trio

from tests.api.conftest import Api


async def wait_counted(api: Api) -> None:
    """Lets the metrics service take what the services sent (it runs in the same trio run)."""
    await trio.testing.wait_all_tasks_blocked()


async def test_an_agents_day_reaches_their_indicators(api: Api) -> None:
    acme = api.tenants[0]
    path = f"/api/agents/{acme.agent.id}"
    await api.as_role(0, "agent", "POST", f"{path}/login", json={})
    await trio.sleep(0.05)
    await api.as_role(0, "agent", "POST", f"{path}/pause", json={"reason": "break"})
    await wait_counted(api)
    r = (await api.as_role(0, "agent", "GET", "/api/indicators", params={"period": "day"})).json()
    figures = r["indicators"]
    assert figures["seconds_available"]["value"] > 0
    assert figures["seconds_available"]["comparison"] == "to_date" and figures["seconds_available"]["trend"] == "up"
    assert figures["occupancy"]["comparison"] == "whole"
    supervisor = (await api.as_role(0, "supervisor", "GET", "/api/indicators",
                                    params={"period": "day", "dimension": "agent", "entity_id": acme.agent.id,
                                            "names": ["seconds_available", "pause_hours"]})).json()
    assert set(supervisor["indicators"]) == {"seconds_available", "pause_hours"}
    tenant = (await api.as_role(0, "supervisor", "GET", "/api/indicators", params={"period": "month"})).json()
    assert tenant["dimension"] == "tenant" and tenant["entity_id"] == acme.tenant.id
    assert tenant["start"] <= tenant["now"] < tenant["end"]  # the month so far (ISO UTC text sorts as time)
    assert tenant["previous_end"] == tenant["start"]


async def test_series_for_a_chart(api: Api) -> None:
    r = (await api.as_role(0, "supervisor", "GET", "/api/indicators/series",
                           params={"indicator": "attempts", "period": "week"})).json()
    # one point per local day of the week so far, in order
    assert 1 <= len(r["points"]) <= 7 and all(p["value"] == 0 for p in r["points"])
    assert [p["at"] for p in r["points"]] == sorted(p["at"] for p in r["points"])
    r = (await api.as_role(0, "supervisor", "GET", "/api/indicators/series",
                           params={"indicator": "attempts", "period": "day"})).json()
    assert 1 <= len(r["points"]) <= 25
    bad = await api.as_role(0, "supervisor", "GET", "/api/indicators/series", params={"indicator": "nope"})
    assert bad.status_code == 422


async def test_live_dashboard_and_figures_by_agent(api: Api) -> None:
    acme = api.tenants[0]
    await api.as_role(0, "supervisor", "POST", f"/api/agents/{acme.agent.id}/login", json={})
    await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{acme.campaign.id}/start")
    await wait_counted(api)
    live = (await api.as_role(0, "supervisor", "GET", "/api/indicators/live")).json()
    assert live["agents_connected"] == 1 and live["agents_by_state"]["available"] == 1
    assert live["active_campaigns"] == 1 and live["shared_callbacks_pending"] == 1
    other = (await api.as_role(1, "supervisor", "GET", "/api/indicators/live")).json()
    assert other["agents_connected"] == 0 and other["active_campaigns"] == 0
    rows = (await api.as_role(0, "supervisor", "GET", "/api/indicators/agents")).json()
    assert [(row["agent_id"], row["name"]) for row in rows] == [(acme.agent.id, acme.agent.name)]
    assert "occupancy" in rows[0]["indicators"]


async def test_a_new_entity_has_figures_at_once(api: Api) -> None:
    """Entities created after the engine was sized are grown into it, with zero figures."""
    for k in range(10):
        created = (await api.as_role(0, "admin", "POST", "/api/campaigns", json={"name": f"n{k}"})).json()
    r = await api.as_role(0, "supervisor", "GET", "/api/indicators",
                          params={"dimension": "campaign", "entity_id": created["id"]})
    assert r.status_code == 200 and r.json()["indicators"]["attempts"]["value"] == 0
