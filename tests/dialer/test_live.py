"""LiveCampaign: the pacer's view of a running campaign, from call and agent steps."""

from __future__ import annotations

import pytest

from ccengine import domain as d
from ccengine.dialer import LiveCampaign
from ccengine.pacing import Pacer
from ccengine.store import CallEnd, CallProgress, Store
from tests.store.conftest import make_world

S = d.SECOND
T0 = 1_800_000_000 * S  # a moment in 2027, on a minute boundary
A = d.AgentState


def test_calls_and_agents_make_the_snapshot():
    live = LiveCampaign(d.AbandonWindow.DAYS_30)
    for agent, state in [(1, A.AVAILABLE), (2, A.ON_CALL), (3, A.WRAP_UP), (4, A.PAUSED), (5, A.RESERVED)]:
        live.agent(agent, state, T0)
    live.agent(6, A.ON_CALL, T0, done_after_call=True)  # pauses after this call
    for call in (10, 11, 12, 13):
        live.placed(call, T0 + call * S)
    live.person_answered(10, T0 + 16 * S)  # 6 s of ring
    live.ended_unanswered(11, d.Outcome.MACHINE)
    live.ended_unanswered(12, d.Outcome.BUSY)
    s = live.snapshot(T0 + 20 * S, records_left=500, time_left=3600.0)
    assert (s.agents, s.idle, s.paused) == (6, 1, 2)
    assert sorted(s.talking) == [0.0, 20.0]  # the reserved agent starts at 0
    assert s.wrapping == [20.0]
    assert s.ringing == [7.0]  # call 13, placed at T0 + 13 s
    assert (s.counts.attempts, s.counts.human, s.counts.machine, s.counts.no_answer) == (4, 1, 1, 0)
    assert s.window == (1, 0) and s.last_hour == (1, 0)
    assert s.recent_answer == [6.0]
    assert (s.records_left, s.time_left) == (500, 3600.0)
    assert live.waiting() == [(10, T0 + 16 * S)]
    assert live.idle_agents() == [1]


def test_talks_and_wrap_ups_feed_the_laws_and_logouts_leave():
    live = LiveCampaign(d.AbandonWindow.HOURS_24)
    live.agent(1, A.AVAILABLE, T0)
    live.agent(1, A.ON_CALL, T0 + 5 * S)
    live.agent(1, A.ON_CALL, T0 + 50 * S)  # a repeated state keeps its start
    live.agent(1, A.WRAP_UP, T0 + 95 * S)
    live.agent(1, A.AVAILABLE, T0 + 110 * S)
    live.agent(2, A.AVAILABLE, T0 + 100 * S)
    s = live.snapshot(T0 + 120 * S)
    assert (s.recent_talk, s.recent_wrap) == ([90.0], [15.0])
    assert live.idle_agents() == [2, 1]  # idle the longest first
    live.agent(2, A.LOGGED_OUT, T0 + 130 * S)
    assert live.snapshot(T0 + 130 * S).agents == 1


def test_a_change_told_after_a_later_one_is_stale_and_ignored():
    live = LiveCampaign(d.AbandonWindow.HOURS_24)
    live.agent(1, A.WRAP_UP, T0 + 3 * S)
    live.agent(1, A.ON_CALL, T0 + S)  # the connect, told after the hang-up that followed it
    assert live.snapshot(T0 + 4 * S).agents == 1 and live.reserved_agents() == []
    live.agent(1, A.AVAILABLE, T0 + 5 * S)
    s = live.snapshot(T0 + 6 * S)
    assert s.recent_wrap == [2.0] and s.recent_talk == [], "no stretch from a stale change, never a negative one"
    assert live.idle_agents() == [1]
    live.agent(1, A.LOGGED_OUT, T0 + 7 * S)
    live.agent(1, A.AVAILABLE, T0 + 5 * S)  # a first read of the store, older than the logout
    assert live.snapshot(T0 + 8 * S).agents == 0
    Pacer("predictive").decide(s)


def test_abandons_count_in_the_window_and_the_last_hour():
    live = LiveCampaign(d.AbandonWindow.HOURS_24)
    for call in range(4):
        live.placed(call, T0)
        live.person_answered(call, T0 + 5 * S)
    live.connected(0)
    live.connected(1)
    live.abandoned(2, T0 + 7 * S)
    live.connected(3)
    assert live.waiting() == []
    s = live.snapshot(T0 + 60 * S)
    assert (s.counts.human, s.counts.connects, s.counts.abandons) == (4, 3, 1)
    assert s.window == (4, 1) and s.last_hour == (4, 1)
    later = live.snapshot(T0 + 2 * 3600 * S)
    assert later.last_hour == (0, 0) and later.window == (4, 1)
    assert live.snapshot(T0 + 25 * 3600 * S).window == (0, 0)


def test_steps_of_unknown_calls_and_wrong_outcomes_are_refused():
    live = LiveCampaign(d.AbandonWindow.DAYS_30)
    with pytest.raises(KeyError):
        live.person_answered(99, T0)
    live.placed(1, T0)
    with pytest.raises(ValueError, match="not an unanswered outcome"):
        live.ended_unanswered(1, d.Outcome.ABANDONED)
    assert live.in_flight == 1


def test_the_pacer_decides_from_the_snapshot():
    live = LiveCampaign(d.AbandonWindow.DAYS_30)
    for agent in range(5):
        live.agent(agent, A.AVAILABLE, T0)
    live.placed(1, T0)
    decision = Pacer("predictive").decide(live.snapshot(T0 + S))
    assert (decision.reason, decision.place) == ("cold-start", 4)  # five idle, one call ringing


async def test_a_restarted_campaign_keeps_its_compliance_window(store: Store):
    w = await make_world(store, contacts=6)
    claims = await store.claim_contacts(w.campaign.id, 6, T0, "dialer")
    # Two people an hour ago (one abandoned), two now (one abandoned), two that did not answer.
    answered = [T0 - 3600 * S, T0 - 3600 * S, T0 + 60 * S, T0 + 61 * S, None, None]
    outcomes = [d.Outcome.HUMAN, d.Outcome.ABANDONED, d.Outcome.HUMAN, d.Outcome.ABANDONED,
                d.Outcome.NO_ANSWER, d.Outcome.BUSY]
    pairs = zip(claims, answered, strict=True)
    await store.progress_calls([CallProgress(c.call_id, answered_at=at) for c, at in pairs if at])
    await store.end_calls([CallEnd(c.call_id, o, T0 + 120 * S) for c, o in zip(claims, outcomes, strict=True)])
    now = T0 + 180 * S
    live = LiveCampaign(d.AbandonWindow.HOURS_24)
    live.restore(await store.abandon_minutes(w.campaign.id, now - 24 * 3600 * S))
    s = live.snapshot(now)
    assert s.window == (4, 2)
    assert s.last_hour == (2, 1)
    # Only the minutes inside the window are read.
    assert await store.abandon_minutes(w.campaign.id, T0) == [(T0 + 60 * S, 2, 1)]


def test_an_agent_busy_with_another_campaigns_call_is_not_counted_until_free():
    live = LiveCampaign(d.AbandonWindow.HOURS_24)
    live.agent(1, A.AVAILABLE, T0)
    live.agent(2, A.AVAILABLE, T0)
    live.agent(1, A.RESERVED, T0 + S, elsewhere=True)  # kept for another campaign's call
    live.agent(2, A.RESERVED, T0 + S, elsewhere=False)
    live.agent(1, A.ON_CALL, T0 + 2 * S, elsewhere=True)
    live.agent(2, A.ON_CALL, T0 + 2 * S, elsewhere=False)
    s = live.snapshot(T0 + 3 * S)
    assert (s.agents, s.idle, len(s.talking)) == (1, 0, 1)
    live.agent(1, A.WRAP_UP, T0 + 4 * S)  # the wrap-up follows the call it closes
    assert live.snapshot(T0 + 5 * S).wrapping == []
    live.agent(1, A.AVAILABLE, T0 + 6 * S)
    s = live.snapshot(T0 + 7 * S)
    assert (s.agents, s.idle) == (2, 1)
    assert s.recent_talk == [], "another campaign's talk does not feed this campaign's laws"
