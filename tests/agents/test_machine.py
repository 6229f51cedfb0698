"""Every action from every state: the legal ones move as drawn in docs/data-model.md, the others
are refused with a clear error."""

from __future__ import annotations

import dataclasses

import pytest

from ccengine import domain as d
from ccengine.agents import ALLOWED, Action, Request, accumulate, apply
from ccengine.errors import AgentStateError
from ccengine.metrics import EventKind, Flag

S = d.AgentState
AGENT = d.Agent(id=7, tenant_id=1, name="Alice", team_ids=frozenset({3}), campaign_ids=frozenset({5}))
T0 = 1_795_000_000 * d.SECOND
TZ = "Europe/Paris"

EXPECTED: dict[tuple[S, Action], tuple[S, list[EventKind]]] = {
    (S.LOGGED_OUT, Action.LOGIN): (S.AVAILABLE, [EventKind.AGENT_LOGIN]),
    (S.AVAILABLE, Action.LOGOUT): (S.LOGGED_OUT, [EventKind.AGENT_LOGOUT]),
    (S.RESERVED, Action.LOGOUT): (S.LOGGED_OUT, [EventKind.AGENT_LOGOUT]),
    (S.PAUSED, Action.LOGOUT): (S.LOGGED_OUT, [EventKind.AGENT_LOGOUT]),
    (S.WRAP_UP, Action.LOGOUT): (S.LOGGED_OUT, [EventKind.WRAPUP_END, EventKind.AGENT_LOGOUT]),
    (S.AVAILABLE, Action.PAUSE): (S.PAUSED, [EventKind.AGENT_PAUSE]),
    (S.PAUSED, Action.RESUME): (S.AVAILABLE, [EventKind.AGENT_RESUME]),
    (S.AVAILABLE, Action.RESERVE): (S.RESERVED, []),
    (S.RESERVED, Action.RELEASE): (S.AVAILABLE, []),
    (S.AVAILABLE, Action.CONNECT): (S.ON_CALL, [EventKind.CONNECTED]),
    (S.RESERVED, Action.CONNECT): (S.ON_CALL, [EventKind.CONNECTED]),
    (S.ON_CALL, Action.HANGUP): (S.WRAP_UP, [EventKind.HANGUP, EventKind.WRAPUP_START]),
    (S.WRAP_UP, Action.END_WRAPUP): (S.AVAILABLE, [EventKind.WRAPUP_END]),
    (S.ON_CALL, Action.TAKEN_OVER): (S.AVAILABLE, [EventKind.HANGUP]),
    (S.AVAILABLE, Action.LOSE_SESSION): (S.LOGGED_OUT, [EventKind.AGENT_LOGOUT]),
    (S.RESERVED, Action.LOSE_SESSION): (S.LOGGED_OUT, [EventKind.AGENT_LOGOUT]),
    (S.PAUSED, Action.LOSE_SESSION): (S.LOGGED_OUT, [EventKind.AGENT_LOGOUT]),
    (S.ON_CALL, Action.LOSE_SESSION): (
        S.LOGGED_OUT, [EventKind.HANGUP, EventKind.WRAPUP_START, EventKind.WRAPUP_END, EventKind.AGENT_LOGOUT]),
    (S.WRAP_UP, Action.LOSE_SESSION): (S.LOGGED_OUT, [EventKind.WRAPUP_END, EventKind.AGENT_LOGOUT]),
    # a pause asked for during a call waits; resume cancels such a pending pause
    (S.RESERVED, Action.PAUSE): (S.RESERVED, []),
    (S.ON_CALL, Action.PAUSE): (S.ON_CALL, []),
    (S.WRAP_UP, Action.PAUSE): (S.WRAP_UP, []),
}


def status(state: S, **fields: object) -> d.AgentStatus:
    logged_in = state is not S.LOGGED_OUT
    return d.AgentStatus(agent_id=AGENT.id, state=state, since=T0, campaign_ids=frozenset({5}) if logged_in else
                         frozenset(), call_id=11 if state in (S.RESERVED, S.ON_CALL, S.WRAP_UP) else None,
                         **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_legal_transitions(state: S, action: Action) -> None:
    target, kinds = EXPECTED[state, action]
    t = apply(AGENT, status(state), Request(action=action, at=T0 + 60 * d.SECOND, campaign_ids=frozenset({5})), TZ)
    assert t.status.state is target
    assert [e.kind for e in t.events] == kinds
    assert all(e.agent == AGENT.id and e.tenant == 1 and e.team == 3 and e.campaign == 5 for e in t.events)
    assert (t.activity.from_state, t.activity.to_state, t.activity.action) == (state, target, action.value)
    assert t.status.since == (T0 + 60 * d.SECOND if target is not state else T0)


ILLEGAL = [(s, a) for s in S for a in Action
           if (s, a) not in EXPECTED and not (a is Action.LOGIN and s is not S.LOGGED_OUT)
           and not (a is Action.RESUME and s in (S.RESERVED, S.ON_CALL, S.WRAP_UP))]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_illegal_transitions_are_refused(state: S, action: Action) -> None:
    with pytest.raises(AgentStateError) as e:
        apply(AGENT, status(state), Request(action=action, at=T0 + 1), TZ)
    assert e.value.slug == "invalid-transition"
    assert "Alice" in str(e.value) and action.value in str(e.value)


def test_the_table_covers_every_allowed_pair() -> None:
    allowed = {(s, a) for a, states in ALLOWED.items() for s in states}
    assert set(EXPECTED) - allowed == set()


def test_logout_on_a_call_says_why() -> None:
    with pytest.raises(AgentStateError, match="on a call"):
        apply(AGENT, status(S.ON_CALL), Request(action=Action.LOGOUT, at=T0 + 1), TZ)


def test_a_pause_asked_for_on_a_call_starts_after_the_wrap_up() -> None:
    t = apply(AGENT, status(S.ON_CALL), Request(action=Action.PAUSE, at=T0 + 1, reason="lunch"), TZ)
    assert t.status.pause_pending == "lunch" and t.status.state is S.ON_CALL
    with pytest.raises(AgentStateError, match="already has a pause pending"):
        apply(AGENT, t.status, Request(action=Action.PAUSE, at=T0 + 2), TZ)
    t = apply(AGENT, t.status, Request(action=Action.HANGUP, at=T0 + 90 * d.SECOND), TZ)
    hangup = t.events[0]
    assert hangup.value == pytest.approx(90, abs=1e-3) and hangup.flags & Flag.HANDLED and hangup.call == 11
    t = apply(AGENT, t.status, Request(action=Action.END_WRAPUP, at=T0 + 120 * d.SECOND), TZ)
    assert t.status.state is S.PAUSED and t.status.pause_reason == "lunch" and t.status.pause_pending is None
    assert [e.kind for e in t.events] == [EventKind.WRAPUP_END, EventKind.AGENT_PAUSE]
    assert t.events[0].value == pytest.approx(30) and t.events[1].aux == 2  # "lunch"


def test_an_agent_whose_call_is_taken_over_is_free_at_once_with_the_talk_counted() -> None:
    t = apply(AGENT, status(S.ON_CALL), Request(action=Action.TAKEN_OVER, at=T0 + 45 * d.SECOND, by_user=2), TZ)
    assert t.status.state is S.AVAILABLE and t.status.call_id is None
    assert t.activity.by_user == 2, "the supervisor who took the call over is on the history line"
    [hangup] = t.events
    assert hangup.value == pytest.approx(45) and hangup.flags & Flag.HANDLED and hangup.call == 11
    pending = dataclasses.replace(status(S.ON_CALL), pause_pending="coaching")
    t = apply(AGENT, pending, Request(action=Action.TAKEN_OVER, at=T0 + 45 * d.SECOND, by_user=2), TZ)
    assert t.status.state is S.PAUSED and t.status.pause_reason == "coaching"
    assert [e.kind for e in t.events] == [EventKind.HANGUP, EventKind.AGENT_PAUSE]


def test_resume_cancels_a_pending_pause() -> None:
    t = apply(AGENT, status(S.WRAP_UP), Request(action=Action.PAUSE, at=T0 + 1), TZ)
    t = apply(AGENT, t.status, Request(action=Action.RESUME, at=T0 + 2), TZ)
    assert t.status.pause_pending is None
    t = apply(AGENT, t.status, Request(action=Action.END_WRAPUP, at=T0 + 3), TZ)
    assert t.status.state is S.AVAILABLE


def test_login_to_more_campaigns_and_partial_logout() -> None:
    t = apply(AGENT, status(S.LOGGED_OUT), Request(action=Action.LOGIN, at=T0 + 1, campaign_ids=frozenset({5}),
                                                   address="192.0.2.7"), TZ)
    assert t.status.login_address == "192.0.2.7" and t.status.login_at == T0 + 1
    t = apply(AGENT, t.status, Request(action=Action.LOGIN, at=T0 + 2, campaign_ids=frozenset({6}),
                                       queue_ids=frozenset({1})), TZ)
    assert t.status.campaign_ids == {5, 6} and t.status.queue_ids == {1} and t.events == []
    t = apply(AGENT, t.status, Request(action=Action.LOGOUT, at=T0 + 3, campaign_ids=frozenset({5})), TZ)
    assert t.status.state is S.AVAILABLE and t.status.campaign_ids == {6}
    t = apply(AGENT, t.status, Request(action=Action.LOGOUT, at=T0 + 4, campaign_ids=frozenset({6})), TZ)
    assert t.status.state is S.LOGGED_OUT and t.status.campaign_ids == set()
    with pytest.raises(AgentStateError, match="already logged in"):
        apply(AGENT, status(S.AVAILABLE), Request(action=Action.LOGIN, at=T0 + 5), TZ)


def test_a_supervisor_action_is_recorded_as_theirs() -> None:
    t = apply(AGENT, status(S.AVAILABLE), Request(action=Action.PAUSE, at=T0 + 1, by_user=42, reason="coaching"), TZ)
    assert t.activity.by_user == 42 and t.activity.detail == "coaching" and t.events[0].aux == 6


def test_actions_in_the_past_are_refused() -> None:
    with pytest.raises(AgentStateError) as e:
        apply(AGENT, status(S.AVAILABLE), Request(action=Action.PAUSE, at=T0 - 1), TZ)
    assert e.value.slug == "out-of-order"


def test_production_and_pause_time_restart_at_local_midnight() -> None:
    # Paris is UTC+1 in November: local midnight of 2026-11-24 is 23:00 UTC on the 23rd.
    import datetime as dt

    midnight = d.from_datetime(dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC))
    working = dataclasses.replace(status(S.AVAILABLE), since=midnight - 3600 * d.SECOND, day="2026-11-23",
                                  production_s=100.0)
    day, production, pause = accumulate(working, midnight - 1800 * d.SECOND, TZ)
    assert (day, production, pause) == ("2026-11-23", 1900.0, 0.0)
    day, production, pause = accumulate(working, midnight + 600 * d.SECOND, TZ)
    assert (day, production, pause) == ("2026-11-24", 600.0, 0.0)
    paused = dataclasses.replace(working, state=S.PAUSED)
    assert accumulate(paused, midnight - 60 * d.SECOND, TZ) == ("2026-11-23", 100.0, 3540.0)
