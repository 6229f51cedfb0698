"""What happened on each call, and the callbacks agents promise."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ccengine.domain._outcome import Outcome


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRecord:
    """One call attempt, written when it is placed and completed as it goes, so a crash leaves
    at worst an ``interrupted`` record, never none."""

    id: int
    campaign_id: int
    list_id: int
    contact_id: int
    phone: str
    placed_at: int
    ringing_at: int | None = None
    answered_at: int | None = None
    connected_at: int | None = None
    ended_at: int | None = None
    wrapup_ended_at: int | None = None
    outcome: Outcome | None = None
    """None while the call is in progress."""
    agent_id: int | None = None
    disposition: str | None = None
    positive: bool = False
    argued: bool = False


class CallbackState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True, kw_only=True)
class Callback:
    """A promise to call a contact again at a time: personal to an agent, or on the shared agenda
    (``agent_id`` None) where any agent of the campaign may take it (seed 000)."""

    id: int
    campaign_id: int
    contact_id: int
    due_at: int
    agent_id: int | None = None
    note: str = ""
    state: CallbackState = CallbackState.PENDING
    created_at: int = 0

    @property
    def shared(self) -> bool:
        return self.agent_id is None
