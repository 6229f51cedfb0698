"""Tenants, teams, users and agent profiles."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from ccengine import domain as d
from ccengine.errors import Conflict, NotFound
from ccengine.store import _codec
from ccengine.store._tx import read, write


@write
def create_tenant(db: sqlite3.Connection, name: str, tz: str) -> d.Tenant:
    try:
        cur = db.execute("INSERT INTO tenant (name, tz) VALUES (?, ?)", (name, tz))
    except sqlite3.IntegrityError:
        raise Conflict(f"a tenant named {name!r} exists", "duplicate-name") from None
    return d.Tenant(id=_id(cur), name=name, tz=tz)


#: Tables whose ids are an indicator dimension's entities.
_DIMENSION_TABLES = {"tenant": "tenant", "team": "team", "agent": "agent", "campaign": "campaign",
                     "list": "contact_list"}


@read
def id_space(db: sqlite3.Connection) -> dict[str, int]:
    """One past the highest id of each indicator dimension kept in the store: the size the
    indicator engine needs to count every entity that exists."""
    return {dim: db.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
            for dim, table in _DIMENSION_TABLES.items()}


@read
def tenant(db: sqlite3.Connection, key: int | str) -> d.Tenant:
    column = "id" if isinstance(key, int) else "name"
    row = db.execute(f"SELECT * FROM tenant WHERE {column} = ?", (key,)).fetchone()
    if row is None:
        raise NotFound("tenant", key)
    return d.Tenant(id=row["id"], name=row["name"], tz=row["tz"])


@write
def create_team(db: sqlite3.Connection, tenant_id: int, name: str) -> d.Team:
    try:
        cur = db.execute("INSERT INTO team (tenant_id, name) VALUES (?, ?)", (tenant_id, name))
    except sqlite3.IntegrityError:
        raise Conflict(f"a team named {name!r} exists", "duplicate-name") from None
    return d.Team(id=_id(cur), tenant_id=tenant_id, name=name)


@write
def create_user(db: sqlite3.Connection, tenant_id: int, login: str, name: str, role: d.Role,
                password_hash: str | None) -> d.User:
    try:
        cur = db.execute(
            "INSERT INTO user (tenant_id, login, name, role, password_hash) VALUES (?, ?, ?, ?, ?)",
            (tenant_id, login, name, d.Role(role).value, password_hash),
        )
    except sqlite3.IntegrityError:
        raise Conflict(f"a user with login {login!r} exists", "duplicate-name") from None
    return d.User(id=_id(cur), tenant_id=tenant_id, login=login, name=name, role=d.Role(role))


@write
def create_agent(db: sqlite3.Connection, tenant_id: int, name: str, *, user_id: int | None, extension: str,
                 skills: Iterable[str], team_ids: Iterable[int], campaign_ids: Iterable[int],
                 queue_ids: Iterable[int], now: int) -> d.Agent:
    try:
        cur = db.execute(
            "INSERT INTO agent (tenant_id, name, user_id, extension, skills) VALUES (?, ?, ?, ?, ?)",
            (tenant_id, name, user_id, extension, json.dumps(sorted(skills))),
        )
    except sqlite3.IntegrityError:
        raise Conflict(f"an agent named {name!r} exists", "duplicate-name") from None
    agent_id = _id(cur)
    db.execute("INSERT INTO agent_status (agent_id, state, since) VALUES (?, 'logged-out', ?)", (agent_id, now))
    _assign(db, agent_id, team_ids, campaign_ids, queue_ids)
    return agent(db, agent_id)


@write
def assign_agent(db: sqlite3.Connection, agent_id: int, *, team_ids: Iterable[int], campaign_ids: Iterable[int],
                 queue_ids: Iterable[int]) -> d.Agent:
    """Replaces an agent's teams and campaign and queue assignments (the assignment card)."""
    agent(db, agent_id)
    db.execute("DELETE FROM agent_team WHERE agent_id = ?", (agent_id,))
    db.execute("DELETE FROM agent_assignment WHERE agent_id = ?", (agent_id,))
    _assign(db, agent_id, team_ids, campaign_ids, queue_ids)
    return agent(db, agent_id)


def _assign(db: sqlite3.Connection, agent_id: int, team_ids: Iterable[int], campaign_ids: Iterable[int],
            queue_ids: Iterable[int]) -> None:
    db.executemany("INSERT INTO agent_team VALUES (?, ?)", [(agent_id, t) for t in set(team_ids)])
    db.executemany("INSERT INTO agent_assignment VALUES (?, 'campaign', ?)", [(agent_id, c) for c in set(campaign_ids)])
    db.executemany("INSERT INTO agent_assignment VALUES (?, 'queue', ?)", [(agent_id, q) for q in set(queue_ids)])


@read
def agent(db: sqlite3.Connection, agent_id: int) -> d.Agent:
    row = db.execute("SELECT * FROM agent WHERE id = ?", (agent_id,)).fetchone()
    if row is None:
        raise NotFound("agent", agent_id)
    teams = [r[0] for r in db.execute("SELECT team_id FROM agent_team WHERE agent_id = ?", (agent_id,))]
    targets: dict[str, list[int]] = {"campaign": [], "queue": []}
    for kind, target in db.execute("SELECT kind, target_id FROM agent_assignment WHERE agent_id = ?", (agent_id,)):
        targets[kind].append(target)
    return _codec.agent(row, teams, targets["campaign"], targets["queue"])


@read
def agents(db: sqlite3.Connection, tenant_id: int | None = None) -> list[d.Agent]:
    """Every agent (of a tenant), in three queries whatever their number (the API lists them)."""
    where, args = ("WHERE tenant_id = ?", (tenant_id,)) if tenant_id is not None else ("", ())
    rows = db.execute(f"SELECT * FROM agent {where} ORDER BY id", args).fetchall()
    teams: dict[int, list[int]] = {r["id"]: [] for r in rows}
    targets: dict[tuple[int, str], list[int]] = {}
    ids = f"(SELECT id FROM agent {where})"
    for agent_id, team_id in db.execute(f"SELECT agent_id, team_id FROM agent_team WHERE agent_id IN {ids}", args):
        teams[agent_id].append(team_id)
    for agent_id, kind, target in db.execute(
            f"SELECT agent_id, kind, target_id FROM agent_assignment WHERE agent_id IN {ids}", args):
        targets.setdefault((agent_id, kind), []).append(target)
    return [_codec.agent(r, teams[r["id"]], targets.get((r["id"], "campaign"), []), targets.get((r["id"], "queue"), []))
            for r in rows]


def _id(cursor: sqlite3.Cursor) -> int:
    assert cursor.lastrowid is not None
    return cursor.lastrowid
