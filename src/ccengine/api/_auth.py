"""Who is calling: bearer tokens, argon2 passwords, and the role every operation requires.

Tokens are opaque (256 random bits, URL-safe text); the store keeps only their SHA-256. Password
hashing runs on a worker thread: argon2 is slow on purpose and must not hold up the trio loop.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import argon2
import trio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ccengine import domain as d
from ccengine.api._problems import Problem
from ccengine.api._services import ServicesDep
from ccengine.errors import NotFound

Role = d.Role
ALL_ROLES = frozenset(Role)
MANAGERS = frozenset({Role.ADMIN, Role.SUPERVISOR})
ADMINS = frozenset({Role.ADMIN})

_bearer = HTTPBearer(auto_error=False, description="a token from POST /api/sessions")


@dataclass(frozen=True, slots=True)
class Caller:
    user: d.User
    agent_id: int | None
    """The agent profile the user works as, if any."""
    token_hash: bytes

    @property
    def tenant_id(self) -> int:
        return self.user.tenant_id

    @property
    def role(self) -> d.Role:
        return self.user.role


def new_token() -> tuple[str, bytes]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def hash_password(hasher: argon2.PasswordHasher, password: str) -> str:
    return await trio.to_thread.run_sync(hasher.hash, password)


async def verify_password(hasher: argon2.PasswordHasher, stored: str | None, password: str) -> bool:
    """Whether ``password`` matches; a user without a password (or unknown: ``stored`` None) is
    checked against a dummy hash so both take the same time."""
    def check() -> bool:
        try:
            return hasher.verify(stored or _dummy(hasher), password) and stored is not None
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    return await trio.to_thread.run_sync(check)


_dummies: dict[tuple[int, int, int], str] = {}


def _dummy(hasher: argon2.PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _dummies:
        _dummies[key] = hasher.hash(secrets.token_hex(16))
    return _dummies[key]


async def caller_of_token(services: ServicesDep, token: str) -> Caller:
    """The caller a token names; Problem 401 when it is unknown or expired."""
    hashed = token_hash(token)
    now = d.now_us()
    info = await services.store.session(hashed, now)
    if info is None:
        raise Problem(401, "unauthenticated", "unknown or expired token: log in again (POST /api/sessions)",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if now - info.last_used_at >= services.settings.touch_every_s * d.SECOND:
        await services.store.touch_session(hashed, now, info.agent_id)
    return Caller(info.user, info.agent_id, hashed)


async def _authenticated(services: ServicesDep,
                         credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "unauthenticated", "this needs a bearer token: log in with POST /api/sessions",
                      headers={"WWW-Authenticate": "Bearer"})
    return await caller_of_token(services, credentials.credentials)


CallerDep = Annotated[Caller, Depends(_authenticated)]


def require(roles: Iterable[d.Role]) -> Callable[[Caller], Coroutine[Any, Any, Caller]]:
    allowed = frozenset(roles)

    async def check(caller: CallerDep) -> Caller:
        if caller.role not in allowed:
            needs = " or ".join(sorted(allowed))
            raise Problem(403, "forbidden", f"role {caller.role} may not do this (it needs {needs})")
        return caller

    return check


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def same_tenant(caller: Caller, tenant_id: int, what: str, key: object) -> None:
    """Another tenant's things do not exist for the caller (404, never 403: not even their ids leak)."""
    if tenant_id != caller.tenant_id:
        raise NotFound(what, key)
