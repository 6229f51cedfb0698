from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ccengine import domain as d
from ccengine.contacts import export_calls, export_list, neutralize
from ccengine.store import CallEnd, Store
from tests.store.conftest import ALWAYS


@pytest.mark.parametrize(
    ("cell", "written"),
    [("=1+1", "'=1+1"), ("+33612345678", "'+33612345678"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\r=x", "'\r=x"), ("Dupont", "Dupont"), ("", ""), (None, ""), (3, "3"), ("a=b", "a=b")],
)
def test_formula_cells_are_neutralized(cell: object, written: str) -> None:
    assert neutralize(cell) == written


async def test_a_list_and_its_calls_come_back_as_safe_csv(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        tenant = await store.create_tenant("acme")
        camp = await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name="x", schedule=ALWAYS))
        lst = await store.create_list(camp.id, "l", status=d.ListStatus.ACTIVE)
        await store.add_contacts(lst.id, [("+33612345678", "Europe/Paris", {"name": "=HYPERLINK(\"http://x\")"}),
                                          ("+33612345679", None, {"city": "Lyon"})])
        [claim] = await store.claim_contacts(camp.id, 1, d.now_us(), "t")
        await store.end_calls([CallEnd(claim.call_id, d.Outcome.BUSY, d.now_us())])
        out = io.StringIO()
        assert await export_list(store, lst.id, out) == 2
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        assert rows[0][-2:] == ["name", "city"]
        assert rows[1][0] == "'+33612345678" and rows[1][-2] == "'=HYPERLINK(\"http://x\")"
        assert rows[1][2] == "pending" and rows[1][4] == "busy"
        calls = io.StringIO()
        assert await export_calls(store, camp.id, calls) == 1
        [head, row] = list(csv.reader(io.StringIO(calls.getvalue())))
        assert row[head.index("outcome")] == "busy" and row[head.index("phone")] == "'+33612345678"
