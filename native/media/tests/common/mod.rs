//! A test phone for the loopback tests: a UDP socket sending a PCMU tone as RTP every 20 ms
//! and decoding what comes back; and Goertzel tone measurement.

#![allow(dead_code)] // each test binary uses part of this module

use std::f64::consts::PI;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use ccengine_media::codec::g711::{ulaw_decode, ulaw_encode};
use ccengine_media::rtp::{write_packet, RtpHeader, RtpPacket};

pub const TONE_AMPLITUDE: f64 = 6000.0;

pub struct Phone {
    pub socket: UdpSocket,
    pub tone_hz: f64,
    phase: u64,
    seq: u16,
    ssrc: u32,
    pub heard: Vec<i16>,
    /// Per received packet: whether it carried any sound.
    pub frames_heard: Vec<bool>,
    pub first_sound: Option<Instant>,
}

impl Phone {
    pub fn new(tone_hz: f64, ssrc: u32) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        Self {
            socket,
            tone_hz,
            phase: 0,
            seq: 1,
            ssrc,
            heard: Vec::new(),
            frames_heard: Vec::new(),
            first_sound: None,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.socket.local_addr().unwrap()
    }

    /// Sends the next 20 ms of the tone (silence when the tone is 0 Hz).
    pub fn send(&mut self, to: SocketAddr) {
        let mut payload = [0xffu8; 160];
        for (i, b) in payload.iter_mut().enumerate() {
            let t = (self.phase + i as u64) as f64 / 8000.0;
            *b = ulaw_encode((TONE_AMPLITUDE * (2.0 * PI * self.tone_hz * t).sin()) as i16);
        }
        let header = RtpHeader {
            marker: false,
            payload_type: 0,
            sequence: self.seq,
            timestamp: self.phase as u32,
            ssrc: self.ssrc,
        };
        let mut buf = [0u8; 172];
        let n = write_packet(&header, &payload, &mut buf);
        self.socket.send_to(&buf[..n], to).unwrap();
        self.seq = self.seq.wrapping_add(1);
        self.phase += 160;
    }

    /// Reads everything waiting; returns the number of RTP audio packets.
    pub fn receive(&mut self) -> usize {
        let mut buf = [0u8; 1500];
        let mut count = 0;
        while let Ok((n, _)) = self.socket.recv_from(&mut buf) {
            let Ok(p) = RtpPacket::parse(&buf[..n]) else {
                continue;
            };
            if p.header.payload_type != 0 {
                continue;
            }
            let start = self.heard.len();
            self.heard.extend(p.payload.iter().map(|&b| ulaw_decode(b)));
            let loud = self.heard[start..].iter().any(|s| s.unsigned_abs() > 64);
            if loud && self.first_sound.is_none() {
                self.first_sound = Some(Instant::now());
            }
            self.frames_heard.push(loud);
            count += 1;
        }
        count
    }

    pub fn clear(&mut self) {
        self.heard.clear();
        self.frames_heard.clear();
    }
}

/// Amplitude of the `hz` component of `samples` (8 kHz), by the Goertzel algorithm.
pub fn tone_level(samples: &[i16], hz: f64) -> f64 {
    let w = 2.0 * PI * hz / 8000.0;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    2.0 * power.max(0.0).sqrt() / samples.len() as f64
}

/// Runs `ticks` 20 ms steps: every phone sends its tone to its leg, then reads what came back.
pub fn run_ticks(phones: &mut [&mut Phone], legs: &[SocketAddr], ticks: usize) {
    let start = Instant::now();
    for t in 0..ticks {
        for (p, &to) in phones.iter_mut().zip(legs) {
            p.send(to);
        }
        let due = start + Duration::from_millis(20 * (t as u64 + 1));
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        for p in phones.iter_mut() {
            p.receive();
        }
    }
}
