//! Adaptive jitter buffer with simple loss concealment. Packets are pushed as they arrive (any
//! order, duplicates included) and one 20 ms frame is popped per clock tick. The buffer holds
//! back `target` frames before playing; the target follows the measured interarrival jitter
//! (RFC 3550 A.8) and rises after each underrun. A missing frame whose successors have arrived
//! is lost: the last frame is repeated at half the level each time, then silence. Storage is a
//! fixed ring allocated once: nothing is allocated per packet.

use crate::frame::{Frame, FRAME_SAMPLES, SILENCE};
use crate::rtp::stats::ReceiverStats;

const CAPACITY: usize = 64;
/// Consecutive concealed frames before the output fades to silence.
const MAX_CONCEALED: u32 = 3;
/// Underruns this long mean the peer stopped sending (hold, silence suppression): start over
/// with a fresh prefill when it resumes.
const RESTART_AFTER_EMPTY: u32 = 50;
/// Pops after which one underrun's extra frame of delay is given back.
const UNDERRUN_MEMORY: u32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Playout {
    /// Still filling up to the target: silence.
    Prefill,
    Played,
    /// A frame was lost or late: the output is a faded repeat (or silence).
    Concealed,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JitterStats {
    pub pushed: u64,
    pub played: u64,
    pub duplicates: u64,
    pub late: u64,
    pub lost: u64,
    pub underruns: u64,
    /// Frames dropped to bring the delay back down after a burst.
    pub shed: u64,
    pub restarts: u64,
}

#[derive(Clone)]
struct Slot {
    seq: u64,
    filled: bool,
    frame: Frame,
}

pub struct JitterBuffer {
    slots: Box<[Slot]>,
    ssrc: Option<u32>,
    /// Extended sequence of the next frame to play, once playout has started.
    next: Option<u64>,
    highest: Option<u64>,
    min_target: usize,
    max_target: usize,
    underrun_extra: usize,
    since_underrun: u32,
    empty_run: u32,
    concealed_run: u32,
    last: Frame,
    receiver: ReceiverStats,
    stats: JitterStats,
}

impl JitterBuffer {
    /// `min_frames`..=`max_frames` bounds the playout delay (in 20 ms frames).
    pub fn new(min_frames: usize, max_frames: usize) -> Self {
        let max_target = max_frames.clamp(1, CAPACITY / 2);
        Self {
            slots: vec![
                Slot {
                    seq: 0,
                    filled: false,
                    frame: SILENCE
                };
                CAPACITY
            ]
            .into_boxed_slice(),
            ssrc: None,
            next: None,
            highest: None,
            min_target: min_frames.clamp(1, max_target),
            max_target,
            underrun_extra: 0,
            since_underrun: 0,
            empty_run: 0,
            concealed_run: 0,
            last: SILENCE,
            receiver: ReceiverStats::default(),
            stats: JitterStats::default(),
        }
    }

    pub fn stats(&self) -> JitterStats {
        self.stats
    }

    pub fn receiver(&mut self) -> &mut ReceiverStats {
        &mut self.receiver
    }

    /// Frames of delay the buffer aims to hold.
    pub fn target(&self) -> usize {
        // 3J covers most of the arrival spread; J is in samples, a frame is 160.
        let from_jitter = (3 * self.receiver.jitter() as usize).div_ceil(FRAME_SAMPLES) + 1;
        (from_jitter + self.underrun_extra).clamp(self.min_target, self.max_target)
    }

    /// Frames buffered from the next to play up to the highest received.
    pub fn depth(&self) -> usize {
        match (self.next, self.highest) {
            (Some(n), Some(h)) if h >= n => (h - n + 1) as usize,
            (None, _) => self.slots.iter().filter(|s| s.filled).count(),
            _ => 0,
        }
    }

    fn reset(&mut self) {
        for s in self.slots.iter_mut() {
            s.filled = false;
        }
        self.next = None;
        self.highest = None;
        self.stats.restarts += 1;
    }

    /// Accepts one packet; `decode` fills the frame slot in place from the payload.
    /// `arrival` is the arrival time in 8 kHz samples on the receiver's clock.
    pub fn push(
        &mut self,
        ssrc: u32,
        seq: u16,
        timestamp: u32,
        arrival: i64,
        decode: impl FnOnce(&mut Frame),
    ) {
        if self.ssrc != Some(ssrc) {
            if self.ssrc.is_some() {
                self.reset();
            }
            self.ssrc = Some(ssrc);
        }
        self.receiver.record(ssrc, seq, timestamp, arrival);
        let ext = match self.highest {
            None => u64::from(seq) + (1 << 32),
            Some(h) => {
                let delta = i64::from(seq.wrapping_sub(h as u16) as i16);
                (h as i64 + delta) as u64
            }
        };
        if let Some(next) = self.next {
            if ext < next {
                if next - ext > 1000 {
                    // The peer restarted its numbering without a new SSRC.
                    self.reset();
                    return self.push(ssrc, seq, timestamp, arrival, decode);
                }
                self.stats.late += 1;
                return;
            }
            if ext >= next + CAPACITY as u64 {
                self.reset();
                return self.push(ssrc, seq, timestamp, arrival, decode);
            }
        } else if let Some(h) = self.highest {
            // Before playout starts, keep the newest window.
            if ext + CAPACITY as u64 <= h {
                self.stats.late += 1;
                return;
            }
        }
        let slot = &mut self.slots[(ext % CAPACITY as u64) as usize];
        if slot.filled && slot.seq == ext {
            self.stats.duplicates += 1;
            return;
        }
        slot.seq = ext;
        slot.filled = true;
        decode(&mut slot.frame);
        self.stats.pushed += 1;
        self.highest = Some(self.highest.map_or(ext, |h| h.max(ext)));
    }

    fn take(&mut self, seq: u64, out: &mut Frame) -> bool {
        let slot = &mut self.slots[(seq % CAPACITY as u64) as usize];
        if slot.filled && slot.seq == seq {
            slot.filled = false;
            out.copy_from_slice(&slot.frame);
            true
        } else {
            false
        }
    }

    fn lowest_buffered(&self) -> Option<u64> {
        self.slots.iter().filter(|s| s.filled).map(|s| s.seq).min()
    }

    fn conceal(&mut self, out: &mut Frame) -> Playout {
        self.concealed_run += 1;
        if self.concealed_run > MAX_CONCEALED {
            out.fill(0);
        } else {
            let shift = self.concealed_run;
            for (o, l) in out.iter_mut().zip(self.last.iter()) {
                *o = l >> shift;
            }
        }
        Playout::Concealed
    }

    /// The frame to play for this tick.
    pub fn pop(&mut self, out: &mut Frame) -> Playout {
        self.since_underrun += 1;
        if self.since_underrun >= UNDERRUN_MEMORY && self.underrun_extra > 0 {
            self.underrun_extra -= 1;
            self.since_underrun = 0;
        }
        let next = match self.next {
            Some(n) => n,
            None => {
                let buffered = self.slots.iter().filter(|s| s.filled).count();
                match self.lowest_buffered() {
                    Some(low) if buffered >= self.target() => low,
                    _ => {
                        out.fill(0);
                        return Playout::Prefill;
                    }
                }
            }
        };
        self.next = Some(next);
        let mut next = next;
        // Shed a frame when a burst left the buffer well past its target.
        if self.depth() > self.target() + 2 {
            let mut skipped = SILENCE;
            if self.take(next, &mut skipped) {
                self.stats.shed += 1;
            } else {
                self.stats.lost += 1;
            }
            next += 1;
            self.next = Some(next);
        }
        if self.take(next, out) {
            self.next = Some(next + 1);
            self.last.copy_from_slice(out);
            self.concealed_run = 0;
            self.empty_run = 0;
            self.stats.played += 1;
            return Playout::Played;
        }
        if self.highest.is_some_and(|h| h > next) {
            // Later frames are here: this one is lost.
            self.stats.lost += 1;
            self.next = Some(next + 1);
            self.empty_run = 0;
        } else {
            // Nothing to play: the stream is late. Wait, and hold back more from now on.
            if self.empty_run == 0 {
                self.stats.underruns += 1;
                self.underrun_extra = (self.underrun_extra + 1).min(self.max_target);
                self.since_underrun = 0;
            }
            self.empty_run += 1;
            if self.empty_run >= RESTART_AFTER_EMPTY {
                self.empty_run = 0;
                self.next = None;
                self.highest = None;
                self.stats.restarts += 1;
            }
        }
        self.conceal(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame whose every sample carries the sequence number, so output order is visible.
    fn fill(seq: u16) -> impl FnOnce(&mut Frame) {
        move |f: &mut Frame| f.fill(seq as i16 + 1000)
    }

    fn push(jb: &mut JitterBuffer, seq: u16, arrival_tick: i64) {
        jb.push(7, seq, u32::from(seq) * 160, arrival_tick * 160, fill(seq));
    }

    /// Pops one frame and returns the sequence it came from, or None if not a played frame.
    fn pop(jb: &mut JitterBuffer) -> (Playout, Option<i16>) {
        let mut f = SILENCE;
        let p = jb.pop(&mut f);
        (p, (p == Playout::Played).then(|| f[0] - 1000))
    }

    #[test]
    fn in_order_stream_plays_in_order_after_prefill() {
        let mut jb = JitterBuffer::new(2, 10);
        let mut played = Vec::new();
        for t in 0..50u16 {
            push(&mut jb, t, i64::from(t));
            if let (_, Some(s)) = pop(&mut jb) {
                played.push(s);
            }
        }
        assert_eq!(played, (0..49).collect::<Vec<i16>>());
        assert_eq!(jb.stats().lost, 0);
        assert_eq!(jb.stats().underruns, 0);
    }

    #[test]
    fn reordered_packets_within_the_delay_play_in_order() {
        let mut jb = JitterBuffer::new(3, 10);
        // Pairs swapped: 1 0 3 2 5 4 …
        let order: Vec<u16> = (0..60u16).map(|i| i ^ 1).collect();
        let mut played = Vec::new();
        for (t, &seq) in order.iter().enumerate() {
            push(&mut jb, seq, t as i64);
            if let (_, Some(s)) = pop(&mut jb) {
                played.push(s);
            }
        }
        let expected: Vec<i16> = (0..played.len() as i16).collect();
        assert_eq!(played, expected);
        assert_eq!(jb.stats().late, 0);
        assert_eq!(jb.stats().lost, 0);
    }

    #[test]
    fn duplicates_are_dropped_and_counted() {
        let mut jb = JitterBuffer::new(2, 10);
        let mut played = Vec::new();
        for t in 0..30u16 {
            push(&mut jb, t, i64::from(t));
            push(&mut jb, t, i64::from(t));
            if t > 2 {
                push(&mut jb, t - 2, i64::from(t)); // a late duplicate of a played frame
            }
            if let (_, Some(s)) = pop(&mut jb) {
                played.push(s);
            }
        }
        assert_eq!(played, (0..played.len() as i16).collect::<Vec<_>>());
        assert_eq!(jb.stats().duplicates + jb.stats().late, 30 + 27);
        assert_eq!(jb.stats().pushed, 30);
    }

    #[test]
    fn a_lost_packet_is_concealed_with_a_fading_repeat_and_playout_continues() {
        let mut jb = JitterBuffer::new(2, 10);
        let mut outputs = Vec::new();
        for t in 0..20u16 {
            if t != 8 {
                push(&mut jb, t, i64::from(t));
            }
            let mut f = SILENCE;
            let p = jb.pop(&mut f);
            outputs.push((p, f[0]));
        }
        let concealed: Vec<_> = outputs
            .iter()
            .filter(|(p, _)| *p == Playout::Concealed)
            .collect();
        assert_eq!(concealed.len(), 1);
        // The repeat is frame 7 at half level.
        assert_eq!(concealed[0].1, (1007 >> 1));
        assert_eq!(jb.stats().lost, 1);
        let played: Vec<i16> = outputs
            .iter()
            .filter(|(p, _)| *p == Playout::Played)
            .map(|(_, v)| v - 1000)
            .collect();
        assert!(!played.contains(&8));
        assert_eq!(played.last(), Some(&18));
    }

    #[test]
    fn a_gap_in_arrivals_makes_it_wait_then_hold_more_delay() {
        let mut jb = JitterBuffer::new(1, 10);
        let before = jb.target();
        let mut seq = 0u16;
        for t in 0..200i64 {
            // Every 20 ticks, nothing arrives for 3 ticks, then the 3 packets come at once.
            let burst = t % 20 == 19;
            if t % 20 < 16 || burst {
                let n = if burst { 4 } else { 1 };
                for _ in 0..n {
                    push(&mut jb, seq, t);
                    seq += 1;
                }
            }
            pop(&mut jb);
        }
        assert!(jb.stats().underruns > 0);
        assert!(
            jb.target() > before,
            "target {} should have grown from {before}",
            jb.target()
        );
        assert_eq!(jb.stats().lost, 0, "late stream is waited for, not dropped");
    }

    #[test]
    fn a_big_sequence_jump_or_new_ssrc_restarts_playout() {
        let mut jb = JitterBuffer::new(1, 10);
        for t in 0..10u16 {
            push(&mut jb, t, i64::from(t));
            pop(&mut jb);
        }
        push(&mut jb, 30_000, 10);
        assert_eq!(jb.stats().restarts, 1);
        assert_eq!(pop(&mut jb), (Playout::Played, Some(30_000)));
        jb.push(8, 5, 0, 11 * 160, fill(5));
        assert_eq!(jb.stats().restarts, 2);
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut jb = JitterBuffer::new(1, 10);
        let mut played = Vec::new();
        for t in 0..20u16 {
            let seq = 65530u16.wrapping_add(t);
            jb.push(7, seq, 0, i64::from(t) * 160, move |f| f.fill(t as i16));
            let mut f = SILENCE;
            if jb.pop(&mut f) == Playout::Played {
                played.push(f[0]);
            }
        }
        assert_eq!(played, (0..20).collect::<Vec<i16>>());
    }
}
