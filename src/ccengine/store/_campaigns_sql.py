"""Campaigns and their contact lists: creation, edits, operator actions."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any

from ccengine import domain as d
from ccengine.errors import Conflict, DomainError, NotFound
from ccengine.store import _codec
from ccengine.store._tenancy_sql import _id
from ccengine.store._tx import read, write


@write
def create_campaign(db: sqlite3.Connection, draft: d.Campaign, now: int) -> d.Campaign:
    """Stores a new campaign from a draft (its id is ignored); it starts stopped."""
    try:
        cur = db.execute(
            "INSERT INTO campaign (tenant_id, name, settings, run_state, created_at) VALUES (?, ?, ?, 'stopped', ?)",
            (draft.tenant_id, draft.name, _codec.campaign_settings(draft), now),
        )
    except sqlite3.IntegrityError:
        raise Conflict(f"a campaign named {draft.name!r} exists", "duplicate-name") from None
    return campaign(db, _id(cur))


@write
def edit_campaign(db: sqlite3.Connection, campaign_id: int, changes: dict[str, Any]) -> d.Campaign:
    """Changes settings; the run state moves only through ``campaign_action``."""
    if {"id", "tenant_id", "run_state", "inactive_reason", "created_at"} & changes.keys():
        raise DomainError("id, tenant, run state and creation time cannot be edited", "read-only-field")
    current = campaign(db, campaign_id)
    try:
        edited = dataclasses.replace(current, **changes)
    except TypeError as e:
        raise DomainError(str(e), "unknown-field") from None
    try:
        db.execute("UPDATE campaign SET name = ?, settings = ? WHERE id = ?",
                   (edited.name, _codec.campaign_settings(edited), campaign_id))
    except sqlite3.IntegrityError:
        raise Conflict(f"a campaign named {edited.name!r} exists", "duplicate-name") from None
    return edited


@read
def campaign(db: sqlite3.Connection, key: int | tuple[int, str]) -> d.Campaign:
    if isinstance(key, int):
        row = db.execute("SELECT * FROM campaign WHERE id = ?", (key,)).fetchone()
    else:
        row = db.execute("SELECT * FROM campaign WHERE tenant_id = ? AND name = ?", key).fetchone()
    if row is None:
        raise NotFound("campaign", key)
    return _codec.campaign(row)


@read
def campaigns(db: sqlite3.Connection, tenant_id: int | None = None) -> list[d.Campaign]:
    where, args = ("WHERE tenant_id = ?", (tenant_id,)) if tenant_id is not None else ("", ())
    return [_codec.campaign(r) for r in db.execute(f"SELECT * FROM campaign {where} ORDER BY id", args)]


@write
def campaign_action(db: sqlite3.Connection, campaign_id: int, action: str) -> tuple[d.Campaign, d.Campaign]:
    """Start, pause, resume or stop; returns the campaign before and after."""
    before = campaign(db, campaign_id)
    target = d.next_run_state(before.run_state, action, "campaign")
    reason = before.inactive_reason if target is d.RunState.RUNNING else None
    db.execute("UPDATE campaign SET run_state = ?, inactive_reason = ? WHERE id = ?",
               (target.value, reason.value if reason else None, campaign_id))
    return before, dataclasses.replace(before, run_state=target, inactive_reason=reason)


@write
def set_inactive_reason(db: sqlite3.Connection, campaign_id: int,
                        reason: d.InactiveReason | None) -> tuple[d.Campaign, d.Campaign]:
    """Why a running campaign cannot dial now (None: it can); set by whoever evaluates it."""
    before = campaign(db, campaign_id)
    db.execute("UPDATE campaign SET inactive_reason = ? WHERE id = ?", (reason.value if reason else None, campaign_id))
    return before, dataclasses.replace(before, inactive_reason=reason)


@write
def create_list(db: sqlite3.Connection, campaign_id: int, name: str, priority: int, status: d.ListStatus,
                now: int) -> d.ContactList:
    campaign(db, campaign_id)
    try:
        cur = db.execute(
            "INSERT INTO contact_list (campaign_id, name, status, priority, created_at) VALUES (?, ?, ?, ?, ?)",
            (campaign_id, name, d.ListStatus(status).value, priority, now),
        )
    except sqlite3.IntegrityError:
        raise Conflict(f"campaign {campaign_id} has a list named {name!r}", "duplicate-name") from None
    return contact_list(db, _id(cur))


@read
def contact_list(db: sqlite3.Connection, key: int | tuple[int, str]) -> d.ContactList:
    if isinstance(key, int):
        row = db.execute("SELECT * FROM contact_list WHERE id = ?", (key,)).fetchone()
    else:
        row = db.execute("SELECT * FROM contact_list WHERE campaign_id = ? AND name = ?", key).fetchone()
    if row is None:
        raise NotFound("contact list", key)
    return _codec.contact_list(row)


@read
def contact_lists(db: sqlite3.Connection, campaign_id: int) -> list[d.ContactList]:
    rows = db.execute("SELECT * FROM contact_list WHERE campaign_id = ? ORDER BY priority DESC, id", (campaign_id,))
    return [_codec.contact_list(r) for r in rows]


@write
def list_action(db: sqlite3.Connection, list_id: int, action: str) -> tuple[d.ContactList, d.ContactList]:
    before = contact_list(db, list_id)
    target = d.next_list_status(before.status, action)
    db.execute("UPDATE contact_list SET status = ? WHERE id = ?", (target.value, list_id))
    return before, dataclasses.replace(before, status=target)


@write
def edit_list(db: sqlite3.Connection, list_id: int, *, name: str | None, priority: int | None) -> d.ContactList:
    current = contact_list(db, list_id)
    try:
        db.execute("UPDATE contact_list SET name = ?, priority = ? WHERE id = ?",
                   (current.name if name is None else name, current.priority if priority is None else priority,
                    list_id))
    except sqlite3.IntegrityError:
        raise Conflict(f"campaign {current.campaign_id} has a list named {name!r}", "duplicate-name") from None
    return contact_list(db, list_id)
