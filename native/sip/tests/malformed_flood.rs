//! Several hundred malformed messages at the engine (overlong fields, missing mandatory headers,
//! bad Content-Length, NUL bytes, header floods, broken SDP, bad digests, binary garbage) over UDP
//! and TCP, while a call is up. Afterwards the engine still answers a valid OPTIONS and the call
//! is still there: we hang it up and the carrier (SIPp) gets our BYE.

mod common;

use std::io::Write;
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use ccengine_sip::config::{Agent, Listen};
use ccengine_sip::Transport;
use common::{config_with_trunk, free_port, via_carrier, Sipp, TestEngine};

fn request(method: &str, headers: &[String], body: &str) -> Vec<u8> {
    let mut text = format!("{method} sip:ccengine@127.0.0.1 SIP/2.0\r\n");
    for h in headers {
        text.push_str(h);
        text.push_str("\r\n");
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    text.into_bytes()
}

fn standard(method: &str, call: usize) -> Vec<String> {
    vec![
        format!("Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKflood{call}"),
        format!("From: <sip:flood@127.0.0.1>;tag=f{call}"),
        "To: <sip:ccengine@127.0.0.1>".into(),
        format!("Call-ID: flood-{call}@127.0.0.1"),
        format!("CSeq: 1 {method}"),
        "Max-Forwards: 70".into(),
    ]
}

/// The malformed corpus: every kind, several variants each.
fn corpus() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for call in 0..25 {
        let n = call * 100;
        // Overlong fields.
        let mut h = standard("OPTIONS", n);
        h[0] = format!(
            "Via: SIP/2.0/UDP {}:9;branch=z9hG4bK{n}",
            "a".repeat(8000 + call * 100)
        );
        out.push(request("OPTIONS", &h, ""));
        out.push(format!("INVITE sip:{}@127.0.0.1 SIP/2.0\r\n\r\n", "9".repeat(6000)).into_bytes());
        let mut h = standard("OPTIONS", n + 1);
        h.push(format!("X-Long: {}", "z".repeat(60_000)));
        out.push(request("OPTIONS", &h, ""));
        // Missing mandatory headers, one at a time.
        for missing in 0..5 {
            let mut h = standard("INVITE", n + 10 + missing);
            h.remove(missing);
            out.push(request("INVITE", &h, ""));
        }
        // Bad Content-Length.
        for length in ["99999", "-5", "abc", "18446744073709551616", ""] {
            let mut text = String::new();
            text.push_str("OPTIONS sip:ccengine@127.0.0.1 SIP/2.0\r\n");
            for line in standard("OPTIONS", n + 20) {
                text.push_str(&line);
                text.push_str("\r\n");
            }
            text.push_str(&format!("Content-Length: {length}\r\n\r\nshort"));
            out.push(text.into_bytes());
        }
        // NUL bytes in the start line, a header, the body; raw binary.
        let mut nul = request("OPTIONS", &standard("OPTIONS", n + 30), "");
        nul[3] = 0;
        out.push(nul);
        let mut h = standard("OPTIONS", n + 31);
        h[3] = format!("Call-ID: a\0b{n}");
        out.push(request("OPTIONS", &h, ""));
        out.push(request(
            "INVITE",
            &standard("INVITE", n + 32),
            "v=0\0\0\0\r\n",
        ));
        out.push(
            (0..1200)
                .map(|i| ((i * 7 + call * 13) % 256) as u8)
                .collect(),
        );
        // Header floods.
        let mut h = standard("OPTIONS", n + 40);
        h.extend((0..400).map(|i| format!("X-Flood-{i}: {i}")));
        out.push(request("OPTIONS", &h, ""));
        let mut h = standard("OPTIONS", n + 41);
        h.extend((0..300).map(|_| "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx".to_string()));
        out.push(request("OPTIONS", &h, ""));
        // Broken SDP in otherwise valid INVITEs (answered 488).
        let mut h = standard("INVITE", n + 50);
        h.push("Content-Type: application/sdp".into());
        for body in [
            "v=0\r\nm=audio notaport RTP/AVP 0\r\n",
            "garbage",
            "v=0\r\nc=IN IP4 999.1.1.1\r\nm=audio 1 RTP/AVP 0\r\n",
        ] {
            out.push(request("INVITE", &h, body));
        }
        // Bad digests on REGISTER.
        for auth in [
            "Digest",
            "Digest username=\"1001\"",
            "Digest username=\"1001\", realm=\"ccengine\", nonce=\"forged\", uri=\"sip:x\", response=\"00\"",
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
            "Digest username=\"1001\", nonce=\"\u{0}\", uri=\"\", response=\"\"",
        ] {
            let mut h = standard("REGISTER", n + 60);
            h[2] = "To: <sip:1001@127.0.0.1>".into();
            h.push("Contact: <sip:1001@127.0.0.1:9>".into());
            h.push(format!("Authorization: {auth}"));
            out.push(request("REGISTER", &h, ""));
        }
        // Responses nobody asked for, and a bare start line.
        out.push(
            b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKnone\r\n\r\n".to_vec(),
        );
        out.push(b"INVITE\r\n\r\n".to_vec());
    }
    out
}

fn options_answered(engine: SocketAddr) -> bool {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let port = socket.local_addr().unwrap().port();
    let mut h = standard("OPTIONS", 999_999);
    h[0] = format!("Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKvalidoptions");
    socket.send_to(&request("OPTIONS", &h, ""), engine).unwrap();
    let mut buf = [0u8; 4096];
    let Ok((len, _)) = socket.recv_from(&mut buf) else {
        return false;
    };
    buf[..len].starts_with(b"SIP/2.0 200")
}

#[test]
fn the_engine_survives_malformed_input_and_keeps_its_call() {
    let carrier = Sipp::carrier("127.0.0.1", Transport::Udp, "carrier_answer.xml", &[]);
    let mut config = config_with_trunk("127.0.0.1", Transport::Udp, carrier.addr);
    let tcp = SocketAddr::from(([127, 0, 0, 1], free_port("127.0.0.1", Transport::Tcp)));
    config.listen.push(Listen {
        transport: Transport::Tcp,
        address: tcp,
    });
    config.agents.push(Agent {
        user: "1001".into(),
        password: "s3cret".into(),
    });
    let mut engine = TestEngine::start(config);
    let udp = engine.engine.local_addr(Transport::Udp, false).unwrap();

    let leg = engine.dial_answered(via_carrier("+14155550100"));

    let messages = corpus();
    assert!(messages.len() >= 500, "{} messages", messages.len());
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    for (i, message) in messages.iter().enumerate() {
        // Datagrams above the UDP limit cannot be sent at all; TCP carries those.
        let _ = sender.send_to(message, udp);
        if i % 10 == 0 {
            if let Ok(mut stream) = TcpStream::connect(tcp) {
                let _ = stream.write_all(message);
            }
        }
        if i % 50 == 0 {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    std::thread::sleep(Duration::from_millis(300));

    assert!(
        options_answered(udp),
        "no 200 to a valid OPTIONS after the flood"
    );
    let mut tcp_options = TcpStream::connect(tcp).unwrap();
    let mut h = standard("OPTIONS", 999_998);
    h[0] = format!(
        "Via: SIP/2.0/TCP {};branch=z9hG4bKvalidtcp",
        tcp_options.local_addr().unwrap()
    );
    tcp_options.write_all(&request("OPTIONS", &h, "")).unwrap();
    tcp_options
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut buf = [0u8; 4096];
    let len = std::io::Read::read(&mut tcp_options, &mut buf).unwrap();
    assert!(
        buf[..len].starts_with(b"SIP/2.0 200"),
        "{}",
        String::from_utf8_lossy(&buf[..len])
    );

    // The call made before the flood is intact: our BYE reaches the carrier and is answered.
    engine.hang_up(leg);
    carrier.finish();
}
