"""Hypothesis strategies: random event streams of a small center, and queries over them.

A stream is what a day or two of a small center sends: agent sessions (login, calls, pauses,
logout), dialer outcomes, queue calls, chats, ratings and sales, callbacks, campaign and list
switches. It starts a little before one of a few anchors (a local midnight that is also a week,
month or DST boundary somewhere) so periods are cut where it matters. Events mostly arrive in
time order; a few arrive minutes to days late, except agent state events, which a real agent
sends in order, and campaign and list switches, which the store records in order. Optionally a
few bad events are slipped in.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from tests.metrics.reference import (
    DIMENSIONS,
    HOUR,
    MINUTE,
    NONE,
    PERIODS,
    SECOND,
    STATE_SET_BY,
    WINDOWS,
    Calendar,
    Ev,
    Flag,
    Kind,
    micros,
)

SIZES = {"tenant": 3, "campaign": 3, "list": 4, "agent": 6, "team": 3, "queue": 2, "channel": 2}
ZONES = ("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata")
DAY = 24 * HOUR
# Local midnights that start something somewhere: a US or EU DST day (the Sundays 03-08, 03-29,
# 10-25, 11-01), a Monday (03-30, 11-02), a month (04-01, 11-01) and a year (2027-01-01).
ANCHORS = tuple(
    datetime(*day)
    for day in [(2026, 3, 8), (2026, 3, 29), (2026, 3, 30), (2026, 4, 1), (2026, 10, 25),
                (2026, 11, 1), (2026, 11, 2), (2027, 1, 1)]
)


@dataclass(frozen=True)
class Stream:
    zone: str
    week_start: str
    events: tuple[Ev, ...]  # in ingestion order
    anchor: int  # the boundary the stream straddles
    first: int  # earliest and latest time of the realistic events (not the slipped-in bad ones)
    last: int


@dataclass(frozen=True)
class Query:
    now: int
    span: str  # a period ("day", "week", "month") or a rolling window ("15m", "1h", "24h", "30d")
    dimension: str  # "center" or one of DIMENSIONS
    entity: int


@dataclass(frozen=True)
class _Org:
    """Who belongs to whom, drawn once per stream."""

    agent_tenant: tuple[int, ...]
    agent_team: tuple[int, ...]
    campaign_tenant: tuple[int, ...]
    list_campaign: tuple[int, ...]


class _Builder:
    """Collects one stream's events; `late_ok` is False for events that must arrive in order."""

    def __init__(self, draw: st.DrawFn, org: _Org, origin: int, length: int, anchor: int) -> None:
        self.draw = draw
        self.org = org
        self.origin = origin
        self.length = length
        self.anchor = anchor
        self.events: list[tuple[Ev, bool]] = []
        self.call_ids = count(1)

    def add(self, ev: Ev, *, late_ok: bool = True) -> None:
        self.events.append((ev, late_ok))

    def instant(self) -> int:
        """A whole second of the stream, or an instant right at the anchor."""
        on_anchor = st.sampled_from([self.anchor - 1, self.anchor, self.anchor + SECOND])
        seconds = st.integers(0, self.length // SECOND).map(lambda s: self.origin + s * SECOND)
        return self.draw(st.one_of(seconds, seconds, seconds, on_anchor))

    def seconds(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high)) * SECOND

    def pick(self, *choices: int) -> int:
        return self.draw(st.sampled_from(choices))

    def campaign_and_list(self) -> tuple[int, int, int]:
        """(tenant, campaign, list) of a dialed contact."""
        campaign = self.draw(st.integers(0, SIZES["campaign"] - 1))
        lists = [i for i, owner in enumerate(self.org.list_campaign) if owner == campaign]
        return self.org.campaign_tenant[campaign], campaign, self.pick(*lists, NONE)


def _agent_session(b: _Builder, agent: int) -> None:
    """Login, a few calls and pauses, and maybe a logout, all in the agent's order."""
    tenant, team = b.org.agent_tenant[agent], b.org.agent_team[agent]
    campaign = b.draw(st.integers(0, SIZES["campaign"] - 1))
    t = b.instant()

    def state(kind: Kind, time: int, **fields: Any) -> None:
        # Producers usually name tenant, team and campaign; sometimes not (carry-over).
        named = {
            "tenant": b.pick(*[tenant] * 7, NONE),
            "team": b.pick(*[team] * 3, NONE),
            "campaign": b.pick(*[campaign] * 3, NONE),
        }
        b.add(Ev(time, kind, agent=agent, **(named | fields)), late_ok=False)

    b.add(Ev(t, Kind.AGENT_LOGIN, tenant=tenant, team=team, campaign=campaign, agent=agent),
          late_ok=False)
    for _ in range(b.draw(st.integers(0, 4))):
        t += b.seconds(0, 40 * 60)
        if b.draw(st.booleans()):
            campaign = b.pick(campaign, campaign, *range(SIZES["campaign"]))
            t = _agent_call(b, agent, tenant, campaign, t, state)
        else:
            state(Kind.AGENT_PAUSE, t, aux=b.draw(st.integers(0, 5)))
            t += b.seconds(0, 20 * 60)
            if b.draw(st.integers(0, 4)):
                state(Kind.AGENT_RESUME, t)
    if b.draw(st.booleans()):
        state(Kind.AGENT_LOGOUT, t + b.seconds(0, 30 * 60))


def _agent_call(
    b: _Builder, agent: int, tenant: int, campaign: int, t: int, state: Callable[..., None]
) -> int:
    """One dialed call taken by the agent at `t`; returns when its wrap-up ends."""
    lists = [i for i, owner in enumerate(b.org.list_campaign) if owner == campaign]
    contact = {"tenant": tenant, "campaign": campaign, "list": b.pick(*lists, NONE),
               "call": next(b.call_ids)}
    b.add(Ev(t - b.seconds(3, 30), Kind.DIAL_ATTEMPT, **contact))
    b.add(Ev(t - 2 * SECOND, Kind.RINGING, **contact))
    b.add(Ev(t - SECOND, Kind.ANSWERED_HUMAN, **contact))
    channel = b.pick(0, 1, NONE)
    state(Kind.CONNECTED, t, list=contact["list"], call=contact["call"], channel=channel)
    talk = b.draw(st.integers(0, 900))
    t += talk * SECOND
    handled = b.pick(Flag.HANDLED, Flag.HANDLED, Flag.HANDLED, 0)
    state(Kind.HANGUP, t, value=float(talk), flags=handled, call=contact["call"], channel=channel)
    t += b.pick(0, 0, SECOND, 5 * SECOND)  # wrap-up often starts at the hangup's very instant
    state(Kind.WRAPUP_START, t, call=contact["call"])
    wrap = b.draw(st.integers(0, 120))
    t += wrap * SECOND
    state(Kind.WRAPUP_END, t, value=float(wrap), call=contact["call"])
    outcome = b.pick(0, Flag.POSITIVE, Flag.ARGUED, Flag.POSITIVE | Flag.ARGUED)
    b.add(Ev(t, Kind.DISPOSITION, agent=agent, aux=b.draw(st.integers(0, 9)), flags=outcome,
             **contact))
    after = t + b.seconds(0, 600)
    if b.draw(st.booleans()):
        b.add(Ev(after, Kind.CSAT_SCORED, agent=agent, value=float(b.draw(st.integers(1, 5))),
                 **contact))
    if b.draw(st.booleans()):
        b.add(Ev(after, Kind.NPS_SCORED, agent=agent, value=float(b.draw(st.integers(0, 10))),
                 **contact))
    if b.draw(st.booleans()):
        revenue = b.draw(st.integers(0, 50_000)) / 100
        b.add(Ev(after, Kind.SALE, agent=agent, value=revenue, aux=b.draw(st.integers(1, 4)),
                 **contact))
    if b.draw(st.booleans()):
        b.add(Ev(after, Kind.CALLBACK_SCHEDULED, agent=agent, flags=b.pick(0, Flag.SHARED),
                 **contact))
    return t


def _dialer_outcome(b: _Builder) -> None:
    """A dialed call no agent took: no answer, busy, invalid, machine or abandoned."""
    tenant, campaign, list_ = b.campaign_and_list()
    contact = {"tenant": tenant, "campaign": campaign, "list": list_, "call": next(b.call_ids)}
    t = b.instant()
    b.add(Ev(t, Kind.DIAL_ATTEMPT, **contact))
    t += b.seconds(1, 30)
    outcome = b.pick(Kind.NO_ANSWER, Kind.BUSY, Kind.INVALID_NUMBER, Kind.ANSWERED_MACHINE,
                     Kind.ANSWERED_HUMAN)
    b.add(Ev(t, outcome, **contact))
    if outcome == Kind.ANSWERED_HUMAN:
        b.add(Ev(t + 2 * SECOND, Kind.ABANDONED, **contact))
    if outcome in (Kind.ANSWERED_HUMAN, Kind.ANSWERED_MACHINE):
        b.add(Ev(t + b.seconds(2, 20), Kind.HANGUP, value=float(b.draw(st.integers(0, 20))),
                 **contact))


def _queue_call(b: _Builder) -> None:
    """An inbound call: enters a queue, then is answered, abandoned or still waits."""
    queue = b.draw(st.integers(0, SIZES["queue"] - 1))
    fields = {"tenant": b.draw(st.integers(0, SIZES["tenant"] - 1)), "queue": queue,
              "channel": b.pick(0, 1, NONE), "call": next(b.call_ids)}
    t = b.instant()
    b.add(Ev(t, Kind.QUEUE_ENTERED, **fields))
    fate = b.pick(Kind.QUEUE_ANSWERED, Kind.QUEUE_ANSWERED, Kind.QUEUE_ABANDONED, NONE)
    if fate != NONE:
        wait = b.draw(st.integers(0, 90))  # 20 s, the service-level threshold, included
        b.add(Ev(t + wait * SECOND, fate, value=float(wait), **fields))


def _chat(b: _Builder) -> None:
    """A chat on a channel: a few answered messages, the first one flagged, maybe closed."""
    fields = {"tenant": b.draw(st.integers(0, SIZES["tenant"] - 1)),
              "channel": b.draw(st.integers(0, SIZES["channel"] - 1)), "call": next(b.call_ids)}
    t = start = b.instant()
    for index in range(b.draw(st.integers(1, 3))):
        delay = b.draw(st.integers(0, 6000)) / 10
        t += int(delay * SECOND)
        flags = Flag.FIRST_RESPONSE if index == 0 else 0
        b.add(Ev(t, Kind.MESSAGE_ANSWERED, value=delay, flags=flags, **fields))
    if b.draw(st.booleans()):
        t += b.seconds(0, 300)
        b.add(Ev(t, Kind.HANGUP, value=(t - start) / SECOND, flags=Flag.HANDLED, **fields))


def _switches(b: _Builder, on: Kind, off: Kind, fields: dict[str, int]) -> None:
    """Activations and deactivations of one list or campaign, some before the stream starts;
    like an agent's state events they arrive in order (docs/metrics.md, state-event-out-of-order)."""
    t = b.pick(b.origin - 3 * DAY, b.origin - HOUR, b.instant())
    for _ in range(b.draw(st.integers(1, 3))):
        b.add(Ev(t, on, **fields), late_ok=False)
        if not b.draw(st.integers(0, 2)):
            return
        t += b.pick(0, SECOND, b.seconds(1, 12 * 3600))  # 0: deactivated at the same instant
        b.add(Ev(t, off, **fields), late_ok=False)
        t += b.seconds(0, 12 * 3600)


def _callback_done(b: _Builder) -> None:
    tenant, campaign, list_ = b.campaign_and_list()
    b.add(Ev(b.instant(), Kind.CALLBACK_DONE, tenant=tenant, campaign=campaign, list=list_,
             flags=b.pick(0, Flag.SHARED)))


def _bad_event(draw: st.DrawFn, before: list[Ev], cal: Calendar, first: int) -> Ev:
    """An event one rule rejects (or one the doc leaves open), timed among `before`."""
    t = before[-1].time if before else first
    kinds_of_bad = ["kind", "id", "agent", "call", "nan", "negative", "score", "sale", "old",
                    "order", "open"]
    bad = draw(st.sampled_from(kinds_of_bad))
    if bad == "kind":
        return Ev(t, draw(st.integers(len(Kind), 255)))
    if bad == "id":
        name = draw(st.sampled_from(sorted(SIZES)))
        return Ev(t, Kind.DIAL_ATTEMPT, **{name: SIZES[name] + draw(st.integers(0, 3))})
    if bad == "agent":
        kind = draw(st.sampled_from([Kind.AGENT_LOGIN, Kind.AGENT_PAUSE, Kind.CONNECTED,
                                     Kind.WRAPUP_START, Kind.WRAPUP_END]))
        return Ev(t, kind, tenant=0)
    if bad == "call":
        return Ev(t, Kind.QUEUE_ENTERED, queue=0)
    if bad == "nan":
        not_finite = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
        return Ev(t, Kind.CSAT_SCORED, value=not_finite)
    if bad == "negative":
        kind = draw(st.sampled_from([Kind.WRAPUP_END, Kind.QUEUE_ANSWERED, Kind.SALE]))
        return Ev(t, kind, agent=0, queue=0, call=99_999, value=-1.5, aux=1)
    if bad == "score":
        kind, value = draw(st.sampled_from([(Kind.CSAT_SCORED, 0.0), (Kind.CSAT_SCORED, 6.0),
                                            (Kind.NPS_SCORED, 11.0), (Kind.NPS_SCORED, -1.0),
                                            (Kind.NPS_SCORED, 7.5)]))
        return Ev(t, kind, value=value)
    if bad == "sale":
        return Ev(t, Kind.SALE, value=10.0, aux=0)
    if bad == "old" and before:
        # At the 62-day limit of the newest event so far: 1 µs past it, on it (kept), or far past.
        limit = cal.oldest_kept(max(ev.time for ev in before))
        return Ev(limit - draw(st.sampled_from([1, 0, 30 * DAY])), Kind.DIAL_ATTEMPT, tenant=0)
    states = [ev for ev in before if ev.kind in STATE_SET_BY and ev.agent != NONE]
    if bad == "order" and states:
        last = states[-1]
        return Ev(last.time - draw(st.integers(1, 600)) * SECOND, Kind.AGENT_RESUME,
                  agent=last.agent)
    # Cases the doc leaves open (see reference.py): NaN on a kind that takes no value, a negative
    # unhandled hangup, a half-point CSAT, a nameless list switch, a queue call with no queue.
    return draw(st.sampled_from([
        Ev(t, Kind.QUEUE_ENTERED, tenant=0, call=99_998),
        Ev(t, Kind.DIAL_ATTEMPT, value=math.nan),
        Ev(t, Kind.HANGUP, value=-1.0),
        Ev(t, Kind.CSAT_SCORED, value=3.5),
        Ev(t, Kind.LIST_ACTIVATED, tenant=0),
    ]))


def _owners(draw: st.DrawFn, member: str, owner: str) -> tuple[int, ...]:
    """The owner (say the tenant) of each member (say each agent)."""
    size = SIZES[member]
    return tuple(draw(st.lists(st.integers(0, SIZES[owner] - 1), min_size=size, max_size=size)))


@st.composite
def streams(draw: st.DrawFn, *, bad_events: bool = True) -> Stream:
    zone = draw(st.sampled_from(ZONES))
    week_start = draw(st.sampled_from(["monday", "sunday"]))
    anchor = micros(draw(st.sampled_from(ANCHORS)).replace(tzinfo=ZoneInfo(zone)))
    origin = anchor - draw(st.integers(0, 30 * 3600)) * SECOND
    length = draw(st.integers(3600, 3 * 24 * 3600)) * SECOND
    org = _Org(
        agent_tenant=_owners(draw, "agent", "tenant"),
        agent_team=_owners(draw, "agent", "team"),
        campaign_tenant=_owners(draw, "campaign", "tenant"),
        list_campaign=_owners(draw, "list", "campaign"),
    )
    b = _Builder(draw, org, origin, length, anchor)
    for agent in draw(st.sets(st.integers(0, SIZES["agent"] - 1), max_size=SIZES["agent"])):
        _agent_session(b, agent)
    for _ in range(draw(st.integers(0, 12))):
        draw(st.sampled_from([_dialer_outcome, _queue_call, _chat, _callback_done]))(b)
    for list_ in draw(st.sets(st.integers(0, SIZES["list"] - 1))):
        campaign = org.list_campaign[list_]
        _switches(b, Kind.LIST_ACTIVATED, Kind.LIST_DEACTIVATED,
                  {"list": list_, "campaign": campaign, "tenant": org.campaign_tenant[campaign]})
    for campaign in draw(st.sets(st.integers(0, SIZES["campaign"] - 1))):
        _switches(b, Kind.CAMPAIGN_ACTIVATED, Kind.CAMPAIGN_DEACTIVATED,
                  {"campaign": campaign, "tenant": org.campaign_tenant[campaign]})
    if not b.events:
        b.add(Ev(origin, Kind.DIAL_ATTEMPT))

    # Delivery: in time order, but a few events arrive minutes to days after their time.
    timed = sorted(b.events, key=lambda pair: pair[0].time)
    delays = [
        draw(st.sampled_from([0] * 9 + [b.seconds(120, 3 * 24 * 3600)])) if late_ok else 0
        for _, late_ok in timed
    ]
    order = sorted(range(len(timed)), key=lambda i: (timed[i][0].time + delays[i], i))
    events = [timed[i][0] for i in order]
    first, last = timed[0][0].time, timed[-1][0].time

    if bad_events:
        cal = Calendar(ZoneInfo(zone), week_start)
        for _ in range(draw(st.integers(0, 3))):
            position = draw(st.integers(0, len(events)))
            events.insert(position, _bad_event(draw, events[:position], cal, first))
    return Stream(zone, week_start, tuple(events), anchor, first, last)


@st.composite
def queries(draw: st.DrawFn, stream: Stream) -> Query:
    """A query whose `now` is inside the stream, right at an event or a boundary, or after it."""
    cal = Calendar(ZoneInfo(stream.zone), stream.week_start)
    times = sorted({ev.time for ev in stream.events if stream.first <= ev.time <= stream.last})
    boundaries = sorted({
        edge + nudge
        for instant in (stream.anchor, stream.last)
        for period in ("hour", *PERIODS)
        for edge in cal.bounds(period, instant)
        for nudge in (-1, 0, 1)
    })
    now = draw(st.one_of(
        st.sampled_from(times),
        st.integers(stream.first - HOUR, stream.last + HOUR),
        st.integers(MINUTE, 10 * DAY).map(lambda after: stream.last + after),
        st.sampled_from(boundaries),
    ))
    span = draw(st.sampled_from(PERIODS + WINDOWS))
    dimension = draw(st.sampled_from(("center", "center", *DIMENSIONS)))
    entity = 0 if dimension == "center" else draw(st.integers(0, SIZES[dimension] - 1))
    return Query(now, span, dimension, entity)
