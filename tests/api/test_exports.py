"""CSV exports are safe to open in a spreadsheet: formula-like cells are written as text."""

from __future__ import annotations

import csv
import io

from ccengine import domain as d
from ccengine.store import CallEnd
from tests.api.conftest import Api


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_call_records_export(api: Api) -> None:
    acme = api.tenants[0]
    store = api.services.store
    claims = await store.claim_contacts(acme.campaign.id, 2, d.now_us(), "test")
    await store.end_calls([CallEnd(c.call_id, d.Outcome.BUSY, d.now_us()) for c in claims])
    r = await api.as_role(0, "supervisor", "GET", f"/api/campaigns/{acme.campaign.id}/calls.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = rows(r.text)
    assert table[0][:4] == ["call_id", "contact_id", "list_id", "phone"] and len(table) == 3
    assert all(row[3].startswith("'+33") for row in table[1:])  # E.164 starts with "+": neutralized


async def test_list_export_neutralizes_formulas(api: Api) -> None:
    acme = api.tenants[0]
    evil = await api.services.store.add_contacts(acme.contact_list.id, [
        ("+33699999999", None, {"n": "=HYPERLINK(\"http://x\",\"y\")"}), ("+33699999998", None, {"n": "@SUM(A1)"})])
    assert len(evil.done) == 2
    r = await api.as_role(0, "supervisor", "GET", f"/api/lists/{acme.contact_list.id}/contacts.csv")
    table = rows(r.text)
    column = table[0].index("n")
    cells = [row[column] for row in table[1:]]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in cells and "'@SUM(A1)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table[1:] for cell in row)


async def test_indicators_export_by_agent_and_campaign(api: Api) -> None:
    acme = api.tenants[0]
    await api.services.store.edit_campaign(acme.campaign.id, name="=1+1")
    by_campaign = rows((await api.as_role(0, "supervisor", "GET", "/api/indicators/export.csv",
                                          params={"dimension": "campaign", "period": "week"})).text)
    assert by_campaign[0][:3] == ["campaign_id", "name", "attempts"]
    assert by_campaign[1][:3] == [str(acme.campaign.id), "'=1+1", "0.0"]
    by_agent = rows((await api.as_role(0, "supervisor", "GET", "/api/indicators/export.csv")).text)
    assert [row[1] for row in by_agent[1:]] == [acme.agent.name]
    by_list = rows((await api.as_role(0, "supervisor", "GET", "/api/indicators/export.csv",
                                      params={"dimension": "list"})).text)
    assert by_list[1][1] == "'=1+1 / main"
