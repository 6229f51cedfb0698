"""Agent sessions over loopback: a pjsua2 phone (``tone_phone``) is called when its agent logs in,
the agent is available while the session leg is up, and logged out when the phone hangs up; a
phone that is not registered cannot open a session."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from ccengine import domain as d
from ccengine.agents import AgentService
from ccengine.dialer import AgentSessions, EventRouter, SessionError
from ccengine.store import Store
from ccengine.telephony import Media, Telephony
from tests.dialer.test_campaign import PASSWORD, engine_config
from tests.sipp_peer import free_udp_port
from tests.telephony.test_engine_media import tone_phone


async def test_a_session_leg_keeps_the_agent_logged_in_until_the_phone_hangs_up(store: Store,
                                                                                 tmp_path: Path) -> None:
    tenant = await store.create_tenant("acme", "Europe/Paris")
    agent = await store.create_agent(tenant.id, "ann", extension="1001")
    changes: list[d.AgentState] = []
    media = Media()
    telephony = Telephony(engine_config(free_udp_port(), ["1001", "1002"]), media=media)
    async with trio.open_nursery() as nursery:
        await nursery.start(media.run)
        await nursery.start(telephony.run)
        router = EventRouter(telephony, media)
        await nursery.start(router.run)
        service = AgentService(store)
        sessions = AgentSessions(telephony, router, service, ring_timeout=2)
        service.watch(lambda status: changes.append(status.state))
        _, host, port = telephony.local_addresses()[0]

        # 1002 never registered: no session, and the agent stays logged out.
        other = await store.create_agent(tenant.id, "bob", extension="1002")
        with pytest.raises(SessionError):
            await sessions.login(other.id, frozenset())
        assert (await store.agent_status(other.id)).state is d.AgentState.LOGGED_OUT

        # The phone hangs up by itself after 3 seconds.
        phone_args = ("--registrar", f"{host}:{port}", "--user", "1001", "--password", PASSWORD, "--seconds", "3")
        with tone_phone(tmp_path / "ann.wav", 700.0, *phone_args):
            with trio.fail_after(10):
                while telephony.agent_contact("1001") is None:
                    await trio.sleep(0.02)
            leg = await sessions.login(agent.id, frozenset())
            assert sessions.leg_of(agent.id) == leg
            assert (await store.agent_status(agent.id)).state is d.AgentState.AVAILABLE
            with trio.fail_after(10):
                while sessions.leg_of(agent.id) is not None:
                    await trio.sleep(0.05)
        assert (await store.agent_status(agent.id)).state is d.AgentState.LOGGED_OUT
        assert changes == [d.AgentState.AVAILABLE, d.AgentState.LOGGED_OUT]
        nursery.cancel_scope.cancel()
