"""Contacts: adding, claiming for the dialer, recycling, moving, deleting; do-not-call; missed
calls."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ccengine import domain as d
from ccengine.errors import DomainError, NotFound
from ccengine.metrics import zone as load_zone
from ccengine.store import _codec
from ccengine.store._campaigns_sql import campaign, contact_list, create_list
from ccengine.store._tenancy_sql import _id
from ccengine.store._tx import read, write

#: Outcomes a list can be recycled on (seed 000): a person never got a final answer.
RECYCLABLE = frozenset({d.Outcome.NO_ANSWER, d.Outcome.BUSY, d.Outcome.MACHINE, d.Outcome.ABANDONED,
                        d.Outcome.FAILED, d.Outcome.INTERRUPTED, d.Outcome.INVALID})


@dataclass(frozen=True, slots=True)
class Claim:
    """A contact handed to one dialer task, and the call record opened for the attempt."""

    contact: d.Contact
    call_id: int


@dataclass(frozen=True, slots=True)
class BulkResult:
    done: list[int]
    skipped: dict[int, str]
    """Contact id -> reason slug (``not-found``, ``duplicate-in-campaign``, ``in-call`` …)."""


def open_zones(campaign: d.Campaign, zones: Iterable[str], now: int) -> tuple[list[str], bool]:
    """Which of the campaign's contact zones are inside its calling hours now, and whether its own
    zone is (for contacts whose number tells none). A contact in several zones (``a&b``) is open
    only when every one of them is."""
    def is_open(name: str) -> bool:
        return campaign.schedule.is_open(d.to_datetime(now, load_zone(name)))

    cache: dict[str, bool] = {}
    opened = [
        z for z in zones
        if all(cache.setdefault(part, is_open(part)) for part in z.split("&"))
    ]
    return opened, is_open(campaign.schedule.tz)


@write
def add_contacts(db: sqlite3.Connection, list_id: int,
                 contacts: Iterable[tuple[str, str | None, Mapping[str, str]]], now: int) -> BulkResult:
    """Adds already normalized contacts (phone, zone, fields) to a list; numbers already in the
    campaign or on the do-not-call list are skipped with their reason."""
    target = contact_list(db, list_id)
    tenant = campaign(db, target.campaign_id).tenant_id
    done: list[int] = []
    skipped: dict[int, str] = {}
    for index, (e164, zone, fields) in enumerate(contacts):
        phone = _codec.phone_key(e164)
        if db.execute("SELECT 1 FROM do_not_call WHERE tenant_id = ? AND phone = ?", (tenant, phone)).fetchone():
            skipped[index] = "do-not-call"
            continue
        if _holder(db, target.campaign_id, phone) is not None:
            skipped[index] = "duplicate-in-campaign"
            continue
        cur = db.execute(
            "INSERT INTO contact (campaign_id, list_id, phone, zone, fields, next_attempt_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (target.campaign_id, list_id, phone, zone, json.dumps(dict(fields)), now),
        )
        db.execute("INSERT INTO campaign_phone VALUES (?, ?, ?)", (target.campaign_id, phone, _id(cur)))
        done.append(_id(cur))
        if zone:
            db.execute("INSERT OR IGNORE INTO campaign_zone VALUES (?, ?)", (target.campaign_id, zone))
    return BulkResult(done, skipped)


@read
def contact(db: sqlite3.Connection, contact_id: int) -> d.Contact:
    row = db.execute("SELECT * FROM contact WHERE id = ?", (contact_id,)).fetchone()
    if row is None:
        raise NotFound("contact", contact_id)
    return _codec.contact(row)


@read
def contacts(db: sqlite3.Connection, list_id: int, *, after: int = 0, limit: int = 1000,
             states: Iterable[d.ContactState] | None = None) -> list[d.Contact]:
    """A page of a list's contacts by id (``after`` the last id of the previous page)."""
    wanted = [d.ContactState(s).value for s in states] if states is not None else [s.value for s in d.ContactState]
    rows = db.execute(
        # Pages follow the rowid (import order): the unary + keeps SQLite on that scan instead of
        # sorting the list's rows from its state index.
        "SELECT * FROM contact WHERE +list_id = ? AND id > ? AND state IN (SELECT value FROM json_each(?)) "
        "ORDER BY id LIMIT ?",
        (list_id, after, json.dumps(wanted), limit),
    )
    return [_codec.contact(r) for r in rows]


@read
def list_counts(db: sqlite3.Connection, list_id: int) -> dict[str, int]:
    """Contacts of a list by state."""
    counts = dict.fromkeys((s.value for s in d.ContactState), 0)
    for state, n in db.execute("SELECT state, count(*) FROM contact WHERE list_id = ? GROUP BY state", (list_id,)):
        counts[state] = n
    return counts


@read
def pending_contacts(db: sqlite3.Connection, campaign_id: int) -> int:
    """Contacts still to dial in a campaign's active lists (due or waiting for a retry), counted
    on the pending-contact index; those whose number went on the do-not-call list after import are
    not (no claim will take them, so a list holding only those is worked out), found from the
    do-not-call side: its size, not the list's, is what that costs."""
    row = db.execute(
        """
        WITH active AS (SELECT id FROM contact_list WHERE campaign_id = :campaign AND status = 'active')
        SELECT (SELECT count(*) FROM contact WHERE state = 'pending' AND list_id IN active)
             - (SELECT count(*) FROM do_not_call n
                JOIN campaign_phone p ON p.campaign_id = :campaign AND p.phone = n.phone
                JOIN contact c ON c.id = p.contact_id
                WHERE n.tenant_id = (SELECT tenant_id FROM campaign WHERE id = :campaign)
                  AND c.state = 'pending' AND c.list_id IN active)
        """,
        {"campaign": campaign_id}).fetchone()
    return int(row[0])


@write
def claim_contacts(db: sqlite3.Connection, campaign_id: int, limit: int, now: int, owner: str) -> list[Claim]:
    """Hands up to ``limit`` due contacts to one dialer task, atomically: in one write
    transaction each is marked ``dialing`` and gets an open call record, so no other task (in this
    process or another) can claim it, and a crash leaves a trace ``recover`` can resolve.

    Due means: in an active list, pending, its next attempt time reached, attempts left under the
    campaign's maximum (which may have been lowered since the contact was last tried), inside the
    calling hours of its zone, not on the do-not-call list. Higher-priority lists first, then the
    oldest due, then file order; lists of equal priority in creation order."""
    if limit <= 0:
        return []
    camp = campaign(db, campaign_id)
    zones = [r[0] for r in db.execute("SELECT zone FROM campaign_zone WHERE campaign_id = ?", (campaign_id,))]
    opened, home_open = open_zones(camp, zones, now)
    # The write lock is held from here (BEGIN IMMEDIATE): nobody can claim between select and update.
    lists = db.execute("SELECT id FROM contact_list WHERE campaign_id = ? AND status = 'active' "
                       "ORDER BY priority DESC, id", (campaign_id,)).fetchall()
    ids: list[int] = []
    for (list_id,) in lists:
        if len(ids) >= limit:
            break
        ids += [r[0] for r in db.execute(
            """
            SELECT c.id FROM contact c
            WHERE c.list_id = ? AND c.state = 'pending' AND c.next_attempt_at <= ? AND c.attempts < ?
              AND (c.zone IN (SELECT value FROM json_each(?)) OR (c.zone IS NULL AND ?))
              AND NOT EXISTS (SELECT 1 FROM do_not_call n WHERE n.tenant_id = ? AND n.phone = c.phone)
            ORDER BY c.next_attempt_at, c.id
            LIMIT ?
            """,
            (list_id, now, camp.max_attempts, json.dumps(opened), home_open, camp.tenant_id, limit - len(ids)),
        )]
    rows = db.execute(
        "UPDATE contact SET state = 'dialing', attempts = attempts + 1, claimed_by = ? "
        "WHERE id IN (SELECT value FROM json_each(?)) RETURNING *",
        (owner, json.dumps(ids)),
    ).fetchall()
    order = {contact_id: k for k, contact_id in enumerate(ids)}
    claimed = sorted((_codec.contact(r) for r in rows), key=lambda c: order[c.id])
    claims = []
    for c in claimed:
        cur = db.execute(
            "INSERT INTO call (campaign_id, list_id, contact_id, phone, placed_at) VALUES (?, ?, ?, ?, ?)",
            (campaign_id, c.list_id, c.id, _codec.phone_key(c.phone), now),
        )
        claims.append(Claim(c, _id(cur)))
    return claims


@write
def release_claims(db: sqlite3.Connection, call_ids: Iterable[int]) -> int:
    """Gives back claimed contacts whose call was never placed (no agent after all, campaign
    paused): the attempt is not counted and the call record is dropped."""
    released = 0
    for call_id in call_ids:
        row = db.execute("DELETE FROM call WHERE id = ? AND outcome IS NULL AND ringing_at IS NULL "
                         "RETURNING contact_id", (call_id,)).fetchone()
        if row:
            db.execute("UPDATE contact SET state = 'pending', attempts = attempts - 1, claimed_by = NULL "
                       "WHERE id = ? AND state = 'dialing'", (row[0],))
            released += 1
    return released


@write
def recycle_list(db: sqlite3.Connection, list_id: int, outcomes: Iterable[d.Outcome], now: int) -> int:
    """Re-injects the contacts of a list whose last outcome is in ``outcomes`` (seed 000): they
    become pending now with their attempts reset. Contacts being dialed, removed, or closed by
    an agent's final disposition are left alone."""
    chosen = {d.Outcome(o) for o in outcomes}
    if not chosen or not chosen <= RECYCLABLE:
        raise DomainError(f"a list is recycled on some of {sorted(RECYCLABLE)}", "invalid-recycle")
    contact_list(db, list_id)
    cur = db.execute(
        "UPDATE contact SET state = 'pending', attempts = 0, next_attempt_at = ? "
        "WHERE list_id = ? AND state IN ('pending', 'done') AND last_outcome IN (SELECT value FROM json_each(?))",
        (now, list_id, json.dumps(sorted(o.value for o in chosen))),
    )
    return cur.rowcount


@write
def move_contacts(db: sqlite3.Connection, contact_ids: Iterable[int], list_id: int) -> BulkResult:
    """Moves entries to a list, possibly of another campaign (seeds 003/004); an entry being
    dialed, or whose number the target campaign already has, is skipped with its reason."""
    target = contact_list(db, list_id)
    done: list[int] = []
    skipped: dict[int, str] = {}
    for contact_id in dict.fromkeys(contact_ids):
        row = db.execute("SELECT state, zone, campaign_id, phone FROM contact WHERE id = ?", (contact_id,)).fetchone()
        if row is None or row["state"] == "removed":
            skipped[contact_id] = "not-found"
        elif row["state"] == "dialing":
            skipped[contact_id] = "in-call"
        elif _holder(db, target.campaign_id, row["phone"]) not in (None, contact_id):
            skipped[contact_id] = "duplicate-in-campaign"
        else:
            db.execute("DELETE FROM campaign_phone WHERE campaign_id = ? AND phone = ?",
                       (row["campaign_id"], row["phone"]))
            db.execute("INSERT INTO campaign_phone VALUES (?, ?, ?)", (target.campaign_id, row["phone"], contact_id))
            db.execute("UPDATE contact SET campaign_id = ?, list_id = ? WHERE id = ?",
                       (target.campaign_id, list_id, contact_id))
            if row["zone"]:
                db.execute("INSERT OR IGNORE INTO campaign_zone VALUES (?, ?)", (target.campaign_id, row["zone"]))
            done.append(contact_id)
    return BulkResult(done, skipped)


@write
def remove_contacts(db: sqlite3.Connection, contact_ids: Iterable[int]) -> BulkResult:
    """Removes entries from their campaign; their call records keep naming them."""
    done: list[int] = []
    skipped: dict[int, str] = {}
    for contact_id in dict.fromkeys(contact_ids):
        row = db.execute("SELECT state, campaign_id, phone FROM contact WHERE id = ?", (contact_id,)).fetchone()
        if row is None or row["state"] == "removed":
            skipped[contact_id] = "not-found"
        elif row["state"] == "dialing":
            skipped[contact_id] = "in-call"
        else:
            db.execute("UPDATE contact SET state = 'removed' WHERE id = ?", (contact_id,))
            db.execute("DELETE FROM campaign_phone WHERE campaign_id = ? AND phone = ? AND contact_id = ?",
                       (row["campaign_id"], row["phone"], contact_id))
            done.append(contact_id)
    return BulkResult(done, skipped)


@read
def campaign_phone_keys(db: sqlite3.Connection, campaign_id: int) -> list[int]:
    """The numbers of a campaign (as stored: E.164 digits), for an import's dedupe."""
    return [r[0] for r in db.execute("SELECT phone FROM campaign_phone WHERE campaign_id = ?", (campaign_id,))]


def _holder(db: sqlite3.Connection, campaign_id: int, phone: int) -> int | None:
    """The contact holding a number in a campaign, if any."""
    row = db.execute("SELECT contact_id FROM campaign_phone WHERE campaign_id = ? AND phone = ?",
                     (campaign_id, phone)).fetchone()
    return None if row is None else row[0]


@write
def add_do_not_call(db: sqlite3.Connection, tenant_id: int, phones: Iterable[str], reason: str, now: int) -> int:
    cur = db.executemany("INSERT OR IGNORE INTO do_not_call VALUES (?, ?, ?, ?)",
                         [(tenant_id, _codec.phone_key(p), reason, now) for p in phones])
    return cur.rowcount


@write
def remove_do_not_call(db: sqlite3.Connection, tenant_id: int, phones: Iterable[str]) -> int:
    cur = db.executemany("DELETE FROM do_not_call WHERE tenant_id = ? AND phone = ?",
                         [(tenant_id, _codec.phone_key(p)) for p in phones])
    return cur.rowcount


@read
def do_not_call_keys(db: sqlite3.Connection, tenant_id: int) -> list[int]:
    return [r[0] for r in db.execute("SELECT phone FROM do_not_call WHERE tenant_id = ? ORDER BY phone", (tenant_id,))]


def do_not_call(db: sqlite3.Connection, tenant_id: int) -> list[str]:
    return [_codec.phone_text(k) for k in do_not_call_keys(db, tenant_id)]


@write
def record_missed_call(db: sqlite3.Connection, tenant_id: int, phone: str, at: int,
                       queue_id: int | None) -> d.MissedCall:
    cur = db.execute("INSERT INTO missed_call (tenant_id, phone, at, queue_id) VALUES (?, ?, ?, ?)",
                     (tenant_id, _codec.phone_key(phone), at, queue_id))
    return d.MissedCall(id=_id(cur), tenant_id=tenant_id, phone=phone, at=at, queue_id=queue_id)


@read
def missed_calls(db: sqlite3.Connection, tenant_id: int, *, pending_only: bool = True) -> list[d.MissedCall]:
    extra = "AND campaign_id IS NULL" if pending_only else ""
    rows = db.execute(f"SELECT * FROM missed_call WHERE tenant_id = ? {extra} ORDER BY at", (tenant_id,))
    return [d.MissedCall(id=r["id"], tenant_id=r["tenant_id"], phone=_codec.phone_text(r["phone"]), at=r["at"],
                         queue_id=r["queue_id"],
                         campaign_id=r["campaign_id"]) for r in rows]


MISSED_CALLS_LIST = "Missed calls"


@write
def add_missed_calls(db: sqlite3.Connection, missed_ids: Iterable[int], campaign_id: int,
                     zone_of: Mapping[str, str | None], now: int) -> BulkResult:
    """Adds missed inbound calls to a campaign (seeds 003/004), in its "Missed calls" list
    (created active at the top priority on first use), so an agent calls them back."""
    try:
        target = contact_list(db, (campaign_id, MISSED_CALLS_LIST))
    except NotFound:
        target = create_list(db, campaign_id, MISSED_CALLS_LIST, 100, d.ListStatus.ACTIVE, now)
    done: list[int] = []
    skipped: dict[int, str] = {}
    for missed_id in missed_ids:
        row = db.execute("SELECT phone, at, campaign_id FROM missed_call WHERE id = ?", (missed_id,)).fetchone()
        if row is None:
            skipped[missed_id] = "not-found"
            continue
        if row["campaign_id"] is not None:
            skipped[missed_id] = "already-added"
            continue
        fields = {"missed_at": d.to_datetime(row["at"]).isoformat()}
        phone = _codec.phone_text(row["phone"])
        result = add_contacts(db, target.id, [(phone, zone_of.get(phone), fields)], now)
        if result.skipped:
            skipped[missed_id] = result.skipped[0]
        else:
            db.execute("UPDATE missed_call SET campaign_id = ? WHERE id = ?", (campaign_id, missed_id))
            done.append(missed_id)
    return BulkResult(done, skipped)

