"""Wrap-up and dispositions: after a call the agent is in wrap-up until they qualify it with one
of the campaign's dispositions (and possibly schedule a callback), which makes them available at
once; a ceiling makes them available anyway if no disposition comes in time. A call a supervisor
took over was no longer its agent's when it ended: it waits for the supervisor's disposition, up
to the same ceiling, with no agent in wrap-up.

One per dialer, shared by its campaign tasks: a disposition reaches it whichever task placed the
call, and a wrap-up outlives the task (a stopped campaign's agents still qualify their last call).
The agent's own wrap-up events (WRAPUP_START / WRAPUP_END) are ``AgentService``'s; this sends the
disposition's: DISPOSITION (flags POSITIVE / ARGUED) and CALLBACK_SCHEDULED (flag SHARED for the
shared agenda)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import trio

from ccengine import domain as d
from ccengine.agents import AgentService
from ccengine.errors import AgentStateError, Conflict, DomainError
from ccengine.metrics import Event, EventKind, Flag
from ccengine.store import Store

__all__ = ["CallbackRequest", "WrapUps"]

@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """A callback the agent schedules with a callback disposition."""

    at: int
    """When it is due (µs)."""
    personal: bool = True
    """To the agent who schedules it; False: on the campaign's shared agenda (any agent)."""
    note: str = ""


class WrapUps:
    def __init__(self, store: Store, agents: AgentService, *, ceiling_s: float,
                 events: trio.MemorySendChannel[Event] | None = None) -> None:
        self.store = store
        self.agents = agents
        self.ceiling_s = ceiling_s
        self._events = events
        self._timers: dict[int, tuple[int, trio.CancelScope]] = {}
        """Agent id -> (call id, the ceiling's scope) while the agent wraps that call up."""
        self._held: dict[int, trio.CancelScope] = {}
        """Call id -> the ceiling's scope, for ended calls taken over by a supervisor."""
        self._nursery: trio.Nursery | None = None

    def call_of(self, agent_id: int) -> int | None:
        """The call the agent is wrapping up, if any."""
        timer = self._timers.get(agent_id)
        return None if timer is None else timer[0]

    def taken_over(self, call_id: int) -> bool:
        """The call ended in a supervisor's hands and waits for their disposition."""
        return call_id in self._held

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            task_status.started()
            try:
                await trio.sleep_forever()
            finally:
                self._nursery = None  # closed to new ceilings: what ends now waits for a disposition

    async def start(self, agent_id: int, call_id: int) -> d.AgentStatus:
        """The agent's call ended: wrap-up starts, ended by a disposition or the ceiling (none
        once ``run`` has ended: the dialer is stopping)."""
        status = await self.agents.hangup(agent_id)
        scope = trio.CancelScope()
        self._timers[agent_id] = (call_id, scope)
        if self._nursery is not None:
            self._nursery.start_soon(self._ceiling, agent_id, call_id, scope)
        return status

    async def hold(self, call_id: int) -> None:
        """A call taken over by a supervisor ended: it waits for the supervisor's disposition (given
        on the agent's behalf, ``dispose``) until the ceiling, then is settled undisposed."""
        scope = trio.CancelScope()
        self._held[call_id] = scope
        if self._nursery is not None:
            self._nursery.start_soon(self._hold_ceiling, call_id, scope)

    async def dispose(self, agent_id: int, call_id: int, code: str,
                      callback: CallbackRequest | None = None) -> d.CallRecord:
        """The agent qualifies the call they are wrapping up; they are available again at once.
        ``agent_id`` is the call's agent: a call taken over (``hold``) is qualified the same way,
        its personal callback going to that agent. Conflict (``not-in-wrap-up``) when the call
        is not waiting for a disposition; DomainError for a code the campaign does not have
        (``unknown-disposition``), a callback on a disposition that does not schedule one
        (``callback-not-allowed``) or a callback disposition without its time
        (``callback-time-missing``)."""
        if self.call_of(agent_id) != call_id and call_id not in self._held:
            raise Conflict(f"agent {agent_id} is not wrapping up call {call_id}", "not-in-wrap-up")
        record = await self.store.call(call_id)
        camp = await self.store.campaign(record.campaign_id)
        disposition = camp.disposition(code)
        if callback is not None and not disposition.callback:
            raise DomainError(f"disposition {code!r} does not schedule a callback", "callback-not-allowed")
        now = d.now_us()
        record = await self.store.dispose_call(
            call_id, code, now, callback_at=None if callback is None else callback.at,
            callback_agent_id=agent_id if callback is not None and callback.personal else None,
            note="" if callback is None else callback.note)
        flags = (Flag.POSITIVE if disposition.positive else 0) | (Flag.ARGUED if disposition.argued else 0)
        await self._send(Event(now, EventKind.DISPOSITION, tenant=camp.tenant_id, campaign=camp.id,
                               list=record.list_id, agent=agent_id, call=call_id,
                               aux=camp.dispositions.index(disposition), flags=flags))
        if callback is not None:
            await self._send(Event(now, EventKind.CALLBACK_SCHEDULED, tenant=camp.tenant_id, campaign=camp.id,
                                   list=record.list_id, agent=agent_id, call=call_id,
                                   flags=0 if callback.personal else Flag.SHARED))
        held = self._held.pop(call_id, None)
        if held is not None:
            held.cancel()
        else:
            await self._end(agent_id, call_id)
        return record

    async def settle_pending(self) -> int:
        """The dialer is stopping: calls still being wrapped up are settled undisposed (their
        contacts are tried again later, not left held until a restart); returns how many."""
        pending = [call_id for call_id, _ in self._timers.values()] + list(self._held)
        self._timers.clear()
        self._held.clear()
        now = d.now_us()
        for call_id in pending:
            await self.store.settle_undisposed(call_id, now)
        return len(pending)

    async def _ceiling(self, agent_id: int, call_id: int, scope: trio.CancelScope) -> None:
        with scope:
            await trio.sleep(self.ceiling_s)
        if not scope.cancelled_caught and await self._end(agent_id, call_id):
            # Nobody qualified the call: its contact is not left held, it is tried again later.
            await self.store.settle_undisposed(call_id, d.now_us())

    async def _hold_ceiling(self, call_id: int, scope: trio.CancelScope) -> None:
        with scope:
            await trio.sleep(self.ceiling_s)
        if not scope.cancelled_caught and self._held.pop(call_id, None) is not None:
            await self.store.settle_undisposed(call_id, d.now_us())

    async def _end(self, agent_id: int, call_id: int) -> bool:
        """Ends the wrap-up once: whichever of the disposition and the ceiling comes first (True
        for that one)."""
        timer = self._timers.get(agent_id)
        if timer is None or timer[0] != call_id:
            return False
        del self._timers[agent_id]
        timer[1].cancel()
        # AgentService's watchers (the agent's campaign tasks) hear the agent free again.
        with contextlib.suppress(AgentStateError):  # the session ended meanwhile: logged out already
            await self.agents.end_wrapup(agent_id)
        return True

    async def _send(self, event: Event) -> None:
        if self._events is not None:
            await self._events.send(event)
