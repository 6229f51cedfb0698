"""The agent service on a real SQLite store, its events counted by the real indicator engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import trio

from ccengine import domain as d
from ccengine import metrics
from ccengine.agents import AgentService
from ccengine.errors import AgentStateError
from ccengine.metrics import Event
from ccengine.store import Store

S = d.AgentState
#: Tomorrow at noon in Paris: after the agents' creation, far from a midnight.
T0 = d.from_datetime(dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(12),
                                         metrics.zone("Europe/Paris")))
SEC = d.SECOND


async def setup(store: Store) -> tuple[d.Agent, int]:
    tenant = await store.create_tenant("acme", "Europe/Paris")
    camp = await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name="sales"))
    team = await store.create_team(tenant.id, "north")
    agent = await store.create_agent(tenant.id, "Alice", team_ids=[team.id], campaign_ids=[camp.id])
    return agent, camp.id


async def test_a_working_day_reaches_the_indicator_engine(tmp_path: Path) -> None:
    send, receive = trio.open_memory_channel[Event](1000)
    with Store(tmp_path / "c.db") as store:
        agent, campaign = await setup(store)
        agents = AgentService(store, send)
        await agents.login(agent.id, campaigns=[campaign], address="192.0.2.7", at=T0)
        await agents.reserve(agent.id, call_id=1, at=T0 + 10 * SEC)
        await agents.connect(agent.id, call_id=1, campaign_id=campaign, at=T0 + 11 * SEC)
        await agents.pause(agent.id, "break", at=T0 + 20 * SEC)  # pending until the call is over
        await agents.hangup(agent.id, at=T0 + 71 * SEC)
        await agents.end_wrapup(agent.id, at=T0 + 101 * SEC)
        await agents.resume(agent.id, by_user=99, at=T0 + 401 * SEC)
        await agents.logout(agent.id, at=T0 + 1001 * SEC)
        details = await agents.details(agent.id, at=T0 + 1001 * SEC)
    send.close()
    events = [e async for e in receive]

    agg = metrics.Aggregator(sizes={"tenant": 2, "agent": 2, "team": 2, "campaign": 2, "list": 1, "queue": 1,
                                    "channel": 1}, tz="Europe/Paris")
    report = agg.ingest(metrics.EventBatch.from_events(events))
    assert report.rejected == 0, report.errors
    day = agg.values(T0 + 1001 * SEC, "day", "agent", agent.id)
    assert day["seconds_on_call"] == pytest.approx(60)
    assert day["seconds_wrapup"] == pytest.approx(30)
    assert day["seconds_paused"] == pytest.approx(300)
    assert day["seconds_available"] == pytest.approx(11 + 600)
    assert agg.agent_state(agent.id)[0] == "logged_out"  # type: ignore[index]

    assert details.status.state is S.LOGGED_OUT and details.status.login_address == "192.0.2.7"
    assert details.status.production_s == pytest.approx(701) and details.status.pause_s == pytest.approx(300)
    assert [a.action for a in details.activities][:3] == ["logout", "resume", "end-wrapup"]
    assert details.activities[1].by_user == 99


async def test_refused_actions_change_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        agent, _ = await setup(store)
        agents = AgentService(store)
        with pytest.raises(AgentStateError):
            await agents.hangup(agent.id, at=T0)
        assert (await store.agent_status(agent.id)).state is S.LOGGED_OUT
        assert await store.activities(agent.id) == []


async def test_concurrent_actions_on_one_agent_are_serialised(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        agent, campaign = await setup(store)
        agents = AgentService(store)
        await agents.login(agent.id, campaigns=[campaign], at=T0)
        results: list[str] = []

        async def try_reserve(call_id: int) -> None:
            try:
                await agents.reserve(agent.id, call_id, at=T0 + SEC)
                results.append("ok")
            except AgentStateError:
                results.append("refused")

        async with trio.open_nursery() as nursery:
            for call_id in range(10):
                nursery.start_soon(try_reserve, call_id)
        assert sorted(results) == ["ok"] + ["refused"] * 9


async def test_after_a_restart_vanished_sessions_are_logged_out(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with Store(path) as store:
        agent, campaign = await setup(store)
        bob = await store.create_agent(agent.tenant_id, "Bob", campaign_ids=[campaign])
        agents = AgentService(store)
        await agents.login(agent.id, campaigns=[campaign], at=T0)
        await agents.connect(agent.id, call_id=5, campaign_id=campaign, at=T0 + SEC)
        await agents.login(bob.id, campaigns=[campaign], at=T0)
    # the engine stops; when it starts again no softphone session is up yet
    send, receive = trio.open_memory_channel[Event](100)
    with Store(path) as store:
        agents = AgentService(store, send)
        assert (await store.agent_status(agent.id)).state is S.ON_CALL  # the state survived
        lost = await agents.reconcile(live={bob.id}, at=T0 + 60 * SEC)
        assert lost == [agent.id]
        assert (await store.agent_status(agent.id)).state is S.LOGGED_OUT
        assert (await store.agent_status(bob.id)).state is S.AVAILABLE
        [activity, *_] = await store.activities(agent.id)
        assert activity.action == "lose-session" and activity.detail == "session-lost"
    send.close()
    kinds = [e.kind async for e in receive]
    assert kinds[-1] == metrics.EventKind.AGENT_LOGOUT and metrics.EventKind.HANGUP in kinds
