"""A campaign: how it dials, when, under which limits, and how agents qualify its calls."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from ccengine.domain._outcome import Outcome
from ccengine.domain._transitions import step
from ccengine.errors import DomainError


class DialMode(enum.StrEnum):
    PREVIEW = "preview"
    """The agent sees the record, then the call is placed."""
    PROGRESSIVE = "progressive"
    """One call per free agent."""
    POWER = "power"
    """A fixed number of calls per free agent (``Campaign.power_ratio``)."""
    PREDICTIVE = "predictive"
    """The pacer decides, under the abandon cap."""


class RunState(enum.StrEnum):
    """What the operators asked for."""

    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class CampaignState(enum.StrEnum):
    """What operators see (seeds 003/004): a running campaign is inactive while it cannot dial."""

    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    INACTIVE = "inactive"


class InactiveReason(enum.StrEnum):
    LISTS_EXHAUSTED = "lists-exhausted"
    OUTSIDE_HOURS = "outside-hours"
    NO_AGENTS = "no-agents"


class AbandonWindow(enum.StrEnum):
    """The period the abandon cap is measured over: US FTC TSR 30 days, UK Ofcom 24 hours."""

    DAYS_30 = "30d"
    HOURS_24 = "24h"
    LIFETIME = "lifetime"


class MachineRule(enum.StrEnum):
    """What the dialer does when an answering machine picks up."""

    DROP = "drop"
    MESSAGE = "message"
    AGENT = "agent"


#: Operator actions on a campaign or list, and the run states each one may start from.
RUN_TRANSITIONS: Mapping[str, tuple[frozenset[RunState], RunState]] = {
    "start": (frozenset({RunState.STOPPED}), RunState.RUNNING),
    "pause": (frozenset({RunState.RUNNING}), RunState.PAUSED),
    "resume": (frozenset({RunState.PAUSED}), RunState.RUNNING),
    "stop": (frozenset({RunState.RUNNING, RunState.PAUSED}), RunState.STOPPED),
}


def next_run_state(current: RunState, action: str, what: str) -> RunState:
    """The run state after an operator action, or DomainError ``invalid-transition``."""
    return step(RUN_TRANSITIONS, current, action, what)


@dataclass(frozen=True, slots=True)
class Window:
    """Calling hours on one weekday (0 = Monday), local time, start inclusive, end exclusive."""

    weekday: int
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise DomainError(f"weekday {self.weekday} is not 0 (Monday) to 6 (Sunday)", "invalid-schedule")
        if self.start >= self.end:
            raise DomainError(f"calling window {self.start}–{self.end} ends before it starts", "invalid-schedule")


def _weekdays(start: str, end: str, days: range) -> tuple[Window, ...]:
    return tuple(Window(d, dt.time.fromisoformat(start), dt.time.fromisoformat(end)) for d in days)


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    """When a campaign may call: windows in the callee's local time (the contact's zone when its
    number tells it, else the campaign's ``tz``), and optional first and last dates."""

    tz: str = "UTC"
    windows: tuple[Window, ...] = field(default_factory=lambda: _weekdays("09:00", "20:00", range(6)))
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    def is_open(self, local: dt.datetime) -> bool:
        """Whether a moment, already in the callee's zone, is inside the calling hours."""
        day = local.date()
        if (self.first_day and day < self.first_day) or (self.last_day and day > self.last_day):
            return False
        moment = local.time().replace(tzinfo=None)
        return any(w.weekday == local.weekday() and w.start <= moment < w.end for w in self.windows)

    def open_for(self, local: dt.datetime) -> float:
        """Seconds the calling hours stay open from a moment in the callee's zone (0 when closed):
        the pacer's ``time_left``. A window ending where the next one starts (a split across
        midnight) counts as one. Real elapsed seconds: a clock change inside the window counts."""
        moment, total = local, 0.0
        for _ in range(8):  # a week of windows chained end to start at most
            if not self.is_open(moment):
                break
            time = moment.time().replace(tzinfo=None)
            window = next(w for w in self.windows if w.weekday == moment.weekday() and w.start <= time < w.end)
            end = dt.datetime.combine(moment.date(), window.end, moment.tzinfo)
            if window.end == dt.time.max:
                end = dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time(0), moment.tzinfo)
            # Aware datetimes of one zone subtract as wall clocks: compare instants in UTC.
            total += (end.astimezone(dt.UTC) - moment.astimezone(dt.UTC)).total_seconds()
            moment = end
        return total


@dataclass(frozen=True, slots=True, kw_only=True)
class Disposition:
    """A qualification the agent gives a call (seed 000: "Vente", "Rendez-vous", "Hors cible"…)."""

    code: str
    label: str
    positive: bool = False
    """Counts as a positive contact."""
    argued: bool = True
    """The agent really talked to the prospect (even if out of target)."""
    final: bool = True
    """The contact is done: it will not be called again."""
    callback: bool = False
    """The agent must schedule a callback."""


DEFAULT_DISPOSITIONS = (
    Disposition(code="sale", label="Sale", positive=True),
    Disposition(code="appointment", label="Appointment", positive=True),
    Disposition(code="not-interested", label="Not interested"),
    Disposition(code="out-of-target", label="Out of target"),
    Disposition(code="wrong-person", label="Wrong person", final=False),
    Disposition(code="callback", label="Call back", final=False, callback=True),
    Disposition(code="do-not-call", label="Do not call again"),
)

#: Seconds before a contact is tried again after each outcome (``HUMAN``: after a disposition that
#: is neither final nor a callback); an outcome missing from a campaign's table waits one hour.
DEFAULT_RETRY_DELAYS: Mapping[Outcome, int] = {
    Outcome.HUMAN: 24 * 3600,
    Outcome.NO_ANSWER: 3 * 3600,
    Outcome.BUSY: 15 * 60,
    Outcome.MACHINE: 4 * 3600,
    Outcome.ABANDONED: 3600,
    Outcome.FAILED: 30 * 60,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Campaign:
    id: int
    tenant_id: int
    name: str
    dial_mode: DialMode = DialMode.PREDICTIVE
    power_ratio: float = 1.0
    caller_id: str = ""
    schedule: Schedule = field(default_factory=Schedule)
    abandon_cap: float = 0.03
    abandon_window: AbandonWindow = AbandonWindow.DAYS_30
    connect_limit_s: float = 2.0
    """A human answer not connected to an agent within this limit is abandoned."""
    max_attempts: int = 5
    retry_delays: Mapping[Outcome, int] = field(default_factory=lambda: dict(DEFAULT_RETRY_DELAYS))
    machine_rule: MachineRule = MachineRule.DROP
    dispositions: tuple[Disposition, ...] = DEFAULT_DISPOSITIONS
    run_state: RunState = RunState.STOPPED
    inactive_reason: InactiveReason | None = None
    created_at: int = 0

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise DomainError("a campaign needs a name", "invalid-campaign")
        if not 0 < self.abandon_cap < 1:
            raise DomainError(f"abandon cap {self.abandon_cap} is not a fraction between 0 and 1", "invalid-campaign")
        if self.max_attempts < 1:
            raise DomainError("max attempts must be at least 1", "invalid-campaign")
        if self.power_ratio < 1:
            raise DomainError("a power ratio is at least 1 call per free agent", "invalid-campaign")
        if self.connect_limit_s <= 0:
            raise DomainError("the connect limit must be positive", "invalid-campaign")
        if any(delay < 0 for delay in self.retry_delays.values()):
            raise DomainError("retry delays cannot be negative", "invalid-campaign")
        codes = [d.code for d in self.dispositions]
        if len(set(codes)) != len(codes):
            raise DomainError("disposition codes must be unique in a campaign", "invalid-campaign")

    @property
    def state(self) -> CampaignState:
        if self.run_state is RunState.STOPPED:
            return CampaignState.STOPPED
        if self.run_state is RunState.PAUSED:
            return CampaignState.PAUSED
        return CampaignState.INACTIVE if self.inactive_reason else CampaignState.ACTIVE

    def disposition(self, code: str) -> Disposition:
        for d in self.dispositions:
            if d.code == code:
                return d
        raise DomainError(f"campaign {self.name!r} has no disposition {code!r}", "unknown-disposition")
