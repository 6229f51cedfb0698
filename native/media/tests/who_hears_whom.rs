//! The who-hears-whom test over real UDP on loopback: three phones send three tones as RTP
//! (customer 440 Hz, agent 700 Hz, supervisor 1,100 Hz) into one room; after every switch of
//! the supervisor's mode — every ordered pair of modes, in one Eulerian walk — each phone's
//! received audio must contain exactly the tones DESIGN.md's table allows, and the customer's
//! stream never has a silent frame (switches leave no gap).

mod common;

use std::net::{IpAddr, Ipv4Addr};

use ccengine_media::codec::Codec;
use ccengine_media::{Engine, Mode, Role};
use common::{run_ticks, tone_level, Phone, TONE_AMPLITUDE};

const TONES: [f64; 3] = [440.0, 700.0, 1100.0];

/// Which tones (customer, agent, supervisor) each of (customer, agent, supervisor) hears.
fn allowed(mode: Mode) -> [[bool; 3]; 3] {
    match mode {
        Mode::Listen | Mode::PersistentListen => [
            [false, true, false],
            [true, false, false],
            [true, true, false],
        ],
        Mode::Whisper => [
            [false, true, false],
            [true, false, true],
            [true, true, false],
        ],
        Mode::Barge => [
            [false, true, true],
            [true, false, true],
            [true, true, false],
        ],
        Mode::Takeover => [
            [false, false, true],
            [false, false, false],
            [true, false, false],
        ],
        Mode::TakeoverAgentListening => [
            [false, false, true],
            [true, false, true],
            [true, false, false],
        ],
    }
}

/// A walk through every ordered pair of distinct modes exactly once (Hierholzer on the
/// complete directed graph).
fn every_switch() -> Vec<Mode> {
    let n = Mode::ALL.len();
    let mut unused: Vec<Vec<usize>> = (0..n)
        .map(|a| (0..n).filter(|&b| b != a).rev().collect())
        .collect();
    let (mut stack, mut walk) = (vec![0usize], Vec::new());
    while let Some(&v) = stack.last() {
        match unused[v].pop() {
            Some(next) => stack.push(next),
            None => walk.push(stack.pop().unwrap()),
        }
    }
    walk.reverse();
    walk.into_iter().map(|i| Mode::ALL[i]).collect()
}

#[test]
fn each_listener_hears_exactly_what_its_mode_allows_across_every_switch() {
    let walk = every_switch();
    assert_eq!(walk.len(), 6 * 5 + 1);
    let engine = Engine::start(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
    let mut phones: Vec<Phone> = TONES
        .iter()
        .enumerate()
        .map(|(i, &hz)| Phone::new(hz, 100 + i as u32))
        .collect();
    let room = engine.create_room().unwrap();
    let mut legs = Vec::new();
    for (phone, role) in phones
        .iter()
        .zip([Role::Customer, Role::Agent, Role::Supervisor])
    {
        let (leg, local) = engine.open_leg(Codec::Pcmu).unwrap();
        engine.set_remote(leg, phone.addr(), 0, None).unwrap();
        engine.add_to_room(room, leg, role, walk[0]).unwrap();
        legs.push((leg, local));
    }
    let targets: Vec<_> = legs.iter().map(|l| l.1).collect();
    let [c, a, s] = &mut phones[..] else {
        unreachable!()
    };
    let mut refs = [c, a, s];
    run_ticks(&mut refs, &targets, 10); // let the jitter buffers fill
    let mut failures = Vec::new();
    let mut customer_gaps = 0;
    for (step, &mode) in walk.iter().enumerate() {
        engine.set_mode(legs[2].0, mode).unwrap();
        for p in refs.iter_mut() {
            p.clear();
        }
        // 8 ticks for the change to reach the phones (jitter buffer and ramp), then 15 measured.
        run_ticks(&mut refs, &targets, 8);
        if step > 0 {
            customer_gaps += refs[0].frames_heard.iter().filter(|&&loud| !loud).count();
        }
        for p in refs.iter_mut() {
            p.clear();
        }
        run_ticks(&mut refs, &targets, 15);
        customer_gaps += refs[0].frames_heard.iter().filter(|&&loud| !loud).count();
        for (listener, phone) in refs.iter().enumerate() {
            let heard = &phone.heard;
            assert!(
                heard.len() >= 160 * 10,
                "{mode:?}: phone {listener} got {} samples",
                heard.len()
            );
            for (source, &hz) in TONES.iter().enumerate() {
                let level = tone_level(heard, hz) / TONE_AMPLITUDE;
                let want = allowed(mode)[listener][source];
                let ok = if want { level > 0.6 } else { level < 0.05 };
                if !ok {
                    failures.push(format!("after switch {step} to {mode:?}: listener {listener} tone {hz} level {level:.3}"));
                }
            }
        }
    }
    let stats = engine.stats().unwrap();
    drop(engine);
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(
        customer_gaps, 0,
        "the customer heard silent frames across switches"
    );
    assert_eq!(stats.late_ticks, 0);
}
