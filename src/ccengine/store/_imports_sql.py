"""Contact-list imports: the import's record and the statements its chunks land with. Each chunk
lands in its own transaction with its rejections (the native ``ChunkSink``, through ``SINK_SQL``),
so a large import never holds the write lock for long and a crash keeps whole chunks (the import
is then marked ``interrupted``; importing the file again adds only what is missing, since numbers
already in the campaign are rejected as duplicates)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ccengine import domain as d
from ccengine.errors import NotFound
from ccengine.store._campaigns_sql import contact_list, create_list
from ccengine.store._tenancy_sql import _id
from ccengine.store._tx import read, write

#: (line, reason slug, detail).
Rejection = tuple[int, str, str]

#: What the native ``ChunkSink`` runs for each chunk of an import, in one transaction (the
#: parameters are in the order its documentation gives). A number that landed in the campaign
#: after the reader loaded the campaign's numbers is refused by ``claim_phone`` (``OR IGNORE``):
#: the sink then takes its contact back out and reports it.
SINK_SQL = {
    "insert_contact": "INSERT INTO contact (campaign_id, list_id, phone, zone, line, fields) VALUES (?, ?, ?, ?, ?, ?)",
    "claim_phone": "INSERT OR IGNORE INTO campaign_phone (campaign_id, phone, contact_id) VALUES (?, ?, ?)",
    "drop_contact": "DELETE FROM contact WHERE id = ?",
    "insert_rejection": "INSERT INTO import_rejection (import_id, line, reason, detail) VALUES (?, ?, ?, ?)",
    "count": "UPDATE import SET accepted = accepted + ?, rejected = rejected + ? WHERE id = ?",
    "insert_zone": "INSERT OR IGNORE INTO campaign_zone (campaign_id, zone) VALUES (?, ?)",
}


@dataclass(frozen=True, slots=True)
class ImportRecord:
    id: int
    campaign_id: int
    list_id: int
    file_name: str
    status: str
    """``running``, ``done`` or ``interrupted``."""
    started_at: int
    finished_at: int | None
    accepted: int
    rejected: int
    settings: dict[str, Any]


@write
def begin_import(db: sqlite3.Connection, campaign_id: int, list_name: str, file_name: str,
                 settings: dict[str, Any], now: int) -> ImportRecord:
    """Opens an import into a list of the campaign, created paused if new."""
    try:
        target = contact_list(db, (campaign_id, list_name))
    except NotFound:
        target = create_list(db, campaign_id, list_name, 0, d.ListStatus.PAUSED, now)
    cur = db.execute("INSERT INTO import (campaign_id, list_id, file_name, started_at, settings) "
                     "VALUES (?, ?, ?, ?, ?)", (campaign_id, target.id, file_name, now, json.dumps(settings)))
    return import_record(db, _id(cur))


@write
def finish_import(db: sqlite3.Connection, import_id: int, activate: bool, now: int) -> ImportRecord:
    record = import_record(db, import_id)
    db.execute("UPDATE import SET status = 'done', finished_at = ? WHERE id = ?", (now, import_id))
    if activate:
        db.execute("UPDATE contact_list SET status = 'active' WHERE id = ? AND status = 'paused'", (record.list_id,))
    return import_record(db, import_id)


@write
def abandon_import(db: sqlite3.Connection, import_id: int, now: int) -> None:
    """Marks an import that stopped halfway (an error, a cancel) ``interrupted``; what it landed stays."""
    db.execute("UPDATE import SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'running'",
               (now, import_id))


@write
def interrupt_running_imports(db: sqlite3.Connection, now: int) -> int:
    """At open: imports still ``running`` belong to a process that died."""
    return db.execute("UPDATE import SET status = 'interrupted', finished_at = ? WHERE status = 'running'",
                      (now,)).rowcount


@read
def import_record(db: sqlite3.Connection, import_id: int) -> ImportRecord:
    r = db.execute("SELECT * FROM import WHERE id = ?", (import_id,)).fetchone()
    if r is None:
        raise NotFound("import", import_id)
    return ImportRecord(r["id"], r["campaign_id"], r["list_id"], r["file_name"], r["status"], r["started_at"],
                        r["finished_at"], r["accepted"], r["rejected"], json.loads(r["settings"]))


@read
def import_rejections(db: sqlite3.Connection, import_id: int, *, after_line: int = 0,
                      limit: int = 1000) -> list[Rejection]:
    rows = db.execute("SELECT line, reason, detail FROM import_rejection WHERE import_id = ? AND line > ? "
                      "ORDER BY line LIMIT ?", (import_id, after_line, limit))
    return [tuple(r) for r in rows]
