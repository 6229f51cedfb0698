"""Importing files into a real store: what lands, what is rejected and why, what a refused or
killed import leaves behind."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ccengine import domain as d
from ccengine.contacts import ContactsError, import_file
from ccengine.store import Store

ROOT = Path(__file__).parents[2]


async def campaign(store: Store) -> d.Campaign:
    tenant = await store.create_tenant("acme", "Europe/Paris")
    return await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name="sales"))


def write(tmp_path: Path, text: str, name: str = "leads.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


async def test_good_rows_land_and_bad_ones_are_reported_by_line(tmp_path: Path) -> None:
    file = write(tmp_path, "nom;téléphone;ville\n"
                           "Dupont;06 12 34 56 78;Paris\n"       # line 2: a space is not allowed (seed 003)
                           "Martin;06.12.34.56.79;Lyon\n"        # line 3
                           "Durand;+1 (212) 555-0100;NYC\n"      # line 4: spaces again
                           "Petit;+1(212)555-0100;NYC\n"         # line 5
                           "Roux;0612345679;Nice\n"              # line 6: duplicate of line 3
                           "Blanc;06ABC;Nice\n"                  # line 7
                           "Noir;;Brest\n")                      # line 8
    with Store(tmp_path / "c.db") as store:
        camp = await campaign(store)
        summary = await import_file(store, file, campaign_id=camp.id)
        assert summary.accepted == 2 and summary.rejected == 5
        assert summary.header and summary.delimiter == ";" and summary.phone_column == "téléphone"
        lines = {line: reason for line, reason, _ in summary.rejections}
        assert lines == {2: "phone-characters", 4: "phone-characters", 6: "duplicate-in-file",
                         7: "phone-characters", 8: "phone-missing"}
        assert summary.rejected_by_reason == {"duplicate-in-file": 1, "phone-characters": 3, "phone-missing": 1}
        lst = await store.contact_list(summary.list_id)
        assert lst.name == "leads" and lst.status is d.ListStatus.ACTIVE
        contacts = await store.contacts(lst.id)
        assert [(c.phone, c.zone, c.source_line) for c in contacts] == [
            ("+33612345679", "Europe/Paris", 3), ("+12125550100", "America/New_York", 5)]
        assert contacts[0].fields == {"nom": "Martin", "ville": "Lyon"}
        record = await store.import_record(summary.import_id)
        assert (record.status, record.accepted, record.rejected) == ("done", 2, 5)
        assert [r[0] for r in await store.import_rejections(summary.import_id)] == [2, 4, 6, 7, 8]


async def test_numbers_already_in_the_campaign_or_on_do_not_call_are_rejected(tmp_path: Path) -> None:
    file = write(tmp_path, "phone\n0612345678\n0612345679\n0612345670\n")
    with Store(tmp_path / "c.db") as store:
        camp = await campaign(store)
        first = await import_file(store, file, campaign_id=camp.id, list_name="a")
        assert first.accepted == 3
        await store.add_do_not_call(camp.tenant_id, ["+33612345671"])
        again = write(tmp_path, "phone\n0612345678\n0612345671\n0612345672\n", "again.csv")
        second = await import_file(store, again, campaign_id=camp.id, list_name="b", activate=False)
        assert second.accepted == 1
        assert {(line, reason) for line, reason, _ in second.rejections} == {
            (2, "duplicate-in-campaign"), (3, "do-not-call")}
        assert (await store.contact_list(second.list_id)).status is d.ListStatus.PAUSED


@pytest.mark.parametrize(
    ("content", "slug"),
    [(b"", "file-empty"), (b"phone;name\n", "file-header-only"),
     (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "file-binary")],
)
async def test_a_refused_file_leaves_nothing_behind(tmp_path: Path, content: bytes, slug: str) -> None:
    file = tmp_path / "bad.csv"
    file.write_bytes(content)
    with Store(tmp_path / "c.db") as store:
        camp = await campaign(store)
        with pytest.raises(ContactsError) as e:
            await import_file(store, file, campaign_id=camp.id, header=True if slug == "file-header-only" else None)
        assert e.value.slug == slug
        assert await store.contact_lists(camp.id) == []
    raw = sqlite3.connect(tmp_path / "c.db")
    assert raw.execute("SELECT count(*) FROM import").fetchone()[0] == 0


async def test_the_cli_prints_a_json_summary(tmp_path: Path) -> None:
    file = write(tmp_path, "phone,name\n0612345678,A\n+44 20,B\n=cmd(),C\n")
    out = subprocess.run(
        [sys.executable, "-m", "ccengine.cli", "import", str(file), "--campaign", "spring", "--create-campaign",
         "--db", str(tmp_path / "c.db"), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    summary = json.loads(out.stdout)
    assert summary["accepted"] == 1 and summary["rejected"] == 2
    assert summary["rejected_by_reason"] == {"phone-characters": 2}
    assert [r["line"] for r in summary["rejections"]] == [3, 4]


async def test_the_cli_refuses_an_unreadable_file_clearly(tmp_path: Path) -> None:
    file = write(tmp_path, "")
    out = subprocess.run(
        [sys.executable, "-m", "ccengine.cli", "import", str(file), "--campaign", "spring", "--create-campaign",
         "--db", str(tmp_path / "c.db")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "file-empty" in out.stderr and "Traceback" not in out.stderr


async def test_a_killed_import_keeps_its_committed_chunks_and_a_rerun_completes_it(tmp_path: Path) -> None:
    rows = 1_000_000  # a few seconds of import: the kill lands well before its end, even on a busy machine
    file = tmp_path / "big.csv"
    with open(file, "w") as f:
        f.write("phone\n")
        f.writelines(f"06{i:08d}\n" for i in range(rows))
    db = tmp_path / "c.db"
    with Store(db) as store:
        camp = await campaign(store)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccengine.cli", "import", str(file), "--campaign", "sales", "--tenant", "acme",
         "--db", str(db)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    raw = sqlite3.connect(db, timeout=30)
    while raw.execute("SELECT count(*) FROM contact").fetchone()[0] == 0:  # wait for the first chunk
        assert proc.poll() is None, "the import ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    landed = raw.execute("SELECT count(*) FROM contact").fetchone()[0]
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Whole chunks only: the import's own count agrees with what is there, and every contact has
    # its number recorded for the campaign (and no number points elsewhere).
    assert raw.execute("SELECT accepted FROM import").fetchone()[0] == landed
    assert raw.execute(
        "SELECT count(*) FROM contact c JOIN campaign_phone p ON p.contact_id = c.id "
        "AND p.campaign_id = c.campaign_id AND p.phone = c.phone").fetchone()[0] == landed
    assert raw.execute("SELECT count(*) FROM campaign_phone").fetchone()[0] == landed
    raw.close()
    assert 0 < landed < rows
    with Store(db) as store:
        [record] = [await store.import_record(1)]
        assert record.status == "interrupted"
        summary = await import_file(store, file, campaign_id=camp.id)
        assert summary.accepted == rows - landed
        assert summary.rejected_by_reason == {"duplicate-in-campaign": landed}
        assert sum((await store.list_counts(summary.list_id)).values()) == rows
