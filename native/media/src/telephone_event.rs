//! RFC 4733 telephone-events (DTMF digits and other named events) in both directions: the
//! 4-byte payload, a receiver that reports each event once despite repeated and lost packets,
//! and a sender that produces the packet train for one event.

use crate::error::Malformed;

/// Dynamic payload type offered for telephone-event when the peer names none.
pub const DEFAULT_PAYLOAD_TYPE: u8 = 101;
/// Every end packet is sent three times (RFC 4733 §2.5.1.4).
const END_REPEATS: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPayload {
    /// 0–9 digits, 10 `*`, 11 `#`, 12–15 A–D, others per the registry.
    pub event: u8,
    pub end: bool,
    pub volume: u8,
    /// In timestamp units (8 kHz samples) since the event's timestamp.
    pub duration: u16,
}

impl EventPayload {
    pub fn parse(data: &[u8]) -> Result<Self, Malformed> {
        // A payload may carry several events in redundancy blocks; only the 4-byte form is used
        // by the peers we meet, so anything else shorter is rejected.
        if data.len() < 4 {
            return Err(Malformed::BadTelephoneEvent);
        }
        Ok(Self {
            event: data[0],
            end: data[1] & 0x80 != 0,
            volume: data[1] & 0x3f,
            duration: u16::from_be_bytes([data[2], data[3]]),
        })
    }

    pub fn write(&self, out: &mut [u8]) -> usize {
        out[0] = self.event;
        out[1] = (u8::from(self.end) << 7) | (self.volume & 0x3f);
        out[2..4].copy_from_slice(&self.duration.to_be_bytes());
        4
    }
}

/// The character a DTMF event stands for, if it is one.
pub fn digit_char(event: u8) -> Option<char> {
    b"0123456789*#ABCD"
        .get(usize::from(event))
        .map(|&c| char::from(c))
}

pub fn digit_event(c: char) -> Option<u8> {
    b"0123456789*#ABCD"
        .iter()
        .position(|&d| char::from(d) == c.to_ascii_uppercase())
        .map(|p| p as u8)
}

/// A finished event as heard from the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceivedEvent {
    pub event: u8,
    pub duration_ms: u32,
}

/// Reports each event once: on its first end packet, or when a newer event begins without the
/// previous one's end having arrived (all three end packets lost).
#[derive(Debug, Default)]
pub struct EventReceiver {
    current: Option<(u32, EventPayload)>,
    reported: Option<u32>,
}

impl EventReceiver {
    pub fn receive(&mut self, timestamp: u32, payload: EventPayload) -> Option<ReceivedEvent> {
        let mut out = None;
        if let Some((ts, previous)) = self.current {
            if ts != timestamp && self.reported != Some(ts) {
                out = Some(finished(previous));
            }
        }
        self.current = Some((timestamp, payload));
        if payload.end && self.reported != Some(timestamp) {
            self.reported = Some(timestamp);
            // An earlier unfinished event and this end in the same call: report the newer
            // one, the older one's digits were already heard by its start.
            return Some(finished(payload));
        }
        out
    }
}

fn finished(p: EventPayload) -> ReceivedEvent {
    ReceivedEvent {
        event: p.event,
        duration_ms: u32::from(p.duration) / 8,
    }
}

/// The packet train of one outgoing event: one packet per 20 ms tick with a growing duration,
/// the first marked, then the end packet three times.
#[derive(Debug, Clone)]
pub struct EventSender {
    event: u8,
    total: u16,
    elapsed: u16,
    ends_left: u8,
    first: bool,
}

/// One packet to send: marker bit and payload; the timestamp is the event's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPacket {
    pub marker: bool,
    pub payload: EventPayload,
}

impl EventSender {
    pub fn new(event: u8, duration_ms: u32) -> Self {
        let total = (duration_ms.clamp(40, 8000) * 8) as u16;
        Self {
            event,
            total,
            elapsed: 0,
            ends_left: END_REPEATS,
            first: true,
        }
    }

    /// The packet for this tick, or `None` once the train is complete.
    pub fn next_packet(&mut self, samples_per_tick: u16) -> Option<EventPacket> {
        if self.ends_left == 0 {
            return None;
        }
        self.elapsed = (self.elapsed + samples_per_tick).min(self.total);
        let end = self.elapsed >= self.total;
        if end {
            self.ends_left -= 1;
        }
        let marker = std::mem::take(&mut self.first);
        Some(EventPacket {
            marker,
            payload: EventPayload {
                event: self.event,
                end,
                volume: 10,
                duration: self.elapsed,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trip() {
        let p = EventPayload {
            event: 11,
            end: true,
            volume: 10,
            duration: 1600,
        };
        let mut b = [0u8; 4];
        p.write(&mut b);
        assert_eq!(b, [11, 0x8a, 0x06, 0x40]);
        assert_eq!(EventPayload::parse(&b), Ok(p));
        assert_eq!(
            EventPayload::parse(&b[..3]),
            Err(Malformed::BadTelephoneEvent)
        );
    }

    #[test]
    fn digits_map_both_ways() {
        for (i, c) in "0123456789*#ABCD".chars().enumerate() {
            assert_eq!(digit_event(c), Some(i as u8));
            assert_eq!(digit_char(i as u8), Some(c));
        }
        assert_eq!(digit_event('x'), None);
        assert_eq!(digit_char(16), None);
    }

    #[test]
    fn sender_train_feeds_the_receiver_one_event_despite_repeats() {
        let mut sender = EventSender::new(5, 100);
        let mut receiver = EventReceiver::default();
        let mut packets = Vec::new();
        while let Some(p) = sender.next_packet(160) {
            packets.push(p);
        }
        assert!(packets[0].marker && packets[1..].iter().all(|p| !p.marker));
        assert_eq!(packets.iter().filter(|p| p.payload.end).count(), 3);
        assert_eq!(
            packets.len(),
            5 + 2,
            "800 samples in 160-sample steps, then two more ends"
        );
        let heard: Vec<_> = packets
            .iter()
            .filter_map(|p| receiver.receive(8000, p.payload))
            .collect();
        assert_eq!(
            heard,
            vec![ReceivedEvent {
                event: 5,
                duration_ms: 100
            }]
        );
    }

    #[test]
    fn an_event_whose_end_packets_were_all_lost_is_reported_when_the_next_begins() {
        let mut receiver = EventReceiver::default();
        let start = EventPayload {
            event: 1,
            end: false,
            volume: 10,
            duration: 480,
        };
        assert_eq!(receiver.receive(100, start), None);
        let next = EventPayload {
            event: 2,
            end: false,
            volume: 10,
            duration: 160,
        };
        assert_eq!(
            receiver.receive(2000, next),
            Some(ReceivedEvent {
                event: 1,
                duration_ms: 60
            })
        );
        let end = EventPayload {
            end: true,
            duration: 800,
            ..next
        };
        assert_eq!(
            receiver.receive(2000, end),
            Some(ReceivedEvent {
                event: 2,
                duration_ms: 100
            })
        );
        assert_eq!(receiver.receive(2000, end), None);
    }
}
