"""The call board: every call the dialer has in flight, with its state, as supervisors see it
(issue 9's active calls and callers waiting; supervision finds an agent's call here).

Campaign tasks put a call on the board when they place it, move it as its flow changes state
and take it off when it ends; the board tells the live hub of each change (topic ``call``), so
screens follow call states without polling. It holds only what is in flight: ended calls are in
the store's call records.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ccengine.dialer._call_flow import FlowState
from ccengine.metrics import NONE, Hub, Notice

__all__ = ["ActiveCall", "CallBoard"]


@dataclass(frozen=True, slots=True)
class ActiveCall:
    call_id: int
    tenant_id: int
    campaign_id: int
    contact_id: int
    phone: str
    state: FlowState
    since: int
    """When the call entered its state (µs)."""
    placed_at: int
    leg: int
    """The customer's SIP leg."""
    agent_id: int | None = None
    taken_over_by: int | None = None
    """The supervisor (user id) holding the call after taking it over from its agent."""

    @property
    def waiting(self) -> bool:
        """A person answered and waits for an agent (a caller waiting, seed 001)."""
        return self.state is FlowState.WAITING


class CallBoard:
    def __init__(self, hub: Hub | None = None) -> None:
        self._hub = hub
        self._calls: dict[int, ActiveCall] = {}
        self._by_agent: dict[int, int] = {}

    def put(self, call: ActiveCall) -> None:
        self._calls[call.call_id] = call
        self._tell(call)

    def move(self, call_id: int, state: FlowState, now: int, *, agent_id: int | None = None) -> None:
        """The call entered ``state`` (with ``agent_id`` once connected); ignored for calls not on
        the board or already in that state."""
        call = self._calls.get(call_id)
        if call is None or (call.state is state and agent_id in (None, call.agent_id)):
            return
        call = replace(call, state=state, since=now, agent_id=call.agent_id if agent_id is None else agent_id)
        self._calls[call_id] = call
        if call.agent_id is not None:
            self._by_agent[call.agent_id] = call_id
        self._tell(call)

    def take_over(self, call_id: int, supervisor_id: int) -> None:
        """A supervisor took the call over: it is no longer its agent's (who may take another)."""
        call = self._calls.get(call_id)
        if call is None:
            return
        if call.agent_id is not None and self._by_agent.get(call.agent_id) == call_id:
            del self._by_agent[call.agent_id]
        call = replace(call, agent_id=None, taken_over_by=supervisor_id)
        self._calls[call_id] = call
        self._tell(call)

    def drop(self, call_id: int) -> None:
        call = self._calls.pop(call_id, None)
        if call is None:
            return
        if call.agent_id is not None and self._by_agent.get(call.agent_id) == call_id:
            del self._by_agent[call.agent_id]
        self._tell(replace(call, state=FlowState.ENDED))

    def get(self, call_id: int) -> ActiveCall | None:
        return self._calls.get(call_id)

    def of_agent(self, agent_id: int) -> ActiveCall | None:
        """The call an agent is connected to, if any."""
        call_id = self._by_agent.get(agent_id)
        return None if call_id is None else self._calls.get(call_id)

    def calls(self, *, tenant_id: int | None = None, campaign_id: int | None = None) -> list[ActiveCall]:
        """Calls in flight, oldest first."""
        return sorted((c for c in self._calls.values()
                       if (tenant_id is None or c.tenant_id == tenant_id)
                       and (campaign_id is None or c.campaign_id == campaign_id)),
                      key=lambda c: (c.placed_at, c.call_id))

    def waiting(self, *, tenant_id: int | None = None) -> list[ActiveCall]:
        """People waiting for an agent, longest waiting first."""
        return sorted((c for c in self.calls(tenant_id=tenant_id) if c.waiting), key=lambda c: c.since)

    def __len__(self) -> int:
        return len(self._calls)

    def _tell(self, call: ActiveCall) -> None:
        if self._hub is not None:
            agent = NONE if call.agent_id is None else call.agent_id
            self._hub.publish([Notice(call.tenant_id, "call", call.call_id, agent)])
