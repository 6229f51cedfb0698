from __future__ import annotations

import datetime as dt

import pytest
import trio

from ccengine import domain as d
from ccengine.errors import DomainError
from ccengine.store import CallEnd, CallProgress, Store, _codec
from tests.store.conftest import make_world

NOW = d.from_datetime(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))  # a Monday


async def test_claims_follow_list_priority_then_due_time(store: Store) -> None:
    w = await make_world(store, contacts=3, lists=2)
    claims = await store.claim_contacts(w.campaign.id, 4, NOW, "t1")
    high = w.lists[1].id  # list-1 has priority 1
    assert [c.contact.list_id for c in claims] == [high, high, high, w.lists[0].id]
    assert all(c.contact.state is d.ContactState.DIALING and c.contact.attempts == 1 for c in claims)
    record = await store.call(claims[0].call_id)
    assert record.outcome is None and record.placed_at == NOW and record.contact_id == claims[0].contact.id


async def test_only_active_lists_and_due_contacts_are_claimed(store: Store) -> None:
    w = await make_world(store, contacts=2, lists=2)
    await store.list_action(w.lists[1].id, "pause")
    assert {c.contact.list_id for c in await store.claim_contacts(w.campaign.id, 10, NOW, "t")} == {w.lists[0].id}
    assert await store.claim_contacts(w.campaign.id, 10, NOW, "t") == []


async def test_do_not_call_numbers_are_never_claimed(store: Store) -> None:
    w = await make_world(store, contacts=3)
    await store.add_do_not_call(w.tenant.id, ["+33610000001"], "asked on 2026-11-01")
    phones = {c.contact.phone for c in await store.claim_contacts(w.campaign.id, 10, NOW, "t")}
    assert phones == {"+33610000000", "+33610000002"}
    result = await store.add_contacts(w.lists[0].id, [("+33610000001", None, {})])
    assert result.skipped == {0: "do-not-call"}


async def test_contacts_are_called_only_inside_their_own_calling_hours(store: Store) -> None:
    nine_to_five = d.Schedule(tz="Europe/Paris", windows=tuple(d.Window(w, dt.time(9), dt.time(17)) for w in range(5)))
    w = await make_world(store, contacts=0, schedule=nine_to_five)
    await store.add_contacts(w.lists[0].id, [
        ("+33612345678", "Europe/Paris", {}),
        ("+12125550100", "America/New_York", {}),
        ("+18085550100", "Pacific/Honolulu&America/New_York", {}),  # every zone must be open
        ("+33170000000", None, {}),  # unknown zone: the campaign's
    ])
    # 10:00 UTC Monday: 11:00 in Paris, 05:00 in New York.
    assert {c.contact.phone for c in await store.claim_contacts(w.campaign.id, 9, NOW, "t")} == {
        "+33612345678", "+33170000000"}
    # 15:00 UTC: 16:00 Paris (open, but already claimed), 10:00 New York, 05:00 Honolulu.
    later = NOW + 5 * 3600 * d.SECOND
    assert {c.contact.phone for c in await store.claim_contacts(w.campaign.id, 9, later, "t")} == {"+12125550100"}
    saturday = NOW + 5 * 86400 * d.SECOND
    assert await store.claim_contacts(w.campaign.id, 9, saturday, "t") == []


async def test_concurrent_claimers_never_share_a_contact(store: Store) -> None:
    w = await make_world(store, contacts=500)
    got: list[list[int]] = []

    async def claimer(name: str) -> None:
        mine: list[int] = []
        while claims := await store.claim_contacts(w.campaign.id, 7, NOW, name):
            mine += [c.contact.id for c in claims]
            await trio.lowlevel.checkpoint()
        got.append(mine)

    async with trio.open_nursery() as nursery:
        for k in range(8):
            nursery.start_soon(claimer, f"task-{k}")
    every = [i for mine in got for i in mine]
    assert len(every) == len(set(every)) == 500
    assert sum(1 for mine in got if mine) > 1


async def test_release_gives_the_attempt_back(store: Store) -> None:
    w = await make_world(store, contacts=1)
    [claim] = await store.claim_contacts(w.campaign.id, 1, NOW, "t")
    assert await store.release_claims([claim.call_id]) == 1
    contact = await store.contact(claim.contact.id)
    assert contact.state is d.ContactState.PENDING and contact.attempts == 0
    assert await store.calls(w.campaign.id) == []


async def test_unanswered_calls_are_retried_after_the_campaign_delay_then_closed(store: Store) -> None:
    w = await make_world(store, contacts=1, max_attempts=2, retry_delays={d.Outcome.NO_ANSWER: 600})
    [claim] = await store.claim_contacts(w.campaign.id, 1, NOW, "t")
    await store.end_calls([CallEnd(claim.call_id, d.Outcome.NO_ANSWER, NOW + 30 * d.SECOND)])
    contact = await store.contact(claim.contact.id)
    assert contact.state is d.ContactState.PENDING and contact.last_outcome is d.Outcome.NO_ANSWER
    assert contact.next_attempt_at == NOW + 630 * d.SECOND
    assert await store.claim_contacts(w.campaign.id, 1, NOW + 629 * d.SECOND, "t") == []
    [again] = await store.claim_contacts(w.campaign.id, 1, NOW + 630 * d.SECOND, "t")
    await store.end_calls([CallEnd(again.call_id, d.Outcome.BUSY, NOW + 700 * d.SECOND)])
    contact = await store.contact(claim.contact.id)
    assert contact.state is d.ContactState.DONE and contact.attempts == 2


async def test_a_call_record_keeps_every_timestamp(store: Store) -> None:
    w = await make_world(store, contacts=1)
    agent = await store.create_agent(w.tenant.id, "Alice", campaign_ids=[w.campaign.id])
    [claim] = await store.claim_contacts(w.campaign.id, 1, NOW, "t")
    s = d.SECOND
    await store.progress_calls([CallProgress(claim.call_id, ringing_at=NOW + s)])
    await store.progress_calls([CallProgress(claim.call_id, answered_at=NOW + 9 * s, connected_at=NOW + 10 * s,
                                             agent_id=agent.id)])
    await store.end_calls([CallEnd(claim.call_id, d.Outcome.HUMAN, NOW + 100 * s)])
    assert (await store.contact(claim.contact.id)).state is d.ContactState.DIALING  # waiting for the disposition
    record = await store.dispose_call(claim.call_id, "sale", NOW + 130 * s)
    assert (record.placed_at, record.ringing_at, record.answered_at, record.connected_at, record.ended_at,
            record.wrapup_ended_at) == (NOW, NOW + s, NOW + 9 * s, NOW + 10 * s, NOW + 100 * s, NOW + 130 * s)
    assert record.outcome is d.Outcome.HUMAN and record.agent_id == agent.id
    assert record.positive and record.argued and record.disposition == "sale"
    contact = await store.contact(claim.contact.id)
    assert contact.state is d.ContactState.DONE and contact.last_disposition == "sale"
    with pytest.raises(Exception, match="already qualified"):
        await store.dispose_call(claim.call_id, "sale", NOW)


async def test_a_callback_disposition_schedules_it_and_it_is_dialed_when_due(store: Store) -> None:
    w = await make_world(store, contacts=2)
    alice = await store.create_agent(w.tenant.id, "Alice")
    claims = await store.claim_contacts(w.campaign.id, 2, NOW, "t")
    due = NOW + 3600 * d.SECOND
    for c in claims:
        await store.end_calls([CallEnd(c.call_id, d.Outcome.HUMAN, NOW)])
    with pytest.raises(DomainError) as e:
        await store.dispose_call(claims[0].call_id, "callback", NOW)
    assert e.value.slug == "callback-time-missing"
    await store.dispose_call(claims[0].call_id, "callback", NOW, callback_at=due, callback_agent_id=alice.id)
    await store.dispose_call(claims[1].call_id, "callback", NOW, callback_at=due + 1)
    assert len(await store.callbacks(w.campaign.id, shared=True)) == 1
    [personal] = await store.callbacks(w.campaign.id, agent_id=alice.id)
    assert (await store.contact(personal.contact_id)).state is d.ContactState.CALLBACK
    assert await store.claim_contacts(w.campaign.id, 5, due + 10, "t") == []  # callbacks are not list work
    assert await store.claim_due_callbacks(w.campaign.id, due - 1, None, 5, "t") == []
    # Alice is busy: only the shared one may go to someone else.
    [(cb, claim)] = await store.claim_due_callbacks(w.campaign.id, due + 10, [], 5, "t")
    assert cb.shared and claim.contact.state is d.ContactState.DIALING
    [(cb, _)] = await store.claim_due_callbacks(w.campaign.id, due + 10, [alice.id], 5, "t")
    assert cb.agent_id == alice.id
    assert (await store.callback(cb.id)).state is d.CallbackState.DONE


async def test_callbacks_can_be_reassigned_moved_and_cancelled(store: Store) -> None:
    w = await make_world(store, contacts=1)
    bob = await store.create_agent(w.tenant.id, "Bob")
    contact_id = (await store.contacts(w.lists[0].id))[0].id
    cb = await store.schedule_callback(contact_id, NOW, note="after lunch")
    assert cb.shared
    moved = await store.reassign_callback(cb.id, agent_id=bob.id, due_at=NOW + 60 * d.SECOND)
    assert moved.agent_id == bob.id and (await store.contact(contact_id)).next_attempt_at == NOW + 60 * d.SECOND
    closed = await store.close_callback(cb.id, d.CallbackState.CANCELLED)
    assert closed.state is d.CallbackState.CANCELLED
    assert (await store.contact(contact_id)).state is d.ContactState.PENDING
    with pytest.raises(Exception, match="cancelled"):
        await store.reassign_callback(cb.id, agent_id=None)


async def test_recycle_reinjects_chosen_outcomes_only(store: Store) -> None:
    w = await make_world(store, contacts=4, max_attempts=1)
    claims = await store.claim_contacts(w.campaign.id, 4, NOW, "t")
    outcomes = [d.Outcome.NO_ANSWER, d.Outcome.BUSY, d.Outcome.MACHINE, d.Outcome.HUMAN]
    await store.end_calls([CallEnd(c.call_id, o, NOW) for c, o in zip(claims, outcomes, strict=True)])
    await store.dispose_call(claims[3].call_id, "not-interested", NOW)
    assert await store.list_counts(w.lists[0].id) == {"pending": 0, "callback": 0, "dialing": 0, "done": 4,
                                                      "removed": 0}
    assert await store.recycle_list(w.lists[0].id, [d.Outcome.NO_ANSWER, d.Outcome.MACHINE]) == 2
    again = await store.claim_contacts(w.campaign.id, 9, NOW + 1, "t")
    assert {c.contact.id for c in again} == {claims[0].contact.id, claims[2].contact.id}
    with pytest.raises(DomainError) as e:
        await store.recycle_list(w.lists[0].id, [d.Outcome.HUMAN])
    assert e.value.slug == "invalid-recycle"


async def test_move_and_remove_one_or_in_bulk(store: Store) -> None:
    w = await make_world(store, contacts=4)
    other = await store.create_campaign(d.Campaign(id=0, tenant_id=w.tenant.id, name="other"))
    target = await store.create_list(other.id, "moved", status=d.ListStatus.ACTIVE)
    await store.add_contacts(target.id, [("+33610000003", None, {})])
    ids = [c.id for c in await store.contacts(w.lists[0].id)]
    [claim] = await store.claim_contacts(w.campaign.id, 1, NOW, "t")
    result = await store.move_contacts([*ids, 999], target.id)
    assert sorted(result.done) == ids[1:3]
    assert result.skipped == {claim.contact.id: "in-call", ids[3]: "duplicate-in-campaign", 999: "not-found"}
    assert (await store.contact(ids[1])).campaign_id == other.id
    removed = await store.remove_contacts([ids[1], ids[3], ids[3]])
    assert removed.done == [ids[1], ids[3]] and removed.skipped == {}
    assert (await store.contact(ids[3])).state is d.ContactState.REMOVED
    # A removed number can come back.
    assert (await store.add_contacts(target.id, [("+33610000001", None, {})])).done
    # Each campaign holds each of its live numbers once, pointing at the contact that has it.
    assert sorted(await store.campaign_phone_keys(other.id)) == sorted(
        _codec.phone_key(c.phone) for c in await store.contacts(target.id) if c.state is not d.ContactState.REMOVED)


async def test_missed_calls_are_added_to_a_campaign_once(store: Store) -> None:
    w = await make_world(store, contacts=1)
    a = await store.record_missed_call(w.tenant.id, "+33699999999", NOW, queue_id=3)
    b = await store.record_missed_call(w.tenant.id, "+33610000000", NOW)  # already in the campaign
    result = await store.add_missed_calls([a.id, b.id, 77], w.campaign.id, {"+33699999999": "Europe/Paris"})
    assert result.done == [a.id] and result.skipped == {b.id: "duplicate-in-campaign", 77: "not-found"}
    again = await store.add_missed_calls([a.id], w.campaign.id, {})
    assert again.skipped == {a.id: "already-added"}
    missed_list = await store.contact_list((w.campaign.id, "Missed calls"))
    [contact] = await store.contacts(missed_list.id)
    assert contact.phone == "+33699999999" and "missed_at" in contact.fields
    assert [m.id for m in await store.missed_calls(w.tenant.id)] == [b.id]


async def test_recover_closes_calls_a_dead_engine_left_open(store: Store) -> None:
    w = await make_world(store, contacts=4, retry_delays={d.Outcome.HUMAN: 3600})
    claims = await store.claim_contacts(w.campaign.id, 4, NOW, "t")
    await store.progress_calls([CallProgress(claims[1].call_id, ringing_at=NOW + 1)])
    await store.end_calls([CallEnd(claims[2].call_id, d.Outcome.NO_ANSWER, NOW + 2)])
    await store.end_calls([CallEnd(claims[3].call_id, d.Outcome.HUMAN, NOW + 3)])  # never qualified
    before = d.now_us()
    closed = await store.recover()
    assert sorted(c.id for c in closed) == [claims[0].call_id, claims[1].call_id]
    assert (await store.call(claims[0].call_id)).outcome is d.Outcome.INTERRUPTED
    never_rang, rang = await store.contact(claims[0].contact.id), await store.contact(claims[1].contact.id)
    assert never_rang.state is rang.state is d.ContactState.PENDING
    assert (never_rang.attempts, rang.attempts) == (0, 1)
    talked = await store.contact(claims[3].contact.id)
    assert talked.state is d.ContactState.PENDING and talked.next_attempt_at >= before + 3600 * d.SECOND
    assert await store.recover() == []


async def test_pending_contacts_count_the_active_lists_only(store: Store):
    w = await make_world(store, contacts=4, lists=2)
    assert await store.pending_contacts(w.campaign.id) == 8
    await store.claim_contacts(w.campaign.id, 3, NOW, "t")
    assert await store.pending_contacts(w.campaign.id) == 5
    await store.list_action(w.lists[1].id, "pause")
    assert await store.pending_contacts(w.campaign.id) == 4  # the claims took list 1 first (priority)


async def test_pending_contacts_leave_out_numbers_put_on_the_do_not_call_list_after_import(store: Store):
    w = await make_world(store, contacts=4)
    await store.add_do_not_call(w.tenant.id, ["+33610000000", "+33610000002", "+33699999999"], "asked")
    assert await store.pending_contacts(w.campaign.id) == 2  # the number on no list costs nothing
    await store.remove_do_not_call(w.tenant.id, ["+33610000002"])
    assert await store.pending_contacts(w.campaign.id) == 3
    claims = await store.claim_contacts(w.campaign.id, 4, NOW, "t")
    assert "+33610000000" not in {c.contact.phone for c in claims} and len(claims) == 3
    assert await store.pending_contacts(w.campaign.id) == 0  # nothing left a claim would take: worked out


async def test_a_lowered_attempt_maximum_holds_back_contacts_already_tried_that_often(store: Store) -> None:
    w = await make_world(store, contacts=2, max_attempts=3, retry_delays={d.Outcome.BUSY: 0})
    claims = await store.claim_contacts(w.campaign.id, 1, NOW, "t")
    await store.end_calls([CallEnd(claims[0].call_id, d.Outcome.BUSY, NOW)])
    await store.edit_campaign(w.campaign.id, max_attempts=1)
    [claim] = await store.claim_contacts(w.campaign.id, 5, NOW, "t")
    assert claim.contact.id != claims[0].contact.id and claim.contact.attempts == 1


async def test_due_callbacks_keep_calling_hours_and_the_do_not_call_list(store: Store) -> None:
    nine_to_five = d.Schedule(tz="Europe/Paris", windows=tuple(d.Window(w, dt.time(9), dt.time(17)) for w in range(5)))
    w = await make_world(store, contacts=2, schedule=nine_to_five)
    paris, other = await store.contacts(w.lists[0].id)
    evening = NOW + 8 * 3600 * d.SECOND  # 19:00 in Paris: closed
    callbacks = [await store.schedule_callback(c.id, evening - d.SECOND) for c in (paris, other)]
    assert await store.claim_due_callbacks(w.campaign.id, evening, None, 5, "t") == []
    await store.add_do_not_call(w.tenant.id, [other.phone])
    next_morning = NOW + 24 * 3600 * d.SECOND  # Tuesday 11:00 in Paris
    [(cb, claim)] = await store.claim_due_callbacks(w.campaign.id, next_morning, None, 5, "t")
    assert cb.id == callbacks[0].id and claim.contact.id == paris.id
    assert (await store.callback(callbacks[1].id)).state is d.CallbackState.CANCELLED
    assert (await store.contact(other.id)).state is d.ContactState.DONE


async def test_a_call_left_unqualified_gives_its_contact_back_for_a_later_try(store: Store) -> None:
    w = await make_world(store, contacts=2, retry_delays={d.Outcome.HUMAN: 600})
    left, qualified = await store.claim_contacts(w.campaign.id, 2, NOW, "t")
    await store.end_calls([CallEnd(c.call_id, d.Outcome.HUMAN, NOW) for c in (left, qualified)])
    await store.dispose_call(qualified.call_id, "sale", NOW)
    assert await store.settle_undisposed(left.call_id, NOW + d.SECOND)
    contact = await store.contact(left.contact.id)
    assert contact.state is d.ContactState.PENDING and contact.next_attempt_at == NOW + 601 * d.SECOND
    assert not await store.settle_undisposed(left.call_id, NOW)  # settled already
    assert not await store.settle_undisposed(qualified.call_id, NOW)
    assert (await store.contact(qualified.contact.id)).state is d.ContactState.DONE
