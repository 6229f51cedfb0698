"""Wrap-up and dispositions: the agent qualifies the call (and may schedule a callback), which
ends the wrap-up at once; the ceiling ends it anyway; a callback due is dialled and reaches its
agent over loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from ccengine import domain as d
from ccengine.agents import AgentService
from ccengine.dialer import CallbackRequest, WrapUps
from ccengine.errors import Conflict, DomainError
from ccengine.metrics import Event, EventKind, Flag
from ccengine.store import CallEnd, CallProgress, Store
from tests.dialer.conftest import collected_events
from tests.dialer.test_campaign import all_ended, center
from tests.store.conftest import make_world


async def talked(store: Store, service: AgentService, wrapups: WrapUps) -> tuple[d.Campaign, int, int]:
    """A campaign whose agent has just talked to a person: (campaign, agent id, call id), the
    agent in wrap-up."""
    world = await make_world(store, contacts=1)
    agent = await store.create_agent(world.tenant.id, "ann", campaign_ids=[world.campaign.id])
    await service.login(agent.id, campaigns=[world.campaign.id])
    (claim,) = await store.claim_contacts(world.campaign.id, 1, d.now_us(), "test")
    await service.reserve(agent.id, claim.call_id)
    await service.connect(agent.id, claim.call_id, world.campaign.id)
    await store.end_calls([CallEnd(claim.call_id, d.Outcome.HUMAN, d.now_us())])
    await wrapups.start(agent.id, claim.call_id)
    return world.campaign, agent.id, claim.call_id


async def test_a_disposition_ends_the_wrap_up_at_once_and_sends_its_events(store: Store) -> None:
    async with collected_events() as (sender, sent):
        service = AgentService(store, sender)
        wrapups = WrapUps(store, service, ceiling_s=30, events=sender)
        async with trio.open_nursery() as nursery:
            await nursery.start(wrapups.run)
            camp, agent_id, call_id = await talked(store, service, wrapups)
            assert (await store.agent_status(agent_id)).state is d.AgentState.WRAP_UP
            with pytest.raises(DomainError) as unknown:
                await wrapups.dispose(agent_id, call_id, "no-such-code")
            assert unknown.value.slug == "unknown-disposition"
            with pytest.raises(DomainError) as not_allowed:
                await wrapups.dispose(agent_id, call_id, "sale", CallbackRequest(d.now_us()))
            assert not_allowed.value.slug == "callback-not-allowed"
            with pytest.raises(Conflict):
                await wrapups.dispose(agent_id, call_id + 1, "sale")
            due = d.now_us() + 3600 * d.SECOND
            record = await wrapups.dispose(agent_id, call_id, "callback", CallbackRequest(due, personal=False))
            assert record.disposition == "callback" and record.argued and not record.positive
            assert (await store.agent_status(agent_id)).state is d.AgentState.AVAILABLE
            (callback,) = await store.callbacks(camp.id)
            assert callback.shared and callback.due_at == due
            with pytest.raises(Conflict):  # the wrap-up is over: nothing left to qualify
                await wrapups.dispose(agent_id, call_id, "sale")
            nursery.cancel_scope.cancel()
    mine = [e for e in sent if e.call == call_id and e.kind in (EventKind.DISPOSITION, EventKind.CALLBACK_SCHEDULED)]
    assert mine == [
        Event(mine[0].time, EventKind.DISPOSITION, tenant=camp.tenant_id, campaign=camp.id, list=mine[0].list,
              agent=agent_id, call=call_id, aux=[x.code for x in camp.dispositions].index("callback"),
              flags=Flag.ARGUED),
        Event(mine[0].time, EventKind.CALLBACK_SCHEDULED, tenant=camp.tenant_id, campaign=camp.id,
              list=mine[0].list, agent=agent_id, call=call_id, flags=Flag.SHARED),
    ]
    assert EventKind.WRAPUP_END in [e.kind for e in sent]


async def test_past_the_ceiling_the_agent_is_available_anyway(store: Store) -> None:
    service = AgentService(store)
    wrapups = WrapUps(store, service, ceiling_s=0.2)
    freed: list[d.AgentState] = []
    async with trio.open_nursery() as nursery:
        await nursery.start(wrapups.run)
        _, agent_id, call_id = await talked(store, service, wrapups)
        service.watch(lambda status: freed.append(status.state))  # in wrap-up: what ends it
        with trio.fail_after(2):
            while (await store.agent_status(agent_id)).state is not d.AgentState.AVAILABLE:
                await trio.sleep(0.02)
        assert freed == [d.AgentState.AVAILABLE] and wrapups.call_of(agent_id) is None
        record = await store.call(call_id)
        assert record.disposition is None
        # Its contact is not left held for a disposition that will not come: tried again later.
        with trio.fail_after(2):
            while (contact := await store.contact(record.contact_id)).state is not d.ContactState.PENDING:
                await trio.sleep(0.02)
        assert contact.next_attempt_at > d.now_us()
        nursery.cancel_scope.cancel()


async def test_a_call_taken_over_waits_for_the_supervisors_disposition_up_to_the_ceiling(store: Store) -> None:
    service = AgentService(store)
    wrapups = WrapUps(store, service, ceiling_s=0.3)
    world = await make_world(store, contacts=2)
    agent = await store.create_agent(world.tenant.id, "ann", campaign_ids=[world.campaign.id])
    claims = await store.claim_contacts(world.campaign.id, 2, d.now_us(), "test")
    async with trio.open_nursery() as nursery:
        await nursery.start(wrapups.run)
        for claim in claims:  # each ended in a supervisor's hands, the agent released before
            await store.progress_calls([CallProgress(claim.call_id, connected_at=d.now_us(), agent_id=agent.id)])
            await store.end_calls([CallEnd(claim.call_id, d.Outcome.HUMAN, d.now_us())])
            await wrapups.hold(claim.call_id)
            assert wrapups.taken_over(claim.call_id) and wrapups.call_of(agent.id) is None
        qualified, forgotten = claims
        record = await wrapups.dispose(agent.id, qualified.call_id, "callback", CallbackRequest(d.now_us() + d.SECOND))
        assert record.disposition == "callback" and not wrapups.taken_over(qualified.call_id)
        (callback,) = await store.callbacks(world.campaign.id)
        assert callback.agent_id == agent.id, "a personal callback goes to the call's agent"
        with trio.fail_after(2):  # nobody qualified the other: settled, its contact tried again later
            while (await store.contact(forgotten.contact.id)).state is not d.ContactState.PENDING:
                await trio.sleep(0.02)
        assert not wrapups.taken_over(forgotten.call_id)
        with pytest.raises(Conflict):
            await wrapups.dispose(agent.id, forgotten.call_id, "sale")
        nursery.cancel_scope.cancel()
    assert (await store.agent_status(agent.id)).state is d.AgentState.LOGGED_OUT, "the agent was never involved"


@pytest.mark.parametrize("personal", [True, False], ids=["personal", "shared"])
async def test_a_callback_due_now_is_dialled_and_reaches_an_agent(store: Store, tmp_path: Path,
                                                                  personal: bool) -> None:
    # Personal: kept for the agent who scheduled it; shared: for any free agent (the only one here).
    async with (collected_events() as (sender, sent),
                center(store, tmp_path, contacts=1, agents=1, talk_ms=800, carrier_calls=2, wrapup_s=30,
                       dial_mode=d.DialMode.PROGRESSIVE, events=sender) as c):
        (first,) = await all_ended(store, c.campaign.id, 1, 15)
        (agent_id,) = c.agent_ids
        with trio.fail_after(5):
            while c.task.wrapups.call_of(agent_id) != first.id:
                await trio.sleep(0.02)
        await c.task.wrapups.dispose(agent_id, first.id, "callback", CallbackRequest(d.now_us(), personal=personal))
        assert (await store.agent_status(agent_id)).state is not d.AgentState.WRAP_UP
        records = await all_ended(store, c.campaign.id, 2, 15)
        (callback,) = await store.callbacks(c.campaign.id, states=[d.CallbackState.DONE])
    second = records[1]
    assert second.contact_id == first.contact_id and second.outcome is d.Outcome.HUMAN
    assert second.agent_id == agent_id and second.connected_at is not None
    assert callback.agent_id == (agent_id if personal else None) and callback.contact_id == first.contact_id
    (done,) = [e for e in sent if e.kind == EventKind.CALLBACK_DONE]
    assert (done.call, done.agent, done.flags) == (second.id, agent_id, 0 if personal else Flag.SHARED)
