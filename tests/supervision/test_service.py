"""Supervision on real calls over loopback. The engine is the whole stack: SQLite store, ``Media``,
``Telephony``, the ``Dialer`` working one campaign, the agent on their session leg, ``Supervision``
and the API server. Peers are pjsua2 phones in processes of their own (``tone_phone``): the customer
(carrier) plays 440 Hz, the agent 700 Hz, the supervisor 1,100 Hz, and each records what it
hears; who hears whom is checked on those recordings by spectrum, phase by phase.
The follow and one-call tests use SIPp as the carrier (it hangs up by itself)."""

from __future__ import annotations

import subprocess
import wave
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import trio
from trio_websocket import open_websocket_url

from ccengine import domain as d
from ccengine._lifetime import Outliving
from ccengine.agents import AgentService
from ccengine.api import ApiServer, ApiSettings, Services, add_user
from ccengine.campaigns import CampaignService
from ccengine.dialer import ActiveCall, CallBoard, Dialer, Dialling, FlowState
from ccengine.metrics import Aggregator, Hub, MetricsService
from ccengine.store import Store
from ccengine.supervision import Supervision
from ccengine.telephony import Media, Telephony
from tests.api.conftest import FAST_HASHER
from tests.api.test_live import next_message
from tests.dialer.test_campaign import PASSWORD, carrier, engine_config, prompt
from tests.sipp_peer import free_udp_port
from tests.store.conftest import make_world
from tests.telephony.rtp_peer import tone_level
from tests.telephony.test_engine_media import AMPLITUDE, finished, tone_phone

AGENT_EXT, SUPERVISOR_EXT = "1001", "2001"
#: The API users' password (the phones' SIP password is ``PASSWORD``).
LOGIN_PASSWORD = "correct horse battery"
TONES = {"customer": 440.0, "agent": 700.0, "supervisor": 1100.0}
#: Each mode is held this long, so each leaves several clean windows in every recording.
PHASE_S = 2.0
WINDOW_S = 0.25
#: Levels (of the sent amplitude) above which a tone is heard, below which it is not.
HEARD, SILENT = 0.2, 0.06


@dataclass
class Engine:
    store: Store
    board: CallBoard
    supervision: Supervision
    telephony: Telephony
    client: httpx.AsyncClient
    url: str
    agent_id: int
    agent_token: str
    supervisor_id: int
    phones: dict[str, subprocess.Popen[str]]
    dialer: Dialer

    async def call_of_agent(self, seconds: float = 15, *, other_than: int | None = None) -> ActiveCall:
        with trio.fail_after(seconds):
            while True:
                call = self.board.of_agent(self.agent_id)
                if call is not None and call.state is FlowState.CONNECTED and call.call_id != other_than:
                    return call
                await trio.sleep(0.02)


async def login(client: httpx.AsyncClient, user: d.User) -> str:
    r = await client.post("/api/sessions", json={"login": user.login, "password": LOGIN_PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()["token"]  # type: ignore[no-any-return]


@asynccontextmanager
async def engine(store: Store, tmp_path: Path, carrier_port: int, *, contacts: int,
                 wrapup_s: float = 0.2) -> AsyncIterator[Engine]:
    """The engine dialling one campaign for one agent on a pjsua2 phone, a supervisor's pjsua2
    phone registered, the API served. ``wrapup_s``: the wrap-up ceiling, also how long a call
    taken over waits for the supervisor's disposition."""
    # Machines go to the agent: the carrier's tone would be heard as one (a long word) and dropped.
    world = await make_world(store, contacts=contacts, dial_mode=d.DialMode.PROGRESSIVE,
                             machine_rule=d.MachineRule.AGENT)
    tenant = world.tenant.id
    agent_user = await add_user(store, tenant, "ada", "Ada", d.Role.AGENT, LOGIN_PASSWORD, hasher=FAST_HASHER)
    agent = await store.create_agent(tenant, "Ada", user_id=agent_user.id, extension=AGENT_EXT,
                                     campaign_ids=[world.campaign.id])
    boss = await add_user(store, tenant, "grace", "Grace", d.Role.SUPERVISOR, LOGIN_PASSWORD, hasher=FAST_HASHER)
    await store.create_agent(tenant, "Grace's phone", user_id=boss.id, extension=SUPERVISOR_EXT)
    hub = Hub()
    media = Media()
    telephony = Telephony(engine_config(carrier_port, [AGENT_EXT, SUPERVISOR_EXT]), media=media)
    # Lifetimes as ``ccengine serve`` has them: the SIP, media and indicator engines outlive the
    # dialer, supervision and API, which hang up and record what is under way when they stop.
    lasting = Outliving()
    with ExitStack() as stack:
        async with trio.open_nursery() as nursery:
            await lasting.start(nursery, media.run)
            await lasting.start(nursery, telephony.run)
            _, host, port = telephony.local_addresses()[0]
            phones = {}
            for role, extension in (("agent", AGENT_EXT), ("supervisor", SUPERVISOR_EXT)):
                phones[role], _ = stack.enter_context(tone_phone(
                    tmp_path / f"{role}.wav", TONES[role], "--registrar", f"{host}:{port}", "--user", extension,
                    "--password", PASSWORD, "--seconds", "60"))
                with trio.fail_after(10):
                    while telephony.agent_contact(extension) is None:
                        await trio.sleep(0.02)
            aggregator = Aggregator(sizes={"tenant": 2, "agent": 4, "team": 1, "campaign": 2, "list": 2, "queue": 1,
                                           "channel": 1}, tz="Europe/Paris")
            metrics = MetricsService(aggregator, hub=hub)  # agents' state changes reach the hub through it
            await lasting.start(nursery, metrics.run)
            try:
                async with trio.open_nursery() as users:
                    agents = AgentService(store, metrics.sender())
                    dialer = Dialer(store, agents, telephony, media,
                                    Dialling(trunk="carrier", abandon_prompt=prompt(tmp_path / "a.wav"),
                                             ring_timeout=5, wrapup_s=wrapup_s),
                                    hub=hub, events=metrics.sender(), session_ring_timeout=5)
                    await users.start(dialer.run)
                    supervision = Supervision(dialer, hub=hub, ring_timeout=5)
                    await users.start(supervision.run)
                    services = Services(store=store, agents=agents,
                                        campaigns=CampaignService(store, metrics.sender(), hub=hub),
                                        aggregator=aggregator, hub=hub, settings=ApiSettings(passwords=FAST_HASHER),
                                        supervision=supervision, dialer=dialer)
                    api_port = await users.start(ApiServer(services, port=0, graceful_timeout_s=0.5).run)
                    url = f"http://127.0.0.1:{api_port}"
                    async with httpx.AsyncClient(base_url=url, timeout=15) as client:
                        client.headers["Authorization"] = f"Bearer {await login(client, boss)}"
                        agent_token = await login(client, agent_user)
                        await dialer.login(agent.id, frozenset({world.campaign.id}))
                        await store.campaign_action(world.campaign.id, "start")
                        yield Engine(store, dialer.board, supervision, telephony, client, url, agent.id, agent_token,
                                     boss.id, phones, dialer)
                    users.cancel_scope.cancel()
            finally:
                lasting.stop()
        # The engine hung up every call on its way out: the phones end cleanly, having been connected.
        for phone in phones.values():
            if phone.returncode is None:
                assert await trio.to_thread.run_sync(finished, phone) == "done connected=True"


def heard(path: Path) -> list[frozenset[str] | None]:
    """Who is heard in each quarter second of a recording: the set of parties whose tone is
    clearly there, or None for a window where some tone is neither clearly there nor absent (a
    switch fading)."""
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    step = int(rate * WINDOW_S)
    windows = []
    for i in range(0, len(samples) - step + 1, step):
        levels = {party: tone_level(samples[i : i + step], hz, rate) / AMPLITUDE for party, hz in TONES.items()}
        clear = all(level > HEARD or level < SILENT for level in levels.values())
        windows.append(frozenset(p for p, level in levels.items() if level > HEARD) if clear else None)
    return windows


def phases(windows: list[frozenset[str] | None], *, shortest: int = 3) -> list[frozenset[str]]:
    """The succession of what was heard: runs of at least ``shortest`` equal windows, equal
    neighbours merged, silence before the first and after the last sound left out."""
    runs: list[tuple[frozenset[str] | None, int]] = []
    for w in windows:
        if runs and runs[-1][0] == w:
            runs[-1] = (w, runs[-1][1] + 1)
        else:
            runs.append((w, 1))
    steady = [who for who, n in runs if who is not None and n >= shortest]
    merged = [who for i, who in enumerate(steady) if i == 0 or steady[i - 1] != who]
    while merged and not merged[0]:
        merged.pop(0)
    while merged and not merged[-1]:
        merged.pop()
    return merged


def parties(*names: str) -> frozenset[str]:
    return frozenset(names)


async def test_listen_whisper_barge_takeover_through_the_api_each_heard_as_the_table_says(
        store: Store, tmp_path: Path) -> None:
    with tone_phone(tmp_path / "customer.wav", TONES["customer"]) as (customer, carrier_port):
        async with engine(store, tmp_path, carrier_port, contacts=1, wrapup_s=20) as e:
            call = await e.call_of_agent()
            path = f"/api/agents/{e.agent_id}/supervision"
            r = await e.client.post(path, json={"mode": "listen"})
            assert r.status_code == 201, r.text
            assert r.json()["call_id"] == call.call_id and r.json()["mode"] == "listen"
            # The chat reaches the agent's stream while the supervisor listens.
            async with open_websocket_url(f"{e.url.replace('http', 'ws')}/api/live?token={e.agent_token}") as ws:
                await next_message(ws, "hello")
                sent = await e.client.post(f"/api/agents/{e.agent_id}/messages", json={"text": "offer the discount"})
                assert sent.status_code == 201
                with trio.fail_after(1):
                    message = await next_message(ws, "message")
                assert message["text"] == "offer the discount"
            await trio.sleep(PHASE_S)
            for mode in ("whisper", "barge", "takeover-agent-listening", "takeover"):
                r = await e.client.patch(path, json={"mode": mode})
                assert r.status_code == 200 and r.json()["mode"] == mode, r.text
                await trio.sleep(PHASE_S)
            # The takeover released the agent: free for their next call, the call the supervisor's.
            assert r.json()["agent_released"] is True
            assert (await store.agent_status(e.agent_id)).state is d.AgentState.AVAILABLE
            calls = (await e.client.get("/api/calls/active")).json()
            assert [(c["call_id"], c["agent_id"], c["taken_over_by"]) for c in calls] == [
                (call.call_id, None, e.supervisor_id)]
            back = await e.client.patch(path, json={"mode": "barge"})
            assert back.status_code == 409 and back.json()["type"].endswith("agent-released"), back.text
            r = await e.client.delete(path)  # the supervisor ends the call they took over
            assert r.status_code == 200, r.text
            assert await trio.to_thread.run_sync(finished, e.phones["supervisor"]) == "done connected=True"
            assert await trio.to_thread.run_sync(finished, customer) == "done connected=True"
            with trio.fail_after(5):
                while e.board.get(call.call_id) is not None:
                    await trio.sleep(0.02)
            audit = (await e.client.get("/api/supervision/audit")).json()["items"]
            # The supervisor qualifies the call they finished; the agent released from it may not.
            qualify = f"/api/calls/{call.call_id}/disposition"
            refused = await e.client.post(qualify, json={"code": "sale"},
                                          headers={"Authorization": f"Bearer {e.agent_token}"})
            assert refused.status_code == 403, refused.text
            r = await e.client.post(qualify, json={"code": "sale"})
            assert r.status_code == 200, r.text
            record = await store.call(call.call_id)
            assert (record.outcome, record.agent_id, record.disposition) == (d.Outcome.HUMAN, e.agent_id, "sale")
            assert (await store.agent_status(e.agent_id)).state is d.AgentState.AVAILABLE, "never sent to wrap-up"

    assert [(a["mode"], a["end_reason"]) for a in audit] == [
        ("listen", "switched"), ("whisper", "switched"), ("barge", "switched"),
        ("takeover-agent-listening", "switched"), ("takeover", "stopped")]
    assert {(a["session"], a["call_id"], a["supervisor_id"], a["agent_id"]) for a in audit} == {
        (audit[0]["session"], call.call_id, e.supervisor_id, e.agent_id)}
    for a in audit[1:]:
        assert 0.8 * PHASE_S < a["duration_s"] < 2 * PHASE_S, audit

    # docs/media.md's table, phase by phase: listen, whisper, barge, takeover with the agent
    # listening, takeover (the agent released: they hear nothing of the call any more).
    c, a, s = "customer", "agent", "supervisor"
    assert phases(heard(tmp_path / "supervisor.wav")) == [parties(c, a), parties(c)]
    assert phases(heard(tmp_path / "customer.wav")) == [parties(a), parties(a, s), parties(s)]
    agent_heard = heard(tmp_path / "agent.wav")
    assert phases(agent_heard) == [parties(c), parties(c, s)]
    # The takeover phase: after the last window the agent heard anything (and the one fading out),
    # silence for most of the phase.
    last_heard = max(i for i, who in enumerate(agent_heard) if who)
    silent = int(0.8 * PHASE_S / WINDOW_S)
    released = agent_heard[last_heard + 1:last_heard + 2 + silent]
    assert released.count(parties()) >= silent and set(released) <= {None, parties()}, released


async def test_an_agent_released_by_a_takeover_takes_the_next_call_while_the_supervisor_keeps_the_customer(
        store: Store, tmp_path: Path) -> None:
    port = free_udp_port()
    with carrier(port, calls=2, talk_ms=6000, cwd=tmp_path):
        async with engine(store, tmp_path, port, contacts=2, wrapup_s=20) as e:
            first = await e.call_of_agent()
            taken = await e.supervision.takeover(e.supervisor_id, e.agent_id)
            assert (taken.call_id, taken.mode, taken.agent_released) == (first.call_id, "takeover", True)
            second = await e.call_of_agent(other_than=first.call_id)  # dialled for the agent at once
            held = e.board.get(first.call_id)
            assert held is not None and (held.agent_id, held.taken_over_by) == (None, e.supervisor_id)
            assert e.telephony.room(second.leg) != e.telephony.room(first.leg)
            with trio.fail_after(15):  # the carrier hangs the first call up: the supervisor's phone follows
                while e.supervision.of(e.supervisor_id) is not None:
                    await trio.sleep(0.02)
            assert await trio.to_thread.run_sync(finished, e.phones["supervisor"]) == "done connected=True"
            with trio.fail_after(15):  # the agent wraps up their own call, not the one taken from them
                while (await store.agent_status(e.agent_id)).state is not d.AgentState.WRAP_UP:
                    await trio.sleep(0.05)
            assert e.dialer.wrapups.call_of(e.agent_id) == second.call_id
            assert e.dialer.wrapups.taken_over(first.call_id)
            await e.dialer.dispose(e.agent_id, second.call_id, "not-interested")
            await e.dialer.dispose(e.agent_id, first.call_id, "appointment")  # the supervisor's, on the API's path
            assert not e.dialer.wrapups.taken_over(first.call_id)
            audit = await store.audit(first.tenant_id)
            records = [await store.call(c.call_id) for c in (first, second)]
    assert [(x.call_id, x.mode, x.end_reason) for x in audit] == [(first.call_id, "takeover", "call-ended")]
    assert [(r.outcome, r.agent_id, r.disposition) for r in records] == [
        (d.Outcome.HUMAN, e.agent_id, "appointment"), (d.Outcome.HUMAN, e.agent_id, "not-interested")]


async def test_a_followed_agent_is_joined_again_on_their_next_call_until_they_log_out(
        store: Store, tmp_path: Path) -> None:
    port = free_udp_port()
    with carrier(port, calls=2, talk_ms=2500, cwd=tmp_path):
        async with engine(store, tmp_path, port, contacts=2) as e:
            first = await e.call_of_agent()
            started = await e.supervision.listen(e.supervisor_id, e.agent_id, follow=True)
            assert started.call_id == first.call_id and started.follow
            second = await e.call_of_agent(other_than=first.call_id)
            with trio.fail_after(5):
                while (now := e.supervision.of(e.supervisor_id)) is None or now.call_id != second.call_id:
                    await trio.sleep(0.02)
            with trio.fail_after(10):  # the second call ends; the supervisor stays on the agent
                while (now := e.supervision.of(e.supervisor_id)) is None or now.call_id is not None:
                    await trio.sleep(0.02)
            await e.dialer.logout(e.agent_id)  # the agent leaves: following them ends
            assert await trio.to_thread.run_sync(finished, e.phones["supervisor"]) == "done connected=True"
            assert e.supervision.of(e.supervisor_id) is None
            audit = await store.audit(started.tenant_id)
    assert [(x.call_id, x.mode, x.end_reason) for x in audit] == [
        (first.call_id, "persistent-listen", "call-ended"), (second.call_id, "persistent-listen", "call-ended")]
    assert audit[0].session == audit[1].session
    # The supervisor heard the agent on the calls (SIPp, the carrier, sends no audio).
    assert parties("agent") in phases(heard(tmp_path / "supervisor.wav"))


async def test_one_call_listening_hangs_the_supervisor_up_when_the_call_ends(store: Store, tmp_path: Path) -> None:
    port = free_udp_port()
    with carrier(port, calls=1, talk_ms=2500, cwd=tmp_path):
        async with engine(store, tmp_path, port, contacts=1) as e:
            call = await e.call_of_agent()
            await e.supervision.listen(e.supervisor_id, e.agent_id)
            assert await trio.to_thread.run_sync(finished, e.phones["supervisor"]) == "done connected=True"
            assert e.supervision.of(e.supervisor_id) is None
            audit = await store.audit(call.tenant_id)
    assert [(x.call_id, x.mode, x.end_reason) for x in audit] == [(call.call_id, "listen", "call-ended")]
    assert audit[0].ended_at is not None


async def test_stopping_the_engine_ends_the_supervisions_under_way(store: Store, tmp_path: Path) -> None:
    port = free_udp_port()
    with carrier(port, calls=1, talk_ms=20_000, cwd=tmp_path):
        async with engine(store, tmp_path, port, contacts=1) as e:
            call = await e.call_of_agent()
            await e.supervision.barge(e.supervisor_id, e.agent_id)
        # The engine stopped mid-call: the supervisor's phone was hung up with the rest.
        assert await trio.to_thread.run_sync(finished, e.phones["supervisor"]) == "done connected=True"
        audit = await store.audit(call.tenant_id)
    assert [(x.call_id, x.mode, x.end_reason) for x in audit] == [(call.call_id, "barge", "engine-stopped")]
