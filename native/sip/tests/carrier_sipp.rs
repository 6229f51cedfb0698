//! The engine dialling out through a carrier trunk played by SIPp, over real loopback SIP:
//! every carrier answer maps to the dial outcome a campaign records.

mod common;

use std::time::Duration;

use ccengine_sip::{
    DialOutcome, Event, LegEvent, LegId, Originate, PeerEvent, Side, Target, Transport,
};
use common::{config_with_trunk, via_carrier, Sipp, TestEngine};

fn dial(engine: &TestEngine, number: &str, timeout: Duration) -> LegId {
    engine.dial(via_carrier(number), timeout)
}

fn carrier_and_engine(
    ip: &str,
    transport: Transport,
    scenario: &str,
    fills: &[(&str, &str)],
) -> (Sipp, TestEngine) {
    let sipp = Sipp::carrier(ip, transport, scenario, fills);
    let engine = TestEngine::start(config_with_trunk(ip, transport, sipp.addr));
    (sipp, engine)
}

/// Answered, then we hang up; SIPp checks it got our BYE.
fn answered_and_hung_up_by_us(ip: &str, transport: Transport, scenario: &str) -> Vec<LegEvent> {
    answered_and_hung_up_by_us_with(ip, transport, scenario, &[])
}

fn answered_and_hung_up_by_us_with(
    ip: &str,
    transport: Transport,
    scenario: &str,
    fills: &[(&str, &str)],
) -> Vec<LegEvent> {
    let (sipp, mut engine) = carrier_and_engine(ip, transport, scenario, fills);
    let leg = engine.dial_answered(via_carrier("+14155550100"));
    let events = engine.hang_up(leg);
    sipp.finish();
    events
}

fn failed_with(status: &str, reason: &str) -> (DialOutcome, u16) {
    let (sipp, mut engine) = carrier_and_engine(
        "127.0.0.1",
        Transport::Udp,
        "carrier_final.xml",
        &[("status", status), ("reason", reason)],
    );
    let leg = dial(&engine, "0142000000", Duration::from_secs(10));
    let events = engine.wait_leg(leg, |e| matches!(e, LegEvent::Failed { .. }));
    sipp.finish();
    assert_eq!(events.first(), Some(&LegEvent::Trying), "{events:?}");
    match events.last() {
        Some(LegEvent::Failed { outcome, status }) => (*outcome, *status),
        other => panic!("{other:?}"),
    }
}

#[test]
fn answer_then_our_bye() {
    let events = answered_and_hung_up_by_us("127.0.0.1", Transport::Udp, "carrier_answer.xml");
    assert_eq!(
        events,
        vec![
            LegEvent::Trying,
            LegEvent::Ringing,
            LegEvent::Answered,
            LegEvent::HungUp {
                by: Side::Local,
                cause: "normal".into()
            }
        ]
    );
}

#[test]
fn answer_then_carrier_bye() {
    let (sipp, mut engine) = carrier_and_engine(
        "127.0.0.1",
        Transport::Udp,
        "carrier_answer_then_bye.xml",
        &[],
    );
    let leg = dial(&engine, "+14155550100", Duration::from_secs(10));
    let events = engine.wait_leg(leg, |e| matches!(e, LegEvent::HungUp { .. }));
    sipp.finish();
    assert!(events.contains(&LegEvent::Answered), "{events:?}");
    assert_eq!(
        events.last(),
        Some(&LegEvent::HungUp {
            by: Side::Remote,
            cause: "bye".into()
        })
    );
    assert_eq!(engine.engine.leg_count().unwrap(), 0);
}

#[test]
fn busy_486() {
    assert_eq!(failed_with("486", "Busy Here"), (DialOutcome::Busy, 486));
}

#[test]
fn invalid_number_404() {
    assert_eq!(
        failed_with("404", "Not Found"),
        (DialOutcome::InvalidNumber, 404)
    );
}

#[test]
fn unavailable_480_is_no_answer() {
    assert_eq!(
        failed_with("480", "Temporarily Unavailable"),
        (DialOutcome::NoAnswer, 480)
    );
}

#[test]
fn congestion_503() {
    assert_eq!(
        failed_with("503", "Service Unavailable"),
        (DialOutcome::Congestion, 503)
    );
}

#[test]
fn decline_603_is_rejected() {
    assert_eq!(failed_with("603", "Decline"), (DialOutcome::Rejected, 603));
}

#[test]
fn ringing_without_answer_is_cancelled_at_our_timeout() {
    let (sipp, mut engine) = carrier_and_engine(
        "127.0.0.1",
        Transport::Udp,
        "carrier_ring_no_answer.xml",
        &[],
    );
    let leg = dial(&engine, "+14155550100", Duration::from_millis(800));
    let events = engine.wait_leg(leg, |e| matches!(e, LegEvent::Failed { .. }));
    sipp.finish();
    assert!(events.contains(&LegEvent::Ringing), "{events:?}");
    assert_eq!(
        events.last(),
        Some(&LegEvent::Failed {
            outcome: DialOutcome::NoAnswer,
            status: 487
        })
    );
}

#[test]
fn early_media_183_then_answer() {
    let events = answered_and_hung_up_by_us("127.0.0.1", Transport::Udp, "carrier_early_media.xml");
    assert_eq!(
        events,
        vec![
            LegEvent::Trying,
            LegEvent::EarlyMedia,
            LegEvent::Answered,
            LegEvent::HungUp {
                by: Side::Local,
                cause: "normal".into()
            }
        ]
    );
}

#[test]
fn carrier_challenge_401_is_answered_with_our_trunk_digest() {
    let fills = [("algorithm", "MD5")];
    let events = answered_and_hung_up_by_us_with(
        "127.0.0.1",
        Transport::Udp,
        "carrier_challenge_401.xml",
        &fills,
    );
    assert!(events.contains(&LegEvent::Answered), "{events:?}");
}

#[test]
fn carrier_sha256_challenge_is_answered_with_a_sha256_digest() {
    let fills = [("algorithm", "SHA-256")];
    let events = answered_and_hung_up_by_us_with(
        "127.0.0.1",
        Transport::Udp,
        "carrier_challenge_401.xml",
        &fills,
    );
    assert!(events.contains(&LegEvent::Answered), "{events:?}");
}

#[test]
fn trunk_keepalive_options_reports_the_trunk_up() {
    let sipp = Sipp::carrier("127.0.0.1", Transport::Udp, "trunk_options.xml", &[]);
    let mut config = config_with_trunk("127.0.0.1", Transport::Udp, sipp.addr);
    config.trunks[0].keepalive_seconds = Some(30);
    let mut engine = TestEngine::start(config);
    let up = engine.wait(|e| matches!(e, Event::Peer(PeerEvent::Trunk { .. })));
    assert_eq!(
        up,
        Event::Peer(PeerEvent::Trunk {
            trunk: "carrier".into(),
            up: true
        })
    );
    sipp.finish();
}

#[test]
fn carrier_challenge_407_is_answered_with_proxy_authorization() {
    let events =
        answered_and_hung_up_by_us("127.0.0.1", Transport::Udp, "carrier_challenge_407.xml");
    assert!(events.contains(&LegEvent::Answered), "{events:?}");
}

#[test]
fn tcp_trunk() {
    let events = answered_and_hung_up_by_us("127.0.0.1", Transport::Tcp, "carrier_answer.xml");
    assert!(events.contains(&LegEvent::Answered), "{events:?}");
}

#[test]
fn ipv6_trunk() {
    let events = answered_and_hung_up_by_us("::1", Transport::Udp, "carrier_answer.xml");
    assert!(events.contains(&LegEvent::Answered), "{events:?}");
}

#[test]
fn unknown_trunk_and_bad_numbers_are_refused_at_once() {
    let engine = TestEngine::start(config_with_trunk(
        "127.0.0.1",
        Transport::Udp,
        "127.0.0.1:9".parse().unwrap(),
    ));
    let originate = |trunk: &str, number: &str| {
        let target = Target::Trunk {
            trunk: trunk.into(),
            number: number.into(),
        };
        engine.engine.originate(Originate {
            target,
            caller_id: "100".into(),
            timeout: Duration::from_secs(1),
        })
    };
    assert_eq!(
        originate("nope", "123").unwrap_err().slug(),
        "unknown-trunk"
    );
    assert_eq!(
        originate("carrier", "1@evil").unwrap_err().slug(),
        "bad-target"
    );
    assert_eq!(originate("carrier", "").unwrap_err().slug(), "bad-target");
}
