//! Agents' phones (SIPp) registering with digest credentials, and the engine calling an agent
//! where it registered.

mod common;

use std::time::Duration;

use ccengine_sip::config::Agent;
use ccengine_sip::digest::Algorithm;
use ccengine_sip::{EngineConfig, Event, Originate, PeerEvent, Target, Transport};
use common::{fill, free_port, Sipp, TestEngine};

fn engine_with_agent() -> TestEngine {
    let mut config = EngineConfig::listening(Transport::Udp, "127.0.0.1:0".parse().unwrap());
    config.agents.push(Agent {
        user: "1001".into(),
        password: "s3cret".into(),
    });
    // SIPp answers only MD5 challenges, and reads only the first one.
    config.digest_algorithms = vec![Algorithm::Md5];
    TestEngine::start(config)
}

fn register(engine: &TestEngine, password: &str, contact_port: u16, expected: &str) -> Sipp {
    let port = free_port("127.0.0.1", Transport::Udp);
    let contact_port = contact_port.to_string();
    let fills = [
        ("user", "1001"),
        ("password", password),
        ("contact_port", &contact_port),
        ("expected", expected),
    ];
    let file = fill("agent_register.xml", port, &fills);
    let target = engine
        .engine
        .local_addr(Transport::Udp, false)
        .unwrap()
        .to_string();
    Sipp::spawn(
        "127.0.0.1",
        port,
        Transport::Udp,
        1,
        &["-sf", &file, &target],
    )
}

#[test]
fn agent_registers_with_digest_and_takes_the_engines_call() {
    let mut engine = engine_with_agent();
    let phone = Sipp::carrier("127.0.0.1", Transport::Udp, "agent_phone.xml", &[]);
    register(&engine, "s3cret", phone.addr.port(), "200").finish();
    let registered = engine.wait(|e| matches!(e, Event::Peer(PeerEvent::Registration { .. })));
    let contact = format!("sip:1001@127.0.0.1:{}", phone.addr.port());
    assert_eq!(
        registered,
        Event::Peer(PeerEvent::Registration {
            user: "1001".into(),
            contact: contact.clone(),
            expires: 300
        })
    );
    assert_eq!(engine.engine.agent_contact("1001").unwrap(), Some(contact));

    let leg = engine.dial_answered(Target::Agent {
        user: "1001".into(),
    });
    engine.hang_up(leg);
    phone.finish();
}

#[test]
fn a_wrong_password_is_refused_and_binds_nothing() {
    let engine = engine_with_agent();
    register(&engine, "guess", 4000, "403").finish();
    assert_eq!(engine.engine.agent_contact("1001").unwrap(), None);
    let target = Target::Agent {
        user: "1001".into(),
    };
    let refused = engine.engine.originate(Originate {
        target,
        caller_id: "x".into(),
        timeout: Duration::from_secs(1),
    });
    assert_eq!(refused.unwrap_err().slug(), "bad-target");
}
