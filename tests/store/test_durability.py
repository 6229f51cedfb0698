"""Several processes on one database file, and a process killed in the middle of its work."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ccengine import domain as d
from ccengine.errors import StoreError
from ccengine.store import MIGRATIONS, Store
from tests.store.conftest import make_world

ROOT = Path(__file__).parents[2]


def child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.store._child", *args], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


async def test_claimers_in_several_processes_never_share_a_contact(tmp_path: Path) -> None:
    path = tmp_path / "center.db"
    with Store(path) as store:
        w = await make_world(store, contacts=600, retry_delays={})
    procs = [child("claim", str(path), str(w.campaign.id)) for _ in range(3)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    claimed = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        claimed.append(json.loads(out))
    every = [i for ids in claimed for i in ids]
    assert len(every) == len(set(every)) == 600
    assert sum(1 for ids in claimed if ids) >= 2


async def test_a_killed_process_loses_nothing_it_committed(tmp_path: Path) -> None:
    path = tmp_path / "center.db"
    with Store(path) as store:
        w = await make_world(store, contacts=200, retry_delays={d.Outcome.NO_ANSWER: 0})
    proc = child("churn", str(path), str(w.campaign.id))
    assert proc.stdout is not None
    acknowledged = 0
    for line in proc.stdout:
        acknowledged = int(line)
        if acknowledged >= 2_000:
            break
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    assert acknowledged >= 2_000

    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ended = raw.execute("SELECT count(*) FROM call WHERE outcome = 'no-answer'").fetchone()[0]
    assert ended >= acknowledged
    # Every contact is either dialed right now (an open call) or not, never in between.
    assert raw.execute(
        "SELECT count(*) FROM contact c WHERE (c.state = 'dialing') <> "
        "EXISTS (SELECT 1 FROM call WHERE contact_id = c.id AND outcome IS NULL)").fetchone()[0] == 0
    raw.close()

    with Store(path) as store:
        closed = await store.recover()
        assert all(c.outcome is None for c in closed)
        counts = await store.list_counts(w.lists[0].id)
        assert counts["dialing"] == 0 and sum(counts.values()) == 200


async def test_migrations_are_recorded_and_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "center.db"
    Store(path).close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(StoreError) as e:
        Store(path)
    assert e.value.slug == "schema-too-new"


async def test_a_half_migrated_database_is_finished_on_open(tmp_path: Path) -> None:
    path = tmp_path / "center.db"
    raw = sqlite3.connect(path, isolation_level=None)
    from ccengine.store._migrations import _statements

    for statement in _statements(MIGRATIONS[0][1]):
        raw.execute(statement)
    raw.execute("PRAGMA user_version = 1")
    raw.close()
    with Store(path) as store:
        tenant = await store.create_tenant("acme")
        assert (await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name="x"))).id == 1
