//! One RTP leg, sans-IO: what arrives from the peer goes through `receive` into the jitter
//! buffer (or the telephone-event receiver); each tick `input` yields the frame the peer said
//! and `output` turns the frame the peer should hear into a datagram. The destination follows
//! symmetric RTP: it starts at the address from signalling and moves to the source of the first
//! valid RTP of an expected payload type. From then on the leg is latched: packets from other
//! sources are dropped and counted, unless the latched source has been silent for a second (a
//! NAT rebinding, a peer that moved); new signalling (`set_remote`) unlatches. RTCP arriving on
//! the RTP port (RFC 5761 mux) is read, and then this leg's reports are sent the same way every
//! five seconds.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::codec::Codec;
use crate::error::Malformed;
use crate::frame::{Frame, FRAME_SAMPLES};
use crate::jitter::{JitterBuffer, JitterStats, Playout};
use crate::rtp::rtcp::{Report, SenderInfo};
use crate::rtp::{RtpHeader, RtpPacket, HEADER_LEN};
use crate::telephone_event::{self, EventPayload, EventReceiver, EventSender, ReceivedEvent};

/// Comfort noise (RFC 3389) is accepted and ignored.
const COMFORT_NOISE: u8 = 13;
const RTCP_INTERVAL: Duration = Duration::from_secs(5);
/// Silence from the latched source after which another source may take its place.
const RELATCH_AFTER: Duration = Duration::from_secs(1);
/// Largest datagram a leg writes: an RTP header and one G.711 frame.
pub const MAX_DATAGRAM: usize = HEADER_LEN + FRAME_SAMPLES;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegSettings {
    pub codec: Codec,
    pub event_payload_type: u8,
    pub jitter_min_frames: usize,
    pub jitter_max_frames: usize,
}

impl LegSettings {
    pub fn new(codec: Codec) -> Self {
        Self {
            codec,
            event_payload_type: telephone_event::DEFAULT_PAYLOAD_TYPE,
            jitter_min_frames: 2,
            jitter_max_frames: 10,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LegStats {
    pub packets_received: u64,
    pub packets_sent: u64,
    pub malformed: [u64; Malformed::ALL.len()],
    pub unexpected_payload_type: u64,
    pub rtcp_received: u64,
    pub remote_changes: u64,
    /// Packets dropped because they came from another source than the latched one.
    pub foreign_source: u64,
    pub jitter: JitterStats,
    /// Interarrival jitter in milliseconds (RFC 3550 A.8).
    pub jitter_ms: u32,
    pub lost: i64,
}

impl LegStats {
    pub fn malformed_total(&self) -> u64 {
        self.malformed.iter().sum()
    }

    pub fn malformed(&self, reason: Malformed) -> u64 {
        self.malformed[Malformed::ALL
            .iter()
            .position(|&m| m == reason)
            .unwrap_or(0)]
    }
}

/// What a received datagram produced that the driver must act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    Nothing,
    /// The destination moved to this address (symmetric RTP).
    Latched(SocketAddr),
    Event(ReceivedEvent),
}

pub struct Leg {
    settings: LegSettings,
    remote: Option<SocketAddr>,
    /// When the latched source last sent valid RTP; None until latched.
    latched_at: Option<Instant>,
    origin: Instant,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    octets_sent: u32,
    jitter: JitterBuffer,
    events_in: EventReceiver,
    event_out: Option<(EventSender, u32)>,
    pending_digits: VecDeque<(u8, u32)>,
    rtcp_mux: bool,
    next_rtcp: Instant,
    stats: LegStats,
}

impl Leg {
    /// `seed` makes the SSRC and initial sequence unpredictable (RFC 3550 §5.1); the driver
    /// passes a random value.
    pub fn new(settings: LegSettings, seed: u64, now: Instant) -> Self {
        Self {
            settings,
            remote: None,
            latched_at: None,
            origin: now,
            ssrc: (seed >> 32) as u32 ^ seed as u32,
            sequence: (seed >> 16) as u16,
            timestamp: (seed >> 8) as u32,
            octets_sent: 0,
            jitter: JitterBuffer::new(settings.jitter_min_frames, settings.jitter_max_frames),
            events_in: EventReceiver::default(),
            event_out: None,
            pending_digits: VecDeque::new(),
            rtcp_mux: false,
            next_rtcp: now + RTCP_INTERVAL,
            stats: LegStats::default(),
        }
    }

    pub fn settings(&self) -> LegSettings {
        self.settings
    }

    pub fn remote(&self) -> Option<SocketAddr> {
        self.remote
    }

    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The peer's address and payload types from signalling.
    pub fn set_remote(&mut self, remote: SocketAddr, codec: Codec, event_payload_type: u8) {
        self.remote = Some(remote);
        self.latched_at = None;
        self.settings.codec = codec;
        self.settings.event_payload_type = event_payload_type;
    }

    pub fn stats(&mut self) -> LegStats {
        let mut s = self.stats;
        s.jitter = self.jitter.stats();
        let receiver = self.jitter.receiver();
        s.jitter_ms = receiver.jitter() / 8;
        s.lost = receiver.lost();
        s
    }

    fn drop_malformed(&mut self, m: Malformed) -> Received {
        let i = Malformed::ALL.iter().position(|&x| x == m).unwrap_or(0);
        self.stats.malformed[i] += 1;
        Received::Nothing
    }

    /// Takes one datagram from the peer.
    pub fn receive(&mut self, data: &[u8], from: SocketAddr, now: Instant) -> Received {
        // RFC 5761 §4: payload types 64–95 in the second octet's low 7 bits are RTCP.
        if data.len() >= 2 && (192..=223).contains(&data[1]) {
            return match Report::parse_compound(data, |_| {}) {
                Ok(()) => {
                    self.stats.rtcp_received += 1;
                    self.rtcp_mux = true;
                    Received::Nothing
                }
                Err(m) => self.drop_malformed(m),
            };
        }
        let packet = match RtpPacket::parse(data) {
            Ok(p) => p,
            Err(m) => return self.drop_malformed(m),
        };
        let h = packet.header;
        let audio_codec = match h.payload_type {
            pt if pt == self.settings.event_payload_type => None,
            COMFORT_NOISE => return Received::Nothing,
            pt => match Codec::from_payload_type(pt) {
                Ok(c) => Some(c),
                Err(_) => {
                    self.stats.unexpected_payload_type += 1;
                    return Received::Nothing;
                }
            },
        };
        let mut outcome = Received::Nothing;
        if self.remote != Some(from) {
            if self
                .latched_at
                .is_some_and(|t| now.saturating_duration_since(t) < RELATCH_AFTER)
            {
                self.stats.foreign_source += 1;
                return Received::Nothing;
            }
            self.remote = Some(from);
            self.stats.remote_changes += 1;
            outcome = Received::Latched(from);
        }
        self.latched_at = Some(now);
        self.stats.packets_received += 1;
        match audio_codec {
            Some(codec) => {
                let arrival =
                    (now.saturating_duration_since(self.origin).as_micros() as i64) * 8 / 1000;
                let payload = packet.payload;
                self.jitter
                    .push(h.ssrc, h.sequence, h.timestamp, arrival, |frame| {
                        codec.decode(payload, frame)
                    });
            }
            None => match EventPayload::parse(packet.payload) {
                Ok(p) => {
                    if let Some(event) = self.events_in.receive(h.timestamp, p) {
                        return Received::Event(event);
                    }
                }
                Err(m) => return self.drop_malformed(m),
            },
        }
        outcome
    }

    /// The frame the peer said, for this tick.
    pub fn input(&mut self, out: &mut Frame) -> Playout {
        self.jitter.pop(out)
    }

    /// Queues RFC 4733 digits to send (each for `duration_ms`, one after the other).
    pub fn send_event(&mut self, event: u8, duration_ms: u32) {
        self.pending_digits.push_back((event, duration_ms));
    }

    /// Writes this tick's datagram (audio, or a telephone-event packet while one is being sent)
    /// into `out`; returns its length and destination, or None before the peer is known.
    pub fn output(&mut self, frame: &Frame, out: &mut [u8]) -> Option<(usize, SocketAddr)> {
        let remote = self.remote?;
        if self.event_out.is_none() {
            if let Some((event, ms)) = self.pending_digits.pop_front() {
                self.event_out = Some((EventSender::new(event, ms), self.timestamp));
            }
        }
        let len = match self
            .event_out
            .as_mut()
            .and_then(|(s, ts)| s.next_packet(FRAME_SAMPLES as u16).map(|p| (p, *ts)))
        {
            Some((p, ts)) => {
                let header = RtpHeader {
                    marker: p.marker,
                    payload_type: self.settings.event_payload_type,
                    sequence: self.sequence,
                    timestamp: ts,
                    ssrc: self.ssrc,
                };
                let n = header.write(out);
                n + p.payload.write(&mut out[n..])
            }
            None => {
                self.event_out = None;
                let header = RtpHeader {
                    marker: self.stats.packets_sent == 0,
                    payload_type: self.settings.codec.payload_type(),
                    sequence: self.sequence,
                    timestamp: self.timestamp,
                    ssrc: self.ssrc,
                };
                let n = header.write(out);
                self.settings.codec.encode(frame, &mut out[n..]);
                n + FRAME_SAMPLES
            }
        };
        self.sequence = self.sequence.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(FRAME_SAMPLES as u32);
        self.stats.packets_sent += 1;
        self.octets_sent = self.octets_sent.wrapping_add((len - HEADER_LEN) as u32);
        Some((len, remote))
    }

    /// An RTCP sender report when due and the peer muxes RTCP; `ntp` is the wall clock in NTP
    /// format.
    pub fn rtcp(&mut self, now: Instant, ntp: u64, out: &mut [u8]) -> Option<(usize, SocketAddr)> {
        if now < self.next_rtcp || !self.rtcp_mux {
            return None;
        }
        self.next_rtcp = now + RTCP_INTERVAL;
        let report = Report {
            ssrc: self.ssrc,
            sender: Some(SenderInfo {
                ntp_timestamp: ntp,
                rtp_timestamp: self.timestamp,
                packet_count: self.stats.packets_sent as u32,
                octet_count: self.octets_sent,
            }),
            block: self.jitter.receiver().report_block(0, 0),
        };
        Some((report.write(out), self.remote?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::SILENCE;
    use crate::rtp::write_packet;

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    fn packet(pt: u8, seq: u16, payload: &[u8]) -> Vec<u8> {
        let mut buf = vec![0u8; HEADER_LEN + payload.len()];
        let header = RtpHeader {
            marker: false,
            payload_type: pt,
            sequence: seq,
            timestamp: u32::from(seq) * 160,
            ssrc: 5,
        };
        write_packet(&header, payload, &mut buf);
        buf
    }

    #[test]
    fn audio_in_and_out_with_symmetric_latching() {
        let t0 = Instant::now();
        let mut leg = Leg::new(LegSettings::new(Codec::Pcmu), 99, t0);
        let mut buf = [0u8; MAX_DATAGRAM];
        assert_eq!(
            leg.output(&SILENCE, &mut buf),
            None,
            "nothing is sent before the peer is known"
        );
        leg.set_remote(addr(4000), Codec::Pcmu, 101);
        let (n, to) = leg.output(&[1000; FRAME_SAMPLES], &mut buf).unwrap();
        assert_eq!((n, to), (172, addr(4000)));
        let sent = RtpPacket::parse(&buf[..n]).unwrap().header;
        assert!(sent.marker);
        assert_eq!(sent.payload_type, 0);
        // The peer's packets come from another port: the leg follows them there.
        let payload = [crate::codec::g711::ulaw_encode(2000); FRAME_SAMPLES];
        assert_eq!(
            leg.receive(&packet(0, 1, &payload), addr(4002), t0),
            Received::Latched(addr(4002))
        );
        assert_eq!(
            leg.receive(&packet(0, 2, &payload), addr(4002), t0),
            Received::Nothing
        );
        let mut f = SILENCE;
        assert_eq!(leg.input(&mut f), Playout::Played);
        assert!((f[0] - 2000).abs() < 64);
        let (_, to) = leg.output(&SILENCE, &mut buf).unwrap();
        assert_eq!(to, addr(4002));
        let next = RtpPacket::parse(&buf[..172]).unwrap();
        assert_eq!(next.header.sequence, sent.sequence.wrapping_add(1));
        assert_eq!(next.header.timestamp, sent.timestamp.wrapping_add(160));
    }

    #[test]
    fn once_latched_other_sources_are_dropped_until_the_peer_falls_silent() {
        let t0 = Instant::now();
        let mut leg = Leg::new(LegSettings::new(Codec::Pcmu), 5, t0);
        leg.set_remote(addr(4000), Codec::Pcmu, 101);
        let audio = [0xffu8; FRAME_SAMPLES];
        assert_eq!(
            leg.receive(&packet(0, 1, &audio), addr(4001), t0),
            Received::Latched(addr(4001))
        );
        let later = t0 + Duration::from_millis(500);
        assert_eq!(
            leg.receive(&packet(0, 2, &audio), addr(6666), later),
            Received::Nothing
        );
        assert_eq!(
            leg.receive(&packet(0, 2, &audio), addr(4001), later),
            Received::Nothing
        );
        assert_eq!(leg.remote(), Some(addr(4001)));
        assert_eq!(leg.stats().foreign_source, 1);
        // A second of silence from the latched source: the newcomer takes over.
        let moved = later + RELATCH_AFTER;
        assert_eq!(
            leg.receive(&packet(0, 3, &audio), addr(6666), moved),
            Received::Latched(addr(6666))
        );
        // New signalling unlatches at once.
        leg.set_remote(addr(5000), Codec::Pcmu, 101);
        assert_eq!(
            leg.receive(&packet(0, 4, &audio), addr(5002), moved),
            Received::Latched(addr(5002))
        );
        assert_eq!(leg.stats().remote_changes, 3);
    }

    #[test]
    fn malformed_and_foreign_packets_are_counted_not_latched() {
        let t0 = Instant::now();
        let mut leg = Leg::new(LegSettings::new(Codec::Pcma), 1, t0);
        leg.set_remote(addr(4000), Codec::Pcma, 101);
        assert_eq!(leg.receive(&[0x80, 0], addr(6666), t0), Received::Nothing);
        assert_eq!(leg.receive(&[0x40; 20], addr(6666), t0), Received::Nothing);
        assert_eq!(leg.receive(&[0x8f; 20], addr(6666), t0), Received::Nothing);
        assert_eq!(
            leg.receive(&packet(96, 1, &[0; 10]), addr(6666), t0),
            Received::Nothing
        );
        assert_eq!(
            leg.receive(&packet(101, 1, &[0; 2]), addr(6666), t0),
            Received::Nothing
        );
        assert_eq!(
            leg.receive(&[0x80, 200, 0, 9], addr(6666), t0),
            Received::Nothing
        );
        let s = leg.stats();
        assert_eq!(s.malformed(Malformed::TooShort), 1);
        assert_eq!(s.malformed(Malformed::BadVersion), 1);
        assert_eq!(s.malformed(Malformed::CsrcOverrun), 1);
        assert_eq!(s.malformed(Malformed::BadTelephoneEvent), 1);
        assert_eq!(s.malformed(Malformed::BadRtcp), 1);
        assert_eq!(s.unexpected_payload_type, 1);
        assert_eq!(
            s.packets_received, 1,
            "only the short event packet parsed as RTP"
        );
        assert_eq!(
            leg.remote(),
            Some(addr(6666)),
            "the parsed event packet latched"
        );
    }

    #[test]
    fn digits_go_out_as_rfc4733_and_come_back_once() {
        let t0 = Instant::now();
        let mut sender = Leg::new(LegSettings::new(Codec::Pcmu), 7, t0);
        let mut receiver = Leg::new(LegSettings::new(Codec::Pcmu), 8, t0);
        sender.set_remote(addr(1), Codec::Pcmu, 101);
        sender.send_event(telephone_event::digit_event('#').unwrap(), 100);
        sender.send_event(telephone_event::digit_event('7').unwrap(), 60);
        let mut heard = Vec::new();
        let mut buf = [0u8; MAX_DATAGRAM];
        for _ in 0..20 {
            let (n, _) = sender.output(&SILENCE, &mut buf).unwrap();
            let datagram = buf[..n].to_vec();
            if let Received::Event(e) = receiver.receive(&datagram, addr(2), t0) {
                heard.push((telephone_event::digit_char(e.event).unwrap(), e.duration_ms));
            }
        }
        assert_eq!(heard, vec![('#', 100), ('7', 60)]);
    }

    #[test]
    fn rtcp_reports_follow_muxed_rtcp_from_the_peer() {
        let t0 = Instant::now();
        let mut leg = Leg::new(LegSettings::new(Codec::Pcmu), 3, t0);
        leg.set_remote(addr(9), Codec::Pcmu, 101);
        let mut buf = [0u8; 64];
        assert_eq!(
            leg.rtcp(t0 + RTCP_INTERVAL, 0, &mut buf),
            None,
            "peer has not shown rtcp-mux"
        );
        let rr = Report {
            ssrc: 5,
            sender: None,
            block: None,
        };
        let n = rr.write(&mut buf);
        let copy = buf;
        leg.receive(&copy[..n], addr(9), t0);
        let (n, to) = leg.rtcp(t0 + RTCP_INTERVAL, 1 << 32, &mut buf).unwrap();
        assert_eq!(to, addr(9));
        let mut seen = Vec::new();
        Report::parse_compound(&buf[..n], |r| seen.push(r)).unwrap();
        assert_eq!(seen[0].sender.unwrap().ntp_timestamp, 1 << 32);
        assert_eq!(
            leg.rtcp(t0 + RTCP_INTERVAL, 0, &mut buf),
            None,
            "one report per interval"
        );
    }
}
