"""Contact lists, seed 000's "fichiers": create, activate, deactivate, finish, recycle by chosen
outcomes, settings, their contacts, and CSV import with the line-by-line report."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from typing import Annotated, Literal

import trio
from fastapi import APIRouter, File, Form, Query, UploadFile

from ccengine import domain as d
from ccengine.api import _owned
from ccengine.api._auth import MANAGERS, CallerDep
from ccengine.api._indicators import sized
from ccengine.api._models import After, Body, Int, Key, Limit, Page, Str, moment, page
from ccengine.api._problems import Problem
from ccengine.api._routing import operation
from ccengine.api._services import ServicesDep
from ccengine.contacts import import_file
from ccengine.store import RECYCLABLE

router = APIRouter(prefix="/api", tags=["contact lists"])


class ListOut(Body):
    id: int
    campaign_id: int
    name: str
    status: d.ListStatus
    priority: int
    created_at: dt.datetime
    contacts_by_state: dict[str, int] | None = None


class NewList(Body):
    name: Str
    priority: Int = 0


class ListSettings(Body):
    name: Str | None = None
    priority: Int | None = None
    """Higher lists are dialed first."""


def list_out(x: d.ContactList, counts: dict[str, int] | None = None) -> ListOut:
    return ListOut(id=x.id, campaign_id=x.campaign_id, name=x.name, status=x.status, priority=x.priority,
                   created_at=moment(x.created_at), contacts_by_state=counts)


@operation(router, "GET", "/campaigns/{campaign_id}/lists", roles=MANAGERS, summary="A campaign's lists",
           response_model=Page[ListOut])
async def campaign_lists(campaign_id: Key, caller: CallerDep, services: ServicesDep,
                         status: Annotated[d.ListStatus | None, Query()] = None, after: After = 0,
                         limit: Limit = 100) -> Page[ListOut]:
    await _owned.campaign(services, caller, campaign_id)
    found = sorted((x for x in await services.store.contact_lists(campaign_id) if status is None or x.status is status),
                   key=lambda x: x.id)
    return page([list_out(x) for x in found], [x.id for x in found], after, limit)


@operation(router, "POST", "/campaigns/{campaign_id}/lists", roles=MANAGERS, status_code=201,
           summary="Create a list", response_model=ListOut)
async def create_list(campaign_id: Key, body: NewList, caller: CallerDep, services: ServicesDep) -> ListOut:
    """It starts paused."""
    await _owned.campaign(services, caller, campaign_id)
    created = await services.store.create_list(campaign_id, body.name, priority=body.priority)
    sized(services.aggregator, "list", created.id)
    return list_out(created)


@operation(router, "GET", "/lists/{list_id}", roles=MANAGERS, summary="A list, with its contacts by state",
           response_model=ListOut)
async def get_list(list_id: Key, caller: CallerDep, services: ServicesDep) -> ListOut:
    found = await _owned.contact_list(services, caller, list_id)
    return list_out(found, await services.store.list_counts(list_id))


@operation(router, "PATCH", "/lists/{list_id}", roles=MANAGERS, summary="A list's settings", response_model=ListOut)
async def edit_list(list_id: Key, body: ListSettings, caller: CallerDep, services: ServicesDep) -> ListOut:
    await _owned.contact_list(services, caller, list_id)
    return list_out(await services.store.edit_list(list_id, name=body.name, priority=body.priority))


_LIST_ACTIONS = {"activate": "activate", "deactivate": "pause", "finish": "finish"}


def _action(path: str, action: str) -> None:
    async def act(list_id: Key, caller: CallerDep, services: ServicesDep) -> ListOut:
        await _owned.contact_list(services, caller, list_id)
        return list_out(await services.campaigns.list_act(list_id, action))

    act.__name__ = f"{path}_list"
    operation(router, "POST", f"/lists/{{list_id}}/{path}", roles=MANAGERS, summary=f"{path.capitalize()} a list",
              response_model=ListOut)(act)


for _path, _act in _LIST_ACTIONS.items():
    _action(_path, _act)


# Built from the store's RECYCLABLE at import, so the schema's enum follows it; mypy cannot read a
# type computed at run time (valid-type), which is why the two ignores below stay.
Recyclable = Literal[tuple(sorted(o.value for o in RECYCLABLE))]  # type: ignore[valid-type]


class Recycle(Body):
    outcomes: list[Recyclable]  # type: ignore[valid-type]
    """The last outcomes whose contacts are dialed again (seed 000's "recycler")."""


class Recycled(Body):
    recycled: int


@operation(router, "POST", "/lists/{list_id}/recycle", roles=MANAGERS, summary="Recycle a list",
           response_model=Recycled)
async def recycle(list_id: Key, body: Recycle, caller: CallerDep, services: ServicesDep) -> Recycled:
    """Contacts whose last outcome is one of ``outcomes`` become pending now, attempts reset."""
    await _owned.contact_list(services, caller, list_id)
    return Recycled(recycled=await services.store.recycle_list(list_id, [d.Outcome(o) for o in body.outcomes]))


class ContactOut(Body):
    id: int
    campaign_id: int
    list_id: int
    phone: str
    zone: str | None
    fields: dict[str, str]
    state: d.ContactState
    attempts: int
    last_outcome: d.Outcome | None
    last_disposition: str | None
    next_attempt_at: dt.datetime | None
    source_line: int | None


def contact_out(c: d.Contact) -> ContactOut:
    return ContactOut(id=c.id, campaign_id=c.campaign_id, list_id=c.list_id, phone=c.phone, zone=c.zone,
                      fields=dict(c.fields), state=c.state, attempts=c.attempts, last_outcome=c.last_outcome,
                      last_disposition=c.last_disposition,
                      next_attempt_at=moment(c.next_attempt_at) if c.next_attempt_at else None,
                      source_line=c.source_line)


@operation(router, "GET", "/lists/{list_id}/contacts", roles=MANAGERS, summary="A list's contacts",
           response_model=Page[ContactOut])
async def list_contacts(list_id: Key, caller: CallerDep, services: ServicesDep,
                        state: Annotated[list[d.ContactState] | None, Query()] = None, after: After = 0,
                        limit: Limit = 100) -> Page[ContactOut]:
    await _owned.contact_list(services, caller, list_id)
    found = await services.store.contacts(list_id, after=after, limit=limit + 1, states=state)
    return page([contact_out(c) for c in found], [c.id for c in found], after, limit)


class RejectionOut(Body):
    line: int
    reason: str
    detail: str


class ImportOut(Body):
    import_id: int
    campaign_id: int
    list_id: int
    status: str
    encoding: str
    delimiter: str
    header: bool
    columns: list[str]
    phone_column: str
    accepted: int
    rejected: int
    rejected_by_reason: dict[str, int]
    rejections: list[RejectionOut]
    """The first 1,000; all of them: GET /api/imports/{import_id}/rejections."""
    seconds: float
    rows_per_second: int | None


@operation(router, "POST", "/campaigns/{campaign_id}/imports", roles=MANAGERS, status_code=201,
           summary="Import a CSV contact list", response_model=ImportOut)
async def upload(campaign_id: Key, caller: CallerDep, services: ServicesDep,
                 file: Annotated[UploadFile, File(description="the CSV file")],
                 list_name: Annotated[str | None, Form()] = None,
                 header: Annotated[bool | None, Form(description="first row holds column names (default: detected)")]
                 = None,
                 phone_column: Annotated[str | None, Form(description="name or 1-based number (default: detected)")]
                 = None,
                 country: Annotated[str, Form(pattern="^[A-Za-z]{2}$")] = "FR",
                 delimiter: Annotated[Literal[",", ";", "tab"] | None, Form()] = None,
                 activate: Annotated[bool, Form()] = True) -> ImportOut:
    """Each bad row is rejected with its line and reason while the good ones land (seeds 003/004);
    a file that cannot be read at all is refused whole (422 with the reader's slug)."""
    await _owned.campaign(services, caller, campaign_id)
    limit = services.settings.upload_limit_bytes
    column: str | int | None = int(phone_column) if phone_column and phone_column.isdigit() else phone_column
    with tempfile.TemporaryDirectory(prefix="ccengine-upload-") as directory:
        name = os.path.basename(file.filename or "upload.csv") or "upload.csv"
        path = os.path.join(directory, name)
        size = 0
        async with await trio.open_file(path, "wb") as out:
            while chunk := await file.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise Problem(413, "file-too-large", f"an upload is at most {limit:,} bytes")
                await out.write(chunk)
        summary = await import_file(
            services.store, path, campaign_id=campaign_id, list_name=list_name or None, region=country.upper(),
            header=header, phone_column=column, delimiter="\t" if delimiter == "tab" else delimiter,
            activate=activate)
    sized(services.aggregator, "list", summary.list_id)
    record = await services.store.import_record(summary.import_id)
    values = summary.as_dict()
    del values["file"]  # the spooled copy's path, gone by now
    return ImportOut.model_validate({**values, "status": record.status})


@operation(router, "GET", "/imports/{import_id}/rejections", roles=MANAGERS, summary="An import's rejected lines",
           response_model=Page[RejectionOut])
async def rejections(import_id: Key, caller: CallerDep, services: ServicesDep, after: After = 0,
                     limit: Limit = 100) -> Page[RejectionOut]:
    """By line (``after``: a line number)."""
    record = await services.store.import_record(import_id)
    await _owned.campaign(services, caller, record.campaign_id)
    found = await services.store.import_rejections(import_id, after_line=after, limit=limit + 1)
    return page([RejectionOut(line=line, reason=reason, detail=detail) for line, reason, detail in found],
                [line for line, _, _ in found], after, limit)
