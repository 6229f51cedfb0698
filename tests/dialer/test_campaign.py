"""The campaign task end to end over loopback: SIPp is the carrier (answers every call, talks,
hangs up), pjsua2 phones in processes of their own are the agents (``tone_phone``), held on their
session legs; the engine is ``Telephony`` on ``Media`` with an SQLite store."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import wave
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import trio

from ccengine import domain as d
from ccengine.agents import AgentService
from ccengine.dialer import AgentSessions, CampaignTask, Dialling, EventRouter, FlowState, WrapUps
from ccengine.metrics import Event
from ccengine.store import Store
from ccengine.telephony import Media, Telephony
from tests.sipp_peer import free_udp_port, sipp
from tests.store.conftest import make_world
from tests.telephony.test_engine_media import tone_phone

SCENARIO = Path(__file__).parent / "scenarios" / "carrier_talks.xml"
PASSWORD = "s3cret"
PROMPT_S = 0.4


def engine_config(carrier_port: int, users: list[str]) -> str:
    agents = "".join(f'[[sip.agent]]\nuser = "{u}"\npassword = "{PASSWORD}"\n' for u in users)
    return (f'[sip]\n[[sip.listen]]\ntransport = "udp"\naddress = "127.0.0.1:0"\n'
            f'[[sip.trunk]]\nname = "carrier"\naddress = "127.0.0.1:{carrier_port}"\n{agents}')


@contextmanager
def carrier(port: int, calls: int, talk_ms: int, cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    """SIPp answering ``calls`` calls, each hung up by the carrier after ``talk_ms``."""
    with sipp(["-sf", str(SCENARIO), "-p", str(port), "-d", str(talk_ms)], cwd, calls=calls) as process:
        yield process


def prompt(path: Path) -> Path:
    """A short abandon message: a 600 Hz tone."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        n = int(8000 * PROMPT_S)
        w.writeframes(b"".join(int(6000 * math.sin(2 * math.pi * 600 * i / 8000)).to_bytes(2, "little", signed=True)
                               for i in range(n)))
    return path


async def agent_phone(stack: ExitStack, telephony: Telephony, user: str, tmp_path: Path, seconds: float) -> None:
    """A pjsua2 phone registered to the engine as ``user`` (it answers its session call and
    plays a tone), kept until ``stack`` closes or ``seconds`` pass."""
    _, host, port = telephony.local_addresses()[0]
    stack.enter_context(tone_phone(tmp_path / f"{user}.wav", 700.0, "--registrar", f"{host}:{port}",
                                   "--user", user, "--password", PASSWORD, "--seconds", str(seconds)))
    with trio.fail_after(10):
        while telephony.agent_contact(user) is None:
            await trio.sleep(0.02)


@dataclass
class Center:
    store: Store
    task: CampaignTask
    campaign: d.Campaign
    agent_ids: list[int]
    telephony: Telephony
    task_scope: trio.CancelScope
    """Cancelling it stops the campaign task as an engine shutdown would."""


@asynccontextmanager
async def center(store: Store, tmp_path: Path, *, contacts: int, agents: int, talk_ms: int,
                 phone_seconds: float = 30, carrier_port: int | None = None, carrier_calls: int | None = None,
                 events: trio.MemorySendChannel[Event] | None = None, wrapup_s: float = 0.2,
                 machine_message: Path | None = None, disposition: str | None = None,
                 carrier_scenario: list[str] | None = None,
                 **campaign: object) -> AsyncIterator[Center]:
    """A running engine dialling one campaign, its agents logged in over their session legs.
    The carrier is SIPp answering ``carrier_calls`` calls (one per contact by default), with
    ``carrier_scenario``'s arguments if given, unless the test runs its own on ``carrier_port``.
    Machines are routed to agents unless a test says otherwise: SIPp's carrier says nothing, and
    the detector would spend its initial silence on every call. With ``disposition``, agents
    qualify each call with it as soon as they are in wrap-up (else the wrap-up ceiling frees them
    and the contact is tried again later)."""
    campaign.setdefault("machine_rule", d.MachineRule.AGENT)
    world = await make_world(store, contacts=contacts, **campaign)  # type: ignore[arg-type]
    users = [f"10{i:02d}" for i in range(1, agents + 1)]
    with ExitStack() as stack:
        if carrier_port is None:
            carrier_port = free_udp_port()
            calls = carrier_calls or contacts
            stack.enter_context(carrier(carrier_port, calls, talk_ms, tmp_path) if carrier_scenario is None
                                else sipp([*carrier_scenario, "-p", str(carrier_port)], tmp_path, calls=calls))
        media = Media()
        telephony = Telephony(engine_config(carrier_port, users), media=media)
        async with trio.open_nursery() as nursery:
            await nursery.start(media.run)
            await nursery.start(telephony.run)
            router = EventRouter(telephony, media)
            service = AgentService(store, events)
            sessions = AgentSessions(telephony, router, service, ring_timeout=5)
            await nursery.start(router.run)
            agent_ids = []
            for user in users:
                agent = await store.create_agent(world.tenant.id, f"agent {user}", extension=user,
                                                 campaign_ids=[world.campaign.id])
                await agent_phone(stack, telephony, user, tmp_path, phone_seconds)
                agent_ids.append(agent.id)
            dialling = Dialling(trunk="carrier", abandon_prompt=prompt(tmp_path / "abandon.wav"), ring_timeout=5,
                                wrapup_s=wrapup_s, machine_message=machine_message)
            task = CampaignTask(world.campaign.id, dialling,
                                store=store, agents=service, telephony=telephony, media=media, router=router,
                                sessions=sessions, events=events)
            scope = trio.CancelScope()

            async def run_task(*, task_status: trio.TaskStatus[None]) -> None:
                with scope:
                    await task.run(task_status=task_status)

            await store.campaign_action(world.campaign.id, "start")
            await nursery.start(run_task)
            for agent_id in agent_ids:
                await sessions.login(agent_id, frozenset({world.campaign.id}))
                if disposition is not None:
                    nursery.start_soon(qualify_every_call, task.wrapups, agent_id, disposition)
            yield Center(store, task, world.campaign, agent_ids, telephony, scope)
            nursery.cancel_scope.cancel()


async def qualify_every_call(wrapups: WrapUps, agent_id: int, code: str) -> None:
    """The agent qualifies each call with ``code`` once in its wrap-up."""
    while True:
        call_id = wrapups.call_of(agent_id)
        if call_id is not None:
            await wrapups.dispose(agent_id, call_id, code)
        await trio.sleep(0.02)


async def all_ended(store: Store, campaign_id: int, count: int, seconds: float) -> list[d.CallRecord]:
    """The campaign's call records once ``count`` of them have ended."""
    with trio.fail_after(seconds):
        while True:
            records = await store.calls(campaign_id)
            if sum(r.outcome is not None for r in records) >= count:
                return records
            await trio.sleep(0.05)


async def test_a_progressive_campaign_bridges_every_person_to_the_logged_in_agents(store: Store,
                                                                                   tmp_path: Path) -> None:
    async with center(store, tmp_path, contacts=6, agents=2, talk_ms=1200, wrapup_s=30, disposition="sale",
                      dial_mode=d.DialMode.PROGRESSIVE) as c:
        board = c.task.board
        with trio.fail_after(15):  # the board shows a call connected to its agent while it lasts
            while not any(a.state is FlowState.CONNECTED for a in board.calls()):
                await trio.sleep(0.02)
        connected = next(a for a in board.calls() if a.state is FlowState.CONNECTED)
        assert connected.agent_id in c.agent_ids and board.of_agent(connected.agent_id) == connected
        assert connected.campaign_id == c.campaign.id and connected.phone.startswith("+")
        records = await all_ended(store, c.campaign.id, 6, 30)
        with trio.fail_after(2):  # and qualified, each by its agent in wrap-up
            while any(r.disposition is None for r in records):
                await trio.sleep(0.02)
                records = await store.calls(c.campaign.id)
        assert len(board) == 0
        with trio.fail_after(2):  # nothing left to dial: the campaign shows why it is inactive
            while (await store.campaign(c.campaign.id)).state is not d.CampaignState.INACTIVE:
                await trio.sleep(0.05)
        assert (await store.campaign(c.campaign.id)).inactive_reason is d.InactiveReason.LISTS_EXHAUSTED
    assert len(records) == 6
    assert [r.outcome for r in records] == [d.Outcome.HUMAN] * 6
    # Every call was answered, then connected to one of the two agents before it ended.
    for r in records:
        assert r.answered_at is not None and r.connected_at is not None and r.ended_at is not None
        assert r.answered_at <= r.connected_at <= r.ended_at
        assert r.agent_id in c.agent_ids
    assert {r.agent_id for r in records} == set(c.agent_ids)
    assert {r.disposition for r in records} == {"sale"}  # qualified, so the ceiling never came into it
    # Progressive: never more calls at once than agents (an agent takes one call at a time).
    for r in records:
        overlapping = [o for o in records if o.placed_at < (r.ended_at or 0) and (o.ended_at or 0) > r.placed_at]
        assert len(overlapping) <= 2
    assert (await store.list_counts(records[0].list_id))["pending"] == 0


async def test_a_campaign_without_agents_is_inactive_and_dials_nothing(store: Store, tmp_path: Path) -> None:
    async with center(store, tmp_path, contacts=3, agents=0, talk_ms=1000, dial_mode=d.DialMode.PREDICTIVE) as c:
        with trio.fail_after(2):
            while (await store.campaign(c.campaign.id)).inactive_reason is None:
                await trio.sleep(0.05)
        await trio.sleep(0.5)
        assert (await store.campaign(c.campaign.id)).inactive_reason is d.InactiveReason.NO_AGENTS
        assert c.task.placed == 0


async def test_a_person_with_no_free_agent_hears_the_abandon_prompt(store: Store, tmp_path: Path) -> None:
    # Power dialling three lines for one agent: one person is connected, two are abandoned.
    async with center(store, tmp_path, contacts=3, agents=1, talk_ms=3000, dial_mode=d.DialMode.POWER,
                      power_ratio=3.0, connect_limit_s=0.5) as c:
        records = await all_ended(store, c.campaign.id, 3, 30)
    outcomes = sorted(r.outcome for r in records if r.outcome is not None)
    assert outcomes == sorted([d.Outcome.HUMAN, d.Outcome.ABANDONED, d.Outcome.ABANDONED])
    for r in records:
        if r.outcome is d.Outcome.ABANDONED:
            assert r.connected_at is None and r.answered_at is not None and r.ended_at is not None
            # Hung up by us after the connect limit and the whole prompt, well before the carrier's BYE.
            held = (r.ended_at - r.answered_at) / d.SECOND
            assert 0.5 + PROMPT_S <= held < 2.5, held


async def test_stopping_the_campaign_stops_dialling_within_a_tick(store: Store, tmp_path: Path) -> None:
    async with center(store, tmp_path, contacts=10, agents=1, talk_ms=4000, dial_mode=d.DialMode.POWER,
                      power_ratio=2.0) as c:
        with trio.fail_after(10):
            while c.task.placed == 0:
                await trio.sleep(0.01)
        await store.campaign_action(c.campaign.id, "stop")
        await trio.sleep(0.25)  # the tick under way may still place its calls
        placed = c.task.placed
        await trio.sleep(1.5)
        assert c.task.placed == placed <= 2
        records = await store.calls(c.campaign.id)
        assert len(records) == placed
        # The rest was never tried (a call abandoned meanwhile is pending again, for a retry).
        untried = [x for x in await store.contacts(records[0].list_id) if x.attempts == 0]
        assert len(untried) == 10 - placed


async def test_an_agent_whose_phone_vanishes_mid_call_is_logged_out_and_the_call_still_ends(
        store: Store, tmp_path: Path) -> None:
    # The agent's phone hangs up 2 s after starting; the customer talks for 4 s.
    async with center(store, tmp_path, contacts=1, agents=1, talk_ms=4000, phone_seconds=2,
                      dial_mode=d.DialMode.PROGRESSIVE) as c:
        records = await all_ended(store, c.campaign.id, 1, 15)
        assert (await store.agent_status(c.agent_ids[0])).state is d.AgentState.LOGGED_OUT
        assert c.task.placed == 1
    assert records[0].outcome is d.Outcome.HUMAN and records[0].agent_id == c.agent_ids[0]


async def test_cancelling_the_task_hangs_up_and_records_every_call_in_flight(store: Store, tmp_path: Path) -> None:
    # Three lines for one agent: one person talks to the agent, two wait for one (limit 4 s).
    async with center(store, tmp_path, contacts=3, agents=1, talk_ms=8000, dial_mode=d.DialMode.POWER,
                      power_ratio=3.0, connect_limit_s=4.0) as c:
        board = c.task.board
        with trio.fail_after(10):
            while sorted(a.state for a in board.calls()) != [FlowState.CONNECTED, FlowState.WAITING,
                                                               FlowState.WAITING]:
                await trio.sleep(0.02)
        c.task_scope.cancel()
        with trio.fail_after(3):
            records = await all_ended(store, c.campaign.id, 3, 3)
            while c.telephony.leg_count() > 1:  # only the agent's session leg is left
                await trio.sleep(0.02)
        assert len(board) == 0 and await store.calls_in_progress() == []
        # The agent's call ended with the task: they wrap it up (and may still qualify it).
        assert (await store.agent_status(c.agent_ids[0])).state is d.AgentState.WRAP_UP
    assert sorted(r.outcome for r in records if r.outcome) == sorted(
        [d.Outcome.HUMAN, d.Outcome.ABANDONED, d.Outcome.ABANDONED])
    for r in records:  # well before the carrier's own hang-up, 8 s after its answer
        assert r.ended_at is not None and r.answered_at is not None and r.ended_at - r.answered_at < 6 * d.SECOND


def _paris_now() -> dt.datetime:
    return dt.datetime.now(ZoneInfo("Europe/Paris"))


async def test_a_campaign_outside_its_hours_is_inactive_and_dials_nothing(store: Store, tmp_path: Path) -> None:
    other_day = (_paris_now().weekday() + 2) % 7
    closed = d.Schedule(tz="Europe/Paris", windows=(d.Window(other_day, dt.time(9), dt.time(17)),))
    async with center(store, tmp_path, contacts=3, agents=1, talk_ms=1000, schedule=closed) as c:
        with trio.fail_after(3):
            while (await store.campaign(c.campaign.id)).inactive_reason is None:
                await trio.sleep(0.05)
        await trio.sleep(0.5)
        assert (await store.campaign(c.campaign.id)).inactive_reason is d.InactiveReason.OUTSIDE_HOURS
        assert c.task.placed == 0 and await store.calls(c.campaign.id) == []


async def test_contacts_are_dialled_only_inside_the_calling_hours_of_their_own_zone(store: Store,
                                                                                  tmp_path: Path) -> None:
    # Open for an hour either side of now in Paris, today only: Tokyo (7 or 8 hours ahead) is closed.
    now = _paris_now()
    start = (now - dt.timedelta(hours=1)).time() if now.hour >= 1 else dt.time(0)
    end = (now + dt.timedelta(hours=1)).time() if now.hour < 23 else dt.time(23, 59, 59)
    around_now = d.Schedule(tz="Europe/Paris", windows=(d.Window(now.weekday(), start, end),))
    async with center(store, tmp_path, contacts=2, agents=1, talk_ms=500, wrapup_s=30, disposition="sale",
                      schedule=around_now, dial_mode=d.DialMode.PROGRESSIVE) as c:
        (lst,) = await store.contact_lists(c.campaign.id)
        await store.add_contacts(lst.id, [("+81312345678", "Asia/Tokyo", {}), ("+81312345679", "Asia/Tokyo", {})])
        await all_ended(store, c.campaign.id, 2, 30)
        await trio.sleep(1.0)  # several ticks more: the Tokyo contacts are still not claimed
        records = await store.calls(c.campaign.id)
    assert sorted(r.phone for r in records) == ["+33610000000", "+33610000001"]
    tokyo = [x for x in await store.contacts(lst.id) if x.phone.startswith("+81")]
    assert [x.state for x in tokyo] == [d.ContactState.PENDING] * 2 and all(x.attempts == 0 for x in tokyo)
