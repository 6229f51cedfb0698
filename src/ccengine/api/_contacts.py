"""Contacts (seeds 003/004): one contact, move or delete one or in bulk, and missed inbound calls
added to a campaign."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import trio
from fastapi import APIRouter, Query
from pydantic import Field

from ccengine.api import _owned
from ccengine.api._auth import MANAGERS, CallerDep
from ccengine.api._lists import ContactOut, contact_out
from ccengine.api._models import After, Body, Int, Key, Limit, Page, moment, page
from ccengine.api._routing import operation
from ccengine.api._services import ServicesDep
from ccengine.contacts import ContactsError, ZoneTable, normalize_phone, zone_table
from ccengine.store import BulkResult

router = APIRouter(prefix="/api", tags=["contacts"])

Ids = Annotated[list[Int], Field(min_length=1, max_length=10_000)]


class BulkOut(Body):
    done: list[int]
    skipped: dict[str, str]
    """Id -> why it was left alone (``not-found``, ``in-call``, ``duplicate-in-campaign`` …)."""


def bulk_out(result: BulkResult, others: dict[int, str] | None = None) -> BulkOut:
    """The store's result, with the ids the caller's tenant does not have (``others``) skipped."""
    skipped = {**(others or {}), **result.skipped}
    return BulkOut(done=result.done, skipped={str(k): v for k, v in skipped.items()})


class Move(Body):
    contact_ids: Ids
    list_id: Int
    """The list they go to, possibly of another campaign of the tenant."""


class Remove(Body):
    contact_ids: Ids


class MoveOne(Body):
    list_id: Int


async def _mine(services: ServicesDep, caller: CallerDep, ids: list[int]) -> tuple[list[int], dict[int, str]]:
    """The ids of the caller's tenant; others are reported ``not-found`` like missing ones."""
    mine, others = [], {}
    campaigns = {c.id for c in await services.store.campaigns(caller.tenant_id)}
    for contact_id in dict.fromkeys(ids):
        try:
            found = await services.store.contact(contact_id)
        except LookupError:
            others[contact_id] = "not-found"
            continue
        if found.campaign_id in campaigns:
            mine.append(contact_id)
        else:
            others[contact_id] = "not-found"
    return mine, others


@operation(router, "GET", "/contacts/{contact_id}", roles=MANAGERS, summary="A contact", response_model=ContactOut)
async def get_contact(contact_id: Key, caller: CallerDep, services: ServicesDep) -> ContactOut:
    return contact_out(await _owned.contact(services, caller, contact_id))


@operation(router, "DELETE", "/contacts/{contact_id}", roles=MANAGERS, summary="Remove a contact",
           response_model=BulkOut)
async def remove_contact(contact_id: Key, caller: CallerDep, services: ServicesDep) -> BulkOut:
    """Its call records keep naming it; a contact in a call is skipped (``in-call``)."""
    await _owned.contact(services, caller, contact_id)
    return bulk_out(await services.store.remove_contacts([contact_id]))


@operation(router, "POST", "/contacts/{contact_id}/move", roles=MANAGERS, summary="Move a contact",
           response_model=BulkOut)
async def move_contact(contact_id: Key, body: MoveOne, caller: CallerDep, services: ServicesDep) -> BulkOut:
    await _owned.contact(services, caller, contact_id)
    await _owned.contact_list(services, caller, body.list_id)
    return bulk_out(await services.store.move_contacts([contact_id], body.list_id))


@operation(router, "POST", "/contacts/move", roles=MANAGERS, summary="Move contacts in bulk", response_model=BulkOut)
async def move_contacts(body: Move, caller: CallerDep, services: ServicesDep) -> BulkOut:
    await _owned.contact_list(services, caller, body.list_id)
    mine, others = await _mine(services, caller, body.contact_ids)
    result = await services.store.move_contacts(mine, body.list_id)
    return bulk_out(result, others)


@operation(router, "POST", "/contacts/remove", roles=MANAGERS, summary="Remove contacts in bulk",
           response_model=BulkOut)
async def remove_contacts(body: Remove, caller: CallerDep, services: ServicesDep) -> BulkOut:
    mine, others = await _mine(services, caller, body.contact_ids)
    result = await services.store.remove_contacts(mine)
    return bulk_out(result, others)


class MissedCallOut(Body):
    id: int
    phone: str
    at: dt.datetime
    queue_id: int | None
    campaign_id: int | None


class AddMissed(Body):
    missed_call_ids: Ids


@operation(router, "GET", "/missed-calls", roles=MANAGERS, summary="Missed inbound calls",
           response_model=Page[MissedCallOut])
async def missed_calls(caller: CallerDep, services: ServicesDep, pending: Annotated[bool, Query(
        description="only those not yet added to a campaign")] = True, after: After = 0,
                       limit: Limit = 100) -> Page[MissedCallOut]:
    found = sorted(await services.store.missed_calls(caller.tenant_id, pending_only=pending), key=lambda m: m.id)
    items = [MissedCallOut(id=m.id, phone=m.phone, at=moment(m.at), queue_id=m.queue_id, campaign_id=m.campaign_id)
             for m in found]
    return page(items, [m.id for m in found], after, limit)


@operation(router, "POST", "/campaigns/{campaign_id}/missed-calls", roles=MANAGERS,
           summary="Add missed calls to a campaign", response_model=BulkOut)
async def add_missed_calls(campaign_id: Key, body: AddMissed, caller: CallerDep, services: ServicesDep) -> BulkOut:
    """They land in the campaign's "Missed calls" list, made active at the top priority on first use."""
    await _owned.campaign(services, caller, campaign_id)
    tenant_missed = {m.id: m for m in await services.store.missed_calls(caller.tenant_id, pending_only=False)}
    mine = [m for m in dict.fromkeys(body.missed_call_ids) if m in tenant_missed]
    zones = await trio.to_thread.run_sync(zone_table)  # built once, on first use
    zone_of = {tenant_missed[m].phone: _zone(tenant_missed[m].phone, zones) for m in mine}
    result = await services.store.add_missed_calls(mine, campaign_id, zone_of)
    others = {m: "not-found" for m in body.missed_call_ids if m not in tenant_missed}
    return bulk_out(result, others)


def _zone(phone: str, zones: ZoneTable) -> str | None:
    """The zone of a stored E.164 number (None when the numbering plan no longer knows it)."""
    try:
        return normalize_phone(phone, "FR", zones=zones)[1]
    except ContactsError:
        return None
