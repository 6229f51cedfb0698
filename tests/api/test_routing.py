"""Roles and tenants on every operation, read from the served OpenAPI document: each operation
names the roles allowed (``x-roles``); every other role gets 403, and another tenant's things do
not exist (404)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from ccengine import domain as d
from tests.api.conftest import Api

#: Bodies that pass validation, so a request reaches the role and tenant checks behind it.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/users"): {"login": "x-user", "name": "X", "role": "agent", "password": "long enough"},
    ("POST", "/api/campaigns"): {"name": "x campaign"},
    ("POST", "/api/campaigns/{campaign_id}/lists"): {"name": "x list"},
    ("PUT", "/api/campaigns/{campaign_id}/dispositions"): [{"code": "sale", "label": "Sale", "positive": True}],
    ("POST", "/api/lists/{list_id}/recycle"): {"outcomes": ["no-answer"]},
    ("POST", "/api/contacts/{contact_id}/move"): {"list_id": 0},
    ("POST", "/api/contacts/move"): {"contact_ids": [0], "list_id": 0},
    ("POST", "/api/contacts/remove"): {"contact_ids": [0]},
    ("POST", "/api/campaigns/{campaign_id}/missed-calls"): {"missed_call_ids": [0]},
    ("POST", "/api/agents"): {"name": "x agent"},
    # keeps the agent assigned to the campaign, so the agenda stays theirs for later operations
    ("PUT", "/api/agents/{agent_id}/assignment"): lambda ids: {"campaign_ids": [ids["campaign_id"]]},
    ("POST", "/api/contacts/{contact_id}/callback"): {"due_at": "2030-01-01T09:00:00+01:00"},
    ("POST", "/api/callbacks/{callback_id}/close"): {"state": "done"},
    ("POST", "/api/do-not-call"): {"phones": ["+33600000001"]},
    ("POST", "/api/do-not-call/remove"): {"phones": ["+33600000001"]},
    ("PATCH", "/api/agents/{agent_id}/supervision"): {"mode": "whisper"},
    ("POST", "/api/agents/{agent_id}/messages"): {"text": "slow down"},
    ("POST", "/api/calls/{call_id}/disposition"): {"code": "sale"},
}
#: Logging out ends the token the table uses: tested on its own (test_users.py).
SKIPPED = {("DELETE", "/api/sessions/current")}
PUBLIC = {("POST", "/api/sessions")}


def operations(document: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    return [(method.upper(), path, op.get("x-roles")) for path, item in document["paths"].items()
            for method, op in item.items()]


async def request(api: Api, token: str, method: str, template: str, ids: dict[str, int]) -> httpx.Response:
    path = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), template)
    kwargs: dict[str, Any] = {"headers": api.auth(token)}
    if template.endswith("/imports"):
        kwargs["files"] = {"file": ("x.csv", b"phone\n+33611111111\n", "text/csv")}
    elif method in ("POST", "PUT", "PATCH"):
        body = BODIES.get((method, template), {})
        kwargs["json"] = body(ids) if callable(body) else body
    return await api.client.request(method, path, **kwargs)


async def test_every_operation_but_login_names_its_roles(api: Api) -> None:
    document = (await api.client.get("/api/openapi.json")).json()
    for method, path, roles in operations(document):
        if (method, path) in PUBLIC:
            assert roles is None
        else:
            assert roles and set(roles) <= {r.value for r in d.Role}, (method, path)


async def test_roles_are_enforced_on_every_operation(api: Api) -> None:
    document = (await api.client.get("/api/openapi.json")).json()
    acme = api.tenants[0]
    checked = 0
    for method, path, roles in operations(document):
        if (method, path) in PUBLIC | SKIPPED:
            continue
        for role in d.Role:
            r = await request(api, acme.tokens[role.value], method, path, acme.ids())
            assert r.status_code != 401, (method, path, role)
            if role.value in roles:
                assert r.status_code != 403, (method, path, role, r.text)
            else:
                assert r.status_code == 403 and r.json()["slug"] == "forbidden", (method, path, role, r.text)
            checked += 1
    assert checked > 100


async def test_another_tenants_things_do_not_exist(api: Api) -> None:
    """Every operation that names an entity, called by each allowed role of the other tenant."""
    document = (await api.client.get("/api/openapi.json")).json()
    acme, globex = api.tenants
    checked = 0
    for method, path, roles in operations(document):
        if (method, path) in PUBLIC | SKIPPED or "{" not in path or "{import_id}" in path:
            continue
        for role in roles:
            r = await request(api, globex.tokens[role], method, path, acme.ids())
            if role == "agent" and "{agent_id}" not in path and "{callback_id}" not in path:
                assert r.status_code in (403, 404), (method, path, r.text)
            else:
                assert r.status_code == 404 and r.json()["slug"] == "not-found", (method, path, role, r.text)
            checked += 1
    assert checked > 30


async def test_an_agent_reaches_only_themself(api: Api) -> None:
    acme = api.tenants[0]
    other = await api.services.store.create_agent(acme.tenant.id, "acme other")
    for path in (f"/api/agents/{other.id}", f"/api/agents/{other.id}/pause"):
        method = "GET" if path.endswith(str(other.id)) else "POST"
        r = await api.as_role(0, "agent", method, path, json={} if method == "POST" else None)
        assert r.status_code == 403, path
    r = await api.as_role(0, "agent", "GET", "/api/indicators", params={"dimension": "agent",
                                                                         "entity_id": other.id})
    assert r.status_code == 403
    mine = await api.as_role(0, "agent", "GET", "/api/indicators")
    assert mine.json()["dimension"] == "agent" and mine.json()["entity_id"] == acme.agent.id


async def test_lists_show_only_the_callers_tenant(api: Api) -> None:
    acme, globex = api.tenants
    for path, key, own in (("/api/campaigns", "id", globex.campaign.id), ("/api/agents", "id", globex.agent.id),
                           ("/api/missed-calls", "id", globex.missed_call.id)):
        r = await api.as_role(1, "supervisor", "GET", path)
        assert [item[key] for item in r.json()["items"]] == [own], path
    r = await api.as_role(1, "supervisor", "GET", f"/api/campaigns/{globex.campaign.id}/callbacks")
    assert [c["id"] for c in r.json()["items"]] == [globex.callback.id]
    assert acme.callback.id != globex.callback.id
