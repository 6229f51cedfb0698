"""Agents at work: every action goes through the state machine inside one store transaction, then
its indicator events go to the metrics service (docs/data-model.md, "Agents")."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

import trio

from ccengine import domain as d
from ccengine.agents._machine import Action, Request, Transition, accumulate, apply
from ccengine.metrics import Event
from ccengine.store import Activity, Store


@dataclass(frozen=True, slots=True)
class AgentDetails:
    """Seed 000's agent administration page: status, login address, campaigns, pause time, last
    activities (totals counted up to the moment it was read)."""

    agent: d.Agent
    status: d.AgentStatus
    activities: list[Activity]


#: Told of every committed transition: the agent's new status.
Watcher = Callable[[d.AgentStatus], None]


class AgentService:
    def __init__(self, store: Store, events: trio.MemorySendChannel[Event] | None = None) -> None:
        """``events``: where indicator events go (``MetricsService.sender()``); None drops them."""
        self.store = store
        self._events = events
        self._watchers: list[Watcher] = []

    def watch(self, watcher: Watcher) -> None:
        """``watcher`` hears every transition, whoever asked for it (the dialer, the API, a
        supervisor): the one place the rest of the process learns an agent's state changed."""
        self._watchers.append(watcher)

    def unwatch(self, watcher: Watcher) -> None:
        self._watchers.remove(watcher)

    async def act(self, agent_id: int, request: Request) -> Transition:
        """Applies one request atomically and emits its events; AgentStateError if refused."""

        def decide(agent: d.Agent, status: d.AgentStatus, tenant: d.Tenant) -> tuple[d.AgentStatus, Activity,
                                                                                      Transition]:
            t = apply(agent, status, request, tenant.tz)
            return t.status, t.activity, t

        transition = await self.store.agent_transition(agent_id, decide)
        for watcher in list(self._watchers):
            watcher(transition.status)
        if self._events is not None:
            for event in transition.events:
                await self._events.send(event)
        return transition

    async def login(self, agent_id: int, *, campaigns: Iterable[int] = (), queues: Iterable[int] = (),
                    address: str | None = None, by_user: int | None = None, at: int | None = None) -> d.AgentStatus:
        """Logs the agent in (to these campaigns and queues), or adds them if already logged in."""
        return await self._do(agent_id, Action.LOGIN, at, by_user=by_user, campaign_ids=frozenset(campaigns),
                              queue_ids=frozenset(queues), address=address)

    async def logout(self, agent_id: int, *, campaigns: Iterable[int] = (), queues: Iterable[int] = (),
                     by_user: int | None = None, at: int | None = None) -> d.AgentStatus:
        """Logs the agent out of these campaigns and queues, or of everything (none given, or
        none left)."""
        return await self._do(agent_id, Action.LOGOUT, at, by_user=by_user, campaign_ids=frozenset(campaigns),
                              queue_ids=frozenset(queues))

    async def pause(self, agent_id: int, reason: str = "other", *, by_user: int | None = None,
                    at: int | None = None) -> d.AgentStatus:
        return await self._do(agent_id, Action.PAUSE, at, by_user=by_user, reason=reason)

    async def resume(self, agent_id: int, *, by_user: int | None = None, at: int | None = None) -> d.AgentStatus:
        return await self._do(agent_id, Action.RESUME, at, by_user=by_user)

    async def reserve(self, agent_id: int, call_id: int, *, at: int | None = None) -> d.AgentStatus:
        return await self._do(agent_id, Action.RESERVE, at, call_id=call_id)

    async def release(self, agent_id: int, *, at: int | None = None) -> d.AgentStatus:
        return await self._do(agent_id, Action.RELEASE, at)

    async def connect(self, agent_id: int, call_id: int, campaign_id: int, *, at: int | None = None) -> d.AgentStatus:
        return await self._do(agent_id, Action.CONNECT, at, call_id=call_id, campaign_id=campaign_id)

    async def hangup(self, agent_id: int, *, at: int | None = None) -> d.AgentStatus:
        return await self._do(agent_id, Action.HANGUP, at)

    async def end_wrapup(self, agent_id: int, *, by_user: int | None = None, at: int | None = None) -> d.AgentStatus:
        return await self._do(agent_id, Action.END_WRAPUP, at, by_user=by_user)

    async def taken_over(self, agent_id: int, *, by_user: int, at: int | None = None) -> d.AgentStatus:
        """A supervisor (``by_user``) took the agent's call over: the agent is free again at once."""
        return await self._do(agent_id, Action.TAKEN_OVER, at, by_user=by_user)

    async def heartbeat(self, agent_ids: Collection[int], *, at: int | None = None) -> None:
        await self.store.touch_agents(list(agent_ids), d.now_us() if at is None else at)

    async def reconcile(self, live: Collection[int], *, at: int | None = None) -> list[int]:
        """Logs out every agent shown logged in whose session is not in ``live`` (after a restart,
        none is): an agent whose session vanished must not stay available. Returns their ids."""
        lost = [s.agent_id for s in await self.store.agent_statuses()
                if s.state is not d.AgentState.LOGGED_OUT and s.agent_id not in live]
        for agent_id in lost:
            await self._do(agent_id, Action.LOSE_SESSION, at, reason="session-lost")
        return lost

    async def details(self, agent_id: int, *, at: int | None = None) -> AgentDetails:
        now = d.now_us() if at is None else at
        agent = await self.store.agent(agent_id)
        status = await self.store.agent_status(agent_id)
        tenant = await self.store.tenant(agent.tenant_id)
        day, production, pause = accumulate(status, now, tenant.tz)
        current = dataclasses.replace(status, day=day, production_s=production, pause_s=pause)
        return AgentDetails(agent, current, await self.store.activities(agent_id))

    async def _do(self, agent_id: int, action: Action, at: int | None, **fields: object) -> d.AgentStatus:
        request = Request(action=action, at=d.now_us() if at is None else at, **fields)  # type: ignore[arg-type]
        return (await self.act(agent_id, request)).status
