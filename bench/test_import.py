"""Contact-list import, end to end (read, validate, normalize to E.164, find the zone, dedupe,
write to SQLite): ours against the plain way and the fastest pure-Python way built from libraries.

* **ours**: ``ccengine.contacts.import_file`` (native reader, chunks landed by the store);
* **plain**: ``csv`` + ``phonenumbers`` per row + ``executemany`` — what most importers do;
* **rphonenumbers**: the same with the Rust-backed ``rphonenumbers`` in place of ``phonenumbers``.

Every side applies the same rules (seed 003's phone characters, valid numbers only, no duplicate,
zone from libphonenumber's map, other columns kept as JSON fields) and must accept the same rows.
The file has ``CCENGINE_BENCH_ROWS`` rows (default 1,000,000; 20,000 with --benchmark-disable).
Run: ``./dev bench -k import``.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import sqlite3
from pathlib import Path
from types import ModuleType

import phonenumbers
import pytest
import rphonenumbers
import trio
from phonenumbers import tzdata

from ccengine import domain as d
from ccengine.contacts import import_file
from ccengine.store import Store

ALLOWED = re.compile(r"[0-9()+\-.]+")


@pytest.fixture(scope="module")
def rows(request: pytest.FixtureRequest) -> int:
    if request.config.getoption("benchmark_disable"):
        return 20_000
    return int(os.environ.get("CCENGINE_BENCH_ROWS", 1_000_000))


def write_contact_file(path: Path, rows: int, seed: int = 7) -> Path:
    """A CRM export: ; separated, a header, French numbers in several formats, some foreign,
    about 2% bad phones, 1% duplicates, and numbers in unassigned ranges (about 9%)."""
    rng = random.Random(seed)
    cities = ["Paris", "Lyon", "Marseille", "Lille", "Nantes", "Saint-Étienne"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["customer_id", "first_name", "last_name", "phone", "city", "segment"])
        seen: list[str] = []
        for i in range(rows):
            n = rng.randrange(10_000_000, 99_999_999)
            shape = rng.random()
            if shape < 0.01 and seen:
                phone = rng.choice(seen)
            elif shape < 0.02:
                phone = rng.choice([f"06{n}A", "12", f"+33 6{n}", f"0{n}{n}"])
            elif shape < 0.45:
                phone = f"06{n}"
            elif shape < 0.7:
                phone = f"+337{n}"
            elif shape < 0.85:
                s = f"01{n}"
                phone = ".".join(s[k:k + 2] for k in range(0, 10, 2))
            elif shape < 0.95:
                phone = f"+1212{rng.randrange(2_000_000, 10_000_000)}"
            else:
                phone = f"+44207{n % 10_000_000:07d}"
            if len(seen) < 1000:
                seen.append(phone)
            w.writerow([f"C{i:07d}", "Jeanne", "Dupont", phone, rng.choice(cities), rng.choice("ABC")])
    return path


@pytest.fixture(scope="module")
def contact_file(tmp_path_factory: pytest.TempPathFactory, rows: int) -> Path:
    return write_contact_file(tmp_path_factory.mktemp("import") / "export.csv", rows)


def fresh_store(tmp: Path, name: str) -> tuple[Path, int]:
    path = tmp / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)

    async def make() -> int:
        with Store(path) as store:
            tenant = await store.create_tenant("t")
            return (await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name="c"))).id

    return path, trio.run(make)


def run_ours(db: Path, campaign_id: int, file: Path) -> int:
    async def main() -> int:
        with Store(db) as store:
            summary = await import_file(store, file, campaign_id=campaign_id)
            return summary.accepted

    return trio.run(main)


def zone_of(e164: str) -> str | None:
    digits = e164[1:]
    for k in range(min(len(digits), tzdata.TIMEZONE_LONGEST_PREFIX), 0, -1):
        zones = tzdata.TIMEZONE_DATA.get(digits[:k])
        if zones:
            return "&".join(zones)
    return None


def run_python(lib: ModuleType, db_path: Path, campaign_id: int, file: Path) -> int:
    """The straightforward importer, with ``lib`` as the numbering-plan library."""
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("BEGIN IMMEDIATE")
    list_id = db.execute("INSERT INTO contact_list (campaign_id, name, status, priority, created_at) "
                         "VALUES (?, 'l', 'active', 0, 0)", (campaign_id,)).lastrowid
    seen = {r[0] for r in db.execute("SELECT phone FROM contact WHERE campaign_id = ?", (campaign_id,))}
    e164 = lib.PhoneNumberFormat.E164
    batch = []
    with open(file, newline="", encoding="utf-8") as f:
        reader = csv.reader(f, delimiter=";")
        header = next(reader)
        phone_at = header.index("phone")
        others = [k for k in range(len(header)) if k != phone_at]
        for line, row in enumerate(reader, start=2):
            raw = row[phone_at].strip()
            if not ALLOWED.fullmatch(raw):
                continue
            try:
                number = lib.parse(raw, "FR")
            except Exception:
                continue
            if not lib.is_valid_number(number):
                continue
            phone = lib.format_number(number, e164)
            if phone in seen:
                continue
            seen.add(phone)
            fields = json.dumps({header[k]: row[k] for k in others}, ensure_ascii=False)
            batch.append((campaign_id, list_id, phone, zone_of(phone), line, fields))
    db.executemany("INSERT INTO contact (campaign_id, list_id, phone, zone, line, fields) VALUES (?, ?, ?, ?, ?, ?)",
                   batch)
    db.execute("COMMIT")
    db.close()
    return len(batch)


SIDES = {
    "ours": run_ours,
    "plain": lambda db, c, f: run_python(phonenumbers, db, c, f),
    "rphonenumbers": lambda db, c, f: run_python(rphonenumbers, db, c, f),
}


@pytest.fixture(scope="module")
def accepted_by_ours(contact_file: Path, tmp_path_factory: pytest.TempPathFactory) -> int:
    db, campaign = fresh_store(tmp_path_factory.mktemp("reference"), "ours")
    return run_ours(db, campaign, contact_file)


@pytest.mark.parametrize("side", list(SIDES))
def test_import(benchmark, side: str, contact_file: Path, tmp_path: Path, rows: int, accepted_by_ours: int) -> None:
    results: list[int] = []

    def setup() -> tuple[tuple[Path, int, Path], dict]:
        db, campaign = fresh_store(tmp_path, side)
        return (db, campaign, contact_file), {}

    def run(db: Path, campaign: int, file: Path) -> None:
        results.append(SIDES[side](db, campaign, file))

    benchmark.extra_info["rows"] = rows
    benchmark.pedantic(run, setup=setup, rounds=3 if side == "ours" else 1, iterations=1)
    assert results[-1] == accepted_by_ours
    assert 0.8 * rows < accepted_by_ours < rows  # about 10% of the generated numbers are unassigned ranges
