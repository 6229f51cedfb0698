//! Scenarios through the public API: what operators would read after known sequences.

use ccengine_events::event::flag;
use ccengine_events::query::Trend;
use ccengine_events::{
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

fn ev(time: &str, kind: EventKind) -> Event {
    let mut e = Event::new(micros(time), kind as u8);
    e.tenant = 0;
    e
}

fn agent_ev(time: &str, kind: EventKind, agent: u32, campaign: u32) -> Event {
    let mut e = ev(time, kind);
    e.agent = agent;
    e.team = agent % 2;
    e.campaign = campaign;
    e
}

fn value(
    agg: &mut Aggregator,
    now: &str,
    period: Period,
    dim: Dimension,
    id: u32,
    ind: Indicator,
) -> Option<f64> {
    agg.values(micros(now), period, dim, id).unwrap()[ind as usize]
}

/// One handled call: attempt, answer, connect, talk 90 s, wrap-up 30 s, a positive disposition.
fn handled_call(agg: &mut Aggregator, start: &str, agent: u32, campaign: u32) {
    let t0 = micros(start);
    let at = |s: i64| {
        jiff::Timestamp::from_microsecond(t0 + s * 1_000_000)
            .unwrap()
            .to_string()
    };
    let mut attempt = ev(start, EventKind::DialAttempt);
    attempt.campaign = campaign;
    agg.push(&attempt).unwrap();
    let mut human = ev(&at(5), EventKind::AnsweredHuman);
    human.campaign = campaign;
    agg.push(&human).unwrap();
    agg.push(&agent_ev(&at(6), EventKind::Connected, agent, campaign))
        .unwrap();
    let mut hangup = agent_ev(&at(96), EventKind::Hangup, agent, campaign);
    hangup.flags = flag::HANDLED;
    hangup.value = 90.0;
    agg.push(&hangup).unwrap();
    agg.push(&agent_ev(&at(96), EventKind::WrapupStart, agent, campaign))
        .unwrap();
    let mut wrap = agent_ev(&at(126), EventKind::WrapupEnd, agent, campaign);
    wrap.value = 30.0;
    agg.push(&wrap).unwrap();
    let mut dispo = agent_ev(&at(126), EventKind::Disposition, agent, campaign);
    dispo.flags = flag::ARGUED | flag::POSITIVE;
    agg.push(&dispo).unwrap();
}

#[test]
fn a_day_of_calls_reads_back_per_agent_campaign_and_center() {
    let mut agg = aggregator("Europe/Paris");
    agg.push(&agent_ev(
        "2026-11-20T08:00:00Z",
        EventKind::AgentLogin,
        0,
        0,
    ))
    .unwrap();
    handled_call(&mut agg, "2026-11-20T08:10:00Z", 0, 0);
    handled_call(&mut agg, "2026-11-20T09:10:00Z", 0, 0);
    let mut attempt = ev("2026-11-20T09:30:00Z", EventKind::DialAttempt);
    attempt.campaign = 1;
    agg.push(&attempt).unwrap();
    let now = "2026-11-20T10:00:00Z";
    let day = Period::Day;
    assert_eq!(
        value(
            &mut agg,
            now,
            day,
            Dimension::Center,
            0,
            Indicator::Attempts
        ),
        Some(3.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            day,
            Dimension::Campaign,
            0,
            Indicator::Attempts
        ),
        Some(2.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            day,
            Dimension::Agent,
            0,
            Indicator::Conversations
        ),
        Some(2.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            day,
            Dimension::Agent,
            0,
            Indicator::AhtSeconds
        ),
        Some(120.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            day,
            Dimension::Center,
            0,
            Indicator::ArguedShare
        ),
        Some(2.0 / 3.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            day,
            Dimension::Campaign,
            0,
            Indicator::PositiveShare
        ),
        Some(1.0)
    );
    // Logged in from 08:00 to 10:00: two hours of production, 2 × 90 s on call, 2 × 30 s wrap-up.
    assert_eq!(
        value(
            &mut agg,
            now,
            day,
            Dimension::Agent,
            0,
            Indicator::ProductionHours
        ),
        Some(2.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            day,
            Dimension::Team,
            0,
            Indicator::SecondsOnCall
        ),
        Some(180.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            day,
            Dimension::Agent,
            0,
            Indicator::SecondsWrapup
        ),
        Some(60.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            day,
            Dimension::Agent,
            0,
            Indicator::Occupancy
        ),
        Some(240.0 / 7200.0)
    );
    let live = agg.live(micros(now)).unwrap();
    assert_eq!(live.agents_connected(), 1);
}

#[test]
fn a_session_across_local_midnight_is_split_between_days() {
    let mut agg = aggregator("Europe/Paris");
    // 22:30 to 00:30 Paris time (UTC+1 in November).
    agg.push(&agent_ev(
        "2026-11-20T21:30:00Z",
        EventKind::AgentLogin,
        1,
        0,
    ))
    .unwrap();
    agg.push(&agent_ev(
        "2026-11-20T23:30:00Z",
        EventKind::AgentLogout,
        1,
        0,
    ))
    .unwrap();
    let after = "2026-11-21T08:00:00Z";
    assert_eq!(
        value(
            &mut agg,
            after,
            Period::Day,
            Dimension::Agent,
            1,
            Indicator::LoggedHours
        ),
        Some(0.5)
    );
    let report = agg
        .report(micros(after), Period::Day, Dimension::Agent, 1)
        .unwrap();
    let logged = report.values[Indicator::LoggedHours as usize];
    // Compared to date: yesterday until 09:00 local had no logged time yet.
    assert_eq!(logged.previous, Some(0.0));
    assert_eq!(logged.trend, Some(Trend::Up));
    let late = agg
        .report(
            micros("2026-11-21T22:59:00Z"),
            Period::Day,
            Dimension::Agent,
            1,
        )
        .unwrap();
    // Yesterday until 23:59 local: 22:30 to 23:59.
    assert_eq!(
        late.values[Indicator::LoggedHours as usize].previous,
        Some(89.0 / 60.0)
    );
    assert_eq!(
        late.values[Indicator::LoggedHours as usize].trend,
        Some(Trend::Down)
    );
    assert_eq!(
        value(
            &mut agg,
            after,
            Period::Week,
            Dimension::Agent,
            1,
            Indicator::LoggedHours
        ),
        Some(2.0)
    );
}

#[test]
fn late_events_land_in_the_buckets_they_belong_to() {
    let mut agg = aggregator("UTC");
    agg.push(&ev("2026-11-20T10:00:00Z", EventKind::DialAttempt))
        .unwrap();
    agg.push(&ev("2026-11-21T10:00:00Z", EventKind::DialAttempt))
        .unwrap();
    // Arrives after the next day started: belongs to the 20th.
    agg.push(&ev("2026-11-20T23:59:00Z", EventKind::Busy))
        .unwrap();
    let now = "2026-11-21T12:00:00Z";
    let report = agg
        .report(micros(now), Period::Day, Dimension::Center, 0)
        .unwrap();
    assert_eq!(report.values[Indicator::Busy as usize].value, Some(0.0));
    let series = agg
        .series(
            micros(now),
            Period::Week,
            Dimension::Center,
            0,
            Indicator::Busy,
        )
        .unwrap();
    assert_eq!(
        series.iter().map(|(_, v)| v.unwrap()).collect::<Vec<_>>(),
        vec![0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    );
    let err = agg
        .push(&ev("2026-09-01T00:00:00Z", EventKind::Busy))
        .unwrap_err();
    assert_eq!(err.slug(), "event-too-old");
}

#[test]
fn late_agent_event_moves_time_between_states() {
    let mut agg = aggregator("UTC");
    agg.push(&agent_ev(
        "2026-11-20T10:00:00Z",
        EventKind::AgentLogin,
        0,
        0,
    ))
    .unwrap();
    // Another event moves the clock to 10:05; the pause at 10:02 arrives after it.
    agg.push(&ev("2026-11-20T10:05:00Z", EventKind::DialAttempt))
        .unwrap();
    agg.push(&agent_ev(
        "2026-11-20T10:02:00Z",
        EventKind::AgentPause,
        0,
        0,
    ))
    .unwrap();
    let now = "2026-11-20T10:10:00Z";
    assert_eq!(
        value(
            &mut agg,
            now,
            Period::Day,
            Dimension::Agent,
            0,
            Indicator::SecondsAvailable
        ),
        Some(120.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            Period::Day,
            Dimension::Agent,
            0,
            Indicator::SecondsPaused
        ),
        Some(480.0)
    );
    let err = agg
        .push(&agent_ev(
            "2026-11-20T10:01:00Z",
            EventKind::AgentResume,
            0,
            0,
        ))
        .unwrap_err();
    assert_eq!(err.slug(), "agent-event-out-of-order");
    let rolling = agg
        .rolling(micros(now), Window::Minutes15, Dimension::Agent, 0)
        .unwrap();
    assert_eq!(rolling[Indicator::SecondsPaused as usize], Some(480.0));
}

#[test]
fn weekly_csat_is_weighted_by_each_days_conversations() {
    let mut agg = aggregator("UTC");
    let conv = |agg: &mut Aggregator, t: &str, n: usize, csat: f64| {
        for i in 0..n {
            let mut h = ev(t, EventKind::Hangup);
            h.flags = flag::HANDLED;
            h.value = 60.0 + i as f64;
            agg.push(&h).unwrap();
        }
        let mut s = ev(t, EventKind::CsatScored);
        s.value = csat;
        agg.push(&s).unwrap();
    };
    conv(&mut agg, "2026-11-16T10:00:00Z", 1, 5.0); // Monday: 1 conversation, CSAT 5
    conv(&mut agg, "2026-11-17T10:00:00Z", 3, 1.0); // Tuesday: 3 conversations, CSAT 1
    let now = "2026-11-17T12:00:00Z";
    // (1 × 5 + 3 × 1) / 4 = 2, the pooled figure would be (5 + 1) / 2 = 3.
    assert_eq!(
        value(
            &mut agg,
            now,
            Period::Week,
            Dimension::Center,
            0,
            Indicator::Csat
        ),
        Some(2.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            Period::Day,
            Dimension::Center,
            0,
            Indicator::Csat
        ),
        Some(1.0)
    );
}

#[test]
fn queues_and_campaigns_show_live_state() {
    let mut agg = aggregator("UTC");
    let mut c = ev("2026-11-20T09:00:00Z", EventKind::CampaignActivated);
    c.campaign = 1;
    agg.push(&c).unwrap();
    let mut l = ev("2026-11-20T09:00:00Z", EventKind::ListActivated);
    l.campaign = 1;
    l.list = 0;
    agg.push(&l).unwrap();
    let mut l = ev("2026-11-20T09:30:00Z", EventKind::ListDeactivated);
    l.list = 0;
    agg.push(&l).unwrap();
    for (call, t) in [(1, "2026-11-20T10:00:00Z"), (2, "2026-11-20T10:00:30Z")] {
        let mut q = ev(t, EventKind::QueueEntered);
        q.queue = 0;
        q.call = call;
        agg.push(&q).unwrap();
    }
    let mut a = ev("2026-11-20T10:00:10Z", EventKind::QueueAnswered);
    a.queue = 0;
    a.call = 1;
    a.value = 10.0;
    agg.push(&a).unwrap();
    let live = agg.live(micros("2026-11-20T10:01:00Z")).unwrap();
    assert_eq!(live.active_campaigns, 1);
    assert_eq!(live.queues, vec![(0, 1, 30.0)]);
    let now = "2026-11-20T12:00:00Z";
    assert_eq!(
        value(
            &mut agg,
            now,
            Period::Day,
            Dimension::Campaign,
            1,
            Indicator::ActiveLists
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            Period::Day,
            Dimension::Center,
            0,
            Indicator::ServiceLevel
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &mut agg,
            "2026-11-21T12:00:00Z",
            Period::Day,
            Dimension::Center,
            0,
            Indicator::ActiveLists
        ),
        Some(0.0)
    );
}

#[test]
fn resize_keeps_counters_of_existing_ids() {
    let mut agg = aggregator("UTC");
    agg.push(&agent_ev(
        "2026-11-20T10:00:00Z",
        EventKind::AgentLogin,
        2,
        1,
    ))
    .unwrap();
    agg.resize(Dimension::Agent, 10).unwrap();
    agg.push(&agent_ev(
        "2026-11-20T10:30:00Z",
        EventKind::AgentLogin,
        9,
        1,
    ))
    .unwrap();
    let now = "2026-11-20T11:00:00Z";
    assert_eq!(
        value(
            &mut agg,
            now,
            Period::Day,
            Dimension::Agent,
            2,
            Indicator::LoggedHours
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            Period::Day,
            Dimension::Agent,
            9,
            Indicator::LoggedHours
        ),
        Some(0.5)
    );
    assert_eq!(
        value(
            &mut agg,
            now,
            Period::Day,
            Dimension::Campaign,
            1,
            Indicator::LoggedHours
        ),
        Some(1.5)
    );
}
