use super::*;
use crate::calendar::WeekStart;
use crate::engine::Config;
use crate::entities::Sizes;
use crate::event::flag;
use crate::query::{Period, Window};
use crate::synth::{synthetic_day, SynthConfig};
use crate::{Dimension, Event, EventKind, OwnedColumns};

const MINUTE: i64 = 60_000_000;

fn sizes() -> Sizes {
    Sizes {
        tenant: 1,
        agent: 20,
        team: 4,
        campaign: 2,
        list: 4,
        queue: 2,
        channel: 1,
    }
}

fn aggregator() -> Aggregator {
    let config = Config {
        tz: "Europe/Paris".into(),
        week_start: WeekStart::Sunday,
        sizes: sizes(),
        ..Config::default()
    };
    Aggregator::new(Config {
        service_level_seconds: 15.0,
        trend_tolerance: 0.1,
        ..config
    })
    .unwrap()
}

/// Everything a query can tell at `now`, as text (so `NaN`s compare equal).
fn answers(agg: &mut Aggregator, now: i64) -> String {
    let mut out = Vec::new();
    for period in [Period::Day, Period::Week, Period::Month] {
        for dim in Dimension::ALL {
            out.push(format!("{:?}", agg.table(now, period, dim).unwrap()));
            let last = agg.sizes().get(dim) - 1;
            out.push(format!("{:?}", agg.report(now, period, dim, last).unwrap()));
        }
        for ind in [
            crate::Indicator::SecondsAvailable,
            crate::Indicator::Attempts,
        ] {
            out.push(format!(
                "{:?}",
                agg.series(now, period, Dimension::Agent, 3, ind).unwrap()
            ));
        }
    }
    for window in [
        Window::Minutes15,
        Window::Hour,
        Window::Hours24,
        Window::Days30,
    ] {
        for dim in Dimension::ALL {
            out.push(format!("{:?}", agg.rolling(now, window, dim, 0).unwrap()));
        }
    }
    out.push(format!("{:?}", agg.live(now).unwrap()));
    out.push(format!(
        "{:?}",
        (0..sizes().agent)
            .map(|a| agg.agent_state(a))
            .collect::<Vec<_>>()
    ));
    out.join("\n")
}

fn round_trip(agg: &Aggregator) -> Aggregator {
    let bytes = agg.checkpoint();
    let back = Aggregator::restore(&bytes).unwrap();
    assert_eq!(
        back.checkpoint(),
        bytes,
        "the restored state checkpoints to the same bytes"
    );
    back
}

/// `a` and its restored copy answer alike at each `now`, asked in the same order.
fn assert_same_answers(a: &mut Aggregator, b: &mut Aggregator, nows: &[i64]) {
    for &now in nows {
        assert_eq!(answers(a, now), answers(b, now), "at {now}");
    }
}

fn slice(day: &OwnedColumns, from: usize, to: usize) -> OwnedColumns {
    let columns = day.columns();
    (from..to).map(|i| columns.get(i)).collect()
}

#[test]
fn a_synthetic_day_restores_whole_and_goes_on_alike() {
    let cfg = SynthConfig {
        agents: 20,
        teams: 4,
        campaigns: 2,
        lists: 4,
        queues: 2,
        target_events: 60_000,
        seed: 7,
        ..SynthConfig::default()
    };
    let day = synthetic_day(&cfg).unwrap();
    for split in [day.len() / 3, day.len() * 3 / 4] {
        let mut live = aggregator();
        live.ingest(&slice(&day, 0, split).columns()).unwrap();
        let mut restored = round_trip(&live);
        let t = day.time[split - 1];
        assert_same_answers(&mut live, &mut restored, &[t, t + 7 * MINUTE]);
        let rest = slice(&day, split, day.len());
        assert_eq!(
            live.ingest(&rest.columns()).unwrap(),
            restored.ingest(&rest.columns()).unwrap()
        );
        let end = day.time[day.len() - 1];
        assert_same_answers(
            &mut live,
            &mut restored,
            &[end, end + 90 * MINUTE, end + 26 * 60 * MINUTE],
        );
        assert_eq!(live.checkpoint(), restored.checkpoint());
    }
}

fn micros(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_microsecond()
}

fn event(time: &str, kind: EventKind) -> Event {
    let mut e = Event::new(micros(time), kind as u8);
    e.tenant = 0;
    e
}

fn agent(time: &str, kind: EventKind, id: u32) -> Event {
    Event {
        agent: id,
        team: id % 4,
        campaign: 1,
        ..event(time, kind)
    }
}

fn queue(time: &str, kind: EventKind, call: u64) -> Event {
    Event {
        queue: 1,
        call,
        ..event(time, kind)
    }
}

/// Agents in every state, calls waiting and one that left before its entry arrived,
/// campaigns and lists switched, a shared callback pending, and late events.
fn busy_center() -> Aggregator {
    let mut agg = aggregator();
    let events = [
        agent("2026-11-19T22:50:00Z", EventKind::AgentLogin, 5),
        Event {
            campaign: 0,
            ..event("2026-11-20T07:00:00Z", EventKind::CampaignActivated)
        },
        Event {
            campaign: 0,
            list: 2,
            ..event("2026-11-20T07:00:00Z", EventKind::ListActivated)
        },
        agent("2026-11-20T08:00:10Z", EventKind::AgentLogin, 0),
        agent("2026-11-20T08:00:20Z", EventKind::AgentLogin, 1),
        agent("2026-11-20T08:03:00Z", EventKind::AgentPause, 1),
        Event {
            campaign: 1,
            call: 9,
            ..event("2026-11-20T08:04:00Z", EventKind::DialAttempt)
        },
        queue("2026-11-20T08:05:00Z", EventKind::QueueEntered, 1),
        queue("2026-11-20T08:05:30Z", EventKind::QueueEntered, 2),
        queue("2026-11-20T08:06:00Z", EventKind::QueueAnswered, 3),
        Event {
            flags: flag::SHARED,
            agent: 0,
            ..event("2026-11-20T08:07:00Z", EventKind::CallbackScheduled)
        },
        Event {
            campaign: 0,
            ..event("2026-11-20T09:30:00Z", EventKind::CampaignDeactivated)
        },
        Event {
            campaign: 1,
            call: 10,
            ..event("2026-11-20T09:31:00Z", EventKind::DialAttempt)
        },
        // Late: into a closed minute and a closed hour.
        Event {
            campaign: 1,
            call: 11,
            ..event("2026-11-20T08:59:00Z", EventKind::DialAttempt)
        },
        Event {
            campaign: 1,
            call: 12,
            ..event("2026-11-20T09:30:30Z", EventKind::DialAttempt)
        },
    ];
    for e in &events {
        agg.push(e).unwrap();
    }
    agg
}

#[test]
fn agents_queues_activity_and_late_events_survive() {
    let mut live = busy_center();
    let mut restored = round_trip(&live);
    let nows = [
        micros("2026-11-20T09:31:10Z"),
        micros("2026-11-20T10:45:00Z"),
    ];
    assert_same_answers(&mut live, &mut restored, &nows);
    let more = [
        queue("2026-11-20T10:46:00Z", EventKind::QueueAnswered, 1),
        queue("2026-11-20T08:05:50Z", EventKind::QueueEntered, 3),
        agent("2026-11-20T10:47:00Z", EventKind::AgentResume, 1),
        agent("2026-11-20T10:48:00Z", EventKind::AgentLogout, 5),
        Event {
            flags: flag::SHARED,
            agent: 0,
            ..event("2026-11-20T10:49:00Z", EventKind::CallbackDone)
        },
        Event {
            campaign: 1,
            call: 13,
            ..event("2026-11-20T10:20:00Z", EventKind::DialAttempt)
        },
    ];
    for e in &more {
        assert_eq!(live.push(e), restored.push(e));
    }
    assert_same_answers(
        &mut live,
        &mut restored,
        &[
            micros("2026-11-20T10:50:00Z"),
            micros("2026-11-21T09:00:00Z"),
        ],
    );
}

#[test]
fn an_untouched_or_resized_aggregator_round_trips() {
    let mut fresh = aggregator();
    let mut restored = round_trip(&fresh);
    assert_same_answers(&mut fresh, &mut restored, &[micros("2026-11-20T12:00:00Z")]);
    let mut grown = busy_center();
    grown.resize(Dimension::Agent, 30).unwrap();
    grown.resize(Dimension::Queue, 1).unwrap();
    let back = round_trip(&grown);
    assert_eq!(back.sizes(), grown.sizes());
}

fn refusal(bytes: &[u8]) -> String {
    match Aggregator::restore(bytes) {
        Err(e) => {
            assert_eq!(e.slug(), "bad-checkpoint");
            e.to_string()
        }
        Ok(_) => panic!("restored from bad input"),
    }
}

#[test]
fn damaged_truncated_or_foreign_input_is_refused() {
    let bytes = busy_center().checkpoint();
    for cut in [0, 5, 12, 40, bytes.len() / 2, bytes.len() - 1] {
        refusal(&bytes[..cut]);
    }
    assert!(refusal(b"hello, not a checkpoint at all").contains("magic"));
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&(VERSION + 1).to_le_bytes());
    assert!(refusal(&newer).contains("version 2"));
    for at in [13, 30, bytes.len() / 3, bytes.len() - 9, bytes.len() - 3] {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x10;
        assert!(refusal(&flipped).contains("checksum"));
    }
}

/// Structural checks behind the checksum: a section damaged and re-sealed is still refused.
#[test]
fn a_resealed_inconsistent_checkpoint_is_refused() {
    let bytes = busy_center().checkpoint();
    let seal = |mut body: Vec<u8>| {
        body.truncate(body.len() - 8);
        let sum = checksum(&body);
        body.extend_from_slice(&sum.to_le_bytes());
        body
    };
    let mut wrong_tag = bytes.clone();
    wrong_tag[12..16].copy_from_slice(b"XXXX");
    assert!(refusal(&seal(wrong_tag)).contains("section CONF missing"));
    let mut long_section = bytes.clone();
    long_section[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
    refusal(&seal(long_section));
    let mut extra = bytes[..bytes.len() - 8].to_vec();
    extra.extend_from_slice(&[0; 9]);
    assert!(refusal(&seal(extra)).contains("after the last section"));
}
