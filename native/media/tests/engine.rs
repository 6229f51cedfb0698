//! The engine over real UDP on loopback: prompts (timing), recordings (contents), RFC 4733
//! digits both ways, persistent listeners following the agent, malformed packets counted, and
//! the event descriptor becoming readable.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ccengine_media::codec::Codec;
use ccengine_media::error::Malformed;
use ccengine_media::rtp::{write_packet, RtpHeader};
use ccengine_media::telephone_event::EventPayload;
use ccengine_media::{Engine, MediaEvent, Mode, Role};
use common::{run_ticks, tone_level, Phone, TONE_AMPLITUDE};

fn engine() -> Engine {
    Engine::start(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ccengine-media-engine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn write_tone_wav(path: &PathBuf, hz: f64, ms: u32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(8 * ms) {
        let t = f64::from(i) / 8000.0;
        w.write_sample((TONE_AMPLITUDE * (2.0 * std::f64::consts::PI * hz * t).sin()) as i16)
            .unwrap();
    }
    w.finalize().unwrap();
}

/// Every event up to and including the first that matches.
fn events_until(engine: &Engine, what: impl Fn(&MediaEvent) -> bool) -> Vec<MediaEvent> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        for e in engine.drain_events(100) {
            let done = what(&e);
            seen.push(e);
            if done {
                return seen;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("event not seen among {seen:?}");
}

fn wait_for(engine: &Engine, what: impl Fn(&MediaEvent) -> bool) -> MediaEvent {
    events_until(engine, what).pop().unwrap()
}

fn readable(fd: i32) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut p, 1, 0) == 1 }
}

#[test]
fn a_prompt_reaches_the_peer_within_two_seconds_of_the_play_command() {
    let engine = engine();
    let wav = scratch("abandon.wav");
    write_tone_wav(&wav, 600.0, 1000);
    let mut phone = Phone::new(0.0, 1);
    let (leg, local) = engine.open_leg(Codec::Pcmu).unwrap();
    engine.set_remote(leg, phone.addr(), 0, None).unwrap();
    run_ticks(&mut [&mut phone], &[local], 5);
    assert!(phone.first_sound.is_none(), "silence before the prompt");
    let commanded = Instant::now();
    engine.play(leg, &wav, false).unwrap();
    run_ticks(&mut [&mut phone], &[local], 70);
    let delay = phone
        .first_sound
        .expect("prompt heard")
        .duration_since(commanded);
    assert!(
        delay < Duration::from_secs(2),
        "prompt started after {delay:?}"
    );
    assert!(
        delay < Duration::from_millis(100),
        "prompt started after {delay:?}: the media clock is 20 ms"
    );
    let loud = phone.frames_heard.iter().filter(|&&l| l).count();
    assert!(
        (49..=51).contains(&loud),
        "one second of prompt is 50 frames, heard {loud}"
    );
    assert!(
        tone_level(&phone.heard, 600.0)
            > 0.3 * TONE_AMPLITUDE * 50.0 / phone.frames_heard.len() as f64
    );
    let events = engine.drain_events(100);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, MediaEvent::PromptStarted { .. })),
        "{events:?}"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        MediaEvent::PromptEnded {
            completed: true,
            ..
        }
    )));
    assert_eq!(
        engine
            .play(leg, &scratch("missing.wav"), false)
            .unwrap_err()
            .slug(),
        "bad-audio"
    );
}

#[test]
fn a_recording_holds_the_customer_and_the_engine_side_on_two_channels() {
    let engine = engine();
    let mut customer = Phone::new(440.0, 1);
    let mut agent = Phone::new(700.0, 2);
    let room = engine.create_room().unwrap();
    let mut targets = Vec::new();
    let mut legs = Vec::new();
    for (phone, role) in [(&customer, Role::Customer), (&agent, Role::Agent)] {
        let (leg, local) = engine.open_leg(Codec::Pcma).unwrap();
        legs.push(leg);
        engine.set_remote(leg, phone.addr(), 8, None).unwrap();
        engine.add_to_room(room, leg, role, Mode::Listen).unwrap();
        targets.push(local);
    }
    // The phones speak PCMU while the legs were told PCMA: both G.711 laws are accepted.
    run_ticks(&mut [&mut customer, &mut agent], &targets, 10);
    let path = scratch("call.wav");
    engine.record(room, &path).unwrap();
    run_ticks(&mut [&mut customer, &mut agent], &targets, 50);
    engine.stop_record(room).unwrap();
    // Arrivals are stamped by the kernel: the phones' steady 20 ms shows as (almost) no
    // jitter, where reading times alone would see the media clock's 20 ms ticks.
    let stats = engine.leg_stats(legs[0]).unwrap();
    assert!(stats.jitter_ms <= 3, "jitter {} ms", stats.jitter_ms);
    let events = events_until(&engine, |e| matches!(e, MediaEvent::RecordingEnded { .. }));
    let started = events
        .iter()
        .find(|e| matches!(e, MediaEvent::RecordingStarted { .. }))
        .cloned()
        .expect("recording-started before recording-ended");
    let ended = events.last().cloned().unwrap();
    let MediaEvent::RecordingEnded {
        duration_ms,
        error,
        path: ended_path,
        ..
    } = ended
    else {
        unreachable!()
    };
    assert!(matches!(started, MediaEvent::RecordingStarted { path: p, .. } if p == path));
    assert_eq!((ended_path, error), (path.clone(), None));
    assert!((900..=1100).contains(&duration_ms), "{duration_ms} ms");
    let mut reader = hound::WavReader::open(&path).unwrap();
    assert_eq!(
        (reader.spec().channels, reader.spec().sample_rate),
        (2, 8000)
    );
    let samples: Vec<i16> = reader.samples::<i16>().map(|s| s.unwrap()).collect();
    let left: Vec<i16> = samples.iter().step_by(2).copied().skip(800).collect();
    let right: Vec<i16> = samples
        .iter()
        .skip(1)
        .step_by(2)
        .copied()
        .skip(800)
        .collect();
    let level = |s: &[i16], hz| tone_level(s, hz) / TONE_AMPLITUDE;
    assert!(
        level(&left, 440.0) > 0.6 && level(&left, 700.0) < 0.05,
        "customer channel"
    );
    assert!(
        level(&right, 700.0) > 0.6 && level(&right, 440.0) < 0.05,
        "engine-side channel"
    );
    assert_eq!(
        engine
            .record(room, &PathBuf::from("/nonexistent/x.wav"))
            .unwrap_err()
            .slug(),
        "bad-audio"
    );
}

#[test]
fn digits_travel_as_rfc4733_both_ways_and_malformed_packets_are_counted() {
    let engine = engine();
    let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let (leg, local) = engine.open_leg(Codec::Pcmu).unwrap();
    engine
        .set_remote(leg, peer.local_addr().unwrap(), 0, Some(96))
        .unwrap();
    engine.send_digits(leg, "4#", 80).unwrap();
    assert_eq!(
        engine.send_digits(leg, "4x", 80).unwrap_err().slug(),
        "bad-setting"
    );
    // Collect the engine's event packets.
    let mut ends = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut buf = [0u8; 1500];
    while Instant::now() < deadline && ends.len() < 6 {
        if let Ok(n) = peer.recv(&mut buf) {
            if buf[1] & 0x7f == 96 {
                let p = EventPayload::parse(&buf[12..n]).unwrap();
                if p.end {
                    ends.push((p.event, p.duration));
                }
            }
        }
    }
    assert_eq!(
        ends,
        vec![
            (4, 640),
            (4, 640),
            (4, 640),
            (11, 640),
            (11, 640),
            (11, 640)
        ]
    );
    // The peer sends digit 9 (three end packets) and some garbage.
    let send = |payload: EventPayload, seq: u16| {
        let mut d = [0u8; 16];
        let h = RtpHeader {
            marker: false,
            payload_type: 96,
            sequence: seq,
            timestamp: 4000,
            ssrc: 77,
        };
        let n = write_packet(&h, &[0; 4], &mut d);
        payload.write(&mut d[12..]);
        peer.send_to(&d[..n], local).unwrap();
    };
    for (i, end) in [false, false, true, true, true].into_iter().enumerate() {
        send(
            EventPayload {
                event: 9,
                end,
                volume: 10,
                duration: 160 * (i as u16 + 1),
            },
            i as u16,
        );
    }
    for junk in [&[0x80u8, 0][..], &[0x40; 20], &[0x8f; 20], &[0xa0; 12]] {
        peer.send_to(junk, local).unwrap();
    }
    let event = wait_for(&engine, |e| matches!(e, MediaEvent::TelephoneEvent { .. }));
    assert!(
        matches!(
            event,
            MediaEvent::TelephoneEvent {
                digit: Some('9'),
                duration_ms: 60,
                ..
            }
        ),
        "{event:?}"
    );
    std::thread::sleep(Duration::from_millis(100));
    let stats = engine.leg_stats(leg).unwrap();
    assert_eq!(stats.malformed(Malformed::TooShort), 1);
    assert_eq!(
        stats.malformed(Malformed::BadPadding),
        1,
        "padding longer than the packet"
    );
    assert_eq!(stats.malformed(Malformed::BadVersion), 1);
    assert_eq!(stats.malformed(Malformed::CsrcOverrun), 1);
    assert!(
        engine
            .drain_events(100)
            .iter()
            .all(|e| !matches!(e, MediaEvent::TelephoneEvent { .. })),
        "reported once"
    );
    engine.close_leg(leg).unwrap();
    let closed = wait_for(&engine, |e| matches!(e, MediaEvent::LegClosed { .. }));
    assert!(matches!(closed, MediaEvent::LegClosed { stats, .. } if stats.malformed_total() == 4));
    assert_eq!(engine.leg_stats(leg).unwrap_err().slug(), "unknown-id");
}

#[test]
fn a_persistent_listener_follows_the_agent_to_the_next_call() {
    let engine = engine();
    let mut agent = Phone::new(700.0, 1);
    let mut first = Phone::new(440.0, 2);
    let mut second = Phone::new(300.0, 3);
    let mut sup = Phone::new(0.0, 4);
    let open = |phone: &Phone| {
        let (leg, local) = engine.open_leg(Codec::Pcmu).unwrap();
        engine.set_remote(leg, phone.addr(), 0, None).unwrap();
        (leg, local)
    };
    let (agent_leg, agent_rtp) = open(&agent);
    let (first_leg, first_rtp) = open(&first);
    let (second_leg, second_rtp) = open(&second);
    let (sup_leg, sup_rtp) = open(&sup);
    let call1 = engine.create_room().unwrap();
    let call2 = engine.create_room().unwrap();
    engine
        .add_to_room(call1, first_leg, Role::Customer, Mode::Listen)
        .unwrap();
    engine
        .add_to_room(call1, agent_leg, Role::Agent, Mode::Listen)
        .unwrap();
    engine
        .add_to_room(call1, sup_leg, Role::Supervisor, Mode::PersistentListen)
        .unwrap();
    engine
        .add_to_room(call2, second_leg, Role::Customer, Mode::Listen)
        .unwrap();
    assert_eq!(
        engine
            .add_to_room(call2, agent_leg, Role::Agent, Mode::Listen)
            .unwrap_err()
            .slug(),
        "leg-in-room"
    );
    assert_eq!(
        engine.set_mode(agent_leg, Mode::Barge).unwrap_err().slug(),
        "bad-setting"
    );
    let targets = [agent_rtp, first_rtp, second_rtp, sup_rtp];
    let phones = &mut [&mut agent, &mut first, &mut second, &mut sup];
    run_ticks(phones, &targets, 30);
    let level =
        |p: &Phone, hz| tone_level(&p.heard[p.heard.len() - 160 * 15..], hz) / TONE_AMPLITUDE;
    assert!(
        level(phones[3], 440.0) > 0.6 && level(phones[3], 300.0) < 0.05,
        "listening to call 1"
    );
    engine.move_leg(agent_leg, call2).unwrap();
    let moved = wait_for(&engine, |e| matches!(e, MediaEvent::LegMoved { .. }));
    assert!(
        matches!(moved, MediaEvent::LegMoved { leg, room, .. } if leg == sup_leg && room == call2)
    );
    run_ticks(phones, &targets, 30);
    assert!(
        level(phones[3], 300.0) > 0.6 && level(phones[3], 440.0) < 0.05,
        "followed to call 2"
    );
    assert!(level(phones[3], 700.0) > 0.6, "still hears the agent");
    assert!(
        level(phones[0], 300.0) > 0.6,
        "the agent hears the new customer"
    );
    // The directory moved the follower too: switching its mode works in the new room.
    engine.set_mode(sup_leg, Mode::Whisper).unwrap();
    engine.close_room(call2).unwrap();
    assert_eq!(
        engine.move_leg(agent_leg, call2).unwrap_err().slug(),
        "unknown-id"
    );
}

#[test]
fn the_event_descriptor_is_readable_exactly_while_events_wait() {
    let engine = engine();
    let fd = engine.event_fd();
    assert!(!readable(fd));
    let (leg, _) = engine.open_leg(Codec::Pcmu).unwrap();
    engine.close_leg(leg).unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    while !readable(fd) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(readable(fd));
    let events = engine.drain_events(10);
    assert!(
        matches!(events[..], [MediaEvent::LegClosed { .. }]),
        "{events:?}"
    );
    assert!(!readable(fd));
}

#[test]
fn detection_on_a_leg_reports_its_verdict_and_decision_time() {
    let engine = engine();
    let mut phone = Phone::new(0.0, 1);
    let (leg, local) = engine.open_leg(Codec::Pcmu).unwrap();
    engine.set_remote(leg, phone.addr(), 0, None).unwrap();
    engine
        .detect(leg, ccengine_media::amd::AmdSettings::default())
        .unwrap();
    // "Hello?": 300 ms of silence, 400 ms of voice, then the person waits.
    run_ticks(&mut [&mut phone], &[local], 15);
    phone.tone_hz = 500.0;
    run_ticks(&mut [&mut phone], &[local], 20);
    phone.tone_hz = 0.0;
    run_ticks(&mut [&mut phone], &[local], 60);
    let event = wait_for(&engine, |e| matches!(e, MediaEvent::Detection { .. }));
    let MediaEvent::Detection { decision, .. } = event else {
        unreachable!()
    };
    assert_eq!(
        (decision.verdict.name(), decision.reason),
        ("human", "short-greeting")
    );
    // 300 ms + 400 ms + 800 ms of silence, give or take the jitter buffer's prefill.
    assert!(
        (1400..=1700).contains(&decision.after_ms),
        "{}",
        decision.after_ms
    );
}

#[test]
fn prompts_stop_or_give_way_and_a_removed_leg_hears_the_room_no_more() {
    let engine = engine();
    let hold = scratch("hold.wav");
    write_tone_wav(&hold, 350.0, 200);
    let mut customer = Phone::new(0.0, 1);
    let mut agent = Phone::new(700.0, 2);
    let room = engine.create_room().unwrap();
    let mut targets = Vec::new();
    let mut legs = Vec::new();
    for (phone, role) in [(&customer, Role::Customer), (&agent, Role::Agent)] {
        let (leg, local) = engine.open_leg(Codec::Pcmu).unwrap();
        engine.set_remote(leg, phone.addr(), 0, None).unwrap();
        engine.add_to_room(room, leg, role, Mode::Listen).unwrap();
        targets.push(local);
        legs.push(leg);
    }
    // Hold music loops past its 200 ms; a second play replaces it, a stop ends that one.
    engine.play(legs[0], &hold, true).unwrap();
    run_ticks(&mut [&mut customer, &mut agent], &targets, 20);
    let music = &customer.heard[customer.heard.len() - 160 * 8..];
    assert!(
        tone_level(music, 350.0) / TONE_AMPLITUDE > 0.6,
        "still playing after its length"
    );
    engine.play(legs[0], &hold, false).unwrap();
    engine.stop_play(legs[0]).unwrap();
    let mut ended = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(2);
    while ended.len() < 2 && Instant::now() < deadline {
        for e in engine.drain_events(10) {
            if let MediaEvent::PromptEnded { completed, .. } = e {
                ended.push(completed);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(ended, vec![false, false], "replaced, then stopped");
    let level =
        |p: &Phone, hz| tone_level(&p.heard[p.heard.len() - 160 * 10..], hz) / TONE_AMPLITUDE;
    run_ticks(&mut [&mut customer, &mut agent], &targets, 15);
    assert!(
        level(&customer, 700.0) > 0.6 && level(&customer, 350.0) < 0.05,
        "the agent, no music"
    );
    engine.remove_from_room(legs[1]).unwrap();
    run_ticks(&mut [&mut customer, &mut agent], &targets, 15);
    assert!(
        level(&customer, 700.0) < 0.05,
        "the removed agent is not heard"
    );
    assert!(
        level(&agent, 0.0) < 0.05 && agent.frames_heard.iter().rev().take(10).all(|&loud| !loud)
    );
    engine
        .add_to_room(room, legs[1], Role::Agent, Mode::Listen)
        .unwrap();
}
