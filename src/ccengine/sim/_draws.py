"""The draws of a live simulated run: what happens to the n-th call the simulated carrier
receives, and when each simulated agent pauses.

They are the pacing simulator's own (``native/pacing/src/sim/draws.rs``): the same fate per seed
and rank (common random numbers), the same laws drifting during the day, so a live run and
``ccengine plan`` on one scenario and seed meet the same people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast, get_args

from ccengine import _native
from ccengine.pacing import Scenario

__all__ = ["OUTCOMES", "CallFate", "Draws", "Outcome", "Pause"]

Outcome = Literal["human", "machine", "no-answer", "busy", "invalid"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)


@dataclass(frozen=True, slots=True)
class CallFate:
    """What happens to one call."""

    rank: int
    outcome: Outcome
    ring: float
    """Seconds of ringing before a person or a machine picks up, before the busy or invalid
    signal, or the scenario's ring timeout for a call nobody answers."""
    talk: float
    """For a person, seconds of conversation; for a machine, seconds it records after its beep."""
    wrap: float
    """Seconds of wrap-up the agent of a connected person takes."""


@dataclass(frozen=True, slots=True)
class Pause:
    after: float
    """Seconds worked since logging in, or since the previous pause ended."""
    length: float


class Draws:
    """The draws of ``scenario`` from ``seed``."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = seed
        self._native = _native.CallDraws(scenario.text, seed)

    @property
    def ring_timeout(self) -> float:
        """Seconds after which the scenario's unanswered calls are given up."""
        return self._native.ring_timeout()

    def call(self, rank: int, at: float = 0.0) -> CallFate:
        """The fate of the call of rank ``rank`` (0 for the first), placed ``at`` seconds into
        the scenario's day."""
        outcome, ring, talk, wrap = self._native.call(rank, at)
        return CallFate(rank, cast(Outcome, outcome), ring, talk, wrap)

    def pauses(self, agent: int, count: int) -> list[Pause]:
        """The first ``count`` pauses of agent ``agent`` (its rank in the order agents log in);
        none when the scenario has no pauses."""
        return [Pause(after, length) for after, length in self._native.pauses(agent, count)]
