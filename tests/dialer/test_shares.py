"""Free agents apportioned between pacers: the rule alone, then ``AgentShares`` over real
``LiveCampaign`` views, as the campaign tasks drive them."""

from __future__ import annotations

import random

from ccengine import domain as d
from ccengine.dialer import AgentShares, CampaignNeeds, LiveCampaign, choose_counter

S = d.SECOND
T0 = 1_800_000_000 * S
A = d.AgentState


def test_people_waiting_come_first() -> None:
    assert choose_counter([CampaignNeeds(1, waiting=0, in_flight=9, counted=0),
                           CampaignNeeds(2, waiting=1, in_flight=0, counted=5)]) == 2


def test_then_the_fewest_free_agents_counted_per_call_in_flight() -> None:
    # 2 agents for 4 calls ringing are fewer per call than 1 for 1.
    assert choose_counter([CampaignNeeds(1, waiting=0, in_flight=1, counted=1),
                           CampaignNeeds(2, waiting=0, in_flight=4, counted=2)]) == 2
    # Counting none is 0 per call, calls or not: a campaign without agents gets its turn.
    assert choose_counter([CampaignNeeds(1, waiting=0, in_flight=3, counted=1),
                           CampaignNeeds(2, waiting=0, in_flight=0, counted=0)]) == 2
    # Agents counted and no call in flight: as many per call as can be.
    assert choose_counter([CampaignNeeds(1, waiting=0, in_flight=0, counted=1),
                           CampaignNeeds(2, waiting=0, in_flight=1, counted=3)]) == 2


def test_then_the_fewest_counted_then_the_holder_then_turns() -> None:
    assert choose_counter([CampaignNeeds(1, waiting=0, in_flight=2, counted=2),
                           CampaignNeeds(2, waiting=0, in_flight=1, counted=1)]) == 2
    tie = [CampaignNeeds(1, waiting=0, in_flight=1, counted=1, last_counted=7),
           CampaignNeeds(2, waiting=0, in_flight=1, counted=1, last_counted=3)]
    assert choose_counter(tie) == 2  # counted this agent the longest ago
    assert choose_counter([*tie, CampaignNeeds(3, 0, 1, 1, holder=True, last_counted=9)]) == 3  # not moved for nothing
    assert choose_counter([CampaignNeeds(5, 0, 0, 0), CampaignNeeds(4, 0, 0, 0)]) == 4  # never given: oldest


def campaigns(shares: AgentShares, *ids: int) -> dict[int, LiveCampaign]:
    """Live views of dialling campaigns, joined to ``shares`` as their tasks do."""
    views = {}
    for campaign_id in ids:
        views[campaign_id] = LiveCampaign(d.AbandonWindow.DAYS_30, campaign_id=campaign_id, shares=shares)
        shares.join(campaign_id, views[campaign_id])
        shares.dialling(campaign_id, True)
    return views


def tell(views: dict[int, LiveCampaign], agent_id: int, state: d.AgentState, now: int, *in_campaigns: int) -> None:
    """An agent's transition, heard by each campaign they are logged in to."""
    for campaign_id in in_campaigns:
        views[campaign_id].agent(agent_id, state, now)


def idle(views: dict[int, LiveCampaign], now: int) -> dict[int, int]:
    return {campaign_id: view.snapshot(now).idle for campaign_id, view in views.items()}


def test_a_shared_free_agent_is_counted_by_one_pacer_and_each_campaign_in_turn() -> None:
    shares = AgentShares()
    views = campaigns(shares, 1, 2)
    tell(views, 7, A.AVAILABLE, T0, 1, 2)
    assert idle(views, T0) == {1: 1, 2: 0}
    assert views[2].snapshot(T0).agents == 0 and views[2].logged_in == 1
    assert views[2].idle_agents() == [7]  # still there to bridge a person waiting in campaign 2
    tell(views, 8, A.AVAILABLE, T0 + S // 2, 2)  # campaign 2's own agent, free for less long
    assert views[2].idle_agents() == [8, 7]  # taken before the one campaign 1 dialled for
    tell(views, 8, A.LOGGED_OUT, T0 + S // 2, 2)
    for turn, now in enumerate(range(T0 + S, T0 + 7 * S, S)):  # each call over, the other campaign's turn
        tell(views, 7, A.RESERVED, now, 1, 2)
        assert idle(views, now) == {1: 0, 2: 0}
        tell(views, 7, A.AVAILABLE, now + S // 2, 1, 2)
        assert idle(views, now + S // 2) == ({1: 0, 2: 1} if turn % 2 == 0 else {1: 1, 2: 0})


def test_a_decision_holds_while_the_agent_is_free_and_follows_the_calls_in_flight() -> None:
    shares = AgentShares()
    views = campaigns(shares, 1, 2)
    tell(views, 7, A.AVAILABLE, T0, 1, 2)
    tell(views, 8, A.AVAILABLE, T0, 1, 2)
    assert idle(views, T0) == {1: 1, 2: 1}  # one each
    for call_id in (100, 101, 102):  # three calls for campaign 1's agent, one for campaign 2's
        views[1].placed(call_id, T0)
    views[2].placed(200, T0)
    tell(views, 9, A.AVAILABLE, T0 + S, 1, 2)  # a third agent comes free
    assert shares.counter(9) == 1  # 1 free agent for 3 calls is less than 1 for 1
    views[2].placed(201, T0 + S)
    assert idle(views, T0 + S) == {1: 2, 2: 1}  # nothing moves while the agents stay free


def test_people_waiting_get_the_agent_counted() -> None:
    shares = AgentShares()
    views = campaigns(shares, 1, 2)
    views[2].placed(100, T0)
    views[2].person_answered(100, T0 + S)
    tell(views, 7, A.AVAILABLE, T0 + S, 1, 2)
    assert shares.counter(7) == 2


def test_campaigns_starting_pausing_or_running_out_move_the_free_agents() -> None:
    shares = AgentShares()
    views = campaigns(shares, 1)
    for agent_id in range(10, 14):
        tell(views, agent_id, A.AVAILABLE, T0, 1)
    assert idle(views, T0) == {1: 4}
    views |= campaigns(shares, 2)  # a second campaign of theirs starts: shared evenly
    for agent_id in range(10, 14):
        tell(views, agent_id, A.AVAILABLE, T0 + S, 2)
    assert idle(views, T0 + S) == {1: 2, 2: 2}
    shares.dialling(2, False)  # paused (or out of contacts, or hours), nothing in flight: all back to 1
    assert idle(views, T0 + S) == {1: 4, 2: 0}
    shares.dialling(2, True)
    assert idle(views, T0 + S) == {1: 2, 2: 2}
    views[1].placed(100, T0 + S)
    shares.dialling(1, False)  # a call of 1 still rings: 1 keeps counting free agents for it
    assert shares.candidates(10) == {1, 2}
    views[1].ended_unanswered(100, d.Outcome.NO_ANSWER)
    assert idle(views, T0 + 2 * S) == {1: 0, 2: 4}
    shares.leave(2)  # its task ended: none of their campaigns dials, each view counts them again
    assert shares.counter(10) is None and idle(views, T0 + 2 * S) == {1: 4, 2: 4}


def test_an_agent_leaving_a_campaign_is_counted_by_the_others() -> None:
    shares = AgentShares()
    views = campaigns(shares, 1, 2, 3)
    tell(views, 7, A.AVAILABLE, T0, 1, 2, 3)
    assert shares.counter(7) == 1
    tell(views, 7, A.LOGGED_OUT, T0 + S, 1)  # logged out of campaign 1 only
    assert idle(views, T0 + S) == {1: 0, 2: 1, 3: 0}
    tell(views, 7, A.LOGGED_OUT, T0 + 2 * S, 3)  # and of 3: still counted by 2, not moved
    assert idle(views, T0 + 2 * S) == {1: 0, 2: 1, 3: 0}
    tell(views, 7, A.LOGGED_OUT, T0 + 3 * S, 2)  # logged out: back later, decided anew (3's turn)
    tell(views, 7, A.AVAILABLE, T0 + 4 * S, 1, 2, 3)
    assert shares.counter(7) == 3


def test_agents_of_one_campaign_are_counted_as_without_apportioning() -> None:
    shares = AgentShares()
    views = campaigns(shares, 1, 2)
    alone = LiveCampaign(d.AbandonWindow.DAYS_30)
    for agent_id, state in [(1, A.AVAILABLE), (2, A.ON_CALL), (3, A.WRAP_UP), (4, A.PAUSED), (5, A.AVAILABLE)]:
        tell(views, agent_id, state, T0, 1)
        alone.agent(agent_id, state, T0)
    tell(views, 9, A.AVAILABLE, T0, 2)  # campaign 2's own agent
    mine, theirs = views[1].snapshot(T0 + S), alone.snapshot(T0 + S)
    assert (mine.agents, mine.idle, mine.paused, mine.talking, mine.wrapping) == \
        (theirs.agents, theirs.idle, theirs.paused, theirs.talking, theirs.wrapping)
    assert idle(views, T0 + S) == {1: 2, 2: 1}


def test_at_every_instant_each_free_agent_is_counted_by_exactly_one_dialling_pacer() -> None:
    rng = random.Random(20261123)
    shares = AgentShares()
    views = campaigns(shares, 1, 2, 3)
    dialling = dict.fromkeys(views, True)
    logged: dict[int, set[int]] = {agent_id: set() for agent_id in range(12)}
    state_of = dict.fromkeys(logged, A.AVAILABLE)
    call_ids = iter(range(1000, 100_000))
    ringing: list[tuple[int, int]] = []
    now = T0
    for _ in range(3000):
        now += S // 10
        step, agent_id = rng.random(), rng.randrange(12)
        if step < 0.25:  # joins and leaves campaigns
            joined = {c for c in views if rng.random() < 0.6}
            for campaign_id in logged[agent_id] - joined:
                views[campaign_id].agent(agent_id, A.LOGGED_OUT, now)
            logged[agent_id] = joined
            tell(views, agent_id, state_of[agent_id], now, *joined)
        elif step < 0.6:  # changes state
            state_of[agent_id] = rng.choice([A.AVAILABLE, A.RESERVED, A.ON_CALL, A.WRAP_UP, A.PAUSED])
            tell(views, agent_id, state_of[agent_id], now, *logged[agent_id])
        elif step < 0.75:  # a campaign places a call
            campaign_id = rng.choice(list(views))
            ringing.append((campaign_id, next(call_ids)))
            views[campaign_id].placed(ringing[-1][1], now)
        elif step < 0.85 and ringing:  # a call ends unanswered
            campaign_id, call_id = ringing.pop(rng.randrange(len(ringing)))
            views[campaign_id].ended_unanswered(call_id, d.Outcome.BUSY)
        elif step < 0.95:  # a campaign pauses, resumes, runs out of contacts or hours
            campaign_id = rng.choice(list(views))
            dialling[campaign_id] = rng.random() < 0.7
            shares.dialling(campaign_id, dialling[campaign_id])
        # Campaigns that need agents: those dialling, and those whose calls still ring.
        needing = {c for c in views if dialling[c] or views[c].in_flight}
        free = {a for a, campaigns_of in logged.items() if state_of[a] is A.AVAILABLE and campaigns_of & needing}
        assert sum(views[c].snapshot(now).idle for c in needing) == len(free)
