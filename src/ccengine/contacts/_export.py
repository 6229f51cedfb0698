"""Lists and call records back to CSV, safe to open in a spreadsheet (docs/contacts.md, "Export").

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would be run as a
formula by Excel, LibreOffice or Google Sheets (CSV injection, OWASP): such a cell is written
with a leading apostrophe, which spreadsheets show as text. E.164 numbers start with ``+``, so
phone cells are written ``'+33612345678``.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Iterable
from typing import TextIO

from ccengine import domain as d
from ccengine.store import Store

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _when(moment: int | None) -> str:
    return "" if moment is None else d.to_datetime(moment).isoformat(timespec="seconds")


async def export_list(store: Store, list_id: int, out: TextIO) -> int:
    """Writes a list's contacts (not the removed ones) with their state and fields; returns the
    number of rows."""
    states = [s for s in d.ContactState if s is not d.ContactState.REMOVED]
    keys: dict[str, None] = {}
    async for contact in _contacts(store, list_id, states):
        keys.update(dict.fromkeys(contact.fields))
    writer = csv.writer(out)
    writer.writerow(["phone", "zone", "state", "attempts", "last_outcome", "last_disposition", "next_attempt_at",
                     "source_line", *keys])
    rows = 0
    async for c in _contacts(store, list_id, states):
        writer.writerow(neutralize(x) for x in (
            c.phone, c.zone, c.state, c.attempts, c.last_outcome, c.last_disposition,
            _when(c.next_attempt_at) if c.next_attempt_at else "", c.source_line,
            *(c.fields.get(k, "") for k in keys)))
        rows += 1
    return rows


async def export_calls(store: Store, campaign_id: int, out: TextIO, *, since: int = 0,
                       until: int | None = None) -> int:
    """Writes a campaign's call records placed in [since, until); returns the number of rows."""
    writer = csv.writer(out)
    writer.writerow(["call_id", "contact_id", "list_id", "phone", "placed_at", "ringing_at", "answered_at",
                     "connected_at", "ended_at", "wrapup_ended_at", "outcome", "agent_id", "disposition", "positive",
                     "argued"])
    rows, after = 0, 0
    while batch := await store.calls(campaign_id, since=since, until=until, after_id=after, limit=5000):
        for c in batch:
            writer.writerow(neutralize(x) for x in (
                c.id, c.contact_id, c.list_id, c.phone, _when(c.placed_at), _when(c.ringing_at),
                _when(c.answered_at), _when(c.connected_at), _when(c.ended_at), _when(c.wrapup_ended_at),
                c.outcome, c.agent_id, c.disposition, int(c.positive), int(c.argued)))
        rows += len(batch)
        after = batch[-1].id
    return rows


async def _contacts(store: Store, list_id: int, states: Iterable[d.ContactState]) -> AsyncIterator[d.Contact]:
    after = 0
    states = list(states)
    while batch := await store.contacts(list_id, after=after, limit=5000, states=states):
        for contact in batch:
            yield contact
        after = batch[-1].id

