"""One outbound call's life in the dialer, sans-IO: telephony and media facts in (with ``now``),
actions out. The campaign task carries the actions out (originate is done before the flow
exists); the flow owns the rules:

- a person is connected to a free agent at once, or abandoned once the connect limit has passed
  since their greeting ended (the FTC's two seconds; Ofcom's likewise): the abandon prompt is
  played, then the call is hung up and counted;
- with answering-machine detection, the clock starts when the person's greeting ended (the
  detector decides on the silence after it), so detection spends part of the limit, never more;
- a machine follows the campaign's rule: dropped, given the campaign's message, or handed to an
  agent like a person; an undecided detection is treated as a person (dropping a person as a
  machine is the costlier mistake, and Ofcom counts it as an abandon);
- every end is one ``End`` action with the domain outcome the call record gets.

Moments are domain microseconds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

from ccengine import domain as d

__all__ = [
    "Action",
    "Bridge",
    "CallFlow",
    "Detect",
    "End",
    "FlowState",
    "Hangup",
    "Play",
    "WantAgent",
    "outcome_of_failure",
]


class FlowState(enum.StrEnum):
    RINGING = "ringing"
    DETECTING = "detecting"
    """Answered; the detector listens to tell a person from a machine."""
    WAITING = "waiting"
    """A person waits for an agent, up to the connect limit."""
    CONNECTED = "connected"
    MESSAGE = "message"
    """A machine hears the campaign's message before the call ends."""
    ABANDONING = "abandoning"
    """The abandon prompt plays before the call ends."""
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class Detect:
    """Start answering-machine detection on the customer leg."""


@dataclass(frozen=True, slots=True)
class WantAgent:
    """A person waits: connect them to a free agent before ``deadline`` (or say none is free)."""

    deadline: int


@dataclass(frozen=True, slots=True)
class Bridge:
    agent_id: int


@dataclass(frozen=True, slots=True)
class Play:
    prompt: Literal["abandon", "machine-message"]


@dataclass(frozen=True, slots=True)
class Hangup:
    cause: Literal["normal", "abandoned"]


@dataclass(frozen=True, slots=True)
class End:
    """The call is over: its record gets ``outcome``; ``agent_id`` goes to wrap-up if set."""

    outcome: d.Outcome
    agent_id: int | None = None


Action = Detect | WantAgent | Bridge | Play | Hangup | End

#: The SIP engine's dial outcomes (docs/sip.md) as call-record outcomes.
_FAILURES: dict[str, d.Outcome] = {
    "busy": d.Outcome.BUSY,
    "invalid-number": d.Outcome.INVALID,
    "no-answer": d.Outcome.NO_ANSWER,
    "cancelled": d.Outcome.NO_ANSWER,
    "rejected": d.Outcome.NO_ANSWER,
    "congestion": d.Outcome.FAILED,
    "unreachable": d.Outcome.FAILED,
    "auth-failed": d.Outcome.FAILED,
    "failed": d.Outcome.FAILED,
}


def outcome_of_failure(dial_outcome: str) -> d.Outcome:
    """The record outcome of a call that failed before an answer (a 603 decline, a person
    refusing the call, counts as no answer: it may be tried again later)."""
    return _FAILURES.get(dial_outcome, d.Outcome.FAILED)


class CallFlow:
    def __init__(self, *, connect_limit_s: float, machine_rule: d.MachineRule, detect_machines: bool) -> None:
        self.connect_limit = round(connect_limit_s * d.SECOND)
        self.machine_rule = machine_rule
        self.detect_machines = detect_machines
        self.state = FlowState.RINGING
        self.person = False
        """A person answered (counted against the abandon cap from then on)."""
        self.agent_id: int | None = None
        self.deadline: int | None = None

    def answered(self, now: int) -> list[Action]:
        if self.state is not FlowState.RINGING:
            return []
        if self.detect_machines:
            self.state = FlowState.DETECTING
            return [Detect()]
        return self._person(greeting_ended=now)

    def detected(self, verdict: Literal["human", "machine", "unsure"], greeting_ended: int) -> list[Action]:
        """The detector's verdict; ``greeting_ended``: when the voice it heard stopped (for a
        person, their "hello?"), from where the connect limit runs."""
        if self.state is not FlowState.DETECTING:
            return []
        if verdict != "machine" or self.machine_rule is d.MachineRule.AGENT:
            return self._person(greeting_ended)
        if self.machine_rule is d.MachineRule.MESSAGE:
            self.state = FlowState.MESSAGE
            return [Play("machine-message")]
        return self._end(d.Outcome.MACHINE, Hangup("normal"))

    def _person(self, greeting_ended: int) -> list[Action]:
        self.person = True
        self.state = FlowState.WAITING
        self.deadline = greeting_ended + self.connect_limit
        return [WantAgent(self.deadline)]

    def agent_free(self, agent_id: int, now: int) -> list[Action]:
        """An agent can take this person now; refused (no action) unless they still wait and
        the limit has not passed."""
        if self.state is not FlowState.WAITING or self.deadline is None or now >= self.deadline:
            return []
        self.state = FlowState.CONNECTED
        self.agent_id = agent_id
        return [Bridge(agent_id)]

    def taken_over(self) -> bool:
        """A supervisor took the connected call over: its agent is released, the call goes on
        and its end sends nobody to wrap-up. False (nothing changes) unless it is connected to
        an agent."""
        if self.state is not FlowState.CONNECTED or self.agent_id is None:
            return False
        self.agent_id = None
        return True

    def tick(self, now: int) -> list[Action]:
        """Past the deadline with no agent: the person is abandoned."""
        if self.state is FlowState.WAITING and self.deadline is not None and now >= self.deadline:
            self.state = FlowState.ABANDONING
            return [Play("abandon")]
        return []

    def prompt_ended(self) -> list[Action]:
        if self.state is FlowState.ABANDONING:
            return self._end(d.Outcome.ABANDONED, Hangup("abandoned"))
        if self.state is FlowState.MESSAGE:
            return self._end(d.Outcome.MACHINE, Hangup("normal"))
        return []

    def failed(self, dial_outcome: str) -> list[Action]:
        if self.state is not FlowState.RINGING:
            return []
        return self._end(outcome_of_failure(dial_outcome))

    def hung_up(self) -> list[Action]:
        """The customer leg ended (either side): a person not yet connected was abandoned."""
        match self.state:
            case FlowState.ENDED:
                return []
            case FlowState.CONNECTED:
                return self._end(d.Outcome.HUMAN)
            case FlowState.WAITING | FlowState.ABANDONING:
                return self._end(d.Outcome.ABANDONED)
            case FlowState.DETECTING:
                # Gone before the detector decided: counted as a person abandoned, the safe
                # side of the cap (it was most likely someone who said "hello?" to silence).
                self.person = True
                return self._end(d.Outcome.ABANDONED)
            case FlowState.MESSAGE:
                return self._end(d.Outcome.MACHINE)
            case FlowState.RINGING:
                return self._end(d.Outcome.NO_ANSWER)

    def stopped(self) -> list[Action]:
        """The dialer stops (engine shutdown, campaign gone): the call is hung up and recorded as
        it stands. One still ringing was cut short by us, not by the callee (``interrupted``);
        a person answered is counted as :meth:`hung_up` counts them (waiting or being detected:
        abandoned, the safe side of the cap)."""
        match self.state:
            case FlowState.ENDED:
                return []
            case FlowState.RINGING:
                return self._end(d.Outcome.INTERRUPTED, Hangup("normal"))
            case _:
                return [Hangup("normal"), *self.hung_up()]

    def _end(self, outcome: d.Outcome, *first: Action) -> list[Action]:
        self.state = FlowState.ENDED
        return [*first, End(outcome, self.agent_id)]
