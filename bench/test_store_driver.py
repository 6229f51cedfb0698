"""Which SQLite driver the store uses, decided here (docs/performance.md, "Store driver").

The same dialer-shaped work runs through three drivers on the same kind of file:

* **ours**: stdlib ``sqlite3`` on one dedicated thread (``ccengine.store._thread.WorkerThread``);
  each unit of work (claim 10 contacts, end 10 calls, read one contact) is one hop;
* **to_thread**: stdlib ``sqlite3`` through ``trio.to_thread.run_sync``, one hop per unit;
* **aiosqlite**: the design card's choice, under trio through trio-asyncio: one asyncio call per
  unit, each statement awaited as aiosqlite users write it.

Each round: 100 claim+end cycles of 10 contacts and 1,000 single-row reads; every driver must
leave the same rows. Run: ``./dev bench -k store_driver``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import aiosqlite
import pytest
import trio
import trio_asyncio

from ccengine.store import Store, connect
from ccengine.store._thread import WorkerThread

CONTACTS = 2_000
CYCLES = 100
READS = 1_000

CLAIM = "SELECT id FROM contact WHERE state = 'pending' ORDER BY id LIMIT 10"
MARK = "UPDATE contact SET state = 'dialing' WHERE id = ?"
OPEN_CALL = "INSERT INTO call (campaign_id, list_id, contact_id, phone, placed_at) VALUES (1, 1, ?, '+33600000000', 0)"
END_CALL = "UPDATE call SET outcome = 'no-answer', ended_at = 1 WHERE contact_id = ? AND outcome IS NULL"
RETRY = "UPDATE contact SET state = 'pending' WHERE id = ?"
READ = "SELECT * FROM contact WHERE id = ?"


def prepare(path: Path) -> None:
    """A store file with one campaign, one list and CONTACTS contacts."""
    with Store(path):
        pass
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        "BEGIN; INSERT INTO tenant VALUES (1, 't', 'UTC');"
        "INSERT INTO campaign VALUES (1, 1, 'c', '{}', 'running', NULL, 0);"
        "INSERT INTO contact_list VALUES (1, 1, 'l', 'active', 0, 0); COMMIT;"
    )
    db.executemany("INSERT INTO contact (campaign_id, list_id, phone) VALUES (1, 1, ?)",
                   [(f"+336{i:08d}",) for i in range(CONTACTS)])
    db.close()


def claim_unit(db: sqlite3.Connection) -> list[int]:
    db.execute("BEGIN IMMEDIATE")
    ids = [r[0] for r in db.execute(CLAIM)]
    db.executemany(MARK, [(i,) for i in ids])
    db.executemany(OPEN_CALL, [(i,) for i in ids])
    db.execute("COMMIT")
    return ids


def end_unit(db: sqlite3.Connection, ids: list[int]) -> None:
    db.execute("BEGIN IMMEDIATE")
    db.executemany(END_CALL, [(i,) for i in ids])
    db.executemany(RETRY, [(i,) for i in ids])
    db.execute("COMMIT")


def read_unit(db: sqlite3.Connection, contact_id: int) -> object:
    return db.execute(READ, (contact_id,)).fetchone()


async def work(hop: Callable) -> None:
    for _ in range(CYCLES):
        ids = await hop(claim_unit)
        await hop(end_unit, ids)
    for k in range(READS):
        await hop(read_unit, 1 + k % CONTACTS)


def run_ours(path: Path) -> None:
    thread = WorkerThread("bench", lambda: connect(path), lambda db: db.close())
    try:
        trio.run(work, thread.run)
    finally:
        thread.stop()


def run_to_thread(path: Path) -> None:
    db = connect(path)

    async def main() -> None:
        lock = trio.Lock()

        async def hop(function: Callable, *args: object) -> object:
            async with lock:
                return await trio.to_thread.run_sync(function, db, *args)

        await work(hop)

    try:
        trio.run(main)
    finally:
        db.close()


def run_aiosqlite(path: Path) -> None:
    async def claim(db: aiosqlite.Connection) -> list[int]:
        await db.execute("BEGIN IMMEDIATE")
        async with db.execute(CLAIM) as cursor:
            ids = [r[0] async for r in cursor]
        await db.executemany(MARK, [(i,) for i in ids])
        await db.executemany(OPEN_CALL, [(i,) for i in ids])
        await db.execute("COMMIT")
        return ids

    async def end(db: aiosqlite.Connection, ids: list[int]) -> None:
        await db.execute("BEGIN IMMEDIATE")
        await db.executemany(END_CALL, [(i,) for i in ids])
        await db.executemany(RETRY, [(i,) for i in ids])
        await db.execute("COMMIT")

    async def read(db: aiosqlite.Connection, contact_id: int) -> object:
        async with db.execute(READ, (contact_id,)) as cursor:
            return await cursor.fetchone()

    units = {claim_unit: claim, end_unit: end, read_unit: read}

    async def main() -> None:
        async with trio_asyncio.open_loop():
            db = await trio_asyncio.aio_as_trio(aiosqlite.connect)(path, isolation_level=None)
            try:
                async def hop(function: Callable, *args: object) -> object:
                    return await trio_asyncio.aio_as_trio(units[function])(db, *args)

                await work(hop)
            finally:
                await trio_asyncio.aio_as_trio(db.close)()

    trio.run(main)


DRIVERS = {"ours": run_ours, "to_thread": run_to_thread, "aiosqlite": run_aiosqlite}


@pytest.mark.parametrize("driver", list(DRIVERS))
def test_store_driver(benchmark, tmp_path: Path, driver: str) -> None:
    rounds = iter(range(1_000_000))

    def setup() -> tuple[tuple[Path], dict]:
        path = tmp_path / f"{driver}-{next(rounds)}.db"
        prepare(path)
        return (path,), {}

    def run(path: Path) -> None:
        DRIVERS[driver](path)
        db = sqlite3.connect(path)
        assert db.execute("SELECT count(*) FROM call WHERE outcome = 'no-answer'").fetchone()[0] == CYCLES * 10
        assert db.execute("SELECT count(*) FROM contact WHERE state = 'pending'").fetchone()[0] == CONTACTS
        db.close()

    benchmark.pedantic(run, setup=setup, rounds=5, iterations=1)
