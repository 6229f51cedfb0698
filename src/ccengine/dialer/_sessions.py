"""Agent sessions: an agent logging in to a campaign is called on their registered phone once;
the answered call (the session leg) stays up for the whole session and every customer the
dialer connects to them is bridged onto it, so no call rings the agent. The session leg hanging
up (the agent put the phone down, or it vanished) logs the agent out.

Every state change an agent's session makes (login, logout, the session lost) goes through
``AgentService``, whose watchers (the campaign tasks among them) hear it: sessions tell nobody
themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import trio

from ccengine import domain as d
from ccengine.agents import Action, AgentService, Request
from ccengine.dialer._router import EventRouter
from ccengine.errors import TelephonyError
from ccengine.telephony import Answered, Failed, HungUp, MediaEvent, SipEvent, Telephony

__all__ = ["AgentSessions", "SessionError"]

class SessionError(Exception):
    """The agent's phone could not be reached (not registered, no answer, refused)."""


@dataclass(slots=True)
class _Session:
    agent_id: int
    campaigns: frozenset[int]
    answered: trio.Event = field(default_factory=trio.Event)
    failure: str | None = None
    up: bool = False


class AgentSessions:
    def __init__(self, telephony: Telephony, router: EventRouter, agents: AgentService, *,
                 caller_id: str = "ccengine", ring_timeout: float = 20.0) -> None:
        self.telephony = telephony
        self.router = router
        self.agents = agents
        self.caller_id = caller_id
        self.ring_timeout = ring_timeout
        self._by_leg: dict[int, _Session] = {}
        self._leg_of: dict[int, int] = {}

    def agents_of(self, campaign_id: int) -> list[int]:
        """Agents whose session is up and who work ``campaign_id``."""
        return [s.agent_id for leg, s in self._by_leg.items()
                if campaign_id in s.campaigns and self._leg_of.get(s.agent_id) == leg]

    def leg_of(self, agent_id: int) -> int | None:
        """The agent's session leg while the session is up."""
        return self._leg_of.get(agent_id)

    async def login(self, agent_id: int, campaigns: frozenset[int], **how: Any) -> int:
        """Calls the agent's phone and, once answered, logs them in to ``campaigns``; returns the
        session leg. Raises SessionError when the phone does not answer. An agent whose session
        is up is not called again: they are logged in to more campaigns on the same leg. ``how``:
        passed on to ``AgentService.login`` (queues, address, by_user)."""
        up = self._leg_of.get(agent_id)
        if up is not None:
            session = self._by_leg[up]
            session.campaigns |= campaigns
            await self.agents.login(agent_id, campaigns=campaigns, **how)
            return up
        agent = await self.agents.store.agent(agent_id)
        try:
            leg = self.telephony.call_agent(agent.extension, caller_id=self.caller_id, timeout=self.ring_timeout)
        except TelephonyError as e:
            raise SessionError(f"agent {agent_id} cannot be called: {e}") from e
        session = _Session(agent_id, campaigns)
        self._by_leg[leg] = session
        self.router.own(leg, self._handle)
        with trio.move_on_after(self.ring_timeout + 5):
            await session.answered.wait()
        if not session.up:
            self._forget(leg)
            raise SessionError(f"agent {agent_id}'s phone did not answer ({session.failure or 'timeout'})")
        self._leg_of[agent_id] = leg  # before the login: its watchers see the session up
        await self.agents.login(agent_id, campaigns=campaigns, **how)
        return leg

    async def logout(self, agent_id: int, campaigns: frozenset[int] = frozenset(), **how: Any) -> d.AgentStatus:
        """Logs the agent out of ``campaigns`` (of everything when empty, or when none is left),
        then, logged out, ends their session: the session leg is hung up. The agent's state
        machine decides first (AgentStateError on a call: the session stays), and the leg is
        forgotten before its hang-up arrives, so that hang-up finds nothing to log out. ``how``:
        passed on to ``AgentService.logout`` (queues, by_user)."""
        status = await self.agents.logout(agent_id, campaigns=campaigns, **how)
        leg = self._leg_of.get(agent_id)
        if leg is None:
            return status
        session = self._by_leg[leg]
        if status.state is not d.AgentState.LOGGED_OUT:
            session.campaigns = session.campaigns - campaigns
            return status
        del self._leg_of[agent_id]
        self.telephony.hangup(leg)
        return status

    async def _handle(self, event: SipEvent | MediaEvent) -> None:
        match event:
            case Answered(leg=leg) if leg in self._by_leg:
                self._by_leg[leg].up = True
                self._by_leg[leg].answered.set()
            case Failed(leg=leg, outcome=outcome) if leg in self._by_leg:
                self._by_leg[leg].failure = outcome
                self._by_leg[leg].answered.set()
            case HungUp(leg=leg) if leg in self._by_leg:
                session = self._forget(leg)
                session.answered.set()
                if self._leg_of.get(session.agent_id) == leg:
                    del self._leg_of[session.agent_id]
                    # Lost from any state, on a call too: the agent cannot take calls any more.
                    # Through the service like every change: its watchers hear the logout.
                    lost = Request(action=Action.LOSE_SESSION, at=d.now_us(), reason="session-lost")
                    await self.agents.act(session.agent_id, lost)

    def _forget(self, leg: int) -> _Session:
        self.router.release(leg)
        return self._by_leg.pop(leg)
