"""The indicator events of a campaign's calls (docs/metrics.md), sent as each step happens:
DIAL_ATTEMPT when placed, RINGING once, ANSWERED_HUMAN when a person is found (at the answer, or
at the detector's verdict), ANSWERED_MACHINE for a machine, then NO_ANSWER, BUSY, INVALID_NUMBER
or ABANDONED as the call ends. CONNECTED and HANGUP are the agent's (``AgentService`` sends them
with the agent's state), so they are not sent twice here. Each event names the tenant, the
campaign, the contact's list and the call; the aggregator's counts then agree with the call
records: attempts with records, human answers with ``human`` + ``abandoned``, machine answers
with ``machine``."""

from __future__ import annotations

import trio

from ccengine import domain as d
from ccengine.metrics import Event, EventKind, Flag

__all__ = ["CallEvents"]

#: The kind an ending sends, by record outcome (failures and interruptions have none).
_ENDINGS = {
    d.Outcome.NO_ANSWER: EventKind.NO_ANSWER,
    d.Outcome.BUSY: EventKind.BUSY,
    d.Outcome.INVALID: EventKind.INVALID_NUMBER,
    d.Outcome.ABANDONED: EventKind.ABANDONED,
}


class CallEvents:
    """One campaign's call events, with what each call has already sent (so a person found
    during detection, or a machine given the message, is counted once)."""

    def __init__(self, sender: trio.MemorySendChannel[Event] | None, *, tenant_id: int, campaign_id: int) -> None:
        self._sender = sender
        self.tenant_id = tenant_id
        self.campaign_id = campaign_id
        self._answered: set[int] = set()
        self._ringing: set[int] = set()

    async def placed(self, call_id: int, list_id: int, now: int) -> None:
        await self._send(EventKind.DIAL_ATTEMPT, call_id, list_id, now)

    async def ringing(self, call_id: int, list_id: int, now: int) -> None:
        """Sent once per call (a 180 may follow a 183)."""
        if call_id not in self._ringing:
            self._ringing.add(call_id)
            await self._send(EventKind.RINGING, call_id, list_id, now)

    async def answered(self, call_id: int, list_id: int, now: int, *, machine: bool) -> None:
        if call_id not in self._answered:
            self._answered.add(call_id)
            await self._send(EventKind.ANSWERED_MACHINE if machine else EventKind.ANSWERED_HUMAN, call_id, list_id,
                             now)

    async def ended(self, call_id: int, list_id: int, outcome: d.Outcome, now: int) -> None:
        if outcome.reached_person:  # a person gone during detection was never announced
            await self.answered(call_id, list_id, now, machine=False)
        elif outcome is d.Outcome.MACHINE:
            await self.answered(call_id, list_id, now, machine=True)
        self._answered.discard(call_id)
        self._ringing.discard(call_id)
        kind = _ENDINGS.get(outcome)
        if kind is not None:
            await self._send(kind, call_id, list_id, now)

    async def callback_done(self, call_id: int, list_id: int, agent_id: int, *, shared: bool, now: int) -> None:
        """A due callback is being dialled (the store closed it as done when it claimed it)."""
        await self._send(EventKind.CALLBACK_DONE, call_id, list_id, now, agent=agent_id,
                         flags=Flag.SHARED if shared else 0)

    async def _send(self, kind: EventKind, call_id: int, list_id: int, now: int, *, agent: int | None = None,
                    flags: int = 0) -> None:
        if self._sender is None:
            return
        extra = {} if agent is None else {"agent": agent}
        await self._sender.send(Event(now, kind, tenant=self.tenant_id, campaign=self.campaign_id, list=list_id,
                                      call=call_id, flags=flags, **extra))
