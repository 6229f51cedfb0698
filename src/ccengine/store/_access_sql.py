"""Who may use the admin API: users' credentials and roles, and their API sessions.

A session is stored as the SHA-256 of its bearer token: the token is 256 random bits, so a fast
hash is enough (argon2 is for passwords, which are guessable), and a stolen database yields no
usable token."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from ccengine import domain as d
from ccengine.errors import Conflict, NotFound
from ccengine.store._tx import read, write

#: User fields an edit may change.
EDITABLE = frozenset({"name", "role", "active", "password_hash"})


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A live session: its user, the agent profile that user works as (if any), and its times."""

    user: d.User
    agent_id: int | None
    expires_at: int
    last_used_at: int


def _user(row: sqlite3.Row) -> d.User:
    return d.User(id=row["id"], tenant_id=row["tenant_id"], login=row["login"], name=row["name"],
                  role=d.Role(row["role"]), active=bool(row["active"]))


@read
def user(db: sqlite3.Connection, user_id: int) -> d.User:
    row = db.execute("SELECT * FROM user WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise NotFound("user", user_id)
    return _user(row)


@read
def users(db: sqlite3.Connection, tenant_id: int) -> list[d.User]:
    return [_user(r) for r in db.execute("SELECT * FROM user WHERE tenant_id = ? ORDER BY id", (tenant_id,))]


@read
def credentials(db: sqlite3.Connection, login: str) -> tuple[d.User, str | None] | None:
    """A user and their password hash by login, or None."""
    row = db.execute("SELECT * FROM user WHERE login = ?", (login,)).fetchone()
    return None if row is None else (_user(row), row["password_hash"])


@write
def edit_user(db: sqlite3.Connection, user_id: int, changes: dict[str, Any]) -> d.User:
    """Changes a user's name, role, active flag or password hash. Deactivating a user or
    changing their password or role ends their sessions."""
    unknown = changes.keys() - EDITABLE
    if unknown:
        raise Conflict(f"user fields {sorted(unknown)} cannot be edited", "read-only-field")
    user(db, user_id)
    for name, value in changes.items():
        db.execute(f"UPDATE user SET {name} = ? WHERE id = ?",
                   (value.value if isinstance(value, d.Role) else value, user_id))
    if changes.keys() & {"active", "password_hash", "role"}:
        db.execute("DELETE FROM api_session WHERE user_id = ?", (user_id,))
    return user(db, user_id)


@read
def agent_of_user(db: sqlite3.Connection, user_id: int) -> int | None:
    row = db.execute("SELECT id FROM agent WHERE user_id = ?", (user_id,)).fetchone()
    return None if row is None else row[0]


@write
def open_session(db: sqlite3.Connection, token_hash: bytes, user_id: int, now: int, expires_at: int,
                 address: str | None) -> None:
    db.execute("INSERT INTO api_session VALUES (?, ?, ?, ?, ?, ?)",
               (token_hash, user_id, now, expires_at, now, address))


@read
def session(db: sqlite3.Connection, token_hash: bytes, now: int) -> SessionInfo | None:
    """The session of a token, or None when unknown, expired, or its user deactivated."""
    row = db.execute(
        "SELECT u.*, s.expires_at, s.last_used_at, a.id AS agent_id FROM api_session s "
        "JOIN user u ON u.id = s.user_id LEFT JOIN agent a ON a.user_id = u.id "
        "WHERE s.token_hash = ? AND s.expires_at > ? AND u.active", (token_hash, now)).fetchone()
    if row is None:
        return None
    return SessionInfo(_user(row), row["agent_id"], row["expires_at"], row["last_used_at"])


@write
def touch_session(db: sqlite3.Connection, token_hash: bytes, now: int, agent_id: int | None) -> None:
    """Records activity on a session, and on the agent who works through it (seed 000's "last
    activity")."""
    db.execute("UPDATE api_session SET last_used_at = ? WHERE token_hash = ?", (now, token_hash))
    if agent_id is not None:
        db.execute("UPDATE agent_status SET last_seen_at = ? WHERE agent_id = ?", (now, agent_id))


@write
def close_session(db: sqlite3.Connection, token_hash: bytes) -> bool:
    return db.execute("DELETE FROM api_session WHERE token_hash = ?", (token_hash,)).rowcount > 0


@write
def purge_sessions(db: sqlite3.Connection, now: int) -> int:
    """Forgets expired sessions."""
    return db.execute("DELETE FROM api_session WHERE expires_at <= ?", (now,)).rowcount
