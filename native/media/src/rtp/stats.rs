//! Receiver statistics (RFC 3550 appendix A.1, A.3, A.8): extended sequence numbers, expected
//! and lost packets, interarrival jitter, and the report block they make.

use super::rtcp::ReportBlock;

/// Sequence jumps larger than this (in either direction) restart the count, as after a new
/// source or a peer restart (A.1's MAX_DROPOUT / MAX_MISORDER, simplified).
const MAX_DROPOUT: u32 = 3000;
const MAX_MISORDER: u32 = 100;

#[derive(Debug, Clone, Default)]
pub struct ReceiverStats {
    started: bool,
    pub ssrc: u32,
    base_seq: u32,
    cycles: u32,
    max_seq: u16,
    pub received: u64,
    expected_prior: u64,
    received_prior: u64,
    /// Interarrival jitter in timestamp units, scaled by 16 as in A.8.
    jitter_q4: u32,
    last_transit: Option<i64>,
}

impl ReceiverStats {
    /// Records one packet. `arrival` is the arrival time in the stream's timestamp units
    /// (samples at 8 kHz).
    pub fn record(&mut self, ssrc: u32, sequence: u16, timestamp: u32, arrival: i64) {
        if !self.started || ssrc != self.ssrc {
            *self = Self {
                started: true,
                ssrc,
                base_seq: u32::from(sequence),
                max_seq: sequence,
                ..Self::default()
            };
        }
        let delta = sequence.wrapping_sub(self.max_seq);
        if delta != 0 && u32::from(delta) < MAX_DROPOUT {
            if sequence < self.max_seq {
                self.cycles = self.cycles.wrapping_add(1 << 16);
            }
            self.max_seq = sequence;
        } else if u32::from(delta) > 65536 - MAX_MISORDER || delta == 0 {
            // Reordered or duplicate: counted, max unchanged.
        } else {
            // A big jump: the source restarted its numbering.
            self.base_seq = u32::from(sequence);
            self.max_seq = sequence;
            self.cycles = 0;
            self.received = 0;
            self.expected_prior = 0;
            self.received_prior = 0;
            self.last_transit = None;
        }
        self.received += 1;
        let transit = arrival - i64::from(timestamp);
        if let Some(last) = self.last_transit {
            let d = (transit - last).unsigned_abs().min(u64::from(u32::MAX)) as u32;
            // J += (|D| - J) / 16, kept scaled by 16.
            self.jitter_q4 = self
                .jitter_q4
                .wrapping_add(d)
                .wrapping_sub((self.jitter_q4 + 8) >> 4);
        }
        self.last_transit = Some(transit);
    }

    pub fn extended_max(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }

    pub fn expected(&self) -> u64 {
        if !self.started {
            return 0;
        }
        u64::from(self.extended_max()) - u64::from(self.base_seq) + 1
    }

    pub fn lost(&self) -> i64 {
        self.expected() as i64 - self.received as i64
    }

    /// Interarrival jitter in timestamp units.
    pub fn jitter(&self) -> u32 {
        self.jitter_q4 >> 4
    }

    /// The report block for the next RTCP report; resets the interval counters (A.3).
    pub fn report_block(&mut self, last_sr: u32, delay_since_last_sr: u32) -> Option<ReportBlock> {
        if !self.started {
            return None;
        }
        let expected = self.expected();
        let expected_interval = expected - self.expected_prior;
        let received_interval = self.received - self.received_prior;
        self.expected_prior = expected;
        self.received_prior = self.received;
        let lost_interval = expected_interval as i64 - received_interval as i64;
        let fraction_lost = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / expected_interval as i64).min(255) as u8
        };
        Some(ReportBlock {
            ssrc: self.ssrc,
            fraction_lost,
            cumulative_lost: self.lost().clamp(-0x80_0000, 0x7f_ffff) as i32,
            highest_sequence: self.extended_max(),
            jitter: self.jitter(),
            last_sr,
            delay_since_last_sr,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_loss_across_sequence_wrap() {
        let mut s = ReceiverStats::default();
        let mut seq = 65530u16;
        for i in 0..20 {
            if i != 7 && i != 8 {
                s.record(9, seq, i * 160, i64::from(i * 160));
            }
            seq = seq.wrapping_add(1);
        }
        assert_eq!(s.expected(), 20);
        assert_eq!(s.lost(), 2);
        assert_eq!(s.extended_max(), 65536 + 13);
        let block = s.report_block(0, 0).unwrap();
        assert_eq!(block.fraction_lost, (2 * 256 / 20) as u8);
        assert_eq!(block.cumulative_lost, 2);
        assert_eq!(s.jitter(), 0, "evenly spaced arrivals have no jitter");
    }

    #[test]
    fn jitter_grows_with_uneven_arrivals() {
        let mut s = ReceiverStats::default();
        for i in 0..200u32 {
            let wobble = if i % 2 == 0 { 0 } else { 80 };
            s.record(1, i as u16, i * 160, i64::from(i * 160 + wobble));
        }
        // Alternating ±80-sample transit differences converge on a jitter near 80.
        assert!((70..=80).contains(&s.jitter()), "{}", s.jitter());
    }

    #[test]
    fn a_new_ssrc_restarts_the_counts() {
        let mut s = ReceiverStats::default();
        s.record(1, 100, 0, 0);
        s.record(1, 105, 0, 0);
        s.record(2, 7, 0, 0);
        assert_eq!(s.expected(), 1);
        assert_eq!(s.lost(), 0);
    }
}
