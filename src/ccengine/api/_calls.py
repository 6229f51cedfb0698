"""Active calls and callers waiting (seed 001's live panel), from the dialer's call board: each
call's state, since when, its agent and campaign. Supervisors see phone numbers masked, admins in
full."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from ccengine import domain as d
from ccengine.api._auth import MANAGERS, Caller, CallerDep
from ccengine.api._models import Body, QueryKey, moment
from ccengine.api._routing import operation
from ccengine.api._services import ServicesDep
from ccengine.api._supervision import service
from ccengine.dialer import ActiveCall, FlowState

router = APIRouter(prefix="/api/calls", tags=["calls"])

#: Characters of a number shown around the mask: the country and area, and the last two digits.
_SHOWN_HEAD, _SHOWN_TAIL = 4, 2


class ActiveCallOut(Body):
    call_id: int
    campaign_id: int
    contact_id: int
    phone: str
    """Masked in the middle for supervisors (``+336******12``), in full for admins."""
    state: FlowState
    """``waiting``: a person answered and waits for an agent."""
    since: dt.datetime
    """When the call entered its state."""
    placed_at: dt.datetime
    agent_id: int | None


def masked(phone: str) -> str:
    hidden = len(phone) - _SHOWN_HEAD - _SHOWN_TAIL
    return phone if hidden <= 0 else phone[:_SHOWN_HEAD] + "*" * hidden + phone[-_SHOWN_TAIL:]


def call_out(call: ActiveCall, *, full_phone: bool) -> ActiveCallOut:
    return ActiveCallOut(call_id=call.call_id, campaign_id=call.campaign_id, contact_id=call.contact_id,
                         phone=call.phone if full_phone else masked(call.phone), state=call.state,
                         since=moment(call.since), placed_at=moment(call.placed_at), agent_id=call.agent_id)


def _full(caller: Caller) -> bool:
    return caller.role is d.Role.ADMIN


@operation(router, "GET", "/active", roles=MANAGERS, summary="Calls in flight", response_model=list[ActiveCallOut])
async def active(caller: CallerDep, services: ServicesDep, campaign_id: QueryKey = None) -> list[ActiveCallOut]:
    """Every call the dialer has in flight in the caller's tenant, oldest first."""
    board = service(services).board
    return [call_out(c, full_phone=_full(caller)) for c in board.calls(tenant_id=caller.tenant_id,
                                                                        campaign_id=campaign_id)]


@operation(router, "GET", "/waiting", roles=MANAGERS, summary="Callers waiting for an agent",
           response_model=list[ActiveCallOut])
async def waiting(caller: CallerDep, services: ServicesDep) -> list[ActiveCallOut]:
    """People who answered and wait for a free agent, longest waiting first."""
    board = service(services).board
    return [call_out(c, full_phone=_full(caller)) for c in board.waiting(tenant_id=caller.tenant_id)]
