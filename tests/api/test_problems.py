"""Every error is an RFC 9457 problem body with our slug: unknown routes, wrong methods, bad
fields (strict types), refused transitions, missing entities."""

from __future__ import annotations

import httpx

from tests.api.conftest import Api

PROBLEM = "application/problem+json"


def assert_problem(r: httpx.Response, status: int, slug: str) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status and body["slug"] == slug
    assert body["type"] == f"urn:ccengine:problem:{slug}"
    assert body["title"] and body["detail"] and body["instance"] == r.request.url.path
    return body  # type: ignore[no-any-return]


async def test_unknown_path_and_method(api: Api) -> None:
    assert_problem(await api.client.get("/api/nowhere"), 404, "not-found")
    assert_problem(await api.as_role(0, "admin", "DELETE", "/api/campaigns"), 405, "method-not-allowed")


async def test_missing_entity(api: Api) -> None:
    body = assert_problem(await api.as_role(0, "admin", "GET", "/api/campaigns/999"), 404, "not-found")
    assert "999" in str(body["detail"])


async def test_false_is_not_zero_and_text_is_not_a_number(api: Api) -> None:
    r = await api.as_role(0, "admin", "POST", "/api/campaigns", json={"name": "strict", "max_attempts": False})
    body = assert_problem(r, 422, "invalid-request")
    assert body["errors"] == [{"location": ["body", "max_attempts"], "message": "Input should be a valid integer",
                               "type": "int_type"}]
    r = await api.as_role(0, "admin", "POST", "/api/campaigns", json={"name": "strict", "abandon_cap": "0.03"})
    assert_problem(r, 422, "invalid-request")
    r = await api.as_role(0, "admin", "POST", "/api/campaigns", json={"name": "strict", "abandon_cap": 0.05})
    assert r.status_code == 201 and r.json()["abandon_cap"] == 0.05


async def test_unknown_fields_and_bad_json(api: Api) -> None:
    r = await api.as_role(0, "admin", "POST", "/api/campaigns", json={"name": "x", "colour": "red"})
    assert_problem(r, 422, "invalid-request")
    r = await api.as_role(0, "admin", "POST", "/api/campaigns", content=b"{not json",
                          headers={"content-type": "application/json"})
    assert_problem(r, 422, "invalid-request")


async def test_bad_query_parameters(api: Api) -> None:
    r = await api.as_role(0, "admin", "GET", "/api/campaigns", params={"limit": 0})
    assert_problem(r, 422, "invalid-request")
    r = await api.as_role(0, "admin", "GET", "/api/indicators", params={"period": "year"})
    assert_problem(r, 422, "invalid-request")


async def test_domain_refusals_keep_their_slug(api: Api) -> None:
    acme = api.tenants[0]
    r = await api.as_role(0, "supervisor", "POST", f"/api/campaigns/{acme.campaign.id}/resume")
    assert_problem(r, 409, "invalid-transition")
    r = await api.as_role(0, "admin", "POST", "/api/campaigns", json={"name": "acme sales"})
    assert_problem(r, 409, "duplicate-name")
    r = await api.as_role(0, "admin", "POST", "/api/campaigns", json={"name": "capped", "abandon_cap": 1.5})
    assert_problem(r, 422, "invalid-campaign")
    r = await api.as_role(0, "admin", "PATCH", f"/api/campaigns/{acme.campaign.id}",
                          json={"schedule": {"tz": "Mars/Olympus", "windows": []}})
    assert_problem(r, 422, "unknown-time-zone")
    r = await api.as_role(0, "supervisor", "POST", f"/api/agents/{acme.agent.id}/resume")
    assert_problem(r, 409, "invalid-transition")
