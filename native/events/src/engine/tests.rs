//! Agent time and the clock through the public API: stretches no event ends are added at
//! query time, and must read the same as once an event has credited them to the buckets.

use crate::event::flag;
use crate::query::Trend;
use crate::{
    Aggregator, Config, Dimension, Event, EventKind, Indicator, Period, Sizes, WeekStart, Window,
};

fn micros(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_microsecond()
}

fn aggregator(tz: &str) -> Aggregator {
    Aggregator::new(Config {
        tz: tz.into(),
        week_start: WeekStart::Monday,
        sizes: Sizes {
            tenant: 1,
            agent: 3,
            team: 2,
            campaign: 2,
            list: 2,
            queue: 1,
            channel: 1,
        },
        ..Config::default()
    })
    .unwrap()
}

fn agent_ev(time: &str, kind: EventKind, agent: u32) -> Event {
    let mut e = Event::new(micros(time), kind as u8);
    e.tenant = 0;
    e.agent = agent;
    e.team = agent % 2;
    e.campaign = 0;
    e
}

fn dial(time: &str) -> Event {
    let mut e = Event::new(micros(time), EventKind::DialAttempt as u8);
    e.campaign = 1;
    e
}

const AVAILABLE: Indicator = Indicator::SecondsAvailable;
const PAUSED: Indicator = Indicator::SecondsPaused;

fn day(agg: &mut Aggregator, now: &str, dim: Dimension, id: u32, ind: Indicator) -> f64 {
    agg.values(micros(now), Period::Day, dim, id).unwrap()[ind as usize].unwrap()
}

fn rolling(agg: &mut Aggregator, now: &str, window: Window, ind: Indicator) -> f64 {
    agg.rolling(micros(now), window, Dimension::Agent, 0)
        .unwrap()[ind as usize]
        .unwrap()
}

fn hourly(agg: &mut Aggregator, now: &str, ind: Indicator) -> Vec<f64> {
    let points = agg
        .series(micros(now), Period::Day, Dimension::Agent, 0, ind)
        .unwrap();
    points.into_iter().map(|(_, v)| v.unwrap()).collect()
}

/// Every figure an agent's available time shows, as a query at `now` reads it.
fn figures(agg: &mut Aggregator, now: &str) -> Vec<f64> {
    let mut out = vec![
        day(agg, now, Dimension::Agent, 0, AVAILABLE),
        day(agg, now, Dimension::Center, 0, AVAILABLE),
        day(agg, now, Dimension::Team, 0, AVAILABLE),
        rolling(agg, now, Window::Minutes15, AVAILABLE),
        rolling(agg, now, Window::Hour, AVAILABLE),
        rolling(agg, now, Window::Hours24, AVAILABLE),
        rolling(agg, now, Window::Days30, AVAILABLE),
    ];
    out.extend(hourly(agg, now, AVAILABLE));
    out
}

#[test]
fn a_stretch_no_event_ends_reads_whole_in_every_bucket() {
    let mut agg = aggregator("UTC");
    agg.push(&agent_ev("2026-11-20T08:00:30Z", EventKind::AgentLogin, 0))
        .unwrap();
    // 08:00:30 to 10:17:45, nothing in between.
    let mid = figures(&mut agg, "2026-11-20T10:17:45Z");
    let whole = 2.0 * 3600.0 + 17.0 * 60.0 + 15.0;
    let mut hours = vec![0.0; 8];
    hours.extend([3570.0, 3600.0, 1065.0]);
    let mut want = vec![
        whole,
        whole,
        whole,
        14.0 * 60.0 + 45.0,
        59.0 * 60.0 + 45.0,
        whole,
        whole,
    ];
    want.extend(hours);
    assert_eq!(mid, want);
    // The same stretch, ended by an event at the same instant, reads the same from the buckets.
    agg.push(&agent_ev("2026-11-20T10:17:45Z", EventKind::AgentLogout, 0))
        .unwrap();
    assert_eq!(figures(&mut agg, "2026-11-20T10:17:45Z"), want);
    // Later, the closed buckets keep it and the windows slide past it.
    let after = figures(&mut agg, "2026-11-20T11:00:00Z");
    assert_eq!(after[..3], [whole; 3]);
    assert_eq!(after[3..5], [0.0, 16.0 * 60.0 + 45.0]);
    assert_eq!(after[5..7], [whole; 2]);
}

#[test]
fn queried_mid_way_or_not_the_buckets_agree() {
    let events = [
        agent_ev("2026-11-20T08:00:00Z", EventKind::AgentLogin, 0),
        agent_ev("2026-11-20T09:12:34.5Z", EventKind::AgentPause, 0),
        agent_ev("2026-11-20T09:40:00Z", EventKind::AgentResume, 0),
        agent_ev("2026-11-20T11:59:59.999Z", EventKind::AgentLogout, 0),
    ];
    let mut queried = aggregator("UTC");
    let mut quiet = aggregator("UTC");
    for (i, e) in events.iter().enumerate() {
        quiet.push(e).unwrap();
        queried.push(e).unwrap();
        // Queries move the clock past minutes and hours no event closed.
        let now = e.time + (i as i64 + 1) * 7 * 60_000_000 + 1;
        queried
            .values(now, Period::Day, Dimension::Agent, 0)
            .unwrap();
        queried
            .rolling(now, Window::Hour, Dimension::Agent, 0)
            .unwrap();
    }
    let now = "2026-11-20T12:30:00Z";
    assert_eq!(figures(&mut queried, now), figures(&mut quiet, now));
    assert_eq!(
        day(&mut quiet, now, Dimension::Agent, 0, PAUSED),
        27.0 * 60.0 + 25.5
    );
    let logged = day(&mut quiet, now, Dimension::Agent, 0, Indicator::LoggedHours);
    assert!(
        (logged - (4.0 * 3600.0 - 0.001) / 3600.0).abs() < 1e-12,
        "{logged}"
    );
}

#[test]
fn a_query_hours_after_the_last_event_splits_the_stretch_at_midnight() {
    let mut agg = aggregator("UTC");
    agg.push(&agent_ev("2026-11-20T22:00:00Z", EventKind::AgentLogin, 0))
        .unwrap();
    let now = "2026-11-21T02:00:00Z";
    assert_eq!(day(&mut agg, now, Dimension::Agent, 0, AVAILABLE), 7200.0);
    assert_eq!(
        rolling(&mut agg, now, Window::Hours24, AVAILABLE),
        4.0 * 3600.0
    );
    let report = agg
        .report(micros(now), Period::Day, Dimension::Agent, 0)
        .unwrap();
    let available = report.values[AVAILABLE as usize];
    // Compared to date: yesterday up to 02:00 had nothing yet.
    assert_eq!(
        (available.value, available.previous, available.trend),
        (Some(7200.0), Some(0.0), Some(Trend::Up))
    );
    let week = agg
        .series(micros(now), Period::Week, Dimension::Agent, 0, AVAILABLE)
        .unwrap();
    let days: Vec<f64> = week.iter().map(|(_, v)| v.unwrap()).collect();
    assert_eq!(days, [0.0, 0.0, 0.0, 0.0, 7200.0, 7200.0]);
    let late = "2026-11-21T23:00:00Z";
    let report = agg
        .report(micros(late), Period::Day, Dimension::Agent, 0)
        .unwrap();
    assert_eq!(report.values[AVAILABLE as usize].value, Some(23.0 * 3600.0));
    // Yesterday up to 23:00: from 22:00.
    assert_eq!(report.values[AVAILABLE as usize].previous, Some(3600.0));
}

#[test]
fn dst_days_count_every_real_hour() {
    for (tz, midnight, next, hours) in [
        (
            "Europe/Paris",
            "2026-10-24T22:00:00Z",
            "2026-10-25T23:00:00Z",
            25,
        ),
        (
            "Europe/Paris",
            "2026-03-28T23:00:00Z",
            "2026-03-29T22:00:00Z",
            23,
        ),
    ] {
        let mut agg = aggregator(tz);
        agg.push(&agent_ev(midnight, EventKind::AgentLogin, 0))
            .unwrap();
        let before_next = micros(next) - 1;
        let v = agg
            .values(before_next, Period::Day, Dimension::Agent, 0)
            .unwrap();
        let whole = (micros(next) - micros(midnight) - 1) as f64 / 1e6;
        assert_eq!(v[AVAILABLE as usize], Some(whole), "{tz} {midnight}");
        assert!((whole - f64::from(hours) * 3600.0).abs() < 1e-5);
        let points = agg
            .series(before_next, Period::Day, Dimension::Agent, 0, AVAILABLE)
            .unwrap();
        assert_eq!(points.len(), hours as usize);
        assert!(points[..hours as usize - 1]
            .iter()
            .all(|(_, v)| *v == Some(3600.0)));
        // Ended by an event, the day reads the same from its buckets.
        let mut ended = aggregator(tz);
        ended
            .push(&agent_ev(midnight, EventKind::AgentLogin, 0))
            .unwrap();
        let mut logout = agent_ev(midnight, EventKind::AgentLogout, 0);
        logout.time = before_next;
        ended.push(&logout).unwrap();
        let from_buckets = ended
            .values(before_next, Period::Day, Dimension::Agent, 0)
            .unwrap();
        assert!((from_buckets[AVAILABLE as usize].unwrap() - whole).abs() < 1e-9);
    }
}

#[test]
fn a_late_state_event_credits_closed_minutes_hours_and_days() {
    let mut agg = aggregator("UTC");
    agg.push(&agent_ev("2026-11-20T08:00:00Z", EventKind::AgentLogin, 0))
        .unwrap();
    // The clock moves on without the agent, then its logout arrives late.
    agg.push(&dial("2026-11-20T10:00:00Z")).unwrap();
    agg.push(&agent_ev("2026-11-20T09:50:00Z", EventKind::AgentLogout, 0))
        .unwrap();
    let now = "2026-11-20T10:00:00Z";
    assert_eq!(
        day(&mut agg, now, Dimension::Agent, 0, AVAILABLE),
        110.0 * 60.0
    );
    assert_eq!(rolling(&mut agg, now, Window::Hour, AVAILABLE), 49.0 * 60.0);
    assert_eq!(
        rolling(&mut agg, now, Window::Minutes15, AVAILABLE),
        4.0 * 60.0
    );
    let hours = hourly(&mut agg, now, AVAILABLE);
    assert_eq!(hours[8..], [3600.0, 50.0 * 60.0, 0.0]);
    // A logout late by a day lands in yesterday.
    let mut agg = aggregator("UTC");
    agg.push(&agent_ev("2026-11-19T23:00:00Z", EventKind::AgentLogin, 0))
        .unwrap();
    agg.push(&dial("2026-11-20T10:00:00Z")).unwrap();
    agg.push(&agent_ev("2026-11-20T00:30:00Z", EventKind::AgentLogout, 0))
        .unwrap();
    let week = agg
        .series(micros(now), Period::Week, Dimension::Agent, 0, AVAILABLE)
        .unwrap();
    let days: Vec<f64> = week.iter().map(|(_, v)| v.unwrap()).collect();
    assert_eq!(days, [0.0, 0.0, 0.0, 3600.0, 1800.0]);
}

#[test]
fn a_state_event_after_a_later_query_credits_the_buckets_it_falls_in() {
    let mut agg = aggregator("UTC");
    agg.push(&agent_ev("2026-11-20T10:00:00Z", EventKind::AgentLogin, 0))
        .unwrap();
    assert_eq!(
        day(
            &mut agg,
            "2026-11-20T10:30:00Z",
            Dimension::Agent,
            0,
            AVAILABLE
        ),
        1800.0
    );
    agg.push(&agent_ev("2026-11-20T10:20:00Z", EventKind::AgentPause, 0))
        .unwrap();
    let now = "2026-11-20T10:40:00Z";
    assert_eq!(day(&mut agg, now, Dimension::Agent, 0, AVAILABLE), 1200.0);
    assert_eq!(day(&mut agg, now, Dimension::Agent, 0, PAUSED), 1200.0);
    assert_eq!(
        rolling(&mut agg, now, Window::Minutes15, PAUSED),
        14.0 * 60.0
    );
    assert_eq!(rolling(&mut agg, now, Window::Minutes15, AVAILABLE), 0.0);
}

#[test]
fn a_query_reads_as_of_the_latest_time_the_engine_has_seen() {
    let mut agg = aggregator("UTC");
    agg.push(&agent_ev("2026-11-20T10:00:00Z", EventKind::AgentLogin, 0))
        .unwrap();
    assert_eq!(
        day(
            &mut agg,
            "2026-11-20T11:00:00Z",
            Dimension::Agent,
            0,
            AVAILABLE
        ),
        3600.0
    );
    // An earlier `now` reads as of the earlier query's.
    assert_eq!(
        day(
            &mut agg,
            "2026-11-20T10:30:00Z",
            Dimension::Agent,
            0,
            AVAILABLE
        ),
        3600.0
    );
    assert_eq!(
        agg.report(
            micros("2026-11-20T10:30:00Z"),
            Period::Day,
            Dimension::Agent,
            0
        )
        .unwrap()
        .now,
        micros("2026-11-20T11:00:00Z")
    );
}

#[test]
fn agents_share_the_center_and_their_team() {
    let mut agg = aggregator("UTC");
    agg.push(&agent_ev("2026-11-20T10:00:00Z", EventKind::AgentLogin, 0))
        .unwrap();
    agg.push(&agent_ev("2026-11-20T10:00:20Z", EventKind::AgentLogin, 2))
        .unwrap();
    let mut call = agent_ev("2026-11-20T10:10:00Z", EventKind::Connected, 2);
    call.campaign = 1;
    agg.push(&call).unwrap();
    let mut hangup = agent_ev("2026-11-20T10:12:00Z", EventKind::Hangup, 2);
    hangup.flags = flag::HANDLED;
    hangup.campaign = crate::NONE;
    agg.push(&hangup).unwrap();
    let now = "2026-11-20T10:15:00Z";
    assert_eq!(
        day(&mut agg, now, Dimension::Center, 0, AVAILABLE),
        900.0 + 880.0 - 120.0
    );
    assert_eq!(
        day(&mut agg, now, Dimension::Team, 0, AVAILABLE),
        900.0 + 880.0 - 120.0
    );
    assert_eq!(
        day(&mut agg, now, Dimension::Team, 0, Indicator::SecondsOnCall),
        120.0
    );
    // The campaign carries over from the call to the time after it.
    assert_eq!(
        day(
            &mut agg,
            now,
            Dimension::Campaign,
            1,
            Indicator::LoggedHours
        ),
        (120.0 + 180.0) / 3600.0
    );
    assert_eq!(
        day(&mut agg, now, Dimension::Campaign, 0, AVAILABLE),
        900.0 + 580.0
    );
    let table = agg
        .table(micros(now), Period::Day, Dimension::Agent)
        .unwrap();
    let per_agent = |id: usize| table[id * crate::query::INDICATORS + AVAILABLE as usize];
    assert_eq!(
        [per_agent(0), per_agent(1), per_agent(2)],
        [900.0, 0.0, 580.0 + 180.0]
    );
}

#[test]
fn a_resize_that_drops_an_agents_team_keeps_its_time_elsewhere() {
    let mut agg = aggregator("UTC");
    agg.push(&agent_ev("2026-11-20T10:00:00Z", EventKind::AgentLogin, 1))
        .unwrap();
    agg.resize(Dimension::Team, 1).unwrap();
    let now = "2026-11-20T10:10:00Z";
    assert_eq!(day(&mut agg, now, Dimension::Agent, 1, AVAILABLE), 600.0);
    assert_eq!(day(&mut agg, now, Dimension::Center, 0, AVAILABLE), 600.0);
    assert_eq!(day(&mut agg, now, Dimension::Team, 0, AVAILABLE), 0.0);
    agg.push(&agent_ev("2026-11-20T10:20:00Z", EventKind::AgentLogout, 1))
        .unwrap_err();
    let mut logout = agent_ev("2026-11-20T10:20:00Z", EventKind::AgentLogout, 1);
    logout.team = crate::NONE;
    agg.push(&logout).unwrap();
    assert_eq!(
        day(
            &mut agg,
            "2026-11-20T10:30:00Z",
            Dimension::Campaign,
            0,
            AVAILABLE
        ),
        1200.0
    );
}
