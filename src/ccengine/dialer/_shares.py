"""Free agents apportioned between pacers: an agent logged in to several campaigns is free for
all of them at once, and each campaign's pacer would dial for them at the same instant (the
people one of them reaches then wait for the next free agent, possibly past the connect limit).
One ``AgentShares`` per dialer, shared by its campaign tasks, names the one campaign that counts
each free agent; the others' pacers leave them out (``LiveCampaign.snapshot``).

The rule, for an agent free in several campaigns that need agents (``candidates``):

1. the campaign with the most people waiting for an agent (they need one now);
2. else the one counting the fewest free agents per call in flight (its calls are the least
   covered; one counting none has 0, so a campaign without agents always gets its turn);
3. else the one counting the fewest free agents;
4. else the one counting this agent until now (no needless move: its pacer may have dialled
   for them);
5. else the one that counted this agent the longest ago (their campaigns take turns), then the
   oldest campaign (lowest id).

A decision holds while the agent stays free and their campaigns to choose from stay the same:
it is taken again when they are free after a call or a pause, when one of their campaigns
starts, stops, pauses, resumes, runs out of contacts or hours, and when they join or leave one.
Only the pacers' counts are apportioned: a campaign's task may still bridge any free agent of
its own to a person waiting (better than an abandon) or keep one for a callback, the agent's
state machine deciding who gets them first. Sans-IO: the campaigns' views are read when asked.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

__all__ = ["AgentShares", "CampaignNeeds", "SharedCampaign", "choose_counter"]


class SharedCampaign(Protocol):
    """What the apportioning reads of a campaign (its ``LiveCampaign``)."""

    @property
    def people_waiting(self) -> int: ...

    @property
    def in_flight(self) -> int: ...

    def is_free(self, agent_id: int) -> bool: ...


@dataclass(frozen=True, slots=True)
class CampaignNeeds:
    """One campaign as the rule compares it, for one agent's decision."""

    campaign_id: int
    waiting: int
    """People answered and waiting for an agent."""
    in_flight: int
    """Calls placed and not answered yet."""
    counted: int
    """Free agents the campaign counts now (the agent being decided left out)."""
    holder: bool = False
    """The campaign counted this agent until now."""
    last_counted: int = 0
    """When the campaign last counted this agent (a decision's number; 0: never)."""

    @property
    def counted_per_call(self) -> float:
        if self.counted == 0:
            return 0.0
        return self.counted / self.in_flight if self.in_flight else math.inf


def choose_counter(needs: list[CampaignNeeds]) -> int:
    """The campaign that counts the agent, by the rule above; ``needs`` must not be empty."""
    best = min(needs, key=lambda n: (-n.waiting, n.counted_per_call, n.counted, not n.holder, n.last_counted,
                                     n.campaign_id))
    return best.campaign_id


@dataclass(slots=True)
class _Campaign:
    view: SharedCampaign
    dialling: bool = False


@dataclass(frozen=True, slots=True)
class _Decision:
    campaign_id: int
    among: frozenset[int]
    """The campaigns it was chosen from: another set means the decision is taken again."""


class AgentShares:
    def __init__(self) -> None:
        self._campaigns: dict[int, _Campaign] = {}
        self._decisions: dict[int, _Decision] = {}
        """Agent id -> the campaign counting them, for agents free when last asked."""
        self._turns: dict[int, dict[int, int]] = {}
        """Agent id -> campaign id -> the number of the last decision that campaign counted them."""
        self._made = 0

    def join(self, campaign_id: int, view: SharedCampaign) -> None:
        """A campaign's task started: its free agents may be given to it once it dials."""
        self._campaigns[campaign_id] = _Campaign(view)

    def leave(self, campaign_id: int) -> None:
        """The campaign's task ended: its agents go to their other campaigns."""
        self._campaigns.pop(campaign_id, None)

    def dialling(self, campaign_id: int, dialling: bool) -> None:
        """Whether the campaign's pacer may place calls now: running, with contacts left, in its
        hours. One that does not still counts agents while calls it placed ring or people it
        reached wait (those calls need agents when answered)."""
        campaign = self._campaigns.get(campaign_id)
        if campaign is not None:
            campaign.dialling = dialling

    def busy(self, agent_id: int) -> None:
        """A campaign saw the agent stop being free there (reserved, on a call, paused, logged
        out of it). Once no campaign sees them free, the next time they are, the campaign
        counting them is decided anew; while others still do (they left one campaign only), the
        one counting them stays in the running as it was (rule 4)."""
        if not any(c.view.is_free(agent_id) for c in self._campaigns.values()):
            self._decisions.pop(agent_id, None)

    def candidates(self, agent_id: int) -> frozenset[int]:
        """The campaigns the agent is free in that need agents."""
        return frozenset(campaign_id for campaign_id, c in self._campaigns.items()
                         if c.view.is_free(agent_id)
                         and (c.dialling or c.view.in_flight > 0 or c.view.people_waiting > 0))

    def counter(self, agent_id: int) -> int | None:
        """The campaign whose pacer counts the free agent (decided now if it has to be); None
        when no campaign of theirs needs agents (each of them may then count the agent: their
        pacers do not dial)."""
        among = self.candidates(agent_id)
        if not among:
            self._decisions.pop(agent_id, None)
            return None
        decision = self._decisions.get(agent_id)
        if decision is None or decision.among != among:
            holder = None if decision is None else decision.campaign_id
            decision = _Decision(self._choose(agent_id, among, holder), among)
            self._decisions[agent_id] = decision
            self._made += 1
            self._turns.setdefault(agent_id, {})[decision.campaign_id] = self._made
        return decision.campaign_id

    def counted_elsewhere(self, agent_id: int, campaign_id: int) -> bool:
        """The free agent is counted by another campaign than ``campaign_id``."""
        counter = self.counter(agent_id)
        return counter is not None and counter != campaign_id

    def _choose(self, agent_id: int, among: frozenset[int], holder: int | None) -> int:
        if len(among) == 1:
            (only,) = among
            return only
        # Decisions still standing (the agent free with the same campaigns to choose from).
        counted = Counter(decision.campaign_id for other, decision in self._decisions.items()
                          if other != agent_id and self.candidates(other) == decision.among)
        turns = self._turns.get(agent_id, {})
        needs = []
        for campaign_id in sorted(among):
            view = self._campaigns[campaign_id].view
            needs.append(CampaignNeeds(campaign_id, view.people_waiting, view.in_flight, counted[campaign_id],
                                       holder=campaign_id == holder, last_counted=turns.get(campaign_id, 0)))
        return choose_counter(needs)
