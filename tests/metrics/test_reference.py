"""Hand-worked scenarios for the reference reading of docs/metrics.md.

The reference is the yardstick the engine is measured with, so it is checked here against numbers
worked out by hand (the arithmetic is in the comments), not against itself.
"""
from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings

from tests.metrics.reference import (
    COUNTS,
    DISTINCT,
    SECOND,
    Calendar,
    Ev,
    Flag,
    Kind,
    live,
    micros,
    rolling,
    validate,
    values,
)
from tests.metrics.strategies import SIZES, Stream, streams

UTC = Calendar(ZoneInfo("UTC"))
PARIS = Calendar(ZoneInfo("Europe/Paris"))


def at(text: str) -> int:
    """An ISO instant with an explicit offset ("Z" or "+02:00") as UTC microseconds."""
    return micros(datetime.fromisoformat(text))


def day(events: list[Ev], now: str, dimension: str = "center", entity: int = 0,
        cal: Calendar = UTC, period: str = "day") -> dict[str, float | None]:
    return values(events, cal=cal, now=at(now), period=period, dimension=dimension, entity=entity)


# --- calls, ratings, messages, queues on one UTC day ---------------------------------------------

def _call(call: int, list_: int, dialed: str, answered: str, connected: str, hung_up: str,
          talk: float, wrapped: str, wrap: float, outcome: int) -> list[Ev]:
    """A call agent 0 took, from the dial to its disposition."""
    contact = {"tenant": 0, "campaign": 0, "list": list_, "call": call}
    state = {**contact, "agent": 0, "team": 0}
    return [
        Ev(at(dialed), Kind.DIAL_ATTEMPT, **contact),
        Ev(at(answered), Kind.ANSWERED_HUMAN, **contact),
        Ev(at(connected), Kind.CONNECTED, **state),
        Ev(at(hung_up), Kind.HANGUP, value=talk, flags=Flag.HANDLED, **state),
        Ev(at(hung_up), Kind.WRAPUP_START, **state),
        Ev(at(wrapped), Kind.WRAPUP_END, value=wrap, **state),
        Ev(at(wrapped), Kind.DISPOSITION, aux=3, flags=outcome, **contact, agent=0),
    ]


def _unanswered(call: int, list_: int, dialed: str, outcome: Kind) -> list[Ev]:
    contact = {"tenant": 0, "campaign": 0, "list": list_, "call": call}
    return [Ev(at(dialed), Kind.DIAL_ATTEMPT, **contact), Ev(at(dialed) + 20 * SECOND, outcome,
                                                                 **contact)]


CALL_DAY = [
    Ev(at("2026-05-12T08:55Z"), Kind.AGENT_LOGIN, tenant=0, campaign=0, agent=0, team=0),
    *_call(1, 0, "2026-05-12T09:00Z", "2026-05-12T09:00:05Z", "2026-05-12T09:00:06Z",
           "2026-05-12T09:02:06Z", 120.0, "2026-05-12T09:02:36Z", 30.0,
           Flag.POSITIVE | Flag.ARGUED),
    # call 2: a human answer nobody took in time, hung up unhandled
    Ev(at("2026-05-12T09:01Z"), Kind.DIAL_ATTEMPT, tenant=0, campaign=0, list=0, call=2),
    Ev(at("2026-05-12T09:01:05Z"), Kind.ANSWERED_HUMAN, tenant=0, campaign=0, list=0, call=2),
    Ev(at("2026-05-12T09:01:07Z"), Kind.ABANDONED, tenant=0, campaign=0, list=0, call=2),
    Ev(at("2026-05-12T09:01:08Z"), Kind.HANGUP, value=1.0, tenant=0, campaign=0, list=0, call=2),
    *_unanswered(3, 0, "2026-05-12T09:02Z", Kind.NO_ANSWER),
    *_unanswered(4, 1, "2026-05-12T09:03Z", Kind.BUSY),
    *_call(5, 1, "2026-05-12T09:04Z", "2026-05-12T09:04:05Z", "2026-05-12T09:04:06Z",
           "2026-05-12T09:09:06Z", 300.0, "2026-05-12T09:10:06Z", 60.0, Flag.ARGUED),
]


def test_call_counts_and_aht() -> None:
    got = day(CALL_DAY, "2026-05-12T10:00Z")
    assert (got["attempts"], got["human_answers"], got["no_answers"], got["busy"]) == (5, 3, 1, 1)
    assert (got["connects"], got["abandons"], got["hangups"], got["conversations"]) == (2, 1, 3, 2)
    assert got["contact_rate"] == 3 / 5
    assert got["abandon_rate"] == 1 / 3
    assert (got["argued_calls"], got["argued_share"]) == (2, 2 / 5)
    assert (got["processed_records"], got["positive_contacts"]) == (2, 1)
    assert got["positive_share"] == 0.5
    assert (got["talk_seconds"], got["wrapup_seconds"]) == (420, 90)
    assert got["aht_seconds"] == (420 + 90) / 2 == 255
    # The unhandled hangup's second is no talk time; nothing was rated, sold or queued.
    assert got["csat"] is None and got["average_basket"] is None and got["asa_seconds"] is None
    assert got["conversion_rate"] == 0


def test_call_counts_per_list() -> None:
    got = day(CALL_DAY, "2026-05-12T10:00Z", "list", 1)  # calls 4 (busy) and 5 (taken)
    assert (got["attempts"], got["busy"], got["connects"], got["conversations"]) == (2, 1, 1, 1)
    assert got["aht_seconds"] == 360
    assert got["seconds_on_call"] == 0  # agent time is never credited to a list
    assert got["occupancy"] is None and got["connects_per_agent_hour"] is None
    assert got["active_lists"] is None  # distinct counts exist for center, tenant, campaign only


def test_agent_time_of_the_call_day() -> None:
    got = day(CALL_DAY, "2026-05-12T10:00Z", "agent", 0)
    # available 08:55:00-09:00:06 (306 s) + 09:02:36-09:04:06 (90) + 09:10:06-10:00 (2994)
    assert got["seconds_available"] == 306 + 90 + 2994
    assert (got["seconds_on_call"], got["seconds_wrapup"], got["seconds_paused"]) == (420, 90, 0)
    assert got["logged_hours"] == 3900 / 3600  # 08:55 to 10:00
    assert got["occupancy"] == 510 / 3900
    assert got["connects_per_agent_hour"] == 2 / (3900 / 3600)


def test_ratings_sales_callbacks_and_messages() -> None:
    t = at("2026-05-12T11:00Z")
    rated = {"tenant": 0, "campaign": 0, "agent": 0}
    events = [
        *CALL_DAY,
        Ev(t, Kind.CSAT_SCORED, value=4.0, **rated),
        Ev(t, Kind.CSAT_SCORED, value=5.0, **rated),
        Ev(t, Kind.NPS_SCORED, value=10.0, **rated),
        Ev(t, Kind.NPS_SCORED, value=9.0, **rated),
        Ev(t, Kind.NPS_SCORED, value=3.0, **rated),
        Ev(t, Kind.NPS_SCORED, value=7.0, **rated),  # passive: in the count only
        Ev(t, Kind.SALE, value=100.0, aux=2, **rated),
        Ev(t, Kind.SALE, value=50.0, aux=1, **rated),
        Ev(t, Kind.CALLBACK_SCHEDULED, flags=Flag.SHARED, **rated),
        Ev(t, Kind.CALLBACK_SCHEDULED, **rated),
        Ev(t, Kind.CALLBACK_SCHEDULED, **rated),
        Ev(t, Kind.MESSAGE_ANSWERED, value=30.0, flags=Flag.FIRST_RESPONSE, channel=0),
        Ev(t, Kind.MESSAGE_ANSWERED, value=10.0, channel=0),
        Ev(t, Kind.MESSAGE_ANSWERED, value=20.0, channel=1),
    ]
    got = day(events, "2026-05-12T12:00Z")
    assert got["csat"] == 4.5
    assert got["nps"] == 100 * (2 - 1) / 4 == 25
    assert (got["revenue"], got["transactions"], got["average_basket"]) == (150, 3, 50)
    assert got["conversion_rate"] == 2 / 2
    assert (got["callbacks_shared"], got["callbacks_personal"]) == (1, 2)
    assert got["response_seconds"] == 60 / 3
    assert got["first_response_seconds"] == 30
    channel_0 = day(events, "2026-05-12T12:00Z", "channel", 0)
    assert (channel_0["response_seconds"], channel_0["first_response_seconds"]) == (20, 30)
    assert channel_0["revenue"] == 0 and channel_0["csat"] is None


def test_queue_indicators() -> None:
    t = at("2026-05-12T14:00Z")
    events = [Ev(t, Kind.QUEUE_ENTERED, queue=0, call=c) for c in (10, 11, 12, 13, 14)]
    events += [
        Ev(t + 10 * SECOND, Kind.QUEUE_ANSWERED, queue=0, call=10, value=10.0),
        Ev(t + 20 * SECOND, Kind.QUEUE_ANSWERED, queue=0, call=11, value=20.0),  # on the limit
        Ev(t + 25 * SECOND, Kind.QUEUE_ANSWERED, queue=0, call=12, value=25.0),
        Ev(t + 40 * SECOND, Kind.QUEUE_ABANDONED, queue=0, call=13, value=40.0),
    ]
    got = day(events, "2026-05-12T15:00Z", "queue", 0)
    assert (got["queue_entered"], got["queue_answered"], got["missed_calls"]) == (5, 3, 1)
    assert got["asa_seconds"] == 55 / 3
    assert got["service_level"] == 2 / 4  # 10 s and 20 s within 20 s, over answered + abandoned
    assert got["average_abandon_wait_seconds"] == 40
    tighter = values(events, cal=UTC, now=at("2026-05-12T15:00Z"), period="day",
                     dimension="queue", entity=0, sl_seconds=15.0)
    assert tighter["service_level"] == 1 / 4
    assert day(events, "2026-05-12T15:00Z", "queue", 1)["service_level"] is None


# --- agent time ----------------------------------------------------------------------------------

SHIFT = [
    Ev(at("2026-05-12T09:00Z"), Kind.AGENT_LOGIN, tenant=1, team=2, campaign=0, agent=3),
    Ev(at("2026-05-12T10:00Z"), Kind.AGENT_PAUSE, tenant=1, agent=3, aux=2),
    Ev(at("2026-05-12T10:15Z"), Kind.AGENT_RESUME, tenant=1, agent=3),
    Ev(at("2026-05-12T10:20Z"), Kind.CONNECTED, tenant=1, campaign=1, agent=3, call=7),
    Ev(at("2026-05-12T10:25Z"), Kind.HANGUP, tenant=1, agent=3, call=7, value=300.0,
       flags=Flag.HANDLED),
    Ev(at("2026-05-12T10:25Z"), Kind.WRAPUP_START, tenant=1, agent=3, call=7),
    Ev(at("2026-05-12T10:27Z"), Kind.WRAPUP_END, agent=3, call=7, value=120.0),  # names no tenant
    Ev(at("2026-05-12T12:00Z"), Kind.AGENT_LOGOUT, tenant=1, agent=3),
]


def test_login_pause_resume_logout_seconds() -> None:
    got = day(SHIFT, "2026-05-12T13:00Z", "agent", 3)
    # available 09:00-10:00, 10:15-10:20 and 10:27-12:00: 60 + 5 + 93 minutes
    assert got["seconds_available"] == (60 + 5 + 93) * 60 == 9480
    assert (got["seconds_on_call"], got["seconds_wrapup"]) == (300, 120)
    assert got["seconds_paused"] == 900
    assert (got["logged_hours"], got["production_hours"], got["pause_hours"]) == (3, 2.75, 0.25)
    assert got["occupancy"] == 420 / 9900


def test_the_state_in_force_runs_up_to_now() -> None:
    got = day(SHIFT, "2026-05-12T11:00Z", "agent", 3)
    assert got["seconds_available"] == (60 + 5 + 33) * 60
    on_call = day(SHIFT, "2026-05-12T10:22Z", "agent", 3)
    assert (on_call["seconds_on_call"], on_call["seconds_available"]) == (120, 65 * 60)
    assert rolling(SHIFT, cal=UTC, now=at("2026-05-12T12:07:30Z"), window="15m",
                   dimension="agent", entity=3)["seconds_available"] == 7 * 60  # from 11:53


def test_tenant_team_and_campaign_carry_over() -> None:
    team = day(SHIFT, "2026-05-12T13:00Z", "team", 2)
    assert team["logged_hours"] == 3  # only the login names team 2: it carries over throughout
    first, second = (day(SHIFT, "2026-05-12T13:00Z", "campaign", c) for c in (0, 1))
    assert (first["seconds_available"], first["seconds_paused"]) == (3900, 900)  # 09:00-10:20
    assert (second["seconds_on_call"], second["seconds_wrapup"]) == (300, 120)
    assert second["seconds_available"] == 93 * 60  # from 10:27, carried from CONNECTED
    tenant = day(SHIFT, "2026-05-12T13:00Z", "tenant", 1)
    assert tenant["seconds_available"] == 9480  # 10:27-12:00 too, though WRAPUP_END names none


def test_a_session_across_local_midnight_is_split_between_days() -> None:
    session = [
        Ev(at("2026-05-12T23:00+02:00"), Kind.AGENT_LOGIN, agent=0),
        Ev(at("2026-05-13T01:30+02:00"), Kind.AGENT_LOGOUT, agent=0),
    ]
    assert day(session, "2026-05-12T23:45+02:00", cal=PARIS)["seconds_available"] == 2700
    assert day(session, "2026-05-13T02:00+02:00", cal=PARIS)["seconds_available"] == 5400
    assert day(session, "2026-05-13T00:00+02:00", cal=PARIS)["seconds_available"] == 0
    week = day(session, "2026-05-13T02:00+02:00", cal=PARIS, period="week")
    assert week["seconds_available"] == 9000
    # In UTC both local days' parts fall on 2026-05-12 (21:00Z-23:30Z).
    assert day(session, "2026-05-12T23:59Z")["seconds_available"] == 9000


# --- weighted week / month -----------------------------------------------------------------------

def _conversation(when: str, talk: float) -> Ev:
    return Ev(at(when), Kind.HANGUP, value=talk, flags=Flag.HANDLED, tenant=0)


WEEK = [
    # Monday 2026-05-11: 1 conversation of 100 s, CSAT 5.
    _conversation("2026-05-11T10:00Z", 100.0),
    Ev(at("2026-05-11T10:05Z"), Kind.CSAT_SCORED, value=5.0, tenant=0),
    # Tuesday: 3 conversations of 60 s (09:00, 11:00, 14:00), 30 s of wrap-up, CSAT 2 and 2.
    _conversation("2026-05-12T09:00Z", 60.0),
    Ev(at("2026-05-12T09:05Z"), Kind.WRAPUP_END, value=30.0, tenant=0),
    Ev(at("2026-05-12T09:30Z"), Kind.CSAT_SCORED, value=2.0, tenant=0),
    _conversation("2026-05-12T11:00Z", 60.0),
    _conversation("2026-05-12T14:00Z", 60.0),
    Ev(at("2026-05-12T15:00Z"), Kind.CSAT_SCORED, value=2.0, tenant=0),
    # Wednesday: no conversation, yet 50 s of wrap-up and a CSAT 1 (skipped by the weighting).
    Ev(at("2026-05-13T08:00Z"), Kind.WRAPUP_END, value=50.0, tenant=0),
    Ev(at("2026-05-13T08:30Z"), Kind.CSAT_SCORED, value=1.0, tenant=0),
]


def test_week_weights_each_day_by_its_conversations() -> None:
    week = day(WEEK, "2026-05-13T12:00Z", period="week")
    assert week["conversations"] == 4
    assert week["aht_seconds"] == (1 * 100 + 3 * 70) / 4 == 77.5  # Tue: (180 + 30) / 3 = 70
    assert week["csat"] == (1 * 5 + 3 * 2) / 4 == 2.75
    pooled = rolling(WEEK, cal=UTC, now=at("2026-05-13T12:00Z"), window="30d",
                     dimension="center", entity=0)
    assert pooled["aht_seconds"] == (280 + 80) / 4 == 90
    assert pooled["csat"] == (5 + 2 + 2 + 1) / 4 == 2.5
    assert day(WEEK, "2026-05-12T23:00Z")["aht_seconds"] == 70  # a day is its own pooled value
    month = day(WEEK, "2026-05-13T12:00Z", period="month")
    assert (month["aht_seconds"], month["csat"]) == (77.5, 2.75)


def test_the_current_day_is_weighted_as_cut_at_now() -> None:
    week = day(WEEK, "2026-05-12T12:00Z", period="week")
    # Tuesday so far: 2 conversations, 150 s handled, one CSAT 2.
    assert week["aht_seconds"] == (1 * 100 + 2 * 75) / 3
    assert week["csat"] == (1 * 5 + 2 * 2) / 3 == 3


def test_sunday_start_weeks_read_from_sunday() -> None:
    events = [Ev(at("2026-05-10T12:00Z"), Kind.DIAL_ATTEMPT),  # a Sunday
              Ev(at("2026-05-11T12:00Z"), Kind.DIAL_ATTEMPT)]
    sunday = Calendar(ZoneInfo("UTC"), "sunday")
    assert day(events, "2026-05-12T12:00Z", cal=sunday, period="week")["attempts"] == 2
    assert day(events, "2026-05-12T12:00Z", period="week")["attempts"] == 1


# --- calendar ------------------------------------------------------------------------------------

def test_week_bounds_by_first_weekday() -> None:
    sunday = Calendar(ZoneInfo("UTC"), "sunday")
    wednesday, sunday_noon = at("2026-05-13T12:00Z"), at("2026-05-17T12:00Z")
    assert sunday.week(wednesday) == (at("2026-05-10T00:00Z"), at("2026-05-17T00:00Z"))
    assert UTC.week(wednesday) == (at("2026-05-11T00:00Z"), at("2026-05-18T00:00Z"))
    assert sunday.week(sunday_noon) == (at("2026-05-17T00:00Z"), at("2026-05-24T00:00Z"))
    assert UTC.week(sunday_noon) == (at("2026-05-11T00:00Z"), at("2026-05-18T00:00Z"))
    # The US week of its spring-forward Sunday is an hour short: midnight EST to midnight EDT.
    new_york = Calendar(ZoneInfo("America/New_York"), "sunday")
    assert new_york.week(at("2026-03-10T12:00Z")) == (at("2026-03-08T05:00Z"),
                                                       at("2026-03-15T04:00Z"))


def test_month_bounds() -> None:
    assert PARIS.month(at("2026-10-15T12:00Z")) == (at("2026-09-30T22:00Z"),
                                                     at("2026-10-31T23:00Z"))
    assert UTC.month(at("2026-12-31T23:59Z")) == (at("2026-12-01T00:00Z"), at("2027-01-01T00:00Z"))
    assert UTC.previous("month", at("2026-01-10T00:00Z")) == (at("2025-12-01T00:00Z"),
                                                              at("2026-01-01T00:00Z"))


def test_paris_dst_days_last_23_and_25_hours() -> None:
    assert PARIS.day(at("2026-03-29T12:00Z")) == (at("2026-03-28T23:00Z"), at("2026-03-29T22:00Z"))
    assert PARIS.day(at("2026-10-25T12:00Z")) == (at("2026-10-24T22:00Z"), at("2026-10-25T23:00Z"))
    assert PARIS.previous("day", at("2026-03-30T08:00Z")) == PARIS.day(at("2026-03-29T08:00Z"))
    logged_in = [Ev(at("2026-10-24T21:00Z"), Kind.AGENT_LOGIN, agent=0),  # 23:00 local
                 Ev(at("2026-10-26T00:00Z"), Kind.AGENT_LOGOUT, agent=0)]  # 01:00 local
    last_instant = at("2026-10-25T23:00Z") - 1
    got = values(logged_in, cal=PARIS, now=last_instant, period="day", dimension="center",
                 entity=0)
    assert got["seconds_available"] == (25 * 3600 * SECOND - 1) / SECOND
    assert day(logged_in, "2026-10-26T02:00Z", cal=PARIS, period="month")["logged_hours"] == 27
    spring = [Ev(at("2026-03-28T23:00Z"), Kind.AGENT_LOGIN, agent=0)]
    assert day(spring, "2026-03-29T21:59:59Z", cal=PARIS)["seconds_available"] == 23 * 3600 - 1


def test_the_repeated_paris_hour_is_two_buckets() -> None:
    first, second = at("2026-10-25T00:30Z"), at("2026-10-25T01:30Z")  # both 02:30 local
    assert PARIS.local(first).hour == PARIS.local(second).hour == 2
    assert PARIS.hour(first) == (at("2026-10-25T00:00Z"), at("2026-10-25T01:00Z"))
    assert PARIS.hour(second) == (at("2026-10-25T01:00Z"), at("2026-10-25T02:00Z"))
    assert PARIS.previous("hour", second) == PARIS.hour(first)
    # Spring: 02:00-03:00 does not exist, 01:00 CET is followed by 03:00 CEST.
    assert PARIS.hour(at("2026-03-29T01:30Z")) == (at("2026-03-29T01:00Z"),
                                                    at("2026-03-29T02:00Z"))
    assert PARIS.previous("hour", at("2026-03-29T01:30Z"))[0] == at("2026-03-29T00:00Z")
    kolkata = Calendar(ZoneInfo("Asia/Kolkata"))
    assert kolkata.hour(at("2026-05-12T10:45Z")) == (at("2026-05-12T10:30Z"),
                                                      at("2026-05-12T11:30Z"))


def test_rolling_window_starts() -> None:
    now = at("2026-05-12T10:07:30.5Z")
    assert UTC.window_start("15m", now) == at("2026-05-12T09:53Z")
    assert UTC.window_start("1h", now) == at("2026-05-12T09:08Z")
    assert UTC.window_start("24h", now) == at("2026-05-11T11:00Z")
    assert UTC.window_start("30d", now) == at("2026-04-13T00:00Z")
    # 24 local hours before 23:30 CET on the 25-hour day start at 01:00 CEST, not at midnight.
    assert PARIS.window_start("24h", at("2026-10-25T22:30Z")) == at("2026-10-24T23:00Z")
    assert PARIS.window_start("30d", at("2026-10-25T12:00Z")) == at("2026-09-25T22:00Z")


# --- distinct lists and campaigns ----------------------------------------------------------------

SWITCHES = [
    Ev(at("2026-05-08T09:00Z"), Kind.LIST_ACTIVATED, list=0, campaign=0, tenant=0),  # still on
    Ev(at("2026-05-05T09:00Z"), Kind.LIST_ACTIVATED, list=1, campaign=0, tenant=0),
    Ev(at("2026-05-11T00:00Z"), Kind.LIST_DEACTIVATED, list=1),  # off right at the week's start
    Ev(at("2026-05-12T12:00Z"), Kind.LIST_ACTIVATED, list=2, campaign=1, tenant=1),
    Ev(at("2026-05-12T13:00Z"), Kind.LIST_DEACTIVATED, list=2),
    Ev(at("2026-05-14T09:00Z"), Kind.LIST_ACTIVATED, list=3, campaign=1, tenant=1),  # after now
    Ev(at("2026-05-01T09:00Z"), Kind.CAMPAIGN_ACTIVATED, campaign=0, tenant=0),
    Ev(at("2026-05-11T00:00Z") + 1, Kind.CAMPAIGN_DEACTIVATED, campaign=0),  # on for 1 µs
    Ev(at("2026-05-12T09:00Z"), Kind.CAMPAIGN_ACTIVATED, campaign=1, tenant=1),
    Ev(at("2026-05-12T09:00Z"), Kind.CAMPAIGN_DEACTIVATED, campaign=1),  # never on for a moment
    Ev(at("2026-05-13T11:00Z"), Kind.CAMPAIGN_ACTIVATED, campaign=2, tenant=1),
]


def test_lists_and_campaigns_active_in_the_period() -> None:
    center = day(SWITCHES, "2026-05-13T11:00Z", period="week")
    assert (center["active_lists"], center["active_campaigns_in_period"]) == (2, 2)  # l0 l2, c0 c2
    tenant_1 = day(SWITCHES, "2026-05-13T11:00Z", "tenant", 1, period="week")
    assert (tenant_1["active_lists"], tenant_1["active_campaigns_in_period"]) == (1, 1)
    campaign_0 = day(SWITCHES, "2026-05-13T11:00Z", "campaign", 0, period="week")
    assert (campaign_0["active_lists"], campaign_0["active_campaigns_in_period"]) == (1, 1)
    today = day(SWITCHES, "2026-05-13T10:59Z")
    assert (today["active_lists"], today["active_campaigns_in_period"]) == (1, 0)  # l0 only
    assert day(SWITCHES, "2026-05-13T11:00Z", "agent", 0)["active_lists"] is None


def test_a_list_is_owned_by_its_last_activation() -> None:
    moved = [*SWITCHES, Ev(at("2026-05-13T08:00Z"), Kind.LIST_ACTIVATED, list=0, campaign=2,
                           tenant=2)]
    assert day(moved, "2026-05-13T09:00Z", "tenant", 2)["active_lists"] == 1
    assert day(moved, "2026-05-13T09:00Z", "tenant", 0)["active_lists"] == 0
    assert day(moved, "2026-05-13T07:00Z", "tenant", 0)["active_lists"] == 1


# --- validation ----------------------------------------------------------------------------------

def test_each_rejection_slug() -> None:
    t = at("2026-05-12T10:00+02:00")
    limit = at("2026-03-11T00:00+01:00")  # local midnight 62 days before 2026-05-12, in CET
    events = [
        Ev(t, Kind.DIAL_ATTEMPT),
        Ev(t, 30),
        Ev(t, Kind.DIAL_ATTEMPT, campaign=3),
        Ev(t, Kind.AGENT_PAUSE),
        Ev(t, Kind.QUEUE_ENTERED, queue=0),
        Ev(t, Kind.CSAT_SCORED, value=math.nan),
        Ev(t, Kind.WRAPUP_END, agent=0, value=-1.0),
        Ev(t, Kind.NPS_SCORED, value=7.5),
        Ev(t, Kind.CSAT_SCORED, value=0.0),
        Ev(t, Kind.SALE, value=10.0, aux=0),
        Ev(t + 10 * SECOND, Kind.AGENT_LOGIN, agent=1),
        Ev(t + 5 * SECOND, Kind.AGENT_PAUSE, agent=1),
        Ev(limit - 1, Kind.DIAL_ATTEMPT),
        Ev(limit, Kind.DIAL_ATTEMPT),  # right on the limit: kept
        Ev(t + 10 * SECOND, Kind.AGENT_PAUSE, agent=1),  # same instant as the login: in order
    ]
    accepted, rejected = validate(events, SIZES, cal=PARIS)
    assert rejected == [
        (1, "unknown-kind"), (2, "unknown-id"), (3, "missing-agent"), (4, "missing-call"),
        (5, "value-not-finite"), (6, "negative-value"), (7, "score-out-of-range"),
        (8, "score-out-of-range"), (9, "zero-transactions"), (11, "agent-event-out-of-order"),
        (12, "event-too-old"),
    ]
    assert accepted == [events[0], events[10], events[13], events[14]]


def test_first_rule_in_table_order_wins_and_rejected_events_change_nothing() -> None:
    t = at("2026-05-12T10:00Z")
    events = [
        Ev(t, 31, agent=9),  # unknown kind before unknown id
        Ev(t, Kind.CSAT_SCORED, value=math.inf, campaign=9),  # unknown id before not finite
        Ev(t + 3600 * SECOND * 24 * 400, 40),  # far future but rejected: does not move the clock
        Ev(t, Kind.AGENT_LOGIN, agent=0),
        Ev(t + 20 * SECOND, Kind.AGENT_PAUSE, agent=0, value=math.nan),  # rejected, not the last
        Ev(t + 15 * SECOND, Kind.AGENT_RESUME, agent=0),  # later than the last accepted: in order
        Ev(t, Kind.HANGUP),  # a hangup need not name an agent (a dialer hangs up unanswered calls)
        Ev(t, Kind.WRAPUP_START),  # but a wrap-up must, like every other agent state kind
        Ev(t, Kind.HANGUP, value=-2.0),  # unhandled, yet its value is still a duration
        Ev(t, Kind.CSAT_SCORED, value=3.5),  # CSAT need not be a whole number
        Ev(t, Kind.DIAL_ATTEMPT, value=math.nan),  # a kind without a value must still be finite
    ]
    _, rejected = validate(events, SIZES, cal=UTC)
    assert rejected == [(0, "unknown-kind"), (1, "unknown-id"), (2, "unknown-kind"),
                        (4, "value-not-finite"), (7, "missing-agent"), (8, "negative-value"),
                        (10, "value-not-finite")]


# --- live figures --------------------------------------------------------------------------------

def test_live_queue_waits_agents_campaigns_and_callbacks() -> None:
    t = at("2026-05-12T10:00Z")
    minute = 60 * SECOND
    events = [
        Ev(t, Kind.QUEUE_ENTERED, queue=0, call=1),
        Ev(t + minute, Kind.QUEUE_ENTERED, queue=0, call=2),
        Ev(t + 2 * minute, Kind.QUEUE_ANSWERED, queue=0, call=1, value=120.0),
        Ev(t + 3 * minute, Kind.QUEUE_ENTERED, queue=0, call=3),
        Ev(t, Kind.QUEUE_ENTERED, queue=1, call=4),
        Ev(t + 4 * minute, Kind.QUEUE_ABANDONED, queue=1, call=4, value=240.0),
        Ev(t, Kind.AGENT_LOGIN, agent=0),
        Ev(t, Kind.AGENT_LOGIN, agent=1),
        Ev(t + minute, Kind.CONNECTED, agent=1, call=1),
        Ev(t, Kind.AGENT_LOGIN, agent=2),
        Ev(t + minute, Kind.AGENT_PAUSE, agent=2),
        Ev(t + 2 * minute, Kind.AGENT_LOGOUT, agent=2),
        Ev(t - 60 * minute, Kind.CAMPAIGN_ACTIVATED, campaign=0),
        Ev(t - 30 * minute, Kind.CAMPAIGN_ACTIVATED, campaign=1),
        Ev(t, Kind.CAMPAIGN_DEACTIVATED, campaign=0),
        Ev(t, Kind.CALLBACK_SCHEDULED, flags=Flag.SHARED),
        Ev(t, Kind.CALLBACK_SCHEDULED, flags=Flag.SHARED),
        Ev(t, Kind.CALLBACK_SCHEDULED),
        Ev(t + minute, Kind.CALLBACK_DONE, flags=Flag.SHARED),
    ]
    assert live(events, now=t + 5 * minute) == {
        "agents_connected": 2, "agents_available": 1, "agents_on_call": 1, "agents_wrapup": 0,
        "agents_paused": 0, "active_campaigns": 1, "shared_callbacks_pending": 1,
        "queues": {0: {"waiting": 2, "longest_wait_seconds": 240.0}},  # calls 2 (4 min) and 3
    }
    earlier = live(events, now=t + 90 * SECOND)
    assert earlier["queues"] == {0: {"waiting": 2, "longest_wait_seconds": 90.0},
                                 1: {"waiting": 1, "longest_wait_seconds": 90.0}}
    assert (earlier["agents_connected"], earlier["agents_paused"]) == (3, 1)
    # The answer of call 2 arrives late: it stops the wait at its own time.
    late = [*events, Ev(t + 4 * minute, Kind.QUEUE_ANSWERED, queue=0, call=2, value=180.0)]
    assert live(late, now=t + 5 * minute)["queues"] == {
        0: {"waiting": 1, "longest_wait_seconds": 120.0}}
    # Call 3 entering again while it waits is still one call, waiting since its first entry.
    again = [*late, Ev(t + 4 * minute, Kind.QUEUE_ENTERED, queue=0, call=3)]
    assert live(again, now=t + 5 * minute)["queues"] == {
        0: {"waiting": 1, "longest_wait_seconds": 120.0}}


# --- the strategies feed the reference what they mean to -----------------------------------------

@settings(max_examples=100, deadline=None)
@given(streams(bad_events=False))
def test_realistic_streams_are_accepted_whole(stream: Stream) -> None:
    cal = Calendar(ZoneInfo(stream.zone), stream.week_start)
    _, rejected = validate(stream.events, SIZES, cal=cal)
    assert rejected == []


@settings(max_examples=50, deadline=None)
@given(streams())
def test_a_week_sums_its_days(stream: Stream) -> None:
    cal = Calendar(ZoneInfo(stream.zone), stream.week_start)
    accepted, _ = validate(stream.events, SIZES, cal=cal)
    now = stream.last
    week = values(accepted, cal=cal, now=now, period="week", dimension="center", entity=0)
    start, _ = cal.week(now)
    # Each past day is read at its last microsecond, so its agent time misses that microsecond.
    days = [values(accepted, cal=cal, now=min(end - 1, now), period="day", dimension="center",
                   entity=0) for _, end in cal.days(start, now)]
    for name in COUNTS:
        if name not in DISTINCT:
            assert week[name] == sum(_defined(d[name]) for d in days), name
    agents = len({ev.agent for ev in accepted if ev.kind == Kind.AGENT_LOGIN})
    assert math.isclose(_defined(week["logged_hours"]),
                        sum(_defined(d["logged_hours"]) for d in days),
                        abs_tol=len(days) * agents / SECOND / 3600 + 1e-12)


def _defined(value: float | None) -> float:
    assert value is not None
    return value
