"""The tenant's do-not-call list: numbers never to be dialed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import Field

from ccengine.api._auth import MANAGERS, CallerDep
from ccengine.api._models import After, Body, Limit, Page, Str, page
from ccengine.api._routing import operation
from ccengine.api._services import ServicesDep
from ccengine.contacts import normalize_phone

router = APIRouter(prefix="/api/do-not-call", tags=["do-not-call"])

Phones = Annotated[list[Str], Field(min_length=1, max_length=100_000)]


class Numbers(Body):
    phones: Phones
    """As dialed or written in a file; normalized to E.164 (national numbers in ``country``)."""
    country: Annotated[Str, Field(pattern="^[A-Za-z]{2}$")] = "FR"
    reason: Str = ""


class Changed(Body):
    changed: int


def _e164(body: Numbers) -> list[str]:
    return [normalize_phone(p, body.country.upper())[0] for p in body.phones]


@operation(router, "GET", "", roles=MANAGERS, summary="The do-not-call list", response_model=Page[str])
async def numbers(caller: CallerDep, services: ServicesDep, after: After = 0, limit: Limit = 100) -> Page[str]:
    """By number (``after``: the digits of the last number of the previous page)."""
    found = await services.store.do_not_call(caller.tenant_id)
    return page(found, [int(p[1:]) for p in found], after, limit)


@operation(router, "POST", "", roles=MANAGERS, summary="Add numbers", response_model=Changed)
async def add(body: Numbers, caller: CallerDep, services: ServicesDep) -> Changed:
    """A number that cannot be read is refused with 422 and its reason; none is added then."""
    return Changed(changed=await services.store.add_do_not_call(caller.tenant_id, _e164(body), body.reason))


@operation(router, "POST", "/remove", roles=MANAGERS, summary="Remove numbers", response_model=Changed)
async def remove(body: Numbers, caller: CallerDep, services: ServicesDep) -> Changed:
    return Changed(changed=await services.store.remove_do_not_call(caller.tenant_id, _e164(body)))
