//! Capacity of the media engine on one core, against two limits measured in the same run.
//!
//! - **engine**: N calls (bridged: customer + agent; monitored: + a whispering supervisor),
//!   every leg fed 50 packets/s of PCMU through real UDP sockets on loopback by a load
//!   generator on the other core (one socket, sendmmsg/recvmmsg, so it costs little). The
//!   media thread's CPU time per 20 ms tick gives the share of one core it needs; the capacity
//!   is the number of calls that would fill the core. The run also checks real time: no late
//!   ticks, and the generator gets back what the engine should send.
//! - **mixing alone**: the same rooms mixed frame by frame, no packets (jitter buffer, G.711
//!   and mixing included: everything but the system calls).
//! - **packet I/O**: one thread sending 172-byte datagrams with sendmmsg and receiving them
//!   with recvmmsg in batches of 64 on loopback: the machine's datagram rate for one core.
//!
//! `cargo bench -p ccengine-media --bench capacity` (CCENGINE_MEDIA_CALLS=200,400 to change
//! the sizes); figures in docs/performance.md.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ccengine_media::codec::Codec;
use ccengine_media::driver::batch_io::{RecvBatch, SendBatch};
use ccengine_media::frame::{Frame, FRAME_SAMPLES, SILENCE};
use ccengine_media::jitter::JitterBuffer;
use ccengine_media::room::Room;
use ccengine_media::rtp::{write_packet, RtpHeader, RtpPacket};
use ccengine_media::{Engine, Mode, Role};

const PACKET: usize = 172;
const RUN: Duration = Duration::from_secs(4);

fn pin_to_cpu(cpu: usize) {
    // SAFETY: a zeroed cpu_set_t with one bit set, for the calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

/// CPU time used so far by the calling thread, in seconds: the machine is shared, so every
/// figure here is per CPU second, not per wall second.
fn cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// Datagrams per CPU second one core sends and receives on loopback, batched by 64.
fn packet_io_rate() -> f64 {
    pin_to_cpu(0);
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    b.set_nonblocking(true).unwrap();
    let to = b.local_addr().unwrap();
    let mut send = SendBatch::new(64);
    let mut recv = RecvBatch::new(64);
    let (mut moved, start, cpu) = (0u64, Instant::now(), cpu_seconds());
    while start.elapsed() < RUN / 2 {
        for _ in 0..64 {
            send.slot()[..PACKET].fill(0x55);
            send.commit(PACKET, to);
        }
        send.flush(a.as_raw_fd()).unwrap();
        loop {
            let n = recv.recv(b.as_raw_fd()).unwrap();
            moved += n as u64;
            if n < 64 {
                break;
            }
        }
    }
    moved as f64 / (cpu_seconds() - cpu)
}

fn frame_of(hz: f32) -> Frame {
    std::array::from_fn(|i| {
        ((i as f32 * hz * std::f32::consts::TAU / 8000.0).sin() * 6000.0) as i16
    })
}

/// Calls per core the per-frame work allows when no packet moves: jitter buffer in and out,
/// G.711 decode and encode, mixing.
fn mixing_only_calls(legs: usize) -> f64 {
    let mut room = Room::new();
    let roles = [Role::Customer, Role::Agent, Role::Supervisor];
    for (i, role) in roles.iter().take(legs).enumerate() {
        room.add(i as u64, *role, Mode::Whisper);
    }
    let mut buffers: Vec<JitterBuffer> = (0..legs).map(|_| JitterBuffer::new(2, 10)).collect();
    let payload: Vec<u8> = {
        let mut p = vec![0u8; FRAME_SAMPLES];
        Codec::Pcmu.encode(&frame_of(440.0), &mut p);
        p
    };
    let mut inputs = vec![SILENCE; legs];
    let mut outputs = vec![SILENCE; legs];
    let mut out = [0u8; PACKET];
    let (mut frames, start, cpu) = (0u64, Instant::now(), cpu_seconds());
    while start.elapsed() < RUN / 2 {
        for _ in 0..1000 {
            for (k, jb) in buffers.iter_mut().enumerate() {
                jb.push(
                    k as u32,
                    frames as u16,
                    (frames * 160) as u32,
                    (frames * 160) as i64,
                    |f| Codec::Pcmu.decode(&payload, f),
                );
                jb.pop(&mut inputs[k]);
            }
            room.mix(&inputs, &mut outputs);
            for o in &outputs {
                let h = RtpHeader {
                    marker: false,
                    payload_type: 0,
                    sequence: frames as u16,
                    timestamp: 0,
                    ssrc: 1,
                };
                let n = h.write(&mut out);
                Codec::Pcmu.encode(o, &mut out[n..]);
            }
            frames += 1;
        }
    }
    let per_frame = (cpu_seconds() - cpu) / frames as f64;
    0.020 / per_frame
}

struct Load {
    targets: Vec<SocketAddr>,
}

/// Feeds every leg 50 packets/s from one socket and counts what comes back.
fn generator(load: Load, stop: Arc<AtomicBool>, received: Arc<AtomicU64>) -> u64 {
    pin_to_cpu(1);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_nonblocking(true).unwrap();
    // Every leg answers within the same millisecond: a default receive buffer overflows.
    let size: libc::c_int = 32 << 20;
    // SAFETY: setsockopt with a live int; SO_RCVBUFFORCE needs CAP_NET_ADMIN, else SO_RCVBUF
    // is capped by rmem_max, which is what an unprivileged run gets.
    unsafe {
        for opt in [libc::SO_RCVBUFFORCE, libc::SO_RCVBUF] {
            let p = (&size as *const libc::c_int).cast();
            if libc::setsockopt(socket.as_raw_fd(), libc::SOL_SOCKET, opt, p, 4) == 0 {
                break;
            }
        }
    }
    let mut send = SendBatch::new(64);
    let mut recv = RecvBatch::new(64);
    let mut payload = [0u8; FRAME_SAMPLES];
    Codec::Pcmu.encode(&frame_of(440.0), &mut payload);
    let (mut seq, mut sent) = (0u16, 0u64);
    let start = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        for (k, &to) in load.targets.iter().enumerate() {
            let h = RtpHeader {
                marker: false,
                payload_type: 0,
                sequence: seq,
                timestamp: u32::from(seq) * 160,
                ssrc: k as u32,
            };
            let n = write_packet(&h, &payload, send.slot());
            send.commit(n, to);
            if send.is_full() {
                sent += send.flush(socket.as_raw_fd()).unwrap() as u64;
            }
        }
        sent += send.flush(socket.as_raw_fd()).unwrap() as u64;
        seq = seq.wrapping_add(1);
        let due = start + Duration::from_millis(20 * u64::from(seq));
        while Instant::now() < due {
            let n = recv.recv(socket.as_raw_fd()).unwrap();
            let audio = (0..n)
                .filter(|&i| {
                    recv.get(i)
                        .is_some_and(|(d, _)| RtpPacket::parse(d).is_ok())
                })
                .count();
            received.fetch_add(audio as u64, Ordering::Relaxed);
            if n == 0 {
                std::thread::sleep(Duration::from_micros(500));
            }
        }
    }
    sent
}

struct EngineRun {
    /// CPU time per tick over the tick's 20 ms.
    busy_share: f64,
    /// Wall time working per tick over 20 ms (higher when other processes take the core).
    wall_share: f64,
    late_ticks: u64,
    delivered: f64,
}

fn engine_run(calls: usize, legs_per_call: usize) -> EngineRun {
    let engine = Engine::start(IpAddr::V4(Ipv4Addr::LOCALHOST)).unwrap();
    let mut targets = Vec::new();
    let roles = [Role::Customer, Role::Agent, Role::Supervisor];
    for _ in 0..calls {
        let room = engine.create_room().unwrap();
        for role in roles.iter().take(legs_per_call) {
            let (leg, local) = engine.open_leg(Codec::Pcmu).unwrap();
            engine.add_to_room(room, leg, *role, Mode::Whisper).unwrap();
            targets.push(local);
        }
    }
    let legs = targets.len() as f64;
    let stop = Arc::new(AtomicBool::new(false));
    let received = Arc::new(AtomicU64::new(0));
    let gen = {
        let (stop, received) = (stop.clone(), received.clone());
        std::thread::spawn(move || generator(Load { targets }, stop, received))
    };
    // Warm up (symmetric RTP latches every leg onto the generator), then measure.
    std::thread::sleep(Duration::from_millis(500));
    let before = engine.stats().unwrap();
    let got_before = received.load(Ordering::Relaxed);
    std::thread::sleep(RUN);
    let after = engine.stats().unwrap();
    let got = received.load(Ordering::Relaxed) - got_before;
    stop.store(true, Ordering::Relaxed);
    gen.join().unwrap();
    let ticks = (after.ticks - before.ticks) as f64;
    EngineRun {
        busy_share: (after.cpu_ns - before.cpu_ns) as f64 / (ticks * 20e6),
        wall_share: (after.busy_ns - before.busy_ns) as f64 / (ticks * 20e6),
        late_ticks: after.late_ticks - before.late_ticks,
        delivered: got as f64 / (ticks * legs),
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would pass nothing and run briefly.
    let sizes: Vec<usize> = std::env::var("CCENGINE_MEDIA_CALLS")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 300]);
    for (name, legs) in [
        ("bridged (2 legs)", 2usize),
        ("monitored, whisper (3 legs)", 3),
    ] {
        let mixing = mixing_only_calls(legs);
        println!("\n{name}: mixing alone {mixing:.0} calls per core");
        for &calls in &sizes {
            // The machine is shared: the I/O limit is measured next to each engine run.
            let io = packet_io_rate();
            // Each leg receives 50 and sends 50 datagrams a second.
            let io_bound = io / (50.0 * legs as f64);
            let r = engine_run(calls, legs);
            let capacity = calls as f64 / r.busy_share;
            println!("  packet I/O: {io:.0} datagrams/s (sendmmsg/recvmmsg, 172 bytes, batches of 64) = {io_bound:.0} calls");
            println!(
                "  {calls} calls: media thread {:.1}% of a core in CPU time ({:.1}% in wall time), late ticks {}, packets back {:.1}% -> capacity {:.0} calls = {:.2} of the packet-I/O bound",
                100.0 * r.busy_share,
                100.0 * r.wall_share,
                r.late_ticks,
                100.0 * r.delivered,
                capacity,
                capacity / io_bound
            );
        }
    }
}
