"""How a call attempt ended, as the dialer records it."""

from __future__ import annotations

import enum


class Outcome(enum.StrEnum):
    HUMAN = "human"
    """A person answered (then connected, or abandoned: see ``ABANDONED``)."""
    MACHINE = "machine"
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    INVALID = "invalid"
    """The network says the number does not exist."""
    ABANDONED = "abandoned"
    """A person answered and no agent took the call within the connect limit."""
    FAILED = "failed"
    """The call could not be placed (trunk down, congestion)."""
    INTERRUPTED = "interrupted"
    """The engine stopped while the call was in progress (found at restart)."""

    @property
    def reached_person(self) -> bool:
        return self in (Outcome.HUMAN, Outcome.ABANDONED)
