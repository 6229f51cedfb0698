"""Agents (seeds 000, 003): details (status, login address, last activities, campaigns, pause
time), the assignment card, and the actions a supervisor — or the agent themself — takes: log
in or out, pause, resume, end wrap-up (``ccengine.agents``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from ccengine import domain as d
from ccengine.api import _owned
from ccengine.api._auth import ADMINS, ALL_ROLES, MANAGERS, Caller, CallerDep, client_address
from ccengine.api._indicators import sized
from ccengine.api._models import After, Body, Int, Key, Limit, Page, QueryKey, Str, moment, page
from ccengine.api._problems import Problem
from ccengine.api._routing import operation
from ccengine.api._services import ServicesDep
from ccengine.dialer import SessionError

router = APIRouter(prefix="/api/agents", tags=["agents"])


class StatusOut(Body):
    state: d.AgentState
    since: dt.datetime
    pause_reason: str | None
    pause_pending: str | None
    """A pause asked for during a call: it starts when the wrap-up ends."""
    campaign_ids: list[int]
    """Campaigns the agent is logged in to."""
    queue_ids: list[int]
    call_id: int | None
    login_address: str | None
    login_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    """The agent's last activity (API calls, softphone)."""
    production_s: float
    """Logged-in time not paused, today (tenant's local day)."""
    pause_s: float


class AgentOut(Body):
    id: int
    tenant_id: int
    name: str
    user_id: int | None
    extension: str
    skills: list[str]
    team_ids: list[int]
    campaign_ids: list[int]
    """The assignment card: campaigns the agent may work."""
    queue_ids: list[int]
    status: StatusOut | None = None


class ActivityOut(Body):
    at: dt.datetime
    action: str
    from_state: d.AgentState
    to_state: d.AgentState
    by_user: int | None
    """The supervisor who did it; null when the agent or the engine did."""
    detail: str


class DetailsOut(AgentOut):
    activities: list[ActivityOut]


def status_out(s: d.AgentStatus) -> StatusOut:
    return StatusOut(state=s.state, since=moment(s.since), pause_reason=s.pause_reason, pause_pending=s.pause_pending,
                     campaign_ids=sorted(s.campaign_ids), queue_ids=sorted(s.queue_ids), call_id=s.call_id,
                     login_address=s.login_address, login_at=moment(s.login_at), last_seen_at=moment(s.last_seen_at),
                     production_s=s.production_s, pause_s=s.pause_s)


def agent_out(a: d.Agent, status: d.AgentStatus | None = None) -> AgentOut:
    return AgentOut(id=a.id, tenant_id=a.tenant_id, name=a.name, user_id=a.user_id, extension=a.extension,
                    skills=sorted(a.skills), team_ids=sorted(a.team_ids), campaign_ids=sorted(a.campaign_ids),
                    queue_ids=sorted(a.queue_ids), status=status_out(status) if status else None)


@operation(router, "GET", "", roles=MANAGERS, summary="Agents and their status", response_model=Page[AgentOut])
async def list_agents(caller: CallerDep, services: ServicesDep,
                      state: Annotated[list[d.AgentState] | None, Query()] = None,
                      campaign_id: QueryKey = None,
                      after: After = 0, limit: Limit = 100) -> Page[AgentOut]:
    statuses = {s.agent_id: s for s in await services.store.agent_statuses(caller.tenant_id)}
    found = [a for a in await services.store.agents(caller.tenant_id)
             if (not state or statuses[a.id].state in state)
             and (campaign_id is None or campaign_id in a.campaign_ids)]
    return page([agent_out(a, statuses[a.id]) for a in found], [a.id for a in found], after, limit)


class NewAgent(Body):
    name: Str
    user_id: Int | None = None
    """The user (role agent) who works as this agent."""
    extension: Str = ""
    skills: list[Str] = Field(default_factory=list)
    team_ids: list[Int] = Field(default_factory=list)
    campaign_ids: list[Int] = Field(default_factory=list)


@operation(router, "POST", "", roles=ADMINS, status_code=201, summary="Create an agent", response_model=AgentOut)
async def create_agent(body: NewAgent, caller: CallerDep, services: ServicesDep) -> AgentOut:
    if body.user_id is not None:
        user = await services.store.user(body.user_id)
        if user.tenant_id != caller.tenant_id:
            raise Problem(404, "not-found", f"no user {body.user_id}")
    for campaign_id in body.campaign_ids:
        await _owned.campaign(services, caller, campaign_id)
    agent = await services.store.create_agent(caller.tenant_id, body.name, user_id=body.user_id,
                                              extension=body.extension, skills=body.skills, team_ids=body.team_ids,
                                              campaign_ids=body.campaign_ids)
    sized(services.aggregator, "agent", agent.id)
    return agent_out(agent, await services.store.agent_status(agent.id))


@operation(router, "GET", "/{agent_id}", roles=ALL_ROLES, summary="An agent's details", response_model=DetailsOut)
async def details(agent_id: Key, caller: CallerDep, services: ServicesDep) -> DetailsOut:
    """Status, login address, last activity, campaigns, today's production and pause time, and the
    last activities (seed 000). An agent sees their own."""
    await _owned.agent(services, caller, agent_id)
    found = await services.agents.details(agent_id)
    out = agent_out(found.agent, found.status)
    return DetailsOut(**out.model_dump(), activities=[
        ActivityOut(at=moment(x.at), action=x.action, from_state=x.from_state, to_state=x.to_state,
                    by_user=x.by_user, detail=x.detail) for x in found.activities])


class Assignment(Body):
    campaign_ids: list[Int]
    team_ids: list[Int] = Field(default_factory=list)
    queue_ids: list[Int] = Field(default_factory=list)


@operation(router, "PUT", "/{agent_id}/assignment", roles=MANAGERS, summary="Replace an agent's assignment card",
           response_model=AgentOut)
async def assign(agent_id: Key, body: Assignment, caller: CallerDep, services: ServicesDep) -> AgentOut:
    await _owned.agent(services, caller, agent_id)
    for campaign_id in body.campaign_ids:
        await _owned.campaign(services, caller, campaign_id)
    agent = await services.store.assign_agent(agent_id, team_ids=body.team_ids, campaign_ids=body.campaign_ids,
                                              queue_ids=body.queue_ids)
    return agent_out(agent, await services.store.agent_status(agent_id))


class Login(Body):
    campaign_ids: list[Int] = Field(default_factory=list)
    """Campaigns to log in to (the agent's assigned ones when empty)."""
    queue_ids: list[Int] = Field(default_factory=list)


class Logout(Body):
    campaign_ids: list[Int] = Field(default_factory=list)
    """Log out of these only; of everything when empty."""
    queue_ids: list[Int] = Field(default_factory=list)


class Pause(Body):
    reason: Str = "other"
    """One of the reasons with a code in the indicators (break, lunch, training …) or free text."""


def _by(caller: Caller, agent_id: int) -> int | None:
    """Who acts: the supervisor's user id, or None when the agents acts on themself."""
    return None if caller.agent_id == agent_id else caller.user.id


@operation(router, "POST", "/{agent_id}/login", roles=ALL_ROLES, summary="Log an agent in",
           response_model=StatusOut)
async def login(agent_id: Key, body: Login, request: Request, caller: CallerDep, services: ServicesDep) -> StatusOut:
    """To campaigns they are assigned to; logging in again adds more. The login address kept is
    the caller's when the agent logs in themself. When the engine dials, the agent's registered
    phone is called first (the session leg, kept up for the whole session: every customer is
    bridged onto it) and the agent is logged in once it answers; a phone that does not answer is
    a 409 ``phone-unreachable``. An agent whose session is up is not called again."""
    agent = await _owned.agent(services, caller, agent_id)
    campaigns = set(body.campaign_ids) or set(agent.campaign_ids)
    unassigned = campaigns - agent.campaign_ids
    if unassigned:
        raise Problem(409, "not-assigned", f"agent {agent.name} is not assigned to campaigns {sorted(unassigned)}")
    address = client_address(request) if caller.agent_id == agent_id else None
    how: dict[str, Any] = {"queues": body.queue_ids, "address": address, "by_user": _by(caller, agent_id)}
    if services.dialer is None:
        return status_out(await services.agents.login(agent_id, campaigns=campaigns, **how))
    try:
        await services.dialer.login(agent_id, frozenset(campaigns), **how)
    except SessionError as e:
        raise Problem(409, "phone-unreachable", str(e)) from e
    return status_out(await services.store.agent_status(agent_id))


@operation(router, "POST", "/{agent_id}/logout", roles=ALL_ROLES, summary="Log an agent out",
           response_model=StatusOut)
async def logout(agent_id: Key, body: Logout, caller: CallerDep, services: ServicesDep) -> StatusOut:
    """Logged out of everything, an agent's session ends: the engine hangs up their phone."""
    await _owned.agent(services, caller, agent_id)
    how: dict[str, Any] = {"queues": body.queue_ids, "by_user": _by(caller, agent_id)}
    if services.dialer is None:
        return status_out(await services.agents.logout(agent_id, campaigns=body.campaign_ids, **how))
    return status_out(await services.dialer.logout(agent_id, frozenset(body.campaign_ids), **how))


@operation(router, "POST", "/{agent_id}/pause", roles=ALL_ROLES, summary="Pause an agent", response_model=StatusOut)
async def pause(agent_id: Key, body: Pause, caller: CallerDep, services: ServicesDep) -> StatusOut:
    """Reasons with an indicator code: other, break, lunch, training, meeting, technical, coaching;
    any other text counts as other. Asked during a call, the pause starts after the wrap-up."""
    await _owned.agent(services, caller, agent_id)
    return status_out(await services.agents.pause(agent_id, body.reason, by_user=_by(caller, agent_id)))


@operation(router, "POST", "/{agent_id}/resume", roles=ALL_ROLES, summary="Resume an agent", response_model=StatusOut)
async def resume(agent_id: Key, caller: CallerDep, services: ServicesDep) -> StatusOut:
    await _owned.agent(services, caller, agent_id)
    return status_out(await services.agents.resume(agent_id, by_user=_by(caller, agent_id)))


@operation(router, "POST", "/{agent_id}/end-wrapup", roles=ALL_ROLES, summary="End an agent's wrap-up",
           response_model=StatusOut)
async def end_wrapup(agent_id: Key, caller: CallerDep, services: ServicesDep) -> StatusOut:
    await _owned.agent(services, caller, agent_id)
    return status_out(await services.agents.end_wrapup(agent_id, by_user=_by(caller, agent_id)))
