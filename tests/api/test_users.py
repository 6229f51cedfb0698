"""Logging in and out, token expiry, the login rate limits, and users managed by an admin."""

from __future__ import annotations

import dataclasses

import trio

from ccengine.api import add_user
from ccengine.domain import Role
from tests.api.conftest import PASSWORD, Api


async def test_login_gives_a_token_that_names_the_user(api: Api) -> None:
    acme = api.tenants[0]
    r = await api.client.post("/api/sessions", json={"login": "acme-agent", "password": PASSWORD})
    assert r.status_code == 201
    body = r.json()
    assert body["user"]["role"] == "agent" and body["user"]["agent_id"] == acme.agent.id
    me = await api.client.get("/api/me", headers=api.auth(body["token"]))
    assert me.json()["login"] == "acme-agent"


async def test_wrong_password_and_unknown_login_answer_alike(api: Api) -> None:
    wrong = await api.client.post("/api/sessions", json={"login": "acme-admin", "password": "nope-nope"})
    unknown = await api.client.post("/api/sessions", json={"login": "nobody", "password": "nope-nope"})
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["slug"] == "bad-credentials"


async def test_no_token_or_a_bad_one_is_401(api: Api) -> None:
    assert (await api.client.get("/api/me")).json()["slug"] == "unauthenticated"
    r = await api.client.get("/api/me", headers=api.auth("made-up"))
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")


async def test_logout_ends_the_token(api: Api) -> None:
    token = api.tenants[0].tokens["supervisor"]
    assert (await api.client.delete("/api/sessions/current", headers=api.auth(token))).status_code == 204
    assert (await api.client.get("/api/me", headers=api.auth(token))).status_code == 401


async def test_a_token_expires(api: Api) -> None:
    api.services.settings = dataclasses.replace(api.services.settings, session_ttl_s=0.2)
    r = await api.client.post("/api/sessions", json={"login": "acme-admin", "password": PASSWORD})
    token = r.json()["token"]
    assert (await api.client.get("/api/me", headers=api.auth(token))).status_code == 200
    await trio.sleep(0.3)
    assert (await api.client.get("/api/me", headers=api.auth(token))).status_code == 401


async def test_failed_logins_are_limited_per_account(api: Api) -> None:
    for _ in range(3):  # the fixture allows 3 failures per account a minute
        r = await api.client.post("/api/sessions", json={"login": "acme-admin", "password": "guess-guess"})
        assert r.status_code == 401
    r = await api.client.post("/api/sessions", json={"login": "acme-admin", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["slug"] == "rate-limited"
    assert 1 <= int(r.headers["retry-after"]) <= 60
    # another account from the same address is still let in (3 failures < 6 per address)
    assert (await api.client.post("/api/sessions", json={"login": "acme-supervisor",
                                                          "password": PASSWORD})).status_code == 201


async def test_failed_logins_are_limited_per_address(api: Api) -> None:
    for k in range(6):
        await api.client.post("/api/sessions", json={"login": f"someone-{k}", "password": "guess-guess"})
    r = await api.client.post("/api/sessions", json={"login": "globex-admin", "password": PASSWORD})
    assert r.status_code == 429 and "retry-after" in r.headers


async def test_admin_creates_edits_and_deactivates_users(api: Api) -> None:
    r = await api.as_role(0, "admin", "POST", "/api/users",
                          json={"login": "new-sup", "name": "New", "role": "supervisor", "password": "long enough"})
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    login = await api.client.post("/api/sessions", json={"login": "new-sup", "password": "long enough"})
    token = login.json()["token"]
    r = await api.as_role(0, "admin", "PATCH", f"/api/users/{user_id}", json={"active": False})
    assert r.json()["active"] is False
    assert (await api.client.get("/api/me", headers=api.auth(token))).status_code == 401  # sessions ended
    again = await api.client.post("/api/sessions", json={"login": "new-sup", "password": "long enough"})
    assert again.status_code == 401


async def test_users_are_listed_by_tenant_and_role(api: Api) -> None:
    r = await api.as_role(1, "admin", "GET", "/api/users", params={"role": "agent"})
    logins = [u["login"] for u in r.json()["items"]]
    assert logins == ["globex-agent"]
    r = await api.as_role(1, "admin", "GET", f"/api/users/{api.tenants[0].users['admin'].id}")
    assert r.status_code == 404


async def test_password_hashes_are_argon2(api: Api) -> None:
    found = await api.services.store.credentials("acme-admin")
    assert found is not None and found[1] is not None and found[1].startswith("$argon2id$")
    r = await api.as_role(0, "admin", "POST", "/api/users",
                          json={"login": "short", "name": "S", "role": "agent", "password": "short"})
    assert r.status_code == 422 and r.json()["slug"] == "weak-password"
    assert (await api.services.store.credentials("short")) is None


async def test_agent_activity_is_kept_per_agent(api: Api) -> None:
    """Seed 000: the agent's login address and last activity."""
    acme = api.tenants[0]
    token = acme.tokens["agent"]
    r = await api.client.post(f"/api/agents/{acme.agent.id}/login", json={}, headers=api.auth(token))
    assert r.status_code == 200, r.text
    details = (await api.as_role(0, "supervisor", "GET", f"/api/agents/{acme.agent.id}")).json()
    assert details["status"]["state"] == "available"
    assert details["status"]["login_address"] == "127.0.0.1"
    assert details["status"]["campaign_ids"] == [acme.campaign.id]
    api.services.settings = dataclasses.replace(api.services.settings, touch_every_s=0)
    await api.client.get("/api/me", headers=api.auth(token))
    status = await api.services.store.agent_status(acme.agent.id)
    assert status.last_seen_at is not None and status.last_seen_at >= status.login_at  # type: ignore[operator]


async def test_the_first_admin_of_a_tenant(api: Api) -> None:
    tenant = await api.services.store.create_tenant("initech", "Europe/Paris")
    await add_user(api.services.store, tenant.id, "initech-admin", "Bill", Role.ADMIN, "first password",
                   hasher=api.services.settings.passwords)
    r = await api.client.post("/api/sessions", json={"login": "initech-admin", "password": "first password"})
    assert r.status_code == 201 and r.json()["user"]["tenant_id"] == tenant.id
