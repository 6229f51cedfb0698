"""CSV exports, safe to open in a spreadsheet: call records, a list's contacts, and indicators
per agent, campaign or list. Every cell goes through ``ccengine.contacts.neutralize`` (a cell that
a spreadsheet would run as a formula is written as text)."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Awaitable, Callable
from typing import Annotated, Literal, TextIO

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from ccengine import domain as d
from ccengine.api import _owned
from ccengine.api._auth import MANAGERS, CallerDep
from ccengine.api._indicators import Period, agent_rows, sized
from ccengine.api._models import Key, Moment, micros
from ccengine.api._routing import operation
from ccengine.api._services import ServicesDep
from ccengine.contacts import export_calls, export_list, neutralize
from ccengine.metrics import INDICATORS

router = APIRouter(prefix="/api", tags=["exports"])

CSV = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, UTF-8, a header row"}}


async def _csv(name: str, write: Callable[[TextIO], Awaitable[object]]) -> FileResponse:
    """Writes the export to a temporary file (it may be large) and streams it back."""
    handle, path = tempfile.mkstemp(prefix="ccengine-export-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            await write(out)
    except BaseException:
        os.unlink(path)
        raise
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=name,
                        background=BackgroundTask(os.unlink, path))


@operation(router, "GET", "/campaigns/{campaign_id}/calls.csv", roles=MANAGERS, summary="Export call records",
           response_class=FileResponse, responses=CSV)
async def calls_csv(campaign_id: Key, caller: CallerDep, services: ServicesDep,
                    since: Annotated[Moment | None, Query()] = None,
                    until: Annotated[Moment | None, Query()] = None) -> FileResponse:
    """Calls placed in [since, until)."""
    campaign = await _owned.campaign(services, caller, campaign_id)
    return await _csv(f"{campaign.name}-calls.csv", lambda out: export_calls(
        services.store, campaign_id, out, since=micros(since) if since else 0, until=micros(until) if until else None))


@operation(router, "GET", "/lists/{list_id}/contacts.csv", roles=MANAGERS, summary="Export a list's contacts",
           response_class=FileResponse, responses=CSV)
async def list_csv(list_id: Key, caller: CallerDep, services: ServicesDep) -> FileResponse:
    found = await _owned.contact_list(services, caller, list_id)
    return await _csv(f"{found.name}.csv", lambda out: export_list(services.store, list_id, out))


@operation(router, "GET", "/indicators/export.csv", roles=MANAGERS, summary="Export indicators",
           response_class=FileResponse, responses=CSV)
async def indicators_csv(caller: CallerDep, services: ServicesDep, period: Period = "day",
                         dimension: Literal["agent", "campaign", "list"] = "agent") -> FileResponse:
    """One row per agent, campaign or list of the tenant, one column per indicator (empty: no
    value), for the current period so far."""
    rows: list[tuple[int, str, dict[str, float | None]]]
    if dimension == "agent":
        rows = [(r.agent_id, r.name, r.indicators) for r in await agent_rows(services, caller, period)]
    else:
        campaigns = await services.store.campaigns(caller.tenant_id)
        if dimension == "campaign":
            entities = [(c.id, c.name) for c in campaigns]
        else:
            entities = [(x.id, f"{c.name} / {x.name}") for c in campaigns
                        for x in await services.store.contact_lists(c.id)]
        now = d.now_us()
        for entity_id, _ in entities:
            sized(services.aggregator, dimension, entity_id)
        rows = [(i, name, services.aggregator.values(now, period, dimension, i)) for i, name in entities]

    async def write(out: TextIO) -> None:
        writer = csv.writer(out)
        writer.writerow([f"{dimension}_id", "name", *INDICATORS])
        for entity_id, name, values in rows:
            writer.writerow(neutralize(x) for x in (entity_id, name, *("" if values[k] is None else values[k]
                                                                         for k in INDICATORS)))

    return await _csv(f"indicators-{period}-{dimension}.csv", write)
