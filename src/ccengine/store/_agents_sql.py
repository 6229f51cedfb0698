"""Agent status and activity: each transition is stored with the line of history it adds."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ccengine import domain as d
from ccengine.errors import NotFound
from ccengine.store import _codec
from ccengine.store import _tenancy_sql as tenancy
from ccengine.store._tx import read, write

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Activity:
    """One line of an agent's history (seed 000: "dernières activités")."""

    agent_id: int
    at: int
    action: str
    from_state: d.AgentState
    to_state: d.AgentState
    by_user: int | None = None
    """Who did it, when not the agent (a supervisor; None: the agent or the engine)."""
    detail: str = ""


@read
def agent_status(db: sqlite3.Connection, agent_id: int) -> d.AgentStatus:
    row = db.execute("SELECT * FROM agent_status WHERE agent_id = ?", (agent_id,)).fetchone()
    if row is None:
        raise NotFound("agent", agent_id)
    return _codec.agent_status(row)


@read
def agent_statuses(db: sqlite3.Connection, tenant_id: int | None = None) -> list[d.AgentStatus]:
    if tenant_id is None:
        rows = db.execute("SELECT * FROM agent_status ORDER BY agent_id")
    else:
        rows = db.execute("SELECT s.* FROM agent_status s JOIN agent a ON a.id = s.agent_id WHERE a.tenant_id = ? "
                          "ORDER BY s.agent_id", (tenant_id,))
    return [_codec.agent_status(r) for r in rows]


@write
def save_transitions(db: sqlite3.Connection, changes: Sequence[tuple[d.AgentStatus, Activity]]) -> None:
    """Stores new statuses with their history lines, all or none."""
    for status, activity in changes:
        cur = db.execute(
            "UPDATE agent_status SET state = ?, since = ?, pause_reason = ?, pause_pending = ?, campaigns = ?, "
            "queues = ?, call_id = ?, login_address = ?, login_at = ?, last_seen_at = ?, day = ?, production_s = ?, "
            "pause_s = ? WHERE agent_id = ?",
            (status.state.value, status.since, status.pause_reason, status.pause_pending,
             json.dumps(sorted(status.campaign_ids)), json.dumps(sorted(status.queue_ids)), status.call_id,
             status.login_address, status.login_at, status.last_seen_at, status.day, status.production_s,
             status.pause_s, status.agent_id),
        )
        if cur.rowcount == 0:
            raise NotFound("agent", status.agent_id)
        db.execute(
            "INSERT INTO agent_activity (agent_id, at, action, by_user, from_state, to_state, detail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (activity.agent_id, activity.at, activity.action, activity.by_user, activity.from_state.value,
             activity.to_state.value, activity.detail),
        )


@read
def activities(db: sqlite3.Connection, agent_id: int, limit: int = 50) -> list[Activity]:
    """An agent's most recent history lines, newest first."""
    rows = db.execute("SELECT * FROM agent_activity WHERE agent_id = ? ORDER BY id DESC LIMIT ?", (agent_id, limit))
    return [Activity(r["agent_id"], r["at"], r["action"], d.AgentState(r["from_state"]), d.AgentState(r["to_state"]),
                     r["by_user"], r["detail"]) for r in rows]


@write
def transition(db: sqlite3.Connection, agent_id: int,
               decide: Callable[[d.Agent, d.AgentStatus, d.Tenant], tuple[d.AgentStatus, Activity, T]]) -> T:
    """Reads an agent's status, lets ``decide`` (the state machine) compute the next one, and
    stores it with its history line — in one write transaction, so two actions on one agent, from
    any task or process, never both start from the same status."""
    profile = tenancy.agent(db, agent_id)
    status, activity, result = decide(profile, agent_status(db, agent_id), tenancy.tenant(db, profile.tenant_id))
    save_transitions(db, [(status, activity)])
    return result


@write
def touch_agents(db: sqlite3.Connection, agent_ids: Sequence[int], now: int) -> None:
    """Records that these agents' sessions are alive (softphone leg up, console connected)."""
    db.executemany("UPDATE agent_status SET last_seen_at = ? WHERE agent_id = ?", [(now, a) for a in agent_ids])
