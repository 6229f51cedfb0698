"""A plain-Python reading of docs/metrics.md: the yardstick the native indicator engine is checked
against.

Deliberately naive: no buckets, no incremental state. Every query re-reads the whole list of
accepted events, keeps those inside the asked interval and applies the doc's formulas, so that
each rule of the doc maps to a few lines that can be checked by eye. It imports nothing from
ccengine on purpose: a reference that shared the engine's constants would share its mistakes.

Times are int UTC microseconds since the epoch throughout; a period or window is read from its
start up to `now` inclusive, and events later than `now` are ignored.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum, IntFlag
from zoneinfo import ZoneInfo

NONE = 4294967295
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE


class Kind(IntEnum):
    DIAL_ATTEMPT = 0
    RINGING = 1
    ANSWERED_HUMAN = 2
    ANSWERED_MACHINE = 3
    NO_ANSWER = 4
    BUSY = 5
    INVALID_NUMBER = 6
    CONNECTED = 7
    ABANDONED = 8
    HANGUP = 9
    WRAPUP_START = 10
    WRAPUP_END = 11
    DISPOSITION = 12
    AGENT_LOGIN = 13
    AGENT_LOGOUT = 14
    AGENT_PAUSE = 15
    AGENT_RESUME = 16
    CALLBACK_SCHEDULED = 17
    CALLBACK_DONE = 18
    CSAT_SCORED = 19
    NPS_SCORED = 20
    SALE = 21
    MESSAGE_ANSWERED = 22
    QUEUE_ENTERED = 23
    QUEUE_ANSWERED = 24
    QUEUE_ABANDONED = 25
    CAMPAIGN_ACTIVATED = 26
    CAMPAIGN_DEACTIVATED = 27
    LIST_ACTIVATED = 28
    LIST_DEACTIVATED = 29


KIND_CODES = frozenset(Kind)


class Flag(IntFlag):
    POSITIVE = 1
    ARGUED = 2
    SHARED = 4
    FIRST_RESPONSE = 8
    HANDLED = 16


DIMENSIONS = ("tenant", "campaign", "list", "agent", "team", "queue", "channel")
PERIODS = ("day", "week", "month")
WINDOWS = ("15m", "1h", "24h", "30d")


@dataclass(frozen=True)
class Ev:
    time: int
    kind: int
    tenant: int = NONE
    campaign: int = NONE
    list: int = NONE
    agent: int = NONE
    team: int = NONE
    queue: int = NONE
    channel: int = NONE
    call: int = 0
    value: float = 0.0
    aux: int = 0
    flags: int = 0


# Agent states, and the state each agent state kind sets (when the event names an agent).
LOGGED_OUT, AVAILABLE, ON_CALL, WRAPUP, PAUSED = (
    "logged_out", "available", "on_call", "wrapup", "paused"
)
STATE_SET_BY: dict[int, str] = {
    Kind.AGENT_LOGIN: AVAILABLE,
    Kind.AGENT_LOGOUT: LOGGED_OUT,
    Kind.AGENT_PAUSE: PAUSED,
    Kind.AGENT_RESUME: AVAILABLE,
    Kind.CONNECTED: ON_CALL,
    Kind.HANGUP: AVAILABLE,
    Kind.WRAPUP_START: WRAPUP,
    Kind.WRAPUP_END: AVAILABLE,
}
# Only HANGUP moves the state "with an agent" in the doc's table (a dialer hangs up calls no agent
# took); every other state kind always concerns an agent.
KINDS_NEEDING_AN_AGENT = frozenset(STATE_SET_BY) - {Kind.HANGUP}
QUEUE_KINDS = frozenset({Kind.QUEUE_ENTERED, Kind.QUEUE_ANSWERED, Kind.QUEUE_ABANDONED})
# Kinds whose value is a duration, wait, delay or revenue, whatever their flags.
KINDS_WITH_NON_NEGATIVE_VALUE = frozenset({
    Kind.HANGUP, Kind.WRAPUP_END, Kind.MESSAGE_ANSWERED,
    Kind.QUEUE_ANSWERED, Kind.QUEUE_ABANDONED, Kind.SALE,
})
TOO_OLD_DAYS = 62

# The doc's counters that feed no period indicator (ringing, logins, pauses, wrapups,
# callbacks_done) are not tallied; live() reads the callbacks itself.
SIMPLE_TALLIES: dict[int, str] = {
    Kind.DIAL_ATTEMPT: "attempts",
    Kind.ANSWERED_HUMAN: "human_answers",
    Kind.ANSWERED_MACHINE: "machine_answers",
    Kind.NO_ANSWER: "no_answers",
    Kind.BUSY: "busy",
    Kind.INVALID_NUMBER: "invalid_numbers",
    Kind.CONNECTED: "connects",
    Kind.ABANDONED: "abandons",
    Kind.HANGUP: "hangups",
    Kind.DISPOSITION: "dispositions",
    Kind.CSAT_SCORED: "csat_count",
    Kind.NPS_SCORED: "nps_count",
    Kind.SALE: "sales",
    Kind.MESSAGE_ANSWERED: "responses",
    Kind.QUEUE_ENTERED: "queue_entered",
    Kind.QUEUE_ANSWERED: "queue_answered",
    Kind.QUEUE_ABANDONED: "queue_abandoned",
}

WEIGHTED = (
    "aht_seconds", "response_seconds", "first_response_seconds", "csat", "nps",
    "average_basket", "conversion_rate",
)
DISTINCT = ("active_lists", "active_campaigns_in_period")
# Indicators that are whole numbers: the property test compares them exactly.
COUNTS = (
    "attempts", "human_answers", "machine_answers", "no_answers", "busy", "invalid_numbers",
    "connects", "abandons", "hangups", "argued_calls", "processed_records", "positive_contacts",
    "callbacks_shared", "callbacks_personal", "conversations", "transactions", "queue_entered",
    "queue_answered", "missed_calls", *DISTINCT,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)
_FIRST_WEEKDAY = {"monday": 0, "sunday": 6}


def micros(moment: datetime) -> int:
    """An aware datetime as UTC microseconds (exact: no float on the way)."""
    return (moment - _EPOCH) // _ONE_MICROSECOND


class Calendar:
    """Local periods of one time zone, as [start, end) UTC-microsecond bounds."""

    def __init__(self, tz: ZoneInfo, week_start: str = "monday") -> None:
        if week_start not in _FIRST_WEEKDAY:
            raise ValueError(f"week_start must be 'monday' or 'sunday', not {week_start!r}")
        self.tz = tz
        self.week_start = week_start

    def local(self, instant: int) -> datetime:
        # astimezone sets `fold` on the second pass of a repeated hour, which replace() keeps.
        return (_EPOCH + instant * _ONE_MICROSECOND).astimezone(self.tz)

    def midnight(self, day: date) -> int:
        # Midnight is never skipped nor repeated in the zones the tests use, so fold 0 is it.
        return micros(datetime(day.year, day.month, day.day, tzinfo=self.tz))

    def hour(self, instant: int) -> tuple[int, int]:
        # Every local hour lasts one real hour in the tested zones (changes fall on hour marks).
        start = micros(self.local(instant).replace(minute=0, second=0, microsecond=0))
        return start, start + HOUR

    def day(self, instant: int) -> tuple[int, int]:
        today = self.local(instant).date()
        return self.midnight(today), self.midnight(today + timedelta(days=1))

    def week(self, instant: int) -> tuple[int, int]:
        today = self.local(instant).date()
        first = today - timedelta(days=(today.weekday() - _FIRST_WEEKDAY[self.week_start]) % 7)
        return self.midnight(first), self.midnight(first + timedelta(days=7))

    def month(self, instant: int) -> tuple[int, int]:
        today = self.local(instant).date()
        first = today.replace(day=1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return self.midnight(first), self.midnight(following)

    def bounds(self, period: str, instant: int) -> tuple[int, int]:
        cutters = {"hour": self.hour, "day": self.day, "week": self.week, "month": self.month}
        return cutters[period](instant)

    def previous(self, period: str, instant: int) -> tuple[int, int]:
        start, _ = self.bounds(period, instant)
        return self.bounds(period, start - 1)

    def window_start(self, window: str, now: int) -> int:
        """Rolling windows: the current bucket plus the n-1 before it."""
        if window in ("15m", "1h"):
            minutes = 15 if window == "15m" else 60
            return now - now % MINUTE - (minutes - 1) * MINUTE
        period, buckets = {"24h": ("hour", 24), "30d": ("day", 30)}[window]
        start, _ = self.bounds(period, now)
        for _ in range(buckets - 1):
            start, _ = self.bounds(period, start - 1)
        return start

    def days(self, start: int, now: int) -> list[tuple[int, int]]:
        """The local days from `start` (a midnight) to the day holding `now`."""
        found = []
        while start <= now:
            _, end = self.day(start)
            found.append((start, end))
            start = end
        return found

    def oldest_kept(self, newest: int) -> int:
        """Local midnight TOO_OLD_DAYS days before the local date of `newest`."""
        return self.midnight(self.local(newest).date() - timedelta(days=TOO_OLD_DAYS))


# --- validation ----------------------------------------------------------------------------------

def _switched(ev: Ev) -> tuple[str, int] | None:
    """The campaign or list whose activation an event switches, if any."""
    if ev.kind in (Kind.CAMPAIGN_ACTIVATED, Kind.CAMPAIGN_DEACTIVATED) and ev.campaign != NONE:
        return ("campaign", ev.campaign)
    if ev.kind in (Kind.LIST_ACTIVATED, Kind.LIST_DEACTIVATED) and ev.list != NONE:
        return ("list", ev.list)
    return None


def _rejection(
    ev: Ev, sizes: Mapping[str, int], cal: Calendar,
    newest: int | None, last_state_time: Mapping[int, int], last_switch_time: Mapping[tuple[str, int], int],
) -> str | None:
    """The slug of the first rule (in the doc's table order) that `ev` breaks."""
    if ev.kind not in KIND_CODES:
        return "unknown-kind"
    if any(getattr(ev, name) != NONE and getattr(ev, name) >= sizes[name] for name in DIMENSIONS):
        return "unknown-id"
    if ev.kind in KINDS_NEEDING_AN_AGENT and ev.agent == NONE:
        return "missing-agent"
    if ev.kind in QUEUE_KINDS and ev.call == 0:
        return "missing-call"
    if not math.isfinite(ev.value):
        return "value-not-finite"
    if ev.kind in KINDS_WITH_NON_NEGATIVE_VALUE and ev.value < 0:
        return "negative-value"
    if ev.kind == Kind.CSAT_SCORED and not 1 <= ev.value <= 5:
        return "score-out-of-range"
    if ev.kind == Kind.NPS_SCORED and not (0 <= ev.value <= 10 and float(ev.value).is_integer()):
        return "score-out-of-range"
    if ev.kind == Kind.SALE and ev.aux == 0:
        return "zero-transactions"
    if newest is not None and ev.time < cal.oldest_kept(newest):
        return "event-too-old"
    if _sets_state(ev) and ev.time < last_state_time.get(ev.agent, ev.time):
        return "agent-event-out-of-order"
    switched = _switched(ev)
    if switched is not None and ev.time < last_switch_time.get(switched, ev.time):
        return "state-event-out-of-order"
    return None


def validate(
    events: Sequence[Ev], sizes: Mapping[str, int], *, cal: Calendar
) -> tuple[list[Ev], list[tuple[int, str]]]:
    """Accepted events and (index, slug) rejections, in the order the engine receives them."""
    accepted: list[Ev] = []
    rejected: list[tuple[int, str]] = []
    newest: int | None = None
    last_state_time: dict[int, int] = {}
    last_switch_time: dict[tuple[str, int], int] = {}
    for index, ev in enumerate(events):
        slug = _rejection(ev, sizes, cal, newest, last_state_time, last_switch_time)
        if slug is not None:
            rejected.append((index, slug))
            continue
        accepted.append(ev)
        newest = ev.time if newest is None else max(newest, ev.time)
        if _sets_state(ev):
            last_state_time[ev.agent] = ev.time
        switched = _switched(ev)
        if switched is not None:
            last_switch_time[switched] = ev.time
    return accepted, rejected


def _sets_state(ev: Ev) -> bool:
    return ev.kind in STATE_SET_BY and ev.agent != NONE


def _in_time_order(events: Iterable[Ev]) -> list[Ev]:
    return sorted(events, key=lambda ev: ev.time)  # stable: ties keep ingestion order


# --- counters ------------------------------------------------------------------------------------

def _tally(events: Iterable[Ev], sl_seconds: float) -> defaultdict[str, float]:
    """The doc's counters, summed over `events`."""
    count: defaultdict[str, float] = defaultdict(float)
    for ev in events:
        if ev.kind in SIMPLE_TALLIES:
            count[SIMPLE_TALLIES[ev.kind]] += 1
        if ev.kind == Kind.HANGUP and ev.flags & Flag.HANDLED:
            count["conversations"] += 1
            count["talk_seconds"] += ev.value
        elif ev.kind == Kind.WRAPUP_END:
            count["wrapup_seconds"] += ev.value
        elif ev.kind == Kind.DISPOSITION:
            count["argued"] += bool(ev.flags & Flag.ARGUED)
            count["positive"] += bool(ev.flags & Flag.POSITIVE)
        elif ev.kind == Kind.CALLBACK_SCHEDULED:
            shared = bool(ev.flags & Flag.SHARED)
            count["callbacks_shared" if shared else "callbacks_personal"] += 1
        elif ev.kind == Kind.CSAT_SCORED:
            count["csat_sum"] += ev.value
        elif ev.kind == Kind.NPS_SCORED:
            count["promoters"] += ev.value >= 9
            count["detractors"] += ev.value <= 6
        elif ev.kind == Kind.SALE:
            count["revenue"] += ev.value
            count["transactions"] += ev.aux
        elif ev.kind == Kind.MESSAGE_ANSWERED:
            count["response_seconds"] += ev.value
            if ev.flags & Flag.FIRST_RESPONSE:
                count["first_responses"] += 1
                count["first_response_seconds"] += ev.value
        elif ev.kind == Kind.QUEUE_ANSWERED:
            count["queue_wait_seconds"] += ev.value
            count["queue_answered_in_sl"] += ev.value <= sl_seconds
        elif ev.kind == Kind.QUEUE_ABANDONED:
            count["queue_abandon_wait_seconds"] += ev.value
    return count


def _names(ev: Ev, dimension: str, entity: int) -> bool:
    """Whether `ev` is counted for the entity of the dimension."""
    return dimension == "center" or getattr(ev, dimension) == entity


# --- spans ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """Events with start <= time < end and time <= now; agent time in [start, min(end, now))."""

    start: int
    end: int
    now: int

    def holds(self, time: int) -> bool:
        return self.start <= time < self.end and time <= self.now

    @property
    def time_end(self) -> int:
        return min(self.end, self.now)


# --- agent time ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StateSpell:
    """A stretch [begin, end) one agent spent in one state, and who it is credited to."""

    begin: int
    end: int
    state: str
    owners: Mapping[str, int]


def _spells(events: Iterable[Ev], now: int) -> list[StateSpell]:
    """Every agent's timeline replayed from its state events up to `now`."""
    by_agent: dict[int, list[Ev]] = defaultdict(list)
    for ev in _in_time_order(e for e in events if e.time <= now and _sets_state(e)):
        by_agent[ev.agent].append(ev)
    spells = []
    for agent, timeline in by_agent.items():
        # An event naming no tenant, team or campaign keeps the one of the agent's previous state
        # event. docs/metrics.md says so of team and campaign only; the tenant is carried alike,
        # or an agent's time would drop out of its tenant whenever a producer left it out.
        carried = dict.fromkeys(("tenant", "team", "campaign"), NONE)
        for ev, following in zip(timeline, [*timeline[1:], None], strict=True):
            owners = {"agent": agent}
            for name in carried:
                named = getattr(ev, name)
                carried[name] = owners[name] = carried[name] if named == NONE else named
            end = now if following is None else following.time
            spells.append(StateSpell(ev.time, end, STATE_SET_BY[ev.kind], owners))
    return spells


def _agent_micros(
    events: Iterable[Ev], span: Span, dimension: str, entity: int
) -> dict[str, int]:
    """Microseconds spent in each state inside the span, credited to the entity."""
    spent = dict.fromkeys((AVAILABLE, ON_CALL, WRAPUP, PAUSED), 0)
    for spell in _spells(events, span.now):
        if spell.state == LOGGED_OUT:
            continue
        if dimension != "center" and spell.owners.get(dimension, NONE) != entity:
            continue
        spent[spell.state] += max(0, min(spell.end, span.time_end) - max(spell.begin, span.start))
    return spent


# --- indicators ----------------------------------------------------------------------------------

def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _pooled(
    events: Sequence[Ev], span: Span, dimension: str, entity: int, sl_seconds: float
) -> dict[str, float | None]:
    """Every indicator but the distinct ones, by its formula on the span's counters."""
    inside = (ev for ev in events if span.holds(ev.time) and _names(ev, dimension, entity))
    c = _tally(inside, sl_seconds)
    t = _agent_micros(events, span, dimension, entity)
    available, on_call, wrapup, paused = (
        t[state] / SECOND for state in (AVAILABLE, ON_CALL, WRAPUP, PAUSED)
    )
    production_hours = (available + on_call + wrapup) / 3600
    return {
        "attempts": c["attempts"],
        "human_answers": c["human_answers"],
        "machine_answers": c["machine_answers"],
        "no_answers": c["no_answers"],
        "busy": c["busy"],
        "invalid_numbers": c["invalid_numbers"],
        "connects": c["connects"],
        "abandons": c["abandons"],
        "hangups": c["hangups"],
        "contact_rate": _ratio(c["human_answers"], c["attempts"]),
        "abandon_rate": _ratio(c["abandons"], c["human_answers"]),
        "argued_calls": c["argued"],
        "argued_share": _ratio(c["argued"], c["attempts"]),
        "processed_records": c["dispositions"],
        "positive_contacts": c["positive"],
        "positive_share": _ratio(c["positive"], c["dispositions"]),
        "callbacks_shared": c["callbacks_shared"],
        "callbacks_personal": c["callbacks_personal"],
        "conversations": c["conversations"],
        "talk_seconds": c["talk_seconds"],
        "wrapup_seconds": c["wrapup_seconds"],
        "aht_seconds": _ratio(c["talk_seconds"] + c["wrapup_seconds"], c["conversations"]),
        "response_seconds": _ratio(c["response_seconds"], c["responses"]),
        "first_response_seconds": _ratio(c["first_response_seconds"], c["first_responses"]),
        "csat": _ratio(c["csat_sum"], c["csat_count"]),
        "nps": _ratio(100 * (c["promoters"] - c["detractors"]), c["nps_count"]),
        "revenue": c["revenue"],
        "transactions": c["transactions"],
        "average_basket": _ratio(c["revenue"], c["transactions"]),
        "conversion_rate": _ratio(c["sales"], c["conversations"]),
        "seconds_available": available,
        "seconds_on_call": on_call,
        "seconds_wrapup": wrapup,
        "seconds_paused": paused,
        "logged_hours": (available + on_call + wrapup + paused) / 3600,
        "production_hours": production_hours,
        "pause_hours": paused / 3600,
        "occupancy": _ratio(on_call + wrapup, available + on_call + wrapup),
        "connects_per_agent_hour": _ratio(c["connects"], production_hours),
        "queue_entered": c["queue_entered"],
        "queue_answered": c["queue_answered"],
        "missed_calls": c["queue_abandoned"],
        "asa_seconds": _ratio(c["queue_wait_seconds"], c["queue_answered"]),
        "service_level": _ratio(
            c["queue_answered_in_sl"], c["queue_answered"] + c["queue_abandoned"]
        ),
        "average_abandon_wait_seconds": _ratio(
            c["queue_abandon_wait_seconds"], c["queue_abandoned"]
        ),
    }


def _weighted(daily: Sequence[Mapping[str, float | None]], name: str) -> float | None:
    """Σ conversations_d × x_d / Σ conversations_d over days with a value and conversations."""
    weighed = 0.0
    weights = 0.0
    for day in daily:
        value, conversations = day[name], day["conversations"]
        if value is not None and conversations:
            weighed += conversations * value
            weights += conversations
    return _ratio(weighed, weights)


def _active_ids(
    events: Sequence[Ev], on: Kind, off: Kind, key: str, start: int, now: int
) -> dict[int, Ev]:
    """Ids active at some moment of [start, now], each with its last activation at or before now.

    The state changes only at its events, and holds from each one onward, so it was active at
    some moment of [start, now] iff it was active at `start` or right after one of its events
    inside (start, now]."""
    toggles: dict[int, list[Ev]] = defaultdict(list)
    for ev in _in_time_order(e for e in events if e.kind in (on, off) and e.time <= now):
        if getattr(ev, key) != NONE:
            toggles[getattr(ev, key)].append(ev)
    found = {}
    for ident, timeline in toggles.items():
        moments = [start, *(ev.time for ev in timeline if start < ev.time <= now)]
        if any(_active_at(timeline, on, moment) for moment in moments):
            found[ident] = [ev for ev in timeline if ev.kind == on][-1]
    return found


def _active_at(timeline: Sequence[Ev], on: Kind, instant: int) -> bool:
    """Whether the last of the (time-ordered) toggles at or before `instant` is an activation."""
    applied = [ev for ev in timeline if ev.time <= instant]
    return bool(applied) and applied[-1].kind == on


def _distinct(
    events: Sequence[Ev], start: int, now: int, dimension: str, entity: int
) -> dict[str, float | None]:
    if dimension not in ("center", "tenant", "campaign"):
        return dict.fromkeys(DISTINCT)
    lists = _active_ids(events, Kind.LIST_ACTIVATED, Kind.LIST_DEACTIVATED, "list", start, now)
    campaigns = _active_ids(
        events, Kind.CAMPAIGN_ACTIVATED, Kind.CAMPAIGN_DEACTIVATED, "campaign", start, now
    )
    return {
        "active_lists": float(sum(_names(ev, dimension, entity) for ev in lists.values())),
        "active_campaigns_in_period": float(
            sum(_names(ev, dimension, entity) for ev in campaigns.values())
        ),
    }


def values(
    events: Sequence[Ev], *, cal: Calendar, now: int, period: str, dimension: str, entity: int,
    sl_seconds: float = 20.0,
) -> dict[str, float | None]:
    """Every period indicator of the period holding `now`, from its start up to `now`.

    `events` are the accepted ones (validate()'s first result), in ingestion order."""
    start, end = cal.bounds(period, now)
    result = _pooled(events, Span(start, end, now), dimension, entity, sl_seconds)
    if period != "day":
        daily = [
            _pooled(events, Span(day_start, day_end, now), dimension, entity, sl_seconds)
            for day_start, day_end in cal.days(start, now)
        ]
        result.update({name: _weighted(daily, name) for name in WEIGHTED})
    result.update(_distinct(events, start, now, dimension, entity))
    return result


def rolling(
    events: Sequence[Ev], *, cal: Calendar, now: int, window: str, dimension: str, entity: int,
    sl_seconds: float = 20.0,
) -> dict[str, float | None]:
    """Every indicator but the distinct ones, pooled over the rolling window ending at `now`."""
    span = Span(cal.window_start(window, now), now + 1, now)
    return _pooled(events, span, dimension, entity, sl_seconds)


# --- live figures --------------------------------------------------------------------------------

def live(events: Sequence[Ev], *, now: int) -> dict:
    """The live figures at `now`, from the accepted events up to `now`."""
    past = _in_time_order(ev for ev in events if ev.time <= now)
    states: dict[int, str] = {}
    campaigns_on: dict[int, bool] = {}
    shared_pending = 0
    waiting_since: dict[tuple[int, int], int] = {}
    for ev in past:
        if _sets_state(ev):
            states[ev.agent] = STATE_SET_BY[ev.kind]
        elif ev.kind in (Kind.CAMPAIGN_ACTIVATED, Kind.CAMPAIGN_DEACTIVATED):
            if ev.campaign != NONE:
                campaigns_on[ev.campaign] = ev.kind == Kind.CAMPAIGN_ACTIVATED
        elif ev.kind in (Kind.CALLBACK_SCHEDULED, Kind.CALLBACK_DONE) and ev.flags & Flag.SHARED:
            shared_pending += 1 if ev.kind == Kind.CALLBACK_SCHEDULED else -1
    # A call waits from its entry until an answer or abandon in that queue at or after it: at
    # one instant, the entry comes first whatever order the two arrived in.
    queue_events = sorted((ev for ev in past if ev.kind in QUEUE_KINDS and ev.queue != NONE),
                          key=lambda ev: (ev.time, ev.kind != Kind.QUEUE_ENTERED))
    for ev in queue_events:
        if ev.kind == Kind.QUEUE_ENTERED:
            # A call entering again while it still waits keeps waiting since its first entry.
            waiting_since.setdefault((ev.queue, ev.call), ev.time)
        else:
            waiting_since.pop((ev.queue, ev.call), None)
    queues: dict[int, dict[str, float]] = {}
    for (queue, _call), since in waiting_since.items():
        figures = queues.setdefault(queue, {"waiting": 0, "longest_wait_seconds": 0.0})
        figures["waiting"] += 1
        figures["longest_wait_seconds"] = max(figures["longest_wait_seconds"],
                                              (now - since) / SECOND)
    in_state = list(states.values())
    return {
        "agents_connected": sum(state != LOGGED_OUT for state in in_state),
        "agents_available": in_state.count(AVAILABLE),
        "agents_on_call": in_state.count(ON_CALL),
        "agents_wrapup": in_state.count(WRAPUP),
        "agents_paused": in_state.count(PAUSED),
        "active_campaigns": sum(campaigns_on.values()),
        "shared_callbacks_pending": shared_pending,
        "queues": queues,
    }
