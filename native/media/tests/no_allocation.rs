//! The media thread allocates nothing per packet: after a warm-up, a second of steady traffic
//! through a three-leg room with a looping prompt, a recording and a detector running causes
//! no heap allocation at all, in any thread (the phones below reuse their buffers too).

use std::alloc::{GlobalAlloc, Layout, System};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ccengine_media::amd::AmdSettings;
use ccengine_media::codec::Codec;
use ccengine_media::rtp::{write_packet, RtpHeader};
use ccengine_media::{Engine, Mode, Role};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: delegates to the system allocator, counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Sends one tick of audio from each phone and drains what came back, without allocating.
fn tick(phones: &[UdpSocket], legs: &[SocketAddr], seq: u16, buf: &mut [u8; 1500]) -> usize {
    let mut received = 0;
    for (phone, &leg) in phones.iter().zip(legs) {
        let h = RtpHeader {
            marker: false,
            payload_type: 0,
            sequence: seq,
            timestamp: u32::from(seq) * 160,
            ssrc: 1,
        };
        let payload = [if seq % 50 < 10 { 0x10 } else { 0xff }; 160];
        let n = write_packet(&h, &payload, buf);
        phone.send_to(&buf[..n], leg).unwrap();
    }
    for phone in phones {
        while phone.recv(buf).is_ok() {
            received += 1;
        }
    }
    received
}

#[test]
fn steady_traffic_allocates_nothing() {
    let engine = Engine::start(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
    let dir = std::env::temp_dir().join(format!("ccengine-media-noalloc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hold = dir.join("hold.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&hold, spec).unwrap();
    for i in 0..4000 {
        w.write_sample(((i % 40) * 200 - 4000) as i16).unwrap();
    }
    w.finalize().unwrap();

    let room = engine.create_room().unwrap();
    let mut phones = Vec::new();
    let mut legs = Vec::new();
    for (role, mode) in [
        (Role::Customer, Mode::Listen),
        (Role::Agent, Mode::Listen),
        (Role::Supervisor, Mode::Whisper),
    ] {
        let phone = UdpSocket::bind("127.0.0.1:0").unwrap();
        phone.set_nonblocking(true).unwrap();
        let (leg, local) = engine.open_leg(Codec::Pcmu).unwrap();
        engine
            .set_remote(leg, phone.local_addr().unwrap(), 0, None)
            .unwrap();
        engine.add_to_room(room, leg, role, mode).unwrap();
        if role == Role::Customer {
            engine.play(leg, &hold, true).unwrap();
            // A detector that will not decide within the test: it keeps running.
            let patient = AmdSettings {
                total_ms: 60_000,
                initial_silence_ms: 60_000,
                after_greeting_silence_ms: 60_000,
                greeting_ms: 60_000,
                max_words: 1000,
                max_word_ms: 60_000,
                ..AmdSettings::default()
            };
            engine.detect(leg, patient).unwrap();
        }
        phones.push(phone);
        legs.push(local);
    }
    engine.record(room, &dir.join("call.wav")).unwrap();

    let mut buf = [0u8; 1500];
    let start = Instant::now();
    let mut seq = 0u16;
    let mut run = |ticks: u16, seq: &mut u16| -> usize {
        let mut received = 0;
        for _ in 0..ticks {
            received += tick(&phones, &legs, *seq, &mut buf);
            *seq += 1;
            let due = start + Duration::from_millis(20 * u64::from(*seq));
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        received
    };
    run(25, &mut seq);
    // Hand the start-up events over before counting.
    drop(engine.drain_events(100));
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let received = run(50, &mut seq);
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert!(received >= 140, "{received} packets back in a second");
    assert!(engine.drain_events(100).is_empty());
    assert_eq!(
        allocations, 0,
        "{allocations} allocations for {received} packets out and 150 in"
    );
    drop(engine);
    std::fs::remove_dir_all(&dir).unwrap();
}
