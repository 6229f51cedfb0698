//! Criterion benches of the per-packet work: RTP parsing (against a bare header read as the
//! baseline), G.711 encoding and decoding of a frame, and mixing one frame of a three-leg room.
//! `cargo bench -p ccengine-media --bench media`.

use std::hint::black_box;

use ccengine_media::codec::Codec;
use ccengine_media::frame::{Frame, FRAME_SAMPLES, SILENCE};
use ccengine_media::room::{Mode, Role, Room};
use ccengine_media::rtp::{write_packet, RtpHeader, RtpPacket};
use criterion::{criterion_group, criterion_main, Criterion};

fn packet() -> Vec<u8> {
    let mut buf = vec![0u8; 172];
    let header = RtpHeader {
        marker: false,
        payload_type: 0,
        sequence: 1,
        timestamp: 160,
        ssrc: 9,
    };
    write_packet(&header, &[0x55; FRAME_SAMPLES], &mut buf);
    buf
}

fn rtp(c: &mut Criterion) {
    let p = packet();
    let mut g = c.benchmark_group("rtp");
    g.bench_function("parse", |b| {
        b.iter(|| RtpPacket::parse(black_box(&p)).map(|p| p.header.sequence))
    });
    // Baseline: reading the sequence number with no validation at all.
    g.bench_function("baseline_read_sequence", |b| {
        b.iter(|| u16::from_be_bytes([black_box(&p)[2], p[3]]))
    });
    g.finish();
}

fn g711(c: &mut Criterion) {
    let frame: Frame = std::array::from_fn(|i| ((i as f32 * 0.3).sin() * 12000.0) as i16);
    let mut out = [0u8; FRAME_SAMPLES];
    let mut decoded = SILENCE;
    let mut g = c.benchmark_group("g711_frame");
    g.bench_function("pcmu_encode", |b| {
        b.iter(|| Codec::Pcmu.encode(black_box(&frame), &mut out))
    });
    g.bench_function("pcma_encode", |b| {
        b.iter(|| Codec::Pcma.encode(black_box(&frame), &mut out))
    });
    g.bench_function("pcmu_decode", |b| {
        b.iter(|| Codec::Pcmu.decode(black_box(&out), &mut decoded))
    });
    g.finish();
}

fn mixing(c: &mut Criterion) {
    let mut room = Room::new();
    room.add(1, Role::Customer, Mode::Listen);
    room.add(2, Role::Agent, Mode::Listen);
    room.add(3, Role::Supervisor, Mode::Whisper);
    let inputs = vec![
        [1000i16; FRAME_SAMPLES],
        [2000; FRAME_SAMPLES],
        [3000; FRAME_SAMPLES],
    ];
    let mut outputs = vec![SILENCE; 3];
    let mut g = c.benchmark_group("mix_frame");
    g.bench_function("room_3_legs_whisper", |b| {
        b.iter(|| room.mix(black_box(&inputs), &mut outputs))
    });
    // Baseline: copying each input to one output, the least any bridge does.
    g.bench_function("baseline_copy_3", |b| {
        b.iter(|| outputs.copy_from_slice(black_box(&inputs)))
    });
    g.finish();
}

criterion_group!(benches, rtp, g711, mixing);
criterion_main!(benches);
