"""Supervision (seed 001): the caller listens to, coaches, joins or takes over an agent's call on
their own phone, switches mode, stops; and the audit log of all of it. Supervisors and admins
only; another tenant's agent does not exist (404); without telephony these answer 503."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from ccengine.api import _owned
from ccengine.api._auth import MANAGERS, Caller, CallerDep
from ccengine.api._models import After, Body, Bool, Key, Limit, Moment, Page, QueryKey, micros, moment, page
from ccengine.api._problems import Problem
from ccengine.api._routing import operation
from ccengine.api._services import Services, ServicesDep
from ccengine.store import AuditEntry
from ccengine.supervision import Supervising, Supervision
from ccengine.telephony import Mode

router = APIRouter(prefix="/api", tags=["supervision"])


class SupervisionOut(Body):
    supervisor_id: int
    """The supervising user."""
    agent_id: int
    mode: Mode
    follow: bool
    """Following the agent from call to call (persistent listen) until stopped."""
    call_id: int | None
    """The call supervised now; null between two calls of a followed agent."""
    since: dt.datetime
    session: int | None
    """The supervision's number in the audit log."""
    agent_released: bool
    """A ``takeover`` released the agent to their next call: the call is the supervisor's alone."""


class StartSupervision(Body):
    mode: Mode = "listen"
    follow: Bool = False
    """Stay on the agent after this call and join each next one (``persistent-listen`` implies it)."""


class SwitchMode(Body):
    mode: Mode


class AuditOut(Body):
    id: int
    session: int
    supervisor_id: int
    agent_id: int
    call_id: int | None
    mode: Mode
    started_at: dt.datetime
    ended_at: dt.datetime | None
    """null while it lasts."""
    duration_s: float | None
    end_reason: str | None
    """switched, stopped, call-ended, taken-over (the agent left the call to a supervisor's
    takeover), supervisor-hung-up, not-answered, agent-left, engine-stopped, engine-restart."""


def supervision_out(s: Supervising) -> SupervisionOut:
    return SupervisionOut(supervisor_id=s.supervisor_id, agent_id=s.agent_id, mode=s.mode, follow=s.follow,
                          call_id=s.call_id, since=moment(s.since), session=s.session,
                          agent_released=s.agent_released)


def audit_out(e: AuditEntry) -> AuditOut:
    duration = None if e.ended_at is None else (e.ended_at - e.started_at) / 1e6
    return AuditOut(id=e.id, session=e.session, supervisor_id=e.supervisor_id, agent_id=e.agent_id, call_id=e.call_id,
                    mode=e.mode, started_at=moment(e.started_at), ended_at=moment(e.ended_at), duration_s=duration,
                    end_reason=e.end_reason)


def service(services: Services) -> Supervision:
    if services.supervision is None:
        raise Problem(503, "no-telephony", "this engine runs without telephony: nothing to supervise")
    return services.supervision


def _mine(supervision: Supervision, caller: Caller, agent_id: int) -> Supervising:
    current = supervision.of(caller.user.id)
    if current is None or current.agent_id != agent_id:
        raise Problem(404, "not-supervising", f"you are not supervising agent {agent_id}")
    return current


@operation(router, "POST", "/agents/{agent_id}/supervision", roles=MANAGERS, status_code=201,
           summary="Supervise an agent's call", response_model=SupervisionOut)
async def start(agent_id: Key, body: StartSupervision, caller: CallerDep, services: ServicesDep) -> SupervisionOut:
    """Calls the caller's phone (the extension of the agent profile linked to their user) and,
    once answered, joins the agent's call in ``mode``; ``takeover`` then releases the agent to
    their next call and the customer is the supervisor's. 409 when the agent is not on a call,
    the caller already supervises someone, has no phone or does not answer."""
    await _owned.agent(services, caller, agent_id)
    started = await service(services).start(caller.user.id, agent_id, body.mode, follow=body.follow)
    return supervision_out(started)


@operation(router, "PATCH", "/agents/{agent_id}/supervision", roles=MANAGERS, summary="Switch supervision mode",
           response_model=SupervisionOut)
async def switch(agent_id: Key, body: SwitchMode, caller: CallerDep, services: ServicesDep) -> SupervisionOut:
    """On the same phone call: nothing rings again. Switching to ``takeover`` releases the agent to
    their next call; 409 ``agent-released`` when switching away from a takeover that did (no
    agent is left on the call)."""
    await _owned.agent(services, caller, agent_id)
    supervision = service(services)
    _mine(supervision, caller, agent_id)
    return supervision_out(await supervision.switch(caller.user.id, body.mode))


@operation(router, "DELETE", "/agents/{agent_id}/supervision", roles=MANAGERS, summary="Stop supervising",
           response_model=SupervisionOut)
async def stop(agent_id: Key, caller: CallerDep, services: ServicesDep) -> SupervisionOut:
    """The caller's phone is hung up; the agent and the customer stay on their call, except after a
    ``takeover``, which left the customer to the supervisor alone: the call ends."""
    await _owned.agent(services, caller, agent_id)
    supervision = service(services)
    _mine(supervision, caller, agent_id)
    return supervision_out(await supervision.stop(caller.user.id))


@operation(router, "GET", "/supervision", roles=MANAGERS, summary="Supervisions under way",
           response_model=list[SupervisionOut])
async def under_way(caller: CallerDep, services: ServicesDep) -> list[SupervisionOut]:
    return [supervision_out(s) for s in service(services).supervising(tenant_id=caller.tenant_id)]


@operation(router, "GET", "/supervision/audit", roles=MANAGERS, summary="The supervision audit log",
           response_model=Page[AuditOut])
async def audit(caller: CallerDep, services: ServicesDep, agent_id: QueryKey = None, supervisor_id: QueryKey = None,
                since: Annotated[Moment | None, Query(description="started at or after")] = None,
                until: Annotated[Moment | None, Query(description="started before")] = None,
                after: After = 0, limit: Limit = 100) -> Page[AuditOut]:
    """Who supervised whom, on which call, in which mode, when and how long: one line per mode
    on one call (a switch closes a line and opens the next of the same session)."""
    found = await services.store.audit(caller.tenant_id, agent_id=agent_id, supervisor_id=supervisor_id,
                                       since=micros(since) if since else None, until=micros(until) if until else None,
                                       after=after, limit=limit + 1)
    return page([audit_out(e) for e in found], [e.id for e in found], after, limit)
