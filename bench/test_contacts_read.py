"""The native part of the contact import: a CRM-like CSV read through ``ContactReader`` from
Python, every chunk turned into the row tuples ``executemany`` takes (no SQLite here).

1,000,000 rows (``CCENGINE_BENCH_CONTACTS``); 20,000 when benchmarks are disabled (``./dev test``
runs it once as a test). The file is written once per session, outside the timed part.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ccengine._native import ContactReader, ZoneTable

ZONES = ZoneTable([("33", "Europe/Paris"), ("1212", "America/New_York"), ("44", "Europe/London")])


def contact_file(path: Path, rows: int) -> None:
    """id;nom;prenom;telephone;ville — French numbers in the usual shapes, 1% with spaces
    (rejected: seed 003 accepts only digits and ( ) + - .)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("id;nom;prénom;téléphone;ville\r\n")
        for i in range(rows):
            n = 10_000_000 + i * 7 % 90_000_000
            kind = i % 100
            if kind == 0:
                phone = f"06 {n}"
            elif kind <= 40:
                phone = f"06{n:08}"
            elif kind <= 70:
                phone = f"+336{n:08}"
            else:
                phone = f"01.{n // 1_000_000 % 100:02}.{n // 10_000 % 100:02}.{n // 100 % 100:02}.{n % 100:02}"
            out.write(f"{i};Dupont{i % 1000};Jean;{phone};Paris\r\n")


@pytest.fixture(scope="session")
def contacts_path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    rows = 20_000 if request.config.getoption("benchmark_disable") else int(
        os.environ.get("CCENGINE_BENCH_CONTACTS", 1_000_000)
    )
    path = tmp_path_factory.mktemp("contacts") / "contacts.csv"
    contact_file(path, rows)
    return path, rows


def read_all(path: Path) -> tuple[int, int]:
    reader = ContactReader(str(path), region="FR", zones=ZONES, campaign=1, list=1)
    accepted = rejected = 0
    while (chunk := reader.read(10_000)) is not None:
        accepted += len(chunk.rows)
        rejected += len(chunk.rejected)
    return accepted, rejected


def test_read_contacts(benchmark, contacts_path: tuple[Path, int]):
    path, rows = contacts_path
    accepted, rejected = benchmark(read_all, path)
    assert accepted + rejected == rows
    assert rejected == rows // 100
    if benchmark.stats:
        benchmark.extra_info["rows_per_second"] = rows / benchmark.stats.stats.min
