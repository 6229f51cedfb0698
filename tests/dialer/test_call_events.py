"""The dialer's indicator events: each call step's event, and, after a run over loopback, the
indicator engine's figures agreeing with the call records."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from ccengine import domain as d
from ccengine.dialer._call_events import CallEvents
from ccengine.metrics import NONE, Event, EventKind, Flag
from ccengine.store import Store
from tests.dialer.conftest import collected_events, indicators
from tests.dialer.test_campaign import all_ended, center
from tests.sipp_peer import SCENARIOS

T0 = 1_800_000_000 * d.SECOND


async def test_each_ending_sends_its_kind_and_an_answer_is_counted_once() -> None:
    send, receive = trio.open_memory_channel[Event](100)
    events = CallEvents(send, tenant_id=1, campaign_id=2)
    for call_id, outcome in enumerate([d.Outcome.BUSY, d.Outcome.NO_ANSWER, d.Outcome.INVALID, d.Outcome.FAILED]):
        await events.placed(call_id, 5, T0)
        await events.ringing(call_id, 5, T0)
        await events.ringing(call_id, 5, T0)  # a 180 after a 183: one ringing
        await events.ended(call_id, 5, outcome, T0)
    # A person found during detection, then abandoned; a person gone before the verdict.
    await events.answered(10, 5, T0, machine=False)
    await events.ended(10, 5, d.Outcome.ABANDONED, T0)
    await events.ended(11, 5, d.Outcome.ABANDONED, T0)
    # A machine given the message: announced when the message starts, not again at the end.
    await events.answered(12, 5, T0, machine=True)
    await events.ended(12, 5, d.Outcome.MACHINE, T0)
    await events.callback_done(13, 5, 7, shared=True, now=T0)
    send.close()
    sent = [e async for e in receive]
    assert [(e.call, EventKind(e.kind)) for e in sent] == [
        (0, EventKind.DIAL_ATTEMPT), (0, EventKind.RINGING), (0, EventKind.BUSY),
        (1, EventKind.DIAL_ATTEMPT), (1, EventKind.RINGING), (1, EventKind.NO_ANSWER),
        (2, EventKind.DIAL_ATTEMPT), (2, EventKind.RINGING), (2, EventKind.INVALID_NUMBER),
        (3, EventKind.DIAL_ATTEMPT), (3, EventKind.RINGING),
        (10, EventKind.ANSWERED_HUMAN), (10, EventKind.ABANDONED),
        (11, EventKind.ANSWERED_HUMAN), (11, EventKind.ABANDONED),
        (12, EventKind.ANSWERED_MACHINE),
        (13, EventKind.CALLBACK_DONE),
    ]
    assert all((e.tenant, e.campaign, e.list) == (1, 2, 5) for e in sent)
    assert all(e.agent == NONE for e in sent[:-1]) and sent[-1].agent == 7 and sent[-1].flags == Flag.SHARED


async def test_after_a_run_the_indicators_agree_with_the_call_records(store: Store, tmp_path: Path) -> None:
    # Power dialling three lines for one agent: one person connected, two abandoned.
    async with (collected_events() as (sender, sent),
                center(store, tmp_path, contacts=3, agents=1, talk_ms=2000, dial_mode=d.DialMode.POWER,
                       power_ratio=3.0, connect_limit_s=0.5, events=sender) as c):
        records = await all_ended(store, c.campaign.id, 3, 30)
    figures = indicators(sent, c.campaign.id)
    outcomes = [r.outcome for r in records]
    assert figures["attempts"] == len(records) == 3
    assert figures["human_answers"] == outcomes.count(d.Outcome.HUMAN) + outcomes.count(d.Outcome.ABANDONED) == 3
    assert figures["abandons"] == outcomes.count(d.Outcome.ABANDONED) == 2
    assert figures["connects"] == sum(r.connected_at is not None for r in records) == 1
    assert figures["machine_answers"] == figures["no_answers"] == figures["busy"] == 0
    assert figures["abandon_rate"] == 2 / 3
    # The agent's own events (CONNECTED, HANGUP) come from AgentService, once each.
    assert [EventKind(e.kind) for e in sent if e.agent != NONE].count(EventKind.CONNECTED) == 1
    assert all(e.call in {r.id for r in records} for e in sent if e.kind <= EventKind.ABANDONED and e.call)


@pytest.mark.parametrize(("status", "reason", "outcome", "kind", "contact_state"), [
    ("486", "Busy Here", d.Outcome.BUSY, EventKind.BUSY, d.ContactState.PENDING),
    ("404", "Not Found", d.Outcome.INVALID, EventKind.INVALID_NUMBER, d.ContactState.DONE),
    ("503", "Service Unavailable", d.Outcome.FAILED, None, d.ContactState.PENDING),
], ids=["busy", "invalid", "carrier-failing"])
async def test_refused_calls_end_with_their_outcome_and_event(store: Store, tmp_path: Path, status: str, reason: str,
                                                             outcome: d.Outcome, kind: EventKind | None,
                                                             contact_state: d.ContactState) -> None:
    # SIPp checks status codes as it loads a scenario: they cannot be -key keywords, so fill them in.
    scenario = tmp_path / "carrier_final.xml"
    scenario.write_text((SCENARIOS / "carrier_final.xml").read_text().replace("[status]", status)
                        .replace("[reason]", reason))
    refusing = ["-sf", str(scenario)]
    async with (collected_events() as (sender, sent),
                center(store, tmp_path, contacts=2, agents=1, talk_ms=0, carrier_scenario=refusing,
                       dial_mode=d.DialMode.PROGRESSIVE, events=sender) as c):
        records = await all_ended(store, c.campaign.id, 2, 15)
        assert (await store.agent_status(c.agent_ids[0])).state is d.AgentState.AVAILABLE
    assert [r.outcome for r in records] == [outcome] * 2
    assert all(r.answered_at is None and r.agent_id is None for r in records)
    for r in records:
        assert (await store.contact(r.contact_id)).state is contact_state
    kinds = [EventKind(e.kind) for e in sent if e.agent == NONE]
    assert kinds.count(EventKind.DIAL_ATTEMPT) == 2
    assert [k for k in kinds if k not in (EventKind.DIAL_ATTEMPT, EventKind.RINGING)] == ([kind] * 2 if kind else [])
    figures = indicators(sent, c.campaign.id)
    assert (figures["attempts"], figures["human_answers"], figures["connects"]) == (2, 0, 0)
