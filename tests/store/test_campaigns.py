from __future__ import annotations

import pytest

from ccengine import domain as d
from ccengine.errors import Conflict, DomainError, NotFound
from ccengine.store import Store
from tests.store.conftest import make_world


async def test_a_campaign_round_trips_every_setting(store: Store) -> None:
    tenant = await store.create_tenant("acme", "Europe/Paris")
    draft = d.Campaign(
        id=0, tenant_id=tenant.id, name="energy", dial_mode=d.DialMode.POWER, power_ratio=2.5, caller_id="+33170000000",
        abandon_cap=0.02, abandon_window=d.AbandonWindow.HOURS_24, max_attempts=3,
        retry_delays={d.Outcome.NO_ANSWER: 600}, machine_rule=d.MachineRule.MESSAGE,
        dispositions=(d.Disposition(code="sale", label="Vente", positive=True),),
    )
    stored = await store.create_campaign(draft)
    assert stored.id > 0 and stored.created_at > 0
    again = await store.campaign(stored.id)
    assert again == stored
    assert again.dial_mode is d.DialMode.POWER and again.retry_delays == {d.Outcome.NO_ANSWER: 600}
    assert again.state is d.CampaignState.STOPPED
    assert await store.campaign((tenant.id, "energy")) == stored


async def test_names_are_unique_per_tenant(store: Store) -> None:
    tenant = await store.create_tenant("acme")
    await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name="x"))
    with pytest.raises(Conflict) as e:
        await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name="x"))
    assert e.value.slug == "duplicate-name"


async def test_edit_changes_settings_but_not_the_run_state(store: Store) -> None:
    w = await make_world(store, contacts=0)
    edited = await store.edit_campaign(w.campaign.id, max_attempts=9, caller_id="+331")
    assert (await store.campaign(w.campaign.id)).max_attempts == 9 and edited.caller_id == "+331"
    with pytest.raises(DomainError) as e:
        await store.edit_campaign(w.campaign.id, run_state=d.RunState.RUNNING)
    assert e.value.slug == "read-only-field"
    with pytest.raises(DomainError) as e:
        await store.edit_campaign(w.campaign.id, max_attempts=0)
    assert e.value.slug == "invalid-campaign"
    with pytest.raises(DomainError) as e:
        await store.edit_campaign(w.campaign.id, colour="red")
    assert e.value.slug == "unknown-field"


@pytest.mark.parametrize(
    ("start", "action", "expected"),
    [
        (d.RunState.STOPPED, "start", d.RunState.RUNNING),
        (d.RunState.RUNNING, "pause", d.RunState.PAUSED),
        (d.RunState.PAUSED, "resume", d.RunState.RUNNING),
        (d.RunState.RUNNING, "stop", d.RunState.STOPPED),
        (d.RunState.PAUSED, "stop", d.RunState.STOPPED),
    ],
)
def test_legal_campaign_actions(start: d.RunState, action: str, expected: d.RunState) -> None:
    assert d.next_run_state(start, action, "campaign") is expected


@pytest.mark.parametrize(
    ("start", "action"),
    [(s, a) for s in d.RunState for a in ("start", "pause", "resume", "stop")
     if (s, a) not in {(d.RunState.STOPPED, "start"), (d.RunState.RUNNING, "pause"), (d.RunState.PAUSED, "resume"),
                       (d.RunState.RUNNING, "stop"), (d.RunState.PAUSED, "stop")}],
)
def test_illegal_campaign_actions_are_refused(start: d.RunState, action: str) -> None:
    with pytest.raises(DomainError) as e:
        d.next_run_state(start, action, "campaign")
    assert e.value.slug == "invalid-transition"
    assert action in str(e.value) and start.value in str(e.value)


async def test_running_campaign_is_inactive_with_its_reason(store: Store) -> None:
    w = await make_world(store, contacts=0)
    _, after = await store.campaign_action(w.campaign.id, "start")
    assert after.state is d.CampaignState.ACTIVE
    _, after = await store.set_inactive_reason(w.campaign.id, d.InactiveReason.NO_AGENTS)
    assert after.state is d.CampaignState.INACTIVE and after.inactive_reason is d.InactiveReason.NO_AGENTS
    _, after = await store.campaign_action(w.campaign.id, "pause")
    assert after.state is d.CampaignState.PAUSED and (await store.campaign(w.campaign.id)).inactive_reason is None


async def test_list_actions_follow_seed_000(store: Store) -> None:
    w = await make_world(store, contacts=0)
    lst = w.lists[0]
    _, paused = await store.list_action(lst.id, "pause")
    assert paused.status is d.ListStatus.PAUSED
    _, finished = await store.list_action(lst.id, "finish")
    assert finished.status is d.ListStatus.FINISHED
    with pytest.raises(DomainError) as e:
        await store.list_action(lst.id, "pause")
    assert e.value.slug == "invalid-transition"
    _, active = await store.list_action(lst.id, "activate")
    assert active.status is d.ListStatus.ACTIVE == (await store.contact_list(lst.id)).status
    with pytest.raises(DomainError):
        await store.list_action(lst.id, "explode")


async def test_missing_things_are_not_found(store: Store) -> None:
    for call in (store.campaign(99), store.contact_list(99), store.contact(99), store.agent(99), store.call(99)):
        with pytest.raises(NotFound) as e:
            await call
        assert e.value.slug == "not-found"
