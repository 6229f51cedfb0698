"""Simulated agents' behaviour: what the people at the desks do on the engine's side. Each one
logs in to the campaign (the engine rings their phone in the ``PhoneBank`` and keeps the session
leg), talks to whoever the dialer connects (the simulated carrier's person talks and hangs up),
then, after the wrap-up time the scenario draws, qualifies the call with one of the campaign's
dispositions and, for a callback, schedules it on their own agenda or the shared one. They take
the scenario's pauses between calls.

They act through a ``Desk`` — the same operations an agent's console calls (the dialer service in
the engine's process) — and the agent service (pauses), and learn what happens to them from the
live hub, as a console does.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import trio

from ccengine import domain as d
from ccengine.agents import AgentService
from ccengine.dialer import CallbackRequest
from ccengine.errors import DomainError
from ccengine.metrics import Hub, Notice
from ccengine.sim._draws import Draws
from ccengine.store import Store

__all__ = ["AgentTally", "Desk", "SimulatedAgents"]


class Desk(Protocol):
    """What an agent's console does, as the engine offers it."""

    async def login(self, agent_id: int, campaigns: frozenset[int]) -> object: ...

    async def dispose(self, agent_id: int, call_id: int, code: str,
                      callback: CallbackRequest | None = None) -> object: ...


@dataclass(slots=True)
class AgentTally:
    """What the simulated agents did, for comparison with the engine's records."""

    logged_in: int = 0
    dispositions: dict[str, int] = field(default_factory=dict)
    callbacks_personal: int = 0
    callbacks_shared: int = 0
    pauses: int = 0
    refused: int = 0
    """Dispositions the engine refused (the call was no longer the agent's, e.g. after a logout)."""


class SimulatedAgents:
    """``agents`` (ids) work ``campaign``; ``shares`` is how often each disposition code is given;
    callbacks are due ``callback_after`` seconds later (short, so a demo sees them dialled), half
    of them on the shared agenda."""

    def __init__(self, desk: Desk, agents_service: AgentService, hub: Hub, draws: Draws, *, tenant_id: int,
                 campaign_id: int, agents: Sequence[int], shares: Mapping[str, float], callback_after: float = 120.0,
                 seed: int = 1) -> None:
        self.desk = desk
        self.service = agents_service
        self.store: Store = agents_service.store
        self.hub = hub
        self.draws = draws
        self.tenant_id = tenant_id
        self.campaign_id = campaign_id
        self.agents = list(agents)
        self.codes = list(shares)
        self.weights = [shares[c] for c in self.codes]
        self.callback_after = callback_after
        self.seed = seed
        self.tally = AgentTally()
        self._handled: set[int] = set()
        self._rng = {a: random.Random(seed * 1_000_003 + a) for a in self.agents}

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Logs every agent in, reports started, then works until cancelled."""
        mine = set(self.agents)
        with self.hub.subscribe(lambda n: n.topic == "agent" and n.key in mine, capacity=len(mine) + 1) as notices:
            async with trio.open_nursery() as nursery:
                for agent_id in self.agents:
                    await self.desk.login(agent_id, frozenset({self.campaign_id}))
                    self.tally.logged_in += 1
                for rank, agent_id in enumerate(self.agents):
                    nursery.start_soon(self._pauses, agent_id, rank)
                task_status.started()
                while True:
                    for notice in await notices.receive():
                        await self._changed(notice, nursery)

    async def _changed(self, notice: Notice, nursery: trio.Nursery) -> None:
        status = await self.store.agent_status(notice.key)
        if status.state is d.AgentState.WRAP_UP and status.call_id is not None \
                and status.call_id not in self._handled:
            self._handled.add(status.call_id)
            nursery.start_soon(self._wrap_up, notice.key, status.call_id)

    async def _wrap_up(self, agent_id: int, call_id: int) -> None:
        await trio.sleep(self.draws.call(call_id).wrap)
        rng = self._rng[agent_id]
        code = rng.choices(self.codes, self.weights)[0]
        callback = None
        if code == "callback":
            callback = CallbackRequest(at=d.now_us() + round(self.callback_after * d.SECOND),
                                       personal=rng.random() < 0.5, note="simulated")
        try:
            await self.desk.dispose(agent_id, call_id, code, callback)
        except DomainError:
            self.tally.refused += 1
            return
        self.tally.dispositions[code] = self.tally.dispositions.get(code, 0) + 1
        if callback is not None:
            if callback.personal:
                self.tally.callbacks_personal += 1
            else:
                self.tally.callbacks_shared += 1

    async def _pauses(self, agent_id: int, rank: int) -> None:
        for pause in self.draws.pauses(rank, 1_000):
            await trio.sleep(pause.after)
            try:
                # On a call, the pause starts when the wrap-up ends (the agent asked for it).
                await self.service.pause(agent_id, "break")
                self.tally.pauses += 1
                await trio.sleep(pause.length)
                await self.service.resume(agent_id)
            except DomainError:
                return  # logged out (the phone went down): no more pauses
