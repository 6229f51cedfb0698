"""Call records as calls progress, dispositions, callbacks, and recovery after a crash."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ccengine import domain as d
from ccengine.errors import Conflict, DomainError, NotFound
from ccengine.store import _codec
from ccengine.store._campaigns_sql import campaign
from ccengine.store._contacts_sql import Claim, open_zones
from ccengine.store._contacts_sql import contact as load_contact
from ccengine.store._tenancy_sql import _id
from ccengine.store._tx import read, write

DEFAULT_RETRY_S = 3600
_PROGRESS = ("ringing_at", "answered_at", "connected_at", "agent_id")


@dataclass(frozen=True, slots=True)
class CallProgress:
    """What the dialer learnt about a call; fields left None are unchanged."""

    call_id: int
    ringing_at: int | None = None
    answered_at: int | None = None
    connected_at: int | None = None
    agent_id: int | None = None


@dataclass(frozen=True, slots=True)
class CallEnd:
    call_id: int
    outcome: d.Outcome
    ended_at: int


@write
def progress_calls(db: sqlite3.Connection, updates: Sequence[CallProgress]) -> None:
    for u in updates:
        values = [getattr(u, name) for name in _PROGRESS]
        cur = db.execute(
            "UPDATE call SET ringing_at = coalesce(?, ringing_at), answered_at = coalesce(?, answered_at), "
            "connected_at = coalesce(?, connected_at), agent_id = coalesce(?, agent_id) WHERE id = ?",
            (*values, u.call_id),
        )
        if cur.rowcount == 0:
            raise NotFound("call", u.call_id)


@write
def end_calls(db: sqlite3.Connection, ends: Sequence[CallEnd]) -> None:
    """Closes calls with their outcome and moves each contact on: a person who answered waits for
    the agent's disposition; an invalid number is done; otherwise the contact is retried after
    the campaign's delay for that outcome, or done once its attempts are used up."""
    campaigns: dict[int, d.Campaign] = {}
    for end in ends:
        row = db.execute("SELECT campaign_id, contact_id, outcome FROM call WHERE id = ?", (end.call_id,)).fetchone()
        if row is None:
            raise NotFound("call", end.call_id)
        if row["outcome"] is not None:
            raise Conflict(f"call {end.call_id} already ended ({row['outcome']})", "call-ended")
        outcome = d.Outcome(end.outcome)
        db.execute("UPDATE call SET outcome = ?, ended_at = ? WHERE id = ?", (outcome.value, end.ended_at, end.call_id))
        camp = campaigns.get(row["campaign_id"]) or campaigns.setdefault(row["campaign_id"],
                                                                          campaign(db, row["campaign_id"]))
        if outcome is d.Outcome.HUMAN:
            db.execute("UPDATE contact SET last_outcome = 'human' WHERE id = ?", (row["contact_id"],))
        elif outcome is d.Outcome.INVALID:
            _settle(db, row["contact_id"], outcome, None, "done", 0)
        else:
            _retry_or_close(db, camp, row["contact_id"], outcome, None, end.ended_at)


def _retry_or_close(db: sqlite3.Connection, camp: d.Campaign, contact_id: int, outcome: d.Outcome,
                    disposition: str | None, at: int) -> None:
    attempts = db.execute("SELECT attempts FROM contact WHERE id = ?", (contact_id,)).fetchone()[0]
    if attempts >= camp.max_attempts:
        _settle(db, contact_id, outcome, disposition, "done", 0)
    else:
        delay = camp.retry_delays.get(outcome, DEFAULT_RETRY_S)
        _settle(db, contact_id, outcome, disposition, "pending", at + delay * d.SECOND)


def _settle(db: sqlite3.Connection, contact_id: int, outcome: d.Outcome, disposition: str | None, state: str,
            next_attempt_at: int) -> None:
    db.execute(
        "UPDATE contact SET state = ?, last_outcome = ?, last_disposition = coalesce(?, last_disposition), "
        "next_attempt_at = ?, claimed_by = NULL WHERE id = ? AND state <> 'removed'",
        (state, outcome.value, disposition, next_attempt_at, contact_id),
    )


@write
def dispose_call(db: sqlite3.Connection, call_id: int, code: str, at: int, *, callback_at: int | None = None,
                 callback_agent_id: int | None = None, note: str = "") -> d.CallRecord:
    """The agent's qualification of a call (the campaign's dispositions). A final one closes the
    contact; a callback one needs ``callback_at`` and schedules it (personal when
    ``callback_agent_id`` is given, else on the shared agenda); any other retries the contact."""
    row = db.execute("SELECT * FROM call WHERE id = ?", (call_id,)).fetchone()
    if row is None:
        raise NotFound("call", call_id)
    if row["disposition"] is not None:
        raise Conflict(f"call {call_id} is already qualified ({row['disposition']})", "already-disposed")
    camp = campaign(db, row["campaign_id"])
    disposition = camp.disposition(code)
    if disposition.callback and callback_at is None:
        raise DomainError(f"disposition {code!r} needs a callback time", "callback-time-missing")
    db.execute("UPDATE call SET disposition = ?, positive = ?, argued = ?, wrapup_ended_at = ? WHERE id = ?",
               (code, disposition.positive, disposition.argued, at, call_id))
    outcome = d.Outcome(row["outcome"]) if row["outcome"] else d.Outcome.HUMAN
    if disposition.callback:
        assert callback_at is not None
        _settle(db, row["contact_id"], outcome, code, "callback", callback_at)
        db.execute("UPDATE callback SET state = 'cancelled' WHERE contact_id = ? AND state = 'pending'",
                   (row["contact_id"],))
        db.execute("INSERT INTO callback (campaign_id, contact_id, due_at, agent_id, note, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (camp.id, row["contact_id"], callback_at, callback_agent_id, note, at))
    elif disposition.final:
        _settle(db, row["contact_id"], outcome, code, "done", 0)
    else:
        _retry_or_close(db, camp, row["contact_id"], d.Outcome.HUMAN, code, at)
    return call(db, call_id)


@write
def settle_undisposed(db: sqlite3.Connection, call_id: int, at: int) -> bool:
    """The agent's wrap-up ended without a disposition: the contact, still held for one, is
    retried after the campaign's delay for a person reached without a final answer (or closed
    once its attempts are used up), as ``recover`` does after a restart. False when there was
    nothing to settle (qualified meanwhile, or the call reached nobody)."""
    row = db.execute("SELECT campaign_id, contact_id, disposition, outcome FROM call WHERE id = ?",
                     (call_id,)).fetchone()
    if row is None:
        raise NotFound("call", call_id)
    held = db.execute("SELECT 1 FROM contact WHERE id = ? AND state = 'dialing'", (row["contact_id"],)).fetchone()
    if row["disposition"] is not None or row["outcome"] != d.Outcome.HUMAN.value or held is None:
        return False
    _retry_or_close(db, campaign(db, row["campaign_id"]), row["contact_id"], d.Outcome.HUMAN, None, at)
    return True


@read
def call(db: sqlite3.Connection, call_id: int) -> d.CallRecord:
    row = db.execute("SELECT * FROM call WHERE id = ?", (call_id,)).fetchone()
    if row is None:
        raise NotFound("call", call_id)
    return _codec.call(row)


@read
def calls(db: sqlite3.Connection, campaign_id: int, *, since: int = 0, until: int | None = None, after_id: int = 0,
          limit: int = 1000) -> list[d.CallRecord]:
    rows = db.execute(
        "SELECT * FROM call WHERE campaign_id = ? AND placed_at >= ? AND placed_at < ? AND id > ? ORDER BY id LIMIT ?",
        (campaign_id, since, until if until is not None else 2**62, after_id, limit),
    )
    return [_codec.call(r) for r in rows]


#: Longest a call rings before it is answered: bounds the placement times scanned by index.
_MAX_RING_US = 10 * 60 * d.SECOND


@read
def abandon_minutes(db: sqlite3.Connection, campaign_id: int, since: int) -> list[tuple[int, int, int]]:
    """(minute of the answer in µs, people answering, abandoned) of a campaign's calls answered by a
    person since ``since``, oldest first: what its abandon cap is measured over."""
    rows = db.execute(
        "SELECT answered_at / 60000000 * 60000000 AS minute, count(*), sum(outcome = 'abandoned') FROM call "
        "WHERE campaign_id = ? AND placed_at >= ? AND answered_at >= ? AND outcome IN ('human', 'abandoned') "
        "GROUP BY minute ORDER BY minute",
        (campaign_id, since - _MAX_RING_US, since),
    )
    return [(minute, humans, abandons) for minute, humans, abandons in rows]


@read
def calls_in_progress(db: sqlite3.Connection) -> list[d.CallRecord]:
    return [_codec.call(r) for r in db.execute("SELECT * FROM call WHERE outcome IS NULL ORDER BY id")]


@write
def recover(db: sqlite3.Connection, now: int) -> list[d.CallRecord]:
    """After a restart: calls left open by the engine that stopped are closed ``interrupted``,
    and their contacts, still marked as being dialed, go back to pending (an attempt that never
    rang is not counted); a contact whose answered call was never qualified is retried after the
    campaign's delay for ``human``. Returns the calls it closed."""
    open_calls = calls_in_progress(db)
    for c in open_calls:
        db.execute("UPDATE call SET outcome = 'interrupted', ended_at = ? WHERE id = ?", (now, c.id))
        uncounted = 1 if c.ringing_at is None else 0
        db.execute("UPDATE contact SET state = 'pending', attempts = attempts - ?, last_outcome = 'interrupted', "
                   "next_attempt_at = ?, claimed_by = NULL WHERE id = ? AND state = 'dialing'",
                   (uncounted, now, c.contact_id))
    # Contacts still marked dialing talked to an agent whose disposition never came: they are
    # retried after the campaign's delay for a person reached without a final answer.
    stuck = db.execute("SELECT id, campaign_id FROM contact WHERE state = 'dialing'").fetchall()
    campaigns: dict[int, d.Campaign] = {}
    for contact_id, campaign_id in stuck:
        camp = campaigns.get(campaign_id) or campaigns.setdefault(campaign_id, campaign(db, campaign_id))
        delay = camp.retry_delays.get(d.Outcome.HUMAN, DEFAULT_RETRY_S)
        db.execute("UPDATE contact SET state = 'pending', next_attempt_at = ?, claimed_by = NULL WHERE id = ?",
                   (now + delay * d.SECOND, contact_id))
    return open_calls


@write
def schedule_callback(db: sqlite3.Connection, contact_id: int, due_at: int, agent_id: int | None, note: str,
                      now: int) -> d.Callback:
    """Schedules (or moves) the callback of a contact outside a disposition."""
    row = db.execute("SELECT campaign_id, state FROM contact WHERE id = ?", (contact_id,)).fetchone()
    if row is None or row["state"] == "removed":
        raise NotFound("contact", contact_id)
    if row["state"] == "dialing":
        raise Conflict(f"contact {contact_id} is in a call", "in-call")
    db.execute("UPDATE callback SET state = 'cancelled' WHERE contact_id = ? AND state = 'pending'", (contact_id,))
    db.execute("UPDATE contact SET state = 'callback', next_attempt_at = ? WHERE id = ?", (due_at, contact_id))
    cur = db.execute("INSERT INTO callback (campaign_id, contact_id, due_at, agent_id, note, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (row["campaign_id"], contact_id, due_at, agent_id, note, now))
    return callback(db, _id(cur))


@read
def callback(db: sqlite3.Connection, callback_id: int) -> d.Callback:
    row = db.execute("SELECT * FROM callback WHERE id = ?", (callback_id,)).fetchone()
    if row is None:
        raise NotFound("callback", callback_id)
    return _codec.callback(row)


@read
def callbacks(db: sqlite3.Connection, campaign_id: int, *, agent_id: int | None = None, shared: bool | None = None,
              due_before: int | None = None,
              states: Iterable[d.CallbackState] = (d.CallbackState.PENDING,)) -> list[d.Callback]:
    """The agenda: a campaign's callbacks, optionally only one agent's, only shared ones, only
    those due before a moment."""
    sql = "SELECT * FROM callback WHERE campaign_id = ? AND state IN (SELECT value FROM json_each(?))"
    args: list[object] = [campaign_id, json.dumps([d.CallbackState(s).value for s in states])]
    if agent_id is not None:
        sql += " AND agent_id = ?"
        args.append(agent_id)
    if shared is not None:
        sql += " AND agent_id IS NULL" if shared else " AND agent_id IS NOT NULL"
    if due_before is not None:
        sql += " AND due_at <= ?"
        args.append(due_before)
    return [_codec.callback(r) for r in db.execute(sql + " ORDER BY due_at, id", args)]


@write
def reassign_callback(db: sqlite3.Connection, callback_id: int, agent_id: int | None,
                      due_at: int | None) -> d.Callback:
    """Gives a callback to another agent (None: to the shared agenda) and/or another time."""
    current = callback(db, callback_id)
    if current.state is not d.CallbackState.PENDING:
        raise Conflict(f"callback {callback_id} is {current.state}", "callback-closed")
    due = current.due_at if due_at is None else due_at
    db.execute("UPDATE callback SET agent_id = ?, due_at = ? WHERE id = ?", (agent_id, due, callback_id))
    db.execute("UPDATE contact SET next_attempt_at = ? WHERE id = ? AND state = 'callback'", (due, current.contact_id))
    return callback(db, callback_id)


@write
def close_callback(db: sqlite3.Connection, callback_id: int, state: d.CallbackState) -> d.Callback:
    """Marks a callback done or cancelled; a cancelled one gives its contact back to the list."""
    current = callback(db, callback_id)
    if current.state is not d.CallbackState.PENDING:
        raise Conflict(f"callback {callback_id} is {current.state}", "callback-closed")
    if state is d.CallbackState.PENDING:
        raise DomainError("a callback is closed as done or cancelled", "invalid-transition")
    db.execute("UPDATE callback SET state = ? WHERE id = ?", (d.CallbackState(state).value, callback_id))
    if state is d.CallbackState.CANCELLED:
        db.execute("UPDATE contact SET state = 'pending' WHERE id = ? AND state = 'callback'", (current.contact_id,))
    return callback(db, callback_id)


@write
def claim_due_callbacks(db: sqlite3.Connection, campaign_id: int, now: int, agent_ids: Iterable[int] | None,
                        limit: int, owner: str) -> list[tuple[d.Callback, Claim]]:
    """Due callbacks to dial now: shared ones, and personal ones of the given agents (those free to
    take them; None: any agent). Each is marked done and its contact claimed, as ``claim_contacts``.
    A callback waits while its contact's zone is outside the campaign's calling hours (it is
    dialled once they open); one whose number went on the do-not-call list since is cancelled and
    its contact closed: it is never dialled."""
    camp = campaign(db, campaign_id)
    agents = None if agent_ids is None else json.dumps(sorted(agent_ids))
    rows = db.execute(
        "SELECT * FROM callback WHERE campaign_id = ? AND state = 'pending' AND due_at <= ? "
        "AND (agent_id IS NULL OR ? IS NULL OR agent_id IN (SELECT value FROM json_each(?))) "
        "ORDER BY due_at, id",
        (campaign_id, now, agents, agents or "[]"),
    ).fetchall()
    out: list[tuple[d.Callback, Claim]] = []
    for row in rows:
        if len(out) >= limit:
            break
        cb = _codec.callback(row)
        contact = load_contact(db, cb.contact_id)
        if contact.state is not d.ContactState.CALLBACK:
            continue
        if db.execute("SELECT 1 FROM do_not_call WHERE tenant_id = ? AND phone = ?",
                      (camp.tenant_id, _codec.phone_key(contact.phone))).fetchone():
            db.execute("UPDATE callback SET state = 'cancelled' WHERE id = ?", (cb.id,))
            db.execute("UPDATE contact SET state = 'done' WHERE id = ?", (contact.id,))
            continue
        opened, home_open = open_zones(camp, [contact.zone] if contact.zone else [], now)
        if not (opened if contact.zone else home_open):
            continue
        db.execute("UPDATE callback SET state = 'done' WHERE id = ?", (cb.id,))
        db.execute("UPDATE contact SET state = 'dialing', attempts = attempts + 1, claimed_by = ? WHERE id = ?",
                   (owner, contact.id))
        cur = db.execute("INSERT INTO call (campaign_id, list_id, contact_id, phone, placed_at) VALUES (?, ?, ?, ?, ?)",
                         (campaign_id, contact.list_id, contact.id, _codec.phone_key(contact.phone), now))
        out.append((cb, Claim(load_contact(db, contact.id), _id(cur))))
    return out
