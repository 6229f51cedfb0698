"""Active calls and callers waiting (seed 001's live panel), from the dialer's call board: each
call's state, since when, its agent and campaign. Supervisors see phone numbers masked, admins in
full. And the disposition of a call the agent wraps up: by the agent, or a supervisor or admin on
their behalf; a call a supervisor took over is qualified by a supervisor or admin."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from ccengine import domain as d
from ccengine.api import _owned
from ccengine.api._auth import ALL_ROLES, MANAGERS, Caller, CallerDep
from ccengine.api._campaigns import CallOut
from ccengine.api._campaigns import call_out as record_out
from ccengine.api._models import Body, Bool, Key, Moment, QueryKey, Str, micros, moment
from ccengine.api._problems import Problem
from ccengine.api._routing import operation
from ccengine.api._services import Services, ServicesDep
from ccengine.api._supervision import service
from ccengine.dialer import ActiveCall, CallbackRequest, Dialer, FlowState
from ccengine.errors import Conflict

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
    """None once a supervisor took the call over (the agent was released to take the next one)."""
    taken_over_by: int | None
    """The supervisor (user id) holding the call after a takeover."""


def masked(phone: str) -> str:
    hidden = len(phone) - _SHOWN_HEAD - _SHOWN_TAIL
    return phone if hidden <= 0 else phone[:_SHOWN_HEAD] + "*" * hidden + phone[-_SHOWN_TAIL:]


def call_out(call: ActiveCall, *, full_phone: bool) -> ActiveCallOut:
    return ActiveCallOut(call_id=call.call_id, campaign_id=call.campaign_id, contact_id=call.contact_id,
                         phone=call.phone if full_phone else masked(call.phone), state=call.state,
                         since=moment(call.since), placed_at=moment(call.placed_at), agent_id=call.agent_id,
                         taken_over_by=call.taken_over_by)


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


class CallbackIn(Body):
    at: Moment
    """When the contact is to be called back."""
    personal: Bool = True
    """To the agent who qualified the call; false: on the campaign's shared agenda."""
    note: Str = ""


class Disposition(Body):
    code: Str
    """One of the campaign's dispositions (``GET /api/campaigns/{id}/dispositions``)."""
    callback: CallbackIn | None = None
    """Only with a disposition that schedules a callback, which then needs it."""


def _dialer(services: Services) -> Dialer:
    if services.dialer is None:
        raise Problem(503, "no-telephony", "this engine runs without telephony: no call to qualify")
    return services.dialer


@operation(router, "POST", "/{call_id}/disposition", roles=ALL_ROLES, summary="Qualify a call",
           response_model=CallOut)
async def disposition(call_id: Key, body: Disposition, caller: CallerDep, services: ServicesDep) -> CallOut:
    """The agent qualifies the call they are wrapping up, and is available again at once; a
    supervisor or admin may do it on behalf of the call's agent. 409 ``not-in-wrap-up`` when
    the call's agent is not wrapping it up (already qualified, the wrap-up ceiling passed, or
    the call never reached an agent); 422 ``unknown-disposition``, ``callback-not-allowed``,
    ``callback-time-missing``. An agent reaches only their own calls, and not one a supervisor
    took over from them: that supervisor (or another, or an admin) qualifies it once it ends."""
    record = await services.store.call(call_id)
    await _owned.campaign(services, caller, record.campaign_id)
    dialer = _dialer(services)
    if caller.role is d.Role.AGENT and (caller.agent_id is None or record.agent_id != caller.agent_id):
        raise Problem(403, "forbidden", "an agent qualifies only their own calls")
    if record.agent_id is None:
        raise Conflict(f"call {call_id} never reached an agent", "not-in-wrap-up")
    if caller.role is d.Role.AGENT and dialer.wrapups.taken_over(call_id):
        raise Problem(403, "forbidden", f"call {call_id} was taken over by a supervisor, who qualifies it")
    callback = None if body.callback is None else CallbackRequest(
        micros(body.callback.at), personal=body.callback.personal, note=body.callback.note)
    return record_out(await dialer.dispose(record.agent_id, call_id, body.code, callback))
