//! Basic RTCP (RFC 3550 §6.4): sender and receiver reports with report blocks, written into a
//! caller buffer and read back from compound packets. Other packet types (SDES, BYE, APP) are
//! skipped over by their length; anything inconsistent is rejected as `BadRtcp`.

use crate::error::Malformed;

pub const SENDER_REPORT: u8 = 200;
pub const RECEIVER_REPORT: u8 = 201;

/// One reception report block (§6.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    pub ssrc: u32,
    pub fraction_lost: u8,
    /// 24-bit signed in the packet.
    pub cumulative_lost: i32,
    pub highest_sequence: u32,
    pub jitter: u32,
    pub last_sr: u32,
    pub delay_since_last_sr: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SenderInfo {
    pub ntp_timestamp: u64,
    pub rtp_timestamp: u32,
    pub packet_count: u32,
    pub octet_count: u32,
}

/// A sender report (with sender info) or a receiver report, with at most one block: a leg reports
/// on the one source it receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub ssrc: u32,
    pub sender: Option<SenderInfo>,
    pub block: Option<ReportBlock>,
}

impl Report {
    /// Writes the report as one RTCP packet and returns its length (at most 52 bytes).
    pub fn write(&self, out: &mut [u8]) -> usize {
        let blocks = u8::from(self.block.is_some());
        let (pt, mut len) = match self.sender {
            Some(_) => (SENDER_REPORT, 28),
            None => (RECEIVER_REPORT, 8),
        };
        len += 24 * usize::from(blocks);
        out[0] = 0x80 | blocks;
        out[1] = pt;
        out[2..4].copy_from_slice(&((len / 4 - 1) as u16).to_be_bytes());
        out[4..8].copy_from_slice(&self.ssrc.to_be_bytes());
        let mut at = 8;
        if let Some(s) = self.sender {
            out[8..16].copy_from_slice(&s.ntp_timestamp.to_be_bytes());
            out[16..20].copy_from_slice(&s.rtp_timestamp.to_be_bytes());
            out[20..24].copy_from_slice(&s.packet_count.to_be_bytes());
            out[24..28].copy_from_slice(&s.octet_count.to_be_bytes());
            at = 28;
        }
        if let Some(b) = self.block {
            let lost = (b.cumulative_lost.clamp(-0x80_0000, 0x7f_ffff) as u32) & 0x00ff_ffff;
            out[at..at + 4].copy_from_slice(&b.ssrc.to_be_bytes());
            out[at + 4..at + 8]
                .copy_from_slice(&(u32::from(b.fraction_lost) << 24 | lost).to_be_bytes());
            out[at + 8..at + 12].copy_from_slice(&b.highest_sequence.to_be_bytes());
            out[at + 12..at + 16].copy_from_slice(&b.jitter.to_be_bytes());
            out[at + 16..at + 20].copy_from_slice(&b.last_sr.to_be_bytes());
            out[at + 20..at + 24].copy_from_slice(&b.delay_since_last_sr.to_be_bytes());
        }
        len
    }

    /// Reads the sender and receiver reports of a compound RTCP packet, in order, calling `each`
    /// for every one (first block only; further blocks are about other sources).
    pub fn parse_compound(data: &[u8], mut each: impl FnMut(Report)) -> Result<(), Malformed> {
        let mut rest = data;
        if rest.is_empty() {
            return Err(Malformed::BadRtcp);
        }
        while !rest.is_empty() {
            if rest.len() < 4 || rest[0] >> 6 != 2 {
                return Err(Malformed::BadRtcp);
            }
            let len = 4 * (usize::from(u16::from_be_bytes([rest[2], rest[3]])) + 1);
            if len > rest.len() {
                return Err(Malformed::BadRtcp);
            }
            let (packet, next) = rest.split_at(len);
            let count = usize::from(packet[0] & 0x1f);
            match packet[1] {
                SENDER_REPORT | RECEIVER_REPORT => each(parse_report(packet, count)?),
                _ => {}
            }
            rest = next;
        }
        Ok(())
    }
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn parse_report(p: &[u8], count: usize) -> Result<Report, Malformed> {
    let sender_len = if p[1] == SENDER_REPORT { 20 } else { 0 };
    if p.len() < 8 + sender_len + 24 * count {
        return Err(Malformed::BadRtcp);
    }
    let sender = (sender_len > 0).then(|| SenderInfo {
        ntp_timestamp: u64::from(be32(&p[8..])) << 32 | u64::from(be32(&p[12..])),
        rtp_timestamp: be32(&p[16..]),
        packet_count: be32(&p[20..]),
        octet_count: be32(&p[24..]),
    });
    let b = &p[8 + sender_len..];
    let block = (count > 0).then(|| {
        let word = be32(&b[4..]);
        // Sign-extend the 24-bit cumulative loss.
        let lost = ((word << 8) as i32) >> 8;
        ReportBlock {
            ssrc: be32(b),
            fraction_lost: (word >> 24) as u8,
            cumulative_lost: lost,
            highest_sequence: be32(&b[8..]),
            jitter: be32(&b[12..]),
            last_sr: be32(&b[16..]),
            delay_since_last_sr: be32(&b[20..]),
        }
    });
    Ok(Report {
        ssrc: be32(&p[4..]),
        sender,
        block,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block() -> ReportBlock {
        ReportBlock {
            ssrc: 7,
            fraction_lost: 25,
            cumulative_lost: -3,
            highest_sequence: 70_000,
            jitter: 12,
            last_sr: 0x1234_5678,
            delay_since_last_sr: 65_536,
        }
    }

    #[test]
    fn sender_and_receiver_reports_round_trip_in_one_compound_packet() {
        let sr = Report {
            ssrc: 1,
            sender: Some(SenderInfo {
                ntp_timestamp: 1 << 40,
                rtp_timestamp: 160,
                packet_count: 3,
                octet_count: 480,
            }),
            block: Some(block()),
        };
        let rr = Report {
            ssrc: 2,
            sender: None,
            block: None,
        };
        let mut buf = [0u8; 128];
        let n = sr.write(&mut buf);
        assert_eq!(n, 52);
        let m = rr.write(&mut buf[n..]);
        assert_eq!(m, 8);
        let mut seen = Vec::new();
        Report::parse_compound(&buf[..n + m], |r| seen.push(r)).unwrap();
        assert_eq!(seen, vec![sr, rr]);
    }

    #[test]
    fn truncated_or_inconsistent_rtcp_is_rejected() {
        let mut buf = [0u8; 64];
        let n = Report {
            ssrc: 1,
            sender: None,
            block: Some(block()),
        }
        .write(&mut buf);
        for len in 0..n {
            assert_eq!(
                Report::parse_compound(&buf[..len], |_| {}),
                Err(Malformed::BadRtcp),
                "len {len}"
            );
        }
        buf[0] = 0x9f; // claims 31 blocks in a 32-byte packet
        assert_eq!(
            Report::parse_compound(&buf[..n], |_| {}),
            Err(Malformed::BadRtcp)
        );
    }
}
