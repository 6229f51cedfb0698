"""What the pacer sees of one running campaign, kept up to date as its calls and agents change.

The dialer tells a ``LiveCampaign`` every step of every call (placed, answered by a person or a
machine, failed, connected, abandoned) and every agent state change; at each pacing tick it asks
for a :class:`ccengine.pacing.Snapshot`. A step for a call it does not hold (already ended, or
never placed) raises ``KeyError``: the caller decides whether a late telephony event matters.
Moments are domain microseconds; the pacer works in seconds. The abandon tallies live in the
native ledger, restored from the store's call records when the campaign starts, so a restarted
engine keeps counting its compliance window. With the dialer's ``AgentShares``, a free agent
another campaign counts is left out of the snapshot (an agent of several campaigns is counted by
one pacer at a time); everything else (whom to bridge, whom to keep for a callback) sees every
agent of the campaign.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from ccengine import _native
from ccengine import domain as d
from ccengine.dialer._shares import AgentShares
from ccengine.pacing import Counts, Snapshot

#: Recent durations kept for the pacer's talk, wrap-up and answer-delay laws.
RECENT = 256
#: States in which an agent works one call (kept for it, on it, or wrapping it up).
_BUSY = frozenset({d.AgentState.RESERVED, d.AgentState.ON_CALL, d.AgentState.WRAP_UP})


def _seconds(moment_us: int) -> float:
    return moment_us / d.SECOND


@dataclass(slots=True)
class _Agent:
    state: d.AgentState
    since: int
    done_after_call: bool = False
    """Asked to pause or log out after the call: takes no more calls."""
    elsewhere: bool = False
    """Busy with another campaign's call (reserved, talking or wrapping it up): that campaign's
    pacer counts them until they are free again."""


class LiveCampaign:
    """One campaign's calls in flight, people waiting for an agent, agents and running counts."""

    def __init__(self, window: d.AbandonWindow, *, campaign_id: int = 0, shares: AgentShares | None = None) -> None:
        """``shares``: the dialer's apportioning of free agents between its campaigns' pacers,
        this campaign being ``campaign_id`` there (None: every free agent is counted)."""
        self.campaign_id = campaign_id
        self._shares = shares
        self._ledger = _native.AbandonLedger(window.value)
        self._ringing: dict[int, int] = {}
        self._waiting: dict[int, int] = {}
        self._agents: dict[int, _Agent] = {}
        self._told: dict[int, int] = {}
        """The moment of the latest change told for each agent (logged out ones included)."""
        self._counts = Counts()
        self._talk: deque[float] = deque(maxlen=RECENT)
        self._wrap: deque[float] = deque(maxlen=RECENT)
        self._answer: deque[float] = deque(maxlen=RECENT)

    def restore(self, minutes: list[tuple[int, int, int]]) -> None:
        """Loads (minute µs, people, abandons) rows, oldest first (``Store.abandon_minutes``)."""
        for minute, humans, abandons in minutes:
            self._ledger.record(_seconds(minute), humans, abandons)

    def _count(self, **steps: int) -> None:
        self._counts = replace(self._counts, **{k: getattr(self._counts, k) + v for k, v in steps.items()})

    # Calls.

    def placed(self, call_id: int, now: int) -> None:
        self._ringing[call_id] = now
        self._count(attempts=1)

    def person_answered(self, call_id: int, now: int) -> None:
        """A person answered: waiting for an agent from now on (see :meth:`connected`)."""
        placed = self._ringing.pop(call_id)
        self._answer.append(_seconds(now - placed))
        self._waiting[call_id] = now
        self._count(human=1)
        self._ledger.record(_seconds(now), 1, 0)

    def ended_unanswered(self, call_id: int, outcome: d.Outcome) -> None:
        """A call that no person answered ended: a machine, no answer, busy, invalid, failed."""
        if outcome.reached_person:
            raise ValueError(f"{outcome} is not an unanswered outcome")
        del self._ringing[call_id]
        if outcome is d.Outcome.MACHINE:
            self._count(machine=1)
        elif outcome is d.Outcome.NO_ANSWER:
            self._count(no_answer=1)

    def connected(self, call_id: int) -> None:
        del self._waiting[call_id]
        self._count(connects=1)

    def abandoned(self, call_id: int, now: int) -> None:
        del self._waiting[call_id]
        self._count(abandons=1)
        self._ledger.record(_seconds(now), 0, 1)

    def waiting(self) -> list[tuple[int, int]]:
        """(call id, answered at) of the people waiting for an agent, longest waiting first."""
        return sorted(self._waiting.items(), key=lambda item: item[1])

    @property
    def people_waiting(self) -> int:
        return len(self._waiting)

    @property
    def in_flight(self) -> int:
        """Calls placed and not answered yet."""
        return len(self._ringing)

    # Agents.

    def agent(self, agent_id: int, state: d.AgentState, now: int, *, done_after_call: bool = False,
              elsewhere: bool | None = None) -> None:
        """An agent of the campaign changed state at ``now`` (the status's ``since``); ends of
        talks and wrap-ups feed the laws. ``elsewhere``: the agent is busy with another
        campaign's call (None: as before for a busy agent, whose wrap-up follows the call it
        took). A change older than the last one told for the agent is stale and ignored: the
        store orders an agent's changes, but two tasks' changes (or a task's first read of the
        store racing a change) can reach the view in the other order."""
        if now < self._told.get(agent_id, now):
            return
        self._told[agent_id] = now
        was = self._agents.get(agent_id)
        if was is not None and was.state != state and not was.elsewhere:  # another campaign's calls: its laws
            elapsed = _seconds(now - was.since)
            if was.state is d.AgentState.ON_CALL:
                self._talk.append(elapsed)
            elif was.state is d.AgentState.WRAP_UP:
                self._wrap.append(elapsed)
        if state is d.AgentState.LOGGED_OUT:
            self._agents.pop(agent_id, None)
        else:
            since = was.since if was is not None and was.state == state else now
            busy = state in _BUSY
            if elsewhere is None:
                elsewhere = was is not None and was.elsewhere
            self._agents[agent_id] = _Agent(state, since, done_after_call, busy and elsewhere)
        if state is not d.AgentState.AVAILABLE and self._shares is not None:
            self._shares.busy(agent_id)

    def reserved_agents(self) -> list[int]:
        """Agents kept for a call not yet bridged."""
        return [i for i, a in self._agents.items() if a.state is d.AgentState.RESERVED]

    @property
    def logged_in(self) -> int:
        """Agents logged in to the campaign, whatever their state (and whoever counts them)."""
        return len(self._agents)

    def is_free(self, agent_id: int) -> bool:
        agent = self._agents.get(agent_id)
        return agent is not None and agent.state is d.AgentState.AVAILABLE

    def idle_agents(self) -> list[int]:
        """Agents free to take a call, idle the longest first: first those this campaign's pacer
        counts, then those another campaign's pacer counts (who may still take a person of this
        one rather than let them be abandoned, but are taken last: that campaign dialled for them)."""
        shares = self._shares
        free = [(shares is not None and shares.counted_elsewhere(i, self.campaign_id), a.since, i)
                for i, a in self._agents.items() if a.state is d.AgentState.AVAILABLE]
        return [i for _, _, i in sorted(free)]

    # The pacer's view.

    def snapshot(self, now: int, *, records_left: int | None = None, time_left: float | None = None) -> Snapshot:
        """The campaign at ``now``. An agent reserved for a call being bridged counts as talking;
        one who will pause or leave after the call, as paused (it takes no more calls); a free
        agent another campaign's pacer counts, or one busy with another campaign's call, not at
        all."""
        idle = paused = elsewhere = 0
        talking: list[float] = []
        wrapping: list[float] = []
        shares = self._shares
        for agent_id, a in self._agents.items():
            if a.elsewhere or (a.state is d.AgentState.AVAILABLE and shares is not None
                               and shares.counted_elsewhere(agent_id, self.campaign_id)):
                elsewhere += 1
                continue
            elapsed = max(0.0, _seconds(now - a.since))
            if a.state is d.AgentState.PAUSED or (a.done_after_call and a.state is not d.AgentState.AVAILABLE):
                paused += 1
            elif a.state is d.AgentState.AVAILABLE:
                idle += 1
            elif a.state is d.AgentState.WRAP_UP:
                wrapping.append(elapsed)
            else:
                talking.append(elapsed if a.state is d.AgentState.ON_CALL else 0.0)
        t = _seconds(now)
        return Snapshot(
            now=t,
            agents=len(self._agents) - elsewhere,
            idle=idle,
            paused=paused,
            talking=talking,
            wrapping=wrapping,
            ringing=[max(0.0, _seconds(now - placed)) for placed in self._ringing.values()],
            counts=self._counts,
            window=self._ledger.window(t),
            last_hour=self._ledger.last_hour(t),
            recent_talk=list(self._talk),
            recent_wrap=list(self._wrap),
            recent_answer=list(self._answer),
            records_left=records_left,
            time_left=time_left,
        )
