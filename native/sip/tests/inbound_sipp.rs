//! SIPp calling into the engine, re-INVITE hold both ways, INFO DTMF, and a B2BUA bridge of an
//! inbound leg with an outbound carrier leg.

mod common;

use std::time::Duration;

use ccengine_sip::{Command, EngineConfig, Event, LegEvent, LegId, Side, Transport};
use common::{config_with_trunk, free_port, scenario, via_carrier, Sipp, TestEngine};

fn caller(engine: &TestEngine, args: &[&str]) -> Sipp {
    let target = engine
        .engine
        .local_addr(Transport::Udp, false)
        .unwrap()
        .to_string();
    let port = free_port("127.0.0.1", Transport::Udp);
    let mut all = vec![target.as_str(), "-s", "ccengine"];
    all.extend(args);
    Sipp::spawn("127.0.0.1", port, Transport::Udp, 1, &all)
}

fn incoming_leg(engine: &mut TestEngine) -> LegId {
    match engine.wait(|e| {
        matches!(
            e,
            Event::Leg {
                event: LegEvent::Incoming { .. },
                ..
            }
        )
    }) {
        Event::Leg { leg, .. } => leg,
        other => panic!("{other:?}"),
    }
}

#[test]
fn sipp_calls_in_we_answer_it_hangs_up() {
    let mut engine = TestEngine::start(EngineConfig::listening(
        Transport::Udp,
        "127.0.0.1:0".parse().unwrap(),
    ));
    let sipp = caller(&engine, &["-sn", "uac", "-d", "300"]);
    let leg = incoming_leg(&mut engine);
    engine.engine.command(Command::Answer(leg)).unwrap();
    let events = engine.wait_leg(leg, |e| matches!(e, LegEvent::HungUp { .. }));
    sipp.finish();
    assert!(
        matches!(&events[0], LegEvent::Incoming { agent: None, .. }),
        "{events:?}"
    );
    assert_eq!(
        events[1..],
        [
            LegEvent::Answered,
            LegEvent::HungUp {
                by: Side::Remote,
                cause: "bye".into()
            }
        ]
    );
}

#[test]
fn we_reject_an_incoming_call() {
    let mut engine = TestEngine::start(EngineConfig::listening(
        Transport::Udp,
        "127.0.0.1:0".parse().unwrap(),
    ));
    let file = scenario("caller_rejected.xml");
    let sipp = caller(&engine, &["-sf", &file]);
    let leg = incoming_leg(&mut engine);
    engine
        .engine
        .command(Command::Reject { leg, status: 486 })
        .unwrap();
    let events = engine.wait_leg(leg, |e| matches!(e, LegEvent::HungUp { .. }));
    sipp.finish();
    assert_eq!(
        events.last(),
        Some(&LegEvent::HungUp {
            by: Side::Local,
            cause: "rejected".into()
        })
    );
}

#[test]
fn caller_holds_and_sends_dtmf() {
    let mut engine = TestEngine::start(EngineConfig::listening(
        Transport::Udp,
        "127.0.0.1:0".parse().unwrap(),
    ));
    let file = scenario("caller_holds.xml");
    let sipp = caller(&engine, &["-sf", &file]);
    let leg = incoming_leg(&mut engine);
    engine.engine.command(Command::Answer(leg)).unwrap();
    let events = engine.wait_leg(leg, |e| matches!(e, LegEvent::HungUp { .. }));
    sipp.finish();
    assert!(events.contains(&LegEvent::Held), "{events:?}");
    assert!(
        events.contains(&LegEvent::Dtmf {
            digit: '7',
            duration_ms: 160
        }),
        "{events:?}"
    );
}

#[test]
fn we_hold_and_resume_the_carrier() {
    let sipp = Sipp::carrier("127.0.0.1", Transport::Udp, "carrier_hold.xml", &[]);
    let mut engine = TestEngine::start(config_with_trunk("127.0.0.1", Transport::Udp, sipp.addr));
    let leg = engine.dial_answered(via_carrier("5551000"));
    engine
        .engine
        .command(Command::Hold { leg, on: true })
        .unwrap();
    engine.wait_leg(leg, |e| matches!(e, LegEvent::Held));
    engine
        .engine
        .command(Command::Hold { leg, on: false })
        .unwrap();
    engine.wait_leg(leg, |e| matches!(e, LegEvent::Resumed));
    // Give the resume re-INVITE time to complete before the BYE.
    std::thread::sleep(Duration::from_millis(300));
    engine.hang_up(leg);
    sipp.finish();
}

#[test]
fn b2bua_bridges_an_inbound_caller_to_the_carrier() {
    let carrier = Sipp::carrier("127.0.0.1", Transport::Udp, "carrier_answer.xml", &[]);
    let mut engine =
        TestEngine::start(config_with_trunk("127.0.0.1", Transport::Udp, carrier.addr));
    let sipp = caller(&engine, &["-sn", "uac", "-d", "1500"]);
    let inbound = incoming_leg(&mut engine);
    engine.engine.command(Command::Answer(inbound)).unwrap();
    let outbound = engine.dial_answered(via_carrier("+14155550100"));
    engine
        .engine
        .command(Command::Bridge(inbound, outbound))
        .unwrap();
    assert_eq!(
        engine
            .engine
            .command(Command::Bridge(inbound, outbound))
            .unwrap_err()
            .slug(),
        "wrong-state"
    );
    // The caller hangs up: its leg ends, the carrier leg is unbridged and stays up for us to end.
    engine.wait_leg(inbound, |e| {
        matches!(
            e,
            LegEvent::HungUp {
                by: Side::Remote,
                ..
            }
        )
    });
    let events = engine.wait_leg(outbound, |e| matches!(e, LegEvent::Unbridged { .. }));
    assert!(
        events.contains(&LegEvent::Bridged { with: inbound }),
        "{events:?}"
    );
    engine.hang_up(outbound);
    sipp.finish();
    carrier.finish();
    assert_eq!(engine.engine.leg_count().unwrap(), 0);
}
