"""Contact lists ("fichiers", seed 000) and the contacts a campaign works."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from ccengine.domain._outcome import Outcome
from ccengine.domain._transitions import step


class ListStatus(enum.StrEnum):
    """Seed 000: a list is active (dialed), paused, or finished (nothing left, or closed)."""

    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"


#: List actions and the statuses each may start from (seed 000: play, stop; a finished list can
#: be played again once recycled).
LIST_TRANSITIONS: Mapping[str, tuple[frozenset[ListStatus], ListStatus]] = {
    "activate": (frozenset({ListStatus.PAUSED, ListStatus.FINISHED}), ListStatus.ACTIVE),
    "pause": (frozenset({ListStatus.ACTIVE}), ListStatus.PAUSED),
    "finish": (frozenset({ListStatus.ACTIVE, ListStatus.PAUSED}), ListStatus.FINISHED),
}


def next_list_status(current: ListStatus, action: str) -> ListStatus:
    """The status after an operator action on a list, or DomainError ``invalid-transition``."""
    return step(LIST_TRANSITIONS, current, action, "list")


class ContactState(enum.StrEnum):
    PENDING = "pending"
    """Waiting for its next attempt (``next_attempt_at``)."""
    CALLBACK = "callback"
    """Waiting for a scheduled callback (dialed by the callback, not by the list)."""
    DIALING = "dialing"
    """Claimed by a dialer task: a call is being placed or is in progress."""
    DONE = "done"
    """Finished: a final disposition, max attempts reached, invalid number, or do-not-call."""
    REMOVED = "removed"
    """Deleted by an operator; kept for the call records that name it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactList:
    id: int
    campaign_id: int
    name: str
    status: ListStatus = ListStatus.PAUSED
    priority: int = 0
    """Higher first when a campaign has several active lists."""
    created_at: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    id: int
    campaign_id: int
    list_id: int
    phone: str
    """E.164 (``+33612345678``)."""
    zone: str | None = None
    """IANA zone(s) derived from the number (libphonenumber's map; several joined by ``&``)."""
    fields: Mapping[str, str] = field(default_factory=dict)
    consent: bool = True
    state: ContactState = ContactState.PENDING
    attempts: int = 0
    last_outcome: Outcome | None = None
    last_disposition: str | None = None
    next_attempt_at: int = 0
    source_line: int | None = None
    """The line of the imported file it came from."""

    @property
    def zones(self) -> tuple[str, ...]:
        return tuple(self.zone.split("&")) if self.zone else ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DoNotCall:
    tenant_id: int
    phone: str
    reason: str = ""
    added_at: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class MissedCall:
    """An inbound call nobody answered; it can be added to a campaign (seeds 003/004)."""

    id: int
    tenant_id: int
    phone: str
    at: int
    queue_id: int | None = None
    campaign_id: int | None = None
    """The campaign it was added to, if any."""
