"""Who uses the center: tenants, teams, users and their roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    """What a user may do. Supervision (listen, whisper, barge …) needs supervisor or admin
    (seed 001); agents see their own desk only."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"

    def may_supervise(self) -> bool:
        return self is not Role.AGENT


@dataclass(frozen=True, slots=True, kw_only=True)
class Tenant:
    id: int
    name: str
    tz: str = "UTC"
    """The center's home zone: its days, weeks and months (docs/metrics.md)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Team:
    id: int
    tenant_id: int
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    id: int
    tenant_id: int
    login: str
    name: str
    role: Role
    active: bool = True
