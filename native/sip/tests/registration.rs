//! The engine registering as a client: phone accounts registering with another engine of ours
//! over UDP and TCP and taking its call (ringing first), and a registrar answering oddly (no
//! challenge, a challenge we cannot answer, a junk Contact, 404, 423) reported without a panic.

mod common;

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use ccengine_sip::config::{Account, Agent, Listen};
use ccengine_sip::{
    Command, EngineConfig, Event, LegEvent, PeerEvent, Registrant, Target, Transport,
};
use common::{free_port, TestEngine};

fn listening_udp_and_tcp() -> EngineConfig {
    let mut config = EngineConfig::listening(Transport::Udp, "127.0.0.1:0".parse().unwrap());
    let tcp = free_port("127.0.0.1", Transport::Tcp);
    config.listen.push(Listen {
        transport: Transport::Tcp,
        address: format!("127.0.0.1:{tcp}").parse().unwrap(),
    });
    config
}

fn account(user: &str, password: &str, registrar: SocketAddr, transport: Transport) -> Account {
    Account {
        user: user.into(),
        password: password.into(),
        registrar,
        transport,
        expires: 300,
    }
}

/// The `RegisterStatus` of `name` matching `wanted` (waits for it).
fn status_of(
    engine: &mut TestEngine,
    name: &str,
    wanted: impl Fn(&PeerEvent) -> bool,
) -> PeerEvent {
    let found = engine.wait(|e| {
        matches!(e, Event::Peer(p @ PeerEvent::RegisterStatus { name: n, .. }) if n == name && wanted(p))
    });
    match found {
        Event::Peer(peer) => peer,
        other => panic!("{other:?}"),
    }
}

fn registered(expires: u32) -> impl Fn(&PeerEvent) -> bool {
    move |p| matches!(p, PeerEvent::RegisterStatus { ok: true, expires: e, .. } if *e == expires)
}

#[test]
fn accounts_register_over_udp_and_tcp_and_take_a_call_that_rings_first() {
    let mut registrar_config = listening_udp_and_tcp();
    for user in ["2001", "2002"] {
        registrar_config.agents.push(Agent {
            user: user.into(),
            password: format!("pw-{user}"),
        });
    }
    let registrar_tcp = registrar_config.listen[1].address;
    let mut registrar = TestEngine::start(registrar_config);
    let registrar_udp = registrar.engine.local_addr(Transport::Udp, false).unwrap();

    let mut bank_config = listening_udp_and_tcp();
    let bank_tcp = bank_config.listen[1].address;
    bank_config.accounts = vec![
        account("2001", "pw-2001", registrar_udp, Transport::Udp),
        account("2002", "pw-2002", registrar_tcp, Transport::Tcp),
    ];
    let mut bank = TestEngine::start(bank_config);
    for user in ["2001", "2002"] {
        let status = status_of(&mut bank, user, registered(300));
        assert!(matches!(
            status,
            PeerEvent::RegisterStatus {
                kind: Registrant::Account,
                reason: "registered",
                status: 200,
                ..
            }
        ));
    }
    let bank_udp = bank.engine.local_addr(Transport::Udp, false).unwrap();
    assert_eq!(
        registrar.engine.agent_contact("2001").unwrap(),
        Some(format!("sip:2001@{bank_udp}"))
    );
    let over_tcp = registrar.engine.agent_contact("2002").unwrap().unwrap();
    assert_eq!(
        over_tcp.to_ascii_lowercase(),
        format!("sip:2002@{bank_tcp};transport=tcp")
    );

    // The registrar calls the account registered over TCP: it rings, then answers.
    let leg = registrar.dial(
        Target::Agent {
            user: "2002".into(),
        },
        Duration::from_secs(5),
    );
    let offered = bank.wait(|e| {
        matches!(
            e,
            Event::Leg {
                event: LegEvent::Incoming { .. },
                ..
            }
        )
    });
    let Event::Leg {
        leg: bank_leg,
        event: LegEvent::Incoming { agent, account, .. },
    } = offered
    else {
        panic!("{offered:?}")
    };
    assert_eq!((agent, account.as_deref()), (None, Some("2002")));
    bank.engine.command(Command::Ring(bank_leg)).unwrap();
    registrar.wait_leg(leg, |e| matches!(e, LegEvent::Ringing));
    bank.engine.command(Command::Answer(bank_leg)).unwrap();
    registrar.wait_leg(leg, |e| matches!(e, LegEvent::Answered));
    registrar.hang_up(leg);
    bank.wait_leg(bank_leg, |e| matches!(e, LegEvent::HungUp { .. }));

    // Stopping the bank removes both bindings.
    bank.engine.shutdown();
    for user in ["2001", "2002"] {
        registrar.wait(|e| {
            matches!(e, Event::Peer(PeerEvent::Registration { user: u, expires: 0, .. }) if u == user)
        });
        assert_eq!(registrar.engine.agent_contact(user).unwrap(), None);
    }
}

/// A registrar on a raw UDP socket answering each account's REGISTERs with `answer(user,
/// expires asked)`; it serves until `until`.
fn odd_registrar(until: Instant) -> (SocketAddr, std::thread::JoinHandle<Vec<String>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let addr = socket.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 65536];
        while Instant::now() < until {
            let Ok((n, from)) = socket.recv_from(&mut buf) else {
                continue;
            };
            let request = String::from_utf8_lossy(&buf[..n]).into_owned();
            let headers: HashMap<String, String> = request
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            let to = headers["to"].clone();
            let user = to
                .split("sip:")
                .nth(1)
                .unwrap()
                .split('@')
                .next()
                .unwrap()
                .to_string();
            let expires = headers.get("expires").cloned().unwrap_or_default();
            seen.push(format!("{user} {expires}"));
            let (status, extra) = match (user.as_str(), expires.as_str()) {
                ("nochallenge", _) => ("401 Unauthorized", String::new()),
                ("aka", _) => (
                    "401 Unauthorized",
                    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5\r\n"
                        .into(),
                ),
                ("junk", _) => (
                    "200 OK",
                    "Contact: <<<junk;expires=x\r\nExpires: soon\r\n".into(),
                ),
                ("missing", _) => ("404 Not Found", String::new()),
                ("brief", "7200") => ("200 OK", "Expires: 7200\r\n".into()),
                ("brief", _) => ("423 Interval Too Brief", "Min-Expires: 7200\r\n".into()),
                _ => ("500 Server Error", String::new()),
            };
            let response = format!(
                "SIP/2.0 {status}\r\nVia: {}\r\nFrom: {}\r\nTo: {to};tag=odd\r\nCall-ID: {}\r\nCSeq: {}\r\n{extra}Content-Length: 0\r\n\r\n",
                headers["via"], headers["from"], headers["call-id"], headers["cseq"]
            );
            socket.send_to(response.as_bytes(), from).unwrap();
        }
        seen
    });
    (addr, thread)
}

#[test]
fn odd_registrar_answers_become_reasons_not_panics() {
    let (registrar, serving) = odd_registrar(Instant::now() + Duration::from_secs(4));
    let mut config = EngineConfig::listening(Transport::Udp, "127.0.0.1:0".parse().unwrap());
    for user in ["nochallenge", "aka", "junk", "missing", "brief"] {
        config
            .accounts
            .push(account(user, "pw", registrar, Transport::Udp));
    }
    let mut engine = TestEngine::start(config);
    let failed = |reason: &'static str, status: u16| move |p: &PeerEvent| matches!(p, PeerEvent::RegisterStatus { ok: false, reason: r, status: s, .. } if *r == reason && *s == status);
    status_of(
        &mut engine,
        "nochallenge",
        failed("unsupported-challenge", 401),
    );
    status_of(&mut engine, "aka", failed("unsupported-challenge", 401));
    status_of(&mut engine, "missing", failed("rejected", 404));
    // A Contact we cannot read: the Expires header (junk too) falls back to what we asked for.
    status_of(&mut engine, "junk", registered(300));
    status_of(&mut engine, "brief", registered(7200));
    engine.engine.shutdown();
    let seen = serving.join().unwrap();
    assert!(seen.contains(&"brief 300".to_string()), "{seen:?}");
    assert!(seen.contains(&"brief 7200".to_string()), "{seen:?}");
    // Shutdown asked to remove the two bindings it held.
    assert!(seen.contains(&"junk 0".to_string()), "{seen:?}");
    assert!(seen.contains(&"brief 0".to_string()), "{seen:?}");
}
