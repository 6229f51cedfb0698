"""Agents: who they are (profile) and where they are (status)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class AgentState(enum.StrEnum):
    LOGGED_OUT = "logged-out"
    AVAILABLE = "available"
    RESERVED = "reserved"
    """Chosen for a call that is being bridged; counts as available in the indicators."""
    ON_CALL = "on-call"
    WRAP_UP = "wrap-up"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True, kw_only=True)
class Agent:
    """An agent's profile: the assignment card of seed 000."""

    id: int
    tenant_id: int
    name: str
    user_id: int | None = None
    extension: str = ""
    """The SIP user their softphone registers as."""
    skills: frozenset[str] = frozenset()
    team_ids: frozenset[int] = frozenset()
    campaign_ids: frozenset[int] = frozenset()
    queue_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentStatus:
    """Where an agent is now, and the day's totals kept for the agent details page (seed 000)."""

    agent_id: int
    state: AgentState = AgentState.LOGGED_OUT
    since: int = 0
    pause_reason: str | None = None
    pause_pending: str | None = None
    """A pause asked for during a call: it starts when the wrap-up ends."""
    campaign_ids: frozenset[int] = frozenset()
    """Campaigns the agent is logged in to."""
    queue_ids: frozenset[int] = frozenset()
    call_id: int | None = None
    login_address: str | None = None
    login_at: int | None = None
    last_seen_at: int | None = None
    day: str = ""
    """The local day (tenant zone) the totals below are for."""
    production_s: float = 0.0
    """Logged-in time not paused, today."""
    pause_s: float = 0.0
