"""Callbacks (seed 000): the shared agenda, where any agent of the campaign may take a callback,
and personal ones. An agent sees the shared agenda and their own."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from ccengine import domain as d
from ccengine.api import _owned
from ccengine.api._auth import ALL_ROLES, MANAGERS, CallerDep
from ccengine.api._models import After, Body, Int, Key, Limit, Moment, Page, Str, micros, moment, page
from ccengine.api._problems import Problem
from ccengine.api._routing import operation
from ccengine.api._services import ServicesDep

router = APIRouter(prefix="/api", tags=["callbacks"])


class CallbackOut(Body):
    id: int
    campaign_id: int
    contact_id: int
    due_at: dt.datetime
    agent_id: int | None
    """null: on the shared agenda."""
    shared: bool
    note: str
    state: d.CallbackState
    created_at: dt.datetime


def callback_out(c: d.Callback) -> CallbackOut:
    return CallbackOut(id=c.id, campaign_id=c.campaign_id, contact_id=c.contact_id, due_at=moment(c.due_at),
                       agent_id=c.agent_id, shared=c.shared, note=c.note, state=c.state,
                       created_at=moment(c.created_at))


@operation(router, "GET", "/campaigns/{campaign_id}/callbacks", roles=ALL_ROLES, summary="A campaign's agenda",
           response_model=Page[CallbackOut])
async def agenda(campaign_id: Key, caller: CallerDep, services: ServicesDep,
                 agent_id: Annotated[int | None, Query(description="only this agent's personal callbacks")] = None,
                 shared: Annotated[bool | None, Query(description="only the shared agenda (true) or personal")] = None,
                 due_before: Annotated[Moment | None, Query()] = None,
                 state: Annotated[list[d.CallbackState] | None, Query()] = None,
                 after: After = 0, limit: Limit = 100) -> Page[CallbackOut]:
    """By due time. An agent gets the shared agenda and their own callbacks, of the campaigns they
    are assigned to."""
    await _owned.agenda(services, caller, campaign_id)
    found = await services.store.callbacks(campaign_id, agent_id=agent_id, shared=shared,
                                           due_before=micros(due_before) if due_before else None,
                                           states=state or [d.CallbackState.PENDING])
    if caller.role is d.Role.AGENT:
        found = [c for c in found if c.agent_id in (None, caller.agent_id)]
    found.sort(key=lambda c: c.id)
    return page([callback_out(c) for c in found], [c.id for c in found], after, limit)


class NewCallback(Body):
    due_at: Moment
    agent_id: Int | None = None
    """A personal callback for this agent; null or absent: the shared agenda."""
    note: Str = ""


@operation(router, "POST", "/contacts/{contact_id}/callback", roles=MANAGERS, status_code=201,
           summary="Schedule a contact's callback", response_model=CallbackOut)
async def schedule(contact_id: Key, body: NewCallback, caller: CallerDep, services: ServicesDep) -> CallbackOut:
    """Replaces the contact's pending callback, if any."""
    await _owned.contact(services, caller, contact_id)
    if body.agent_id is not None:
        await _owned.agent(services, caller, body.agent_id)
    return callback_out(await services.store.schedule_callback(contact_id, micros(body.due_at),
                                                               agent_id=body.agent_id, note=body.note))


class CallbackEdit(Body):
    agent_id: Int | None = None
    """Give it to this agent, or to the shared agenda with null."""
    due_at: Moment | None = None


@operation(router, "PATCH", "/callbacks/{callback_id}", roles=MANAGERS, summary="Reassign or move a callback",
           response_model=CallbackOut)
async def edit(callback_id: Key, body: CallbackEdit, caller: CallerDep, services: ServicesDep) -> CallbackOut:
    current = await _owned.callback(services, caller, callback_id)
    if "agent_id" in body.model_fields_set and body.agent_id is not None:
        await _owned.agent(services, caller, body.agent_id)
    agent_id = body.agent_id if "agent_id" in body.model_fields_set else current.agent_id
    return callback_out(await services.store.reassign_callback(
        callback_id, agent_id=agent_id, due_at=micros(body.due_at) if body.due_at else None))


class Close(Body):
    state: d.CallbackState
    """``done`` or ``cancelled`` (the contact goes back to its list)."""


@operation(router, "POST", "/callbacks/{callback_id}/close", roles=ALL_ROLES, summary="Close a callback",
           response_model=CallbackOut)
async def close(callback_id: Key, body: Close, caller: CallerDep, services: ServicesDep) -> CallbackOut:
    """An agent closes the shared agenda's callbacks and their own."""
    await _owned.callback(services, caller, callback_id)
    if body.state is d.CallbackState.PENDING:
        raise Problem(422, "invalid-transition", "a callback is closed as done or cancelled")
    return callback_out(await services.store.close_callback(callback_id, body.state))
