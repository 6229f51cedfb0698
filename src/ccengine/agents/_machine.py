"""The agent state machine, sans IO: a status, an action and ``now`` in; the next status, the line
of history and the indicator events out (docs/data-model.md draws it).

    logged-out --login--> available --reserve--> reserved --connect--> on-call --hangup--> wrap-up
    available <--release-- reserved;  available --connect--> on-call (preview, inbound)
    wrap-up --end_wrapup--> available (or paused, when a pause was asked for during the call)
    on-call --taken_over--> available (or paused): a supervisor took the call over (no wrap-up)
    available --pause--> paused --resume--> available;  * --logout--> logged-out (not on a call)

A pause asked for while reserved, on a call or in wrap-up is kept as pending and starts when the
agent is free again, as agents expect from their softphone's pause button.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from ccengine import domain as d
from ccengine.errors import AgentStateError
from ccengine.metrics import NONE, Event, EventKind, Flag, zone
from ccengine.store import Activity

S = d.AgentState

#: Pause reasons with a stable code for the indicator events (``aux``); other reasons count as 0.
PAUSE_REASONS = {"other": 0, "break": 1, "lunch": 2, "training": 3, "meeting": 4, "technical": 5, "coaching": 6}


class Action(enum.StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    PAUSE = "pause"
    RESUME = "resume"
    RESERVE = "reserve"
    RELEASE = "release"
    CONNECT = "connect"
    HANGUP = "hangup"
    END_WRAPUP = "end-wrapup"
    TAKEN_OVER = "taken-over"
    """A supervisor took the agent's call over: the agent is released to take the next call;
    the supervisor qualifies the call they finished."""
    LOSE_SESSION = "lose-session"
    """The engine found the agent's session gone (restart, softphone vanished): logged out."""


#: The states each action may start from (LOGIN and LOGOUT also act on campaign sets, see below).
ALLOWED: dict[Action, frozenset[d.AgentState]] = {
    Action.LOGIN: frozenset(S),
    Action.LOGOUT: frozenset({S.AVAILABLE, S.RESERVED, S.WRAP_UP, S.PAUSED}),
    Action.PAUSE: frozenset({S.AVAILABLE, S.RESERVED, S.ON_CALL, S.WRAP_UP}),
    Action.RESUME: frozenset({S.PAUSED, S.RESERVED, S.ON_CALL, S.WRAP_UP}),
    Action.RESERVE: frozenset({S.AVAILABLE}),
    Action.RELEASE: frozenset({S.RESERVED}),
    Action.CONNECT: frozenset({S.AVAILABLE, S.RESERVED}),
    Action.HANGUP: frozenset({S.ON_CALL}),
    Action.END_WRAPUP: frozenset({S.WRAP_UP}),
    Action.TAKEN_OVER: frozenset({S.ON_CALL}),
    Action.LOSE_SESSION: frozenset(S) - {S.LOGGED_OUT},
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """An action with what it needs; fields an action does not use are ignored."""

    action: Action
    at: int
    by_user: int | None = None
    """A supervisor acting on the agent (seed 003); None when the agent or the engine acts."""
    campaign_ids: frozenset[int] = frozenset()
    queue_ids: frozenset[int] = frozenset()
    address: str | None = None
    reason: str = ""
    call_id: int | None = None
    campaign_id: int | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    status: d.AgentStatus
    activity: Activity
    events: list[Event]


def apply(agent: d.Agent, status: d.AgentStatus, request: Request, tz: str) -> Transition:
    """The outcome of ``request`` on an agent in ``status``; AgentStateError if not allowed.
    ``tz`` is the tenant's zone, whose local days the production and pause totals are kept by."""
    action, now = request.action, request.at
    if action is Action.LOGIN and status.state is not S.LOGGED_OUT:
        if not (request.campaign_ids or request.queue_ids):
            raise _refused(agent, status, action, "is already logged in")
    elif status.state not in ALLOWED[action]:
        raise _refused(agent, status, action, _why(status, action))
    if now < status.since:
        raise AgentStateError(f"agent {agent.name}: {action} at {now} is before the last change ({status.since})",
                              "out-of-order")
    if action is Action.LOGOUT and request.campaign_ids and status.campaign_ids - request.campaign_ids:
        return _leave_campaigns(agent, status, request, tz)
    if action is Action.PAUSE and status.state is not S.AVAILABLE:
        if status.pause_pending is not None:
            raise _refused(agent, status, action, "already has a pause pending")
        return _change(agent, status, request, tz, status.state, [], pause_pending=request.reason or "other")
    if action is Action.RESUME and status.state is not S.PAUSED:
        if status.pause_pending is None:
            raise _refused(agent, status, action, "is not paused")
        return _change(agent, status, request, tz, status.state, [], pause_pending=None)
    return _STEPS[action](agent, status, request, tz)


def _login(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    campaigns = status.campaign_ids | r.campaign_ids
    queues = status.queue_ids | r.queue_ids
    if status.state is not S.LOGGED_OUT:  # joining more campaigns or queues while logged in
        return _change(agent, status, r, tz, status.state, [], campaign_ids=campaigns, queue_ids=queues)
    return _change(agent, status, r, tz, S.AVAILABLE, [_event(EventKind.AGENT_LOGIN, agent, r, status)],
                   campaign_ids=campaigns, queue_ids=queues, login_address=r.address, login_at=r.at,
                   last_seen_at=r.at, pause_reason=None, pause_pending=None)


def _leave_campaigns(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    return _change(agent, status, r, tz, status.state, [], campaign_ids=status.campaign_ids - r.campaign_ids,
                   queue_ids=status.queue_ids - r.queue_ids)


def _logout(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    events = []
    if status.state is S.WRAP_UP:
        events.append(_event(EventKind.WRAPUP_END, agent, r, status, value=_seconds(status, r.at)))
    events.append(_event(EventKind.AGENT_LOGOUT, agent, r, status))
    return _change(agent, status, r, tz, S.LOGGED_OUT, events, campaign_ids=frozenset(), queue_ids=frozenset(),
                   pause_reason=None, pause_pending=None, call_id=None)


def _lose_session(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    events = []
    if status.state is S.ON_CALL:
        events += [_event(EventKind.HANGUP, agent, r, status, value=_seconds(status, r.at), flags=Flag.HANDLED),
                   _event(EventKind.WRAPUP_START, agent, r, status)]
    if status.state in (S.ON_CALL, S.WRAP_UP):
        wrapup = 0.0 if status.state is S.ON_CALL else _seconds(status, r.at)
        events.append(_event(EventKind.WRAPUP_END, agent, r, status, value=wrapup))
    events.append(_event(EventKind.AGENT_LOGOUT, agent, r, status))
    return _change(agent, status, r, tz, S.LOGGED_OUT, events, campaign_ids=frozenset(), queue_ids=frozenset(),
                   pause_reason=None, pause_pending=None, call_id=None)


def _pause(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    reason = r.reason or "other"
    return _change(agent, status, r, tz, S.PAUSED,
                   [_event(EventKind.AGENT_PAUSE, agent, r, status, aux=PAUSE_REASONS.get(reason, 0))],
                   pause_reason=reason)


def _resume(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    return _change(agent, status, r, tz, S.AVAILABLE, [_event(EventKind.AGENT_RESUME, agent, r, status)],
                   pause_reason=None)


def _reserve(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    return _change(agent, status, r, tz, S.RESERVED, [], call_id=r.call_id)


def _release(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    return _free(agent, status, r, tz, [])


def _connect(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    return _change(agent, status, r, tz, S.ON_CALL, [_event(EventKind.CONNECTED, agent, r, status)],
                   call_id=r.call_id if r.call_id is not None else status.call_id)


def _hangup(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    talk = _seconds(status, r.at)
    events = [_event(EventKind.HANGUP, agent, r, status, value=talk, flags=Flag.HANDLED),
              _event(EventKind.WRAPUP_START, agent, r, status)]
    return _change(agent, status, r, tz, S.WRAP_UP, events)


def _end_wrapup(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    return _free(agent, status, r, tz, [_event(EventKind.WRAPUP_END, agent, r, status, value=_seconds(status, r.at))])


def _taken_over(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str) -> Transition:
    # The agent's talk ends here (counted as a call they handled); the call is no longer theirs
    # to wrap up, so no wrap-up span is opened.
    talk = _seconds(status, r.at)
    return _free(agent, status, r, tz, [_event(EventKind.HANGUP, agent, r, status, value=talk, flags=Flag.HANDLED)])


def _free(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str, events: list[Event]) -> Transition:
    """Back from a call or a reservation: available, or paused if a pause was asked for meanwhile."""
    if status.pause_pending is None:
        return _change(agent, status, r, tz, S.AVAILABLE, events, call_id=None)
    reason = status.pause_pending
    events.append(_event(EventKind.AGENT_PAUSE, agent, r, status, aux=PAUSE_REASONS.get(reason, 0)))
    return _change(agent, status, r, tz, S.PAUSED, events, call_id=None, pause_reason=reason, pause_pending=None)


_STEPS = {
    Action.LOGIN: _login, Action.LOGOUT: _logout, Action.PAUSE: _pause, Action.RESUME: _resume,
    Action.RESERVE: _reserve, Action.RELEASE: _release, Action.CONNECT: _connect, Action.HANGUP: _hangup,
    Action.END_WRAPUP: _end_wrapup, Action.TAKEN_OVER: _taken_over, Action.LOSE_SESSION: _lose_session,
}


def _change(agent: d.Agent, status: d.AgentStatus, r: Request, tz: str, state: d.AgentState, events: list[Event],
            **fields: object) -> Transition:
    new = dataclasses.replace(status, state=state, **fields)  # type: ignore[arg-type]
    if state is not status.state:  # the span in the old state ends: count it into today's totals
        day, production, pause = accumulate(status, r.at, tz)
        new = dataclasses.replace(new, since=r.at, day=day, production_s=production, pause_s=pause)
    detail = r.reason or (f"call {r.call_id}" if r.call_id is not None else "")
    if r.action in (Action.LOGIN, Action.LOGOUT) and (r.campaign_ids or r.queue_ids):
        detail = _targets(r.campaign_ids, r.queue_ids)
    activity = Activity(agent.id, r.at, r.action.value, status.state, state, r.by_user, detail)
    return Transition(new, activity, events)


def accumulate(status: d.AgentStatus, now: int, tz: str) -> tuple[str, float, float]:
    """Today's production and pause seconds up to ``now`` (days are the tenant zone's local days;
    a day's totals restart at its midnight). They move at transitions; read them with this."""
    zone_info = zone(tz)
    today = d.to_datetime(now, zone_info).date()
    midnight = d.from_datetime(dt.datetime.combine(today, dt.time(0), zone_info))
    production, pause = (status.production_s, status.pause_s) if status.day == today.isoformat() else (0.0, 0.0)
    if status.state is not S.LOGGED_OUT and now > status.since:
        counted = (now - max(status.since, midnight)) / d.SECOND
        if status.state is S.PAUSED:
            pause += counted
        else:
            production += counted
    return today.isoformat(), production, pause


def _seconds(status: d.AgentStatus, now: int) -> float:
    return max(0, now - status.since) / d.SECOND


def _event(kind: EventKind, agent: d.Agent, r: Request, status: d.AgentStatus, *, value: float = 0.0, aux: int = 0,
           flags: int = 0) -> Event:
    campaign = r.campaign_id if r.campaign_id is not None else _single(status.campaign_ids | r.campaign_ids)
    call = r.call_id if r.call_id is not None else (status.call_id or 0)
    return Event(r.at, kind, tenant=agent.tenant_id, campaign=campaign, agent=agent.id,
                 team=min(agent.team_ids) if agent.team_ids else NONE, call=call, value=value, aux=aux, flags=flags)


def _single(ids: frozenset[int]) -> int:
    """The campaign an agent event names: the only one the agent works, else none."""
    return next(iter(ids)) if len(ids) == 1 else NONE


def _targets(campaigns: Iterable[int], queues: Iterable[int]) -> str:
    parts = [f"campaign {c}" for c in sorted(campaigns)] + [f"queue {q}" for q in sorted(queues)]
    return ", ".join(parts)


def _why(status: d.AgentStatus, action: Action) -> str:
    if status.state is S.LOGGED_OUT:
        return "is logged out"
    if status.state is S.ON_CALL and action is Action.LOGOUT:
        return "is on a call (log out after it, or end the call first)"
    return f"is {status.state}"


def _refused(agent: d.Agent, status: d.AgentStatus, action: Action, why: str) -> AgentStateError:
    return AgentStateError(f"agent {agent.name} cannot {action}: {why}", "invalid-transition")
