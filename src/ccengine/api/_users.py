"""Sessions (log in, log out, who am I) and users (admin only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import argon2
from fastapi import APIRouter, Query, Request, Response

from ccengine import domain as d
from ccengine.api._auth import (
    ADMINS,
    ALL_ROLES,
    CallerDep,
    client_address,
    hash_password,
    new_token,
    same_tenant,
    verify_password,
)
from ccengine.api._models import After, Body, Bool, Key, Limit, Page, Str, page
from ccengine.api._problems import Problem
from ccengine.api._ratelimit import LoginLimiter
from ccengine.api._routing import operation
from ccengine.api._services import ServicesDep
from ccengine.store import Store

router = APIRouter(prefix="/api", tags=["users and sessions"])


class Credentials(Body):
    login: Str
    password: Str


class UserOut(Body):
    id: int
    tenant_id: int
    login: str
    name: str
    role: d.Role
    active: bool
    agent_id: int | None = None


class SessionOut(Body):
    token: str
    """Send as ``Authorization: Bearer <token>``."""
    expires_at: dt.datetime
    user: UserOut


def user_out(user: d.User, agent_id: int | None = None) -> UserOut:
    return UserOut(id=user.id, tenant_id=user.tenant_id, login=user.login, name=user.name, role=user.role,
                   active=user.active, agent_id=agent_id)


@router.post("/sessions", status_code=201, summary="Log in", response_model=SessionOut)
async def log_in(body: Credentials, request: Request, services: ServicesDep) -> SessionOut:
    """Exchanges a login and password for a bearer token. Failed attempts are limited per account
    and per address: past the limit the answer is 429 with ``Retry-After``."""
    limiter: LoginLimiter = request.app.state.login_limiter
    address = client_address(request)
    wait = limiter.retry_after(body.login, address)
    if wait is not None:
        raise Problem(429, "rate-limited", f"too many failed logins: try again in {wait} s",
                      headers={"Retry-After": str(wait)})
    found = await services.store.credentials(body.login)
    stored = found[1] if found else None
    good = await verify_password(services.settings.passwords, stored, body.password)
    if not good or found is None or not found[0].active:
        limiter.failed(body.login, address)
        raise Problem(401, "bad-credentials", "unknown login or wrong password",
                      headers={"WWW-Authenticate": "Bearer"})
    limiter.succeeded(body.login)
    user = found[0]
    token, hashed = new_token()
    now = d.now_us()
    await services.store.purge_sessions(now)  # expired ones are refused anyway: forget them
    expires = now + int(services.settings.session_ttl_s * d.SECOND)
    await services.store.open_session(hashed, user.id, expires_at=expires, address=address)
    agent_id = await services.store.agent_of_user(user.id)
    return SessionOut(token=token, expires_at=d.to_datetime(expires), user=user_out(user, agent_id))


@operation(router, "DELETE", "/sessions/current", roles=ALL_ROLES, status_code=204, summary="Log out")
async def log_out(caller: CallerDep, services: ServicesDep) -> Response:
    await services.store.close_session(caller.token_hash)
    return Response(status_code=204)


@operation(router, "GET", "/me", roles=ALL_ROLES, summary="Who am I", response_model=UserOut)
async def me(caller: CallerDep) -> UserOut:
    return user_out(caller.user, caller.agent_id)


class UserIn(Body):
    login: Str
    name: Str
    role: d.Role
    password: Str


class UserEdit(Body):
    name: Str | None = None
    role: d.Role | None = None
    active: Bool | None = None
    password: Str | None = None


@operation(router, "GET", "/users", roles=ADMINS, summary="List users", response_model=Page[UserOut])
async def list_users(caller: CallerDep, services: ServicesDep, role: Annotated[d.Role | None, Query()] = None,
                     active: Annotated[bool | None, Query()] = None, after: After = 0,
                     limit: Limit = 100) -> Page[UserOut]:
    users = [u for u in await services.store.users(caller.tenant_id)
             if (role is None or u.role is role) and (active is None or u.active == active)]
    return page([user_out(u) for u in users], [u.id for u in users], after, limit)


@operation(router, "POST", "/users", roles=ADMINS, status_code=201, summary="Create a user",
           response_model=UserOut)
async def create_user(body: UserIn, caller: CallerDep, services: ServicesDep) -> UserOut:
    user = await add_user(services.store, caller.tenant_id, body.login, body.name, body.role, body.password,
                          hasher=services.settings.passwords)
    return user_out(user)


async def add_user(store: Store, tenant_id: int, login: str, name: str, role: d.Role, password: str, *,
                   hasher: argon2.PasswordHasher | None = None) -> d.User:
    """Creates a user who logs in with ``password`` (how the first admin of a tenant is made)."""
    _check_password(password)
    hashed = await hash_password(hasher or argon2.PasswordHasher(), password)
    return await store.create_user(tenant_id, login, name, role, hashed)


@operation(router, "GET", "/users/{user_id}", roles=ADMINS, summary="A user", response_model=UserOut)
async def get_user(user_id: Key, caller: CallerDep, services: ServicesDep) -> UserOut:
    user = await services.store.user(user_id)
    same_tenant(caller, user.tenant_id, "user", user_id)
    return user_out(user, await services.store.agent_of_user(user_id))


@operation(router, "PATCH", "/users/{user_id}", roles=ADMINS, summary="Edit a user", response_model=UserOut)
async def edit_user(user_id: Key, body: UserEdit, caller: CallerDep, services: ServicesDep) -> UserOut:
    """Deactivating a user, or changing their role or password, ends their sessions."""
    user = await services.store.user(user_id)
    same_tenant(caller, user.tenant_id, "user", user_id)
    changes: dict[str, object] = body.model_dump(exclude_unset=True, exclude={"password"})
    if None in changes.values():
        raise Problem(422, "invalid-request", "name, role and active cannot be null")
    if body.password is not None:
        _check_password(body.password)
        changes["password_hash"] = await hash_password(services.settings.passwords, body.password)
    edited = await services.store.edit_user(user_id, **changes)
    return user_out(edited, await services.store.agent_of_user(user_id))


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise Problem(422, "weak-password", "a password has at least 8 characters")

