"""The pacer from Python: a snapshot of a campaign in, the number of calls to place out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ccengine import _native

MODES = ("preview", "progressive", "power", "predictive")
WINDOWS = ("30d", "24h", "lifetime")


@dataclass(frozen=True, slots=True)
class Counts:
    """Running counts since the campaign started."""

    attempts: int = 0
    human: int = 0
    machine: int = 0
    no_answer: int = 0
    abandons: int = 0
    connects: int = 0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A campaign at ``now`` (seconds on any monotonic clock). Elapsed times are in seconds.

    ``window`` and ``last_hour`` are (human answers, abandons) over the compliance window and the
    last 60 minutes.
    """

    now: float
    agents: int
    idle: int
    paused: int = 0
    talking: Sequence[float] = ()
    wrapping: Sequence[float] = ()
    ringing: Sequence[float] = ()
    counts: Counts = field(default_factory=Counts)
    window: tuple[int, int] = (0, 0)
    last_hour: tuple[int, int] = (0, 0)
    recent_talk: Sequence[float] = ()
    recent_wrap: Sequence[float] = ()
    recent_answer: Sequence[float] = ()
    records_left: int | None = None
    time_left: float | None = None
    """Seconds until the campaign's calling window closes, if known: with ``records_left``,
    it tells a list-bound day (worked progressively) from an agent-bound one."""


@dataclass(frozen=True, slots=True)
class Decision:
    place: int
    """Calls to place now."""
    reason: str
    """preview, progressive, power, cold-start, list-bound, predictive or guarded."""
    target_rate: float
    """The chance of being abandoned the last call's person could carry at most (predictive;
    a tenth of the target once the abandon budget of the window or the last hour is spent)."""
    expected_abandons: float
    """Expected abandons over the horizon, the calls placed included."""
    expected_humans: float
    """Expected people answering over the horizon, the calls placed included."""


class Pacer:
    """One campaign's pacer. Deterministic: the same snapshots in order give the same decisions.

    Raises :class:`ccengine.errors.PacingError` for a bad setting or an impossible snapshot.
    """

    def __init__(
        self,
        mode: str = "predictive",
        *,
        ratio: float = 2.0,
        abandon_cap: float = 0.03,
        window: str = "30d",
        target_share: float = 0.55,
        small_team: int = 5,
        connect_limit: float = 2.0,
        ring_timeout: float = 25.0,
        max_lines: int | None = None,
    ) -> None:
        self._native = _native.Pacer(
            mode, ratio=ratio, abandon_cap=abandon_cap, window_name=window, target_share=target_share,
            small_team=small_team, connect_limit=connect_limit, ring_timeout=ring_timeout, max_lines=max_lines,
        )

    @property
    def mode(self) -> str:
        return self._native.mode()

    @property
    def gain(self) -> float:
        """How far the predictive model is trimmed by the abandons counted (1 = as modelled)."""
        return self._native.gain()

    def decide(self, s: Snapshot) -> Decision:
        c = s.counts
        place, reason, target, abandons, humans = self._native.decide(
            s.now, s.agents, s.idle, s.paused, list(s.talking), list(s.wrapping), list(s.ringing),
            (c.attempts, c.human, c.machine, c.no_answer, c.abandons, c.connects),
            s.window, s.last_hour, list(s.recent_talk), list(s.recent_wrap), list(s.recent_answer), s.records_left,
            s.time_left,
        )
        return Decision(place, reason, target, abandons, humans)
