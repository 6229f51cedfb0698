"""Supervision's records: the audit log of every supervision stretch (seed 001: who listened to
whom, when, in which mode, how long) and the supervisor → agent chat."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ccengine.store._tx import read, write

if TYPE_CHECKING:  # the mode vocabulary is telephony's; the store only keeps it
    from ccengine.telephony import Mode


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A stretch of one supervision session in one mode on one call; a mode switch or the next
    call of a followed agent starts another entry of the same ``session``."""

    id: int
    session: int
    tenant_id: int
    supervisor_id: int
    """The supervisor's user id."""
    agent_id: int
    call_id: int | None
    mode: Mode
    started_at: int
    ended_at: int | None = None
    """None while it lasts."""
    end_reason: str | None = None
    """``switched``, ``stopped``, ``call-ended``, ``taken-over``, ``supervisor-hung-up``,
    ``not-answered``, ``agent-left``, ``engine-stopped``, ``engine-restart``."""


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    tenant_id: int
    agent_id: int
    from_user: int
    at: int
    text: str


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(row["id"], row["session"], row["tenant_id"], row["supervisor_id"], row["agent_id"],
                      row["call_id"], row["mode"], row["started_at"], row["ended_at"], row["end_reason"])


@write
def open_audit(db: sqlite3.Connection, *, session: int | None, tenant_id: int, supervisor_id: int, agent_id: int,
               call_id: int | None, mode: Mode, at: int) -> AuditEntry:
    """Starts an entry; ``session`` None starts a new session, numbered by its first entry."""
    cur = db.execute(
        "INSERT INTO supervision_audit (session, tenant_id, supervisor_id, agent_id, call_id, mode, started_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", (session or 0, tenant_id, supervisor_id, agent_id, call_id, mode, at))
    entry_id = cur.lastrowid
    assert entry_id is not None
    if session is None:
        db.execute("UPDATE supervision_audit SET session = id WHERE id = ?", (entry_id,))
    return _entry(db.execute("SELECT * FROM supervision_audit WHERE id = ?", (entry_id,)).fetchone())


@write
def close_audit(db: sqlite3.Connection, entry_id: int, at: int, reason: str) -> None:
    """Ends an entry (once: an entry already ended keeps its end)."""
    db.execute("UPDATE supervision_audit SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
               (at, reason, entry_id))


@write
def close_open_audit(db: sqlite3.Connection, at: int, reason: str) -> int:
    """Ends every entry still open (supervisions do not survive their engine); returns how many."""
    return db.execute("UPDATE supervision_audit SET ended_at = MAX(started_at, ?), end_reason = ? "
                      "WHERE ended_at IS NULL", (at, reason)).rowcount


@read
def audit(db: sqlite3.Connection, tenant_id: int, *, agent_id: int | None = None, supervisor_id: int | None = None,
          since: int | None = None, until: int | None = None, after: int = 0, limit: int = 100) -> list[AuditEntry]:
    """A tenant's entries started in ``[since, until)``, by id past ``after``."""
    where, args = ["tenant_id = ?", "id > ?"], [tenant_id, after]
    for clause, value in (("agent_id = ?", agent_id), ("supervisor_id = ?", supervisor_id),
                          ("started_at >= ?", since), ("started_at < ?", until)):
        if value is not None:
            where.append(clause)
            args.append(value)
    rows = db.execute(f"SELECT * FROM supervision_audit WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
                      (*args, limit))
    return [_entry(r) for r in rows]


@write
def add_message(db: sqlite3.Connection, tenant_id: int, agent_id: int, from_user: int, at: int, text: str) -> Message:
    cur = db.execute("INSERT INTO agent_message (tenant_id, agent_id, from_user, at, text) VALUES (?, ?, ?, ?, ?)",
                     (tenant_id, agent_id, from_user, at, text))
    assert cur.lastrowid is not None
    return Message(cur.lastrowid, tenant_id, agent_id, from_user, at, text)


@read
def message(db: sqlite3.Connection, message_id: int) -> Message | None:
    row = db.execute("SELECT * FROM agent_message WHERE id = ?", (message_id,)).fetchone()
    return None if row is None else Message(*row)


@read
def messages(db: sqlite3.Connection, agent_id: int, *, after: int = 0, limit: int = 100) -> list[Message]:
    """An agent's conversation, oldest first."""
    rows = db.execute("SELECT * FROM agent_message WHERE agent_id = ? AND id > ? ORDER BY id LIMIT ?",
                      (agent_id, after, limit))
    return [Message(*r) for r in rows]
