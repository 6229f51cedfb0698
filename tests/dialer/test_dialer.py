"""The dialer service over loopback: campaigns started and stopped through the store while it
runs get their tasks within a tick and lose them once their calls have ended; agents log in
through it, one of them working both campaigns; the indicator events of both campaigns flow
through one sender; an agent shared by two campaigns is dialled for by one pacer at a time."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import trio

from ccengine import domain as d
from ccengine.agents import AgentService
from ccengine.dialer import Dialer, Dialling
from ccengine.metrics import Event, EventKind, Hub
from ccengine.store import Store
from ccengine.telephony import Media, Telephony
from tests.dialer.conftest import collected_events
from tests.dialer.test_campaign import agent_phone, all_ended, carrier, engine_config, prompt
from tests.sipp_peer import free_udp_port
from tests.store.conftest import ALWAYS


async def campaign_with_contacts(store: Store, tenant_id: int, name: str, prefix: str, count: int) -> d.Campaign:
    camp = await store.create_campaign(d.Campaign(id=0, tenant_id=tenant_id, name=name, schedule=ALWAYS,
                                                  dial_mode=d.DialMode.PROGRESSIVE,
                                                  machine_rule=d.MachineRule.AGENT))
    lst = await store.create_list(camp.id, "main", status=d.ListStatus.ACTIVE)
    added = await store.add_contacts(lst.id, [(f"+3361{prefix}{i:05d}", "Europe/Paris", {}) for i in range(count)])
    assert len(added.done) == count
    return camp


async def two_campaigns(store: Store) -> tuple[d.Tenant, d.Campaign, d.Campaign]:
    """A tenant with two progressive campaigns of three contacts each, not started."""
    tenant = await store.create_tenant("acme", "Europe/Paris")
    return (tenant, await campaign_with_contacts(store, tenant.id, "first", "1", 3),
            await campaign_with_contacts(store, tenant.id, "second", "2", 3))


@asynccontextmanager
async def dialer_over_loopback(store: Store, tmp_path: Path, stack: ExitStack, *, users: list[str], calls: int,
                               talk_ms: int, events: trio.MemorySendChannel[Event] | None = None
                               ) -> AsyncIterator[tuple[Dialer, Telephony, trio.Nursery]]:
    """A running ``Dialer`` (the 30 s wrap-up ceiling never frees an agent in these tests) whose
    trunk is SIPp answering ``calls`` calls, each hung up ``talk_ms`` after its answer; ``users``
    may register their phones. Its nursery is given for the test's own tasks."""
    carrier_port = free_udp_port()
    stack.enter_context(carrier(carrier_port, calls, talk_ms, tmp_path))
    media = Media()
    telephony = Telephony(engine_config(carrier_port, users), media=media)
    async with trio.open_nursery() as nursery:
        await nursery.start(media.run)
        await nursery.start(telephony.run)
        dialer = Dialer(store, AgentService(store, events), telephony, media,
                        Dialling(trunk="carrier", abandon_prompt=prompt(tmp_path / "abandon.wav"),
                                 ring_timeout=5, wrapup_s=30),
                        hub=Hub(), events=events, session_ring_timeout=5)
        await nursery.start(dialer.run)
        yield dialer, telephony, nursery
        nursery.cancel_scope.cancel()


async def qualify_every_call(dialer: Dialer, agent_id: int) -> None:
    """The agent qualifies each call through the dialer once in its wrap-up (the 30 s ceiling
    never frees them in this test: only their dispositions do)."""
    while True:
        call_id = dialer.wrapups.call_of(agent_id)
        if call_id is not None:
            await dialer.dispose(agent_id, call_id, "appointment")
        await trio.sleep(0.02)


async def test_two_campaigns_started_and_stopped_through_the_store_while_it_runs(store: Store,
                                                                                tmp_path: Path) -> None:
    tenant, first, second = await two_campaigns(store)
    with ExitStack() as stack:
        async with collected_events() as (sender, sent), dialer_over_loopback(
                store, tmp_path, stack, users=["1001", "1002"], calls=6, talk_ms=600, events=sender) as running:
            dialer, telephony, nursery = running
            assert dialer.tasks == {}  # nothing runs yet
            # Ann works both campaigns, Bob the second only: one pacer at a time counts Ann free,
            # but a person reached may still wait for an agent, and hang up first (SIPp ends its
            # calls 600 ms after answering): abandoned.
            ann = await store.create_agent(tenant.id, "ann", extension="1001", campaign_ids=[first.id, second.id])
            bob = await store.create_agent(tenant.id, "bob", extension="1002", campaign_ids=[second.id])
            for agent, campaigns in ((ann, {first.id, second.id}), (bob, {second.id})):
                await agent_phone(stack, telephony, agent.extension, tmp_path, 30)
                await dialer.login(agent.id, frozenset(campaigns))
                nursery.start_soon(qualify_every_call, dialer, agent.id)

            await store.campaign_action(first.id, "start")
            await store.campaign_action(second.id, "start")
            with trio.fail_after(1):  # within a tick or two, each has its task
                while set(dialer.tasks) != {first.id, second.id}:
                    await trio.sleep(0.02)
            first_records = await all_ended(store, first.id, 3, 20)
            await store.campaign_action(first.id, "stop")
            second_records = await all_ended(store, second.id, 3, 20)
            await store.campaign_action(second.id, "stop")
            with trio.fail_after(2):  # stopped with nothing in flight: both tasks end
                while dialer.tasks:
                    await trio.sleep(0.02)
            assert len(dialer.board) == 0
            with trio.fail_after(2):  # each person an agent talked to is qualified by them
                while any(r.outcome is d.Outcome.HUMAN and r.disposition is None
                          for r in await store.calls(first.id) + await store.calls(second.id)):
                    await trio.sleep(0.02)
            await dialer.logout(ann.id)
            with trio.fail_after(5):
                while (await store.agent_status(ann.id)).state is not d.AgentState.LOGGED_OUT:
                    await trio.sleep(0.02)
            nursery.cancel_scope.cancel()
    records = first_records + second_records
    for r in records:  # connected to an agent of its campaign, or abandoned waiting for one
        assert (r.outcome, r.agent_id is not None) in {(d.Outcome.HUMAN, True), (d.Outcome.ABANDONED, False)}
    assert {r.agent_id for r in first_records} - {None} == {ann.id}
    assert {r.agent_id for r in second_records} - {None} <= {ann.id, bob.id}
    assert d.Outcome.HUMAN in {r.outcome for r in second_records}
    for r in await store.calls(first.id) + await store.calls(second.id):  # qualified by their agents
        assert (r.disposition == "appointment") == (r.outcome is d.Outcome.HUMAN)
    # Shared by two campaigns, Ann still took one call at a time.
    talks = sorted((r.connected_at or 0, r.ended_at or 0) for r in records if r.agent_id == ann.id)
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(talks))
    attempts = [e.campaign for e in sent if e.kind == EventKind.DIAL_ATTEMPT]
    assert sorted(attempts) == [first.id] * 3 + [second.id] * 3


async def test_an_agent_shared_by_two_campaigns_is_dialled_for_by_one_pacer_at_a_time(store: Store,
                                                                                    tmp_path: Path) -> None:
    # Two progressive campaigns and one agent working both: each call placed is the agent's next
    # call, so never two in flight at once across the campaigns (each pacer counting her free
    # would place one each), and the campaigns take turns.
    tenant, first, second = await two_campaigns(store)
    with ExitStack() as stack:
        async with dialer_over_loopback(store, tmp_path, stack, users=["1001"], calls=6, talk_ms=300) as running:
            dialer, telephony, nursery = running
            ann = await store.create_agent(tenant.id, "ann", extension="1001", campaign_ids=[first.id, second.id])
            await agent_phone(stack, telephony, ann.extension, tmp_path, 60)
            await dialer.login(ann.id, frozenset({first.id, second.id}))
            nursery.start_soon(qualify_every_call, dialer, ann.id)
            await store.campaign_action(first.id, "start")
            await store.campaign_action(second.id, "start")
            most_in_flight = 0
            counted_by_the_other = 0  # the agent, by the other pacer, while on a call

            async def count_calls_in_flight() -> None:
                nonlocal most_in_flight, counted_by_the_other
                while True:
                    most_in_flight = max(most_in_flight, len(dialer.board))
                    call = dialer.board.of_agent(ann.id)
                    other = None if call is None else dialer.tasks.get(
                        second.id if call.campaign_id == first.id else first.id)
                    if other is not None and other.live is not None:
                        counted_by_the_other = max(counted_by_the_other, other.live.snapshot(d.now_us()).agents)
                    await trio.sleep(0.005)

            nursery.start_soon(count_calls_in_flight)
            await all_ended(store, first.id, 3, 30)
            await all_ended(store, second.id, 3, 30)
            with trio.fail_after(2):  # the last call qualified
                while any(r.outcome is d.Outcome.HUMAN and r.disposition is None
                          for r in await store.calls(first.id) + await store.calls(second.id)):
                    await trio.sleep(0.02)
            for camp in (first, second):
                await store.campaign_action(camp.id, "stop")
            with trio.fail_after(2):
                while dialer.tasks:
                    await trio.sleep(0.02)
            await dialer.logout(ann.id)
            nursery.cancel_scope.cancel()
    records = sorted(await store.calls(first.id) + await store.calls(second.id), key=lambda r: r.placed_at)
    assert [(r.outcome, r.agent_id) for r in records] == [(d.Outcome.HUMAN, ann.id)] * 6  # nobody abandoned
    assert most_in_flight == 1
    assert counted_by_the_other == 0, "busy with one campaign's call, she is not the other pacer's"
    for before, after in itertools.pairwise(records):  # each placed once the one before had ended
        assert before.ended_at is not None and before.ended_at <= after.placed_at
    assert all(before.campaign_id != after.campaign_id for before, after in itertools.pairwise(records))  # in turn
