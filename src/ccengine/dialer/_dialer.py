"""The dialer service: one per process. It owns the event router, the agent sessions, the call
board, the wrap-ups and the apportioning of free agents between pacers, and runs one
``CampaignTask`` per campaign that is running or paused, following the store's run states every
tick: a campaign started gets its task within a tick; a stopped one keeps its task until its
calls in flight have ended (stop lets calls finish), then the task ends; a campaign that
disappears has its task cancelled (its calls hung up and recorded).
The API's commands come here: agents log in (their phone is called: the session leg) and out,
and qualify their calls; supervision takes calls over through it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import trio

from ccengine import domain as d
from ccengine.agents import AgentService
from ccengine.campaigns import CampaignService
from ccengine.dialer._board import CallBoard
from ccengine.dialer._campaign import TICK, CampaignTask, Dialling
from ccengine.dialer._router import EventRouter, Fallback
from ccengine.dialer._sessions import AgentSessions
from ccengine.dialer._shares import AgentShares
from ccengine.dialer._wrapups import CallbackRequest, WrapUps
from ccengine.errors import Conflict
from ccengine.metrics import Event, Hub
from ccengine.store import Store
from ccengine.telephony import Media, Telephony

__all__ = ["Dialer"]

#: Run states whose campaigns have a task.
_LIVE = frozenset({d.RunState.RUNNING, d.RunState.PAUSED})


@dataclass(slots=True)
class _Running:
    task: CampaignTask
    scope: trio.CancelScope


class Dialer:
    def __init__(self, store: Store, agents: AgentService, telephony: Telephony, media: Media, dialling: Dialling,
                 *, hub: Hub | None = None, events: trio.MemorySendChannel[Event] | None = None,
                 campaigns: CampaignService | None = None, fallback: Fallback | None = None,
                 owner: str = "dialer", session_ring_timeout: float = 20.0) -> None:
        """``dialling``: every campaign's settings until campaigns carry them (trunk, prompts,
        ring timeout, wrap-up ceiling); ``hub``: where the call board tells of calls;
        ``events``: the indicator events' channel (``MetricsService.sender()``), shared by the
        tasks; ``campaigns``: the campaign service the tasks set inactive reasons through;
        ``fallback``: the router's handler for SIP events of legs nobody owns; ``owner``: the
        name the store's claims carry."""
        self.store = store
        self.agents = agents
        self.telephony = telephony
        self.media = media
        self.dialling = dialling
        self.owner = owner
        self._events = events
        self._campaigns = campaigns
        self.router = EventRouter(telephony, media, fallback=fallback)
        self.sessions = AgentSessions(telephony, self.router, agents, ring_timeout=session_ring_timeout)
        self.board = CallBoard(hub)
        self.wrapups = WrapUps(store, agents, ceiling_s=dialling.wrapup_s, events=events)
        self.shares = AgentShares()
        """Which campaign's pacer counts each free agent of several running campaigns."""
        self._running: dict[int, _Running] = {}
        self._nursery: trio.Nursery | None = None

    @property
    def tasks(self) -> dict[int, CampaignTask]:
        """The campaign tasks running now, by campaign id."""
        return {campaign_id: r.task for campaign_id, r in self._running.items()}

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Starts the campaigns that run, reports started, then follows the run states until
        cancelled (which stops every task cleanly)."""
        try:
            await self._run(task_status)
        finally:
            with trio.CancelScope(shield=True):  # every task has stopped: no wrap-up starts now
                await self.wrapups.settle_pending()

    async def _run(self, task_status: trio.TaskStatus[None]) -> None:
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            await nursery.start(self.router.run)
            await nursery.start(self.wrapups.run)
            await self._follow()
            task_status.started()
            while True:
                await trio.sleep(TICK)
                await self._follow()

    async def login(self, agent_id: int, campaigns: frozenset[int], **how: Any) -> int:
        """Calls the agent's registered phone and logs them in to ``campaigns`` once it answers;
        returns the session leg. SessionError when the phone does not answer. ``how``: passed on
        to ``AgentService.login`` (queues, address, by_user)."""
        return await self.sessions.login(agent_id, campaigns, **how)

    async def logout(self, agent_id: int, campaigns: frozenset[int] = frozenset(), **how: Any) -> d.AgentStatus:
        """Logs the agent out (of ``campaigns`` only when given) and, logged out, hangs up their
        session leg (see ``AgentSessions.logout``)."""
        return await self.sessions.logout(agent_id, campaigns, **how)

    async def dispose(self, agent_id: int, call_id: int, code: str,
                      callback: CallbackRequest | None = None) -> d.CallRecord:
        """The agent qualifies the call they are wrapping up (see ``WrapUps.dispose``)."""
        return await self.wrapups.dispose(agent_id, call_id, code, callback)

    async def take_over(self, call_id: int, supervisor_id: int) -> int:
        """A supervisor takes a call over, releasing its agent (see ``CampaignTask.take_over``);
        returns the agent released. Conflict (``agent-not-on-call``) when the call is not in
        flight with an agent."""
        call = self.board.get(call_id)
        running = None if call is None else self._running.get(call.campaign_id)
        if running is None:
            raise Conflict(f"call {call_id} is not in flight", "agent-not-on-call")
        return await running.task.take_over(call_id, supervisor_id)

    async def _follow(self) -> None:
        campaigns = {c.id: c for c in await self.store.campaigns()}
        for campaign_id, running in list(self._running.items()):
            camp = campaigns.get(campaign_id)
            if camp is None or (camp.run_state is d.RunState.STOPPED and running.task.idle):
                running.scope.cancel()
        for camp in campaigns.values():
            if camp.run_state in _LIVE and camp.id not in self._running:
                assert self._nursery is not None
                await self._nursery.start(self._campaign, camp.id)

    async def _campaign(self, campaign_id: int, *, task_status: trio.TaskStatus[None]) -> None:
        task = CampaignTask(campaign_id, self.dialling, store=self.store, agents=self.agents,
                            telephony=self.telephony, media=self.media, router=self.router, sessions=self.sessions,
                            board=self.board, wrapups=self.wrapups, events=self._events, campaigns=self._campaigns,
                            shares=self.shares, owner=self.owner)
        scope = trio.CancelScope()
        self._running[campaign_id] = _Running(task, scope)
        try:
            with scope:
                await task.run(task_status=task_status)
        finally:
            del self._running[campaign_id]
