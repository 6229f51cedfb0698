//! The call core driven through whole call flows: no socket, and time passed in as `now`.

use super::*;
use crate::call::types::Target;

fn originate(core: &mut CallCore, now: Instant) -> LegId {
    let o = Originate {
        target: Target::Trunk {
            trunk: "carrier".into(),
            number: "+14155550100".into(),
        },
        caller_id: "100".into(),
        timeout: Duration::from_secs(20),
    };
    let (leg, actions) = core.originate(o, now);
    assert!(matches!(actions[0], Action::Invite { .. }));
    leg
}

/// Agent 1001's phone calling the engine (the agent's session leg), not answered yet.
fn agent_calls_in(core: &mut CallCore) -> LegId {
    let (agent, _) = core.incoming(
        "sip:1001@h".into(),
        "sip:engine@h".into(),
        Some("1001".into()),
        None,
    );
    agent
}

fn events(actions: &[Action]) -> Vec<LegEvent> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Emit(Event::Leg { event, .. }) => Some(event.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn ringing_then_answer_then_remote_bye() {
    let now = Instant::now();
    let mut core = CallCore::new();
    let leg = originate(&mut core, now);
    let a = core.report(
        leg,
        StackReport::Provisional {
            status: 100,
            with_sdp: false,
        },
    );
    assert_eq!(events(&a), vec![LegEvent::Trying]);
    let a = core.report(
        leg,
        StackReport::Provisional {
            status: 180,
            with_sdp: false,
        },
    );
    assert_eq!(events(&a), vec![LegEvent::Ringing]);
    let a = core.report(leg, StackReport::Answered);
    assert_eq!(events(&a), vec![LegEvent::Answered]);
    assert_eq!(core.next_deadline(), None);
    let a = core.report(leg, StackReport::RemoteHangup);
    assert_eq!(
        events(&a),
        vec![LegEvent::HungUp {
            by: Side::Remote,
            cause: "bye".into()
        }]
    );
    assert!(a.contains(&Action::Release(leg)));
    assert!(core.is_empty());
}

#[test]
fn ring_timeout_cancels_and_reports_no_answer() {
    let now = Instant::now();
    let mut core = CallCore::new();
    let leg = originate(&mut core, now);
    core.report(
        leg,
        StackReport::Provisional {
            status: 180,
            with_sdp: false,
        },
    );
    assert!(core.expire(now + Duration::from_secs(19)).is_empty());
    let a = core.expire(now + Duration::from_secs(20));
    assert_eq!(a, vec![Action::Cancel(leg)]);
    let a = core.report(leg, StackReport::Failed { status: 487 });
    assert_eq!(
        events(&a),
        vec![LegEvent::Failed {
            outcome: DialOutcome::NoAnswer,
            status: 487
        }]
    );
}

#[test]
fn early_media_then_busy() {
    let now = Instant::now();
    let mut core = CallCore::new();
    let leg = originate(&mut core, now);
    let a = core.report(
        leg,
        StackReport::Provisional {
            status: 183,
            with_sdp: true,
        },
    );
    assert_eq!(events(&a), vec![LegEvent::Trying, LegEvent::EarlyMedia]);
    let a = core.report(leg, StackReport::Failed { status: 486 });
    assert_eq!(
        events(&a),
        vec![LegEvent::Failed {
            outcome: DialOutcome::Busy,
            status: 486
        }]
    );
}

#[test]
fn bridge_needs_two_answered_legs_and_hangup_unbridges() {
    let now = Instant::now();
    let mut core = CallCore::new();
    let customer = originate(&mut core, now);
    let agent = agent_calls_in(&mut core);
    assert_eq!(
        core.command(Command::Bridge(customer, agent), now)
            .unwrap_err()
            .slug(),
        "wrong-state"
    );
    core.report(customer, StackReport::Answered);
    core.command(Command::Answer(agent), now).unwrap();
    let a = core.command(Command::Bridge(customer, agent), now).unwrap();
    assert_eq!(a[0], Action::Bridge(customer, agent));
    let a = core
        .command(
            Command::Hangup {
                leg: customer,
                cause: HangupCause::Normal,
            },
            now,
        )
        .unwrap();
    assert!(a.contains(&Action::Bye {
        leg: customer,
        cause: HangupCause::Normal
    }));
    assert!(a.contains(&Action::Unbridge(customer, agent)));
    assert_eq!(core.len(), 1);
}

#[test]
fn hangup_while_ringing_is_a_cancel() {
    let now = Instant::now();
    let mut core = CallCore::new();
    let leg = originate(&mut core, now);
    let a = core
        .command(
            Command::Hangup {
                leg,
                cause: HangupCause::Normal,
            },
            now,
        )
        .unwrap();
    assert_eq!(a, vec![Action::Cancel(leg)]);
    // The carrier's 200 crossed our CANCEL: still a cancelled attempt.
    let a = core.report(leg, StackReport::Answered);
    assert_eq!(
        events(&a),
        vec![LegEvent::Failed {
            outcome: DialOutcome::Cancelled,
            status: 200
        }]
    );
    assert!(core.report(leg, StackReport::RemoteHangup).is_empty());
}

#[test]
fn unknown_legs_and_bad_commands_are_errors() {
    let now = Instant::now();
    let mut core = CallCore::new();
    let err = core.command(Command::Answer(LegId(9)), now).unwrap_err();
    assert_eq!(err.slug(), "unknown-leg");
    let (leg, _) = core.incoming("a".into(), "b".into(), None, None);
    let err = core
        .command(Command::Reject { leg, status: 200 }, now)
        .unwrap_err();
    assert_eq!(err.slug(), "bad-config");
}

#[test]
fn an_offered_leg_for_an_account_can_ring_then_be_answered() {
    let now = Instant::now();
    let mut core = CallCore::new();
    let (leg, a) = core.incoming(
        "sip:ccengine@h".into(),
        "sip:2001@h".into(),
        None,
        Some("2001".into()),
    );
    assert_eq!(
        events(&a),
        vec![LegEvent::Incoming {
            from: "sip:ccengine@h".into(),
            to: "sip:2001@h".into(),
            agent: None,
            account: Some("2001".into()),
        }]
    );
    assert_eq!(
        core.command(Command::Ring(leg), now).unwrap(),
        vec![Action::Ring(leg)]
    );
    assert_eq!(
        core.command(Command::Ring(leg), now).unwrap(),
        vec![Action::Ring(leg)]
    );
    core.command(Command::Answer(leg), now).unwrap();
    let err = core.command(Command::Ring(leg), now).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("leg {} cannot ring while answered", leg.0)
    );
    let outbound = originate(&mut core, now);
    assert_eq!(
        core.command(Command::Ring(outbound), now)
            .unwrap_err()
            .slug(),
        "wrong-state"
    );
    assert_eq!(
        core.command(Command::Ring(LegId(99)), now)
            .unwrap_err()
            .slug(),
        "unknown-leg"
    );
}

#[test]
fn a_detached_leg_leaves_its_partner_the_call_and_can_be_bridged_again() {
    let now = Instant::now();
    let mut core = CallCore::new();
    let customer = originate(&mut core, now);
    let agent = agent_calls_in(&mut core);
    core.report(customer, StackReport::Answered);
    core.command(Command::Answer(agent), now).unwrap();
    assert_eq!(
        core.command(Command::Detach(agent), now)
            .unwrap_err()
            .slug(),
        "wrong-state",
        "a leg that is not bridged has nothing to leave"
    );
    core.command(Command::Bridge(customer, agent), now).unwrap();
    let a = core.command(Command::Detach(agent), now).unwrap();
    assert_eq!(
        a[0],
        Action::Detach {
            leaving: agent,
            staying: customer
        }
    );
    assert_eq!(
        events(&a),
        vec![
            LegEvent::Unbridged { with: customer },
            LegEvent::Unbridged { with: agent }
        ]
    );
    assert_eq!(core.len(), 2, "both legs stay up");
    let next = originate(&mut core, now);
    core.report(next, StackReport::Answered);
    core.command(Command::Bridge(next, agent), now)
        .expect("the detached leg takes its next call");
    let a = core
        .command(
            Command::Hangup {
                leg: customer,
                cause: HangupCause::Normal,
            },
            now,
        )
        .unwrap();
    assert!(
        !a.iter().any(|x| matches!(x, Action::Unbridge(..))),
        "the old call ends without touching the agent's new one: {a:?}"
    );
}
