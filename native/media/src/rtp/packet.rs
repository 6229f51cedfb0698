//! RTP packets (RFC 3550 §5.1): a zero-copy view over received bytes, and a writer into a
//! caller-owned buffer. Anything that does not hold together is rejected with the reason, so the
//! leg can drop and count it; parsing never panics, whatever the bytes.

use crate::error::Malformed;

pub const VERSION: u8 = 2;
/// Fixed header length, without CSRCs or extension.
pub const HEADER_LEN: usize = 12;

/// The header fields a sender chooses; CSRCs and extensions are never sent by this engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
}

/// A parsed packet borrowing its payload from the datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    pub header: RtpHeader,
    pub csrc_count: u8,
    pub payload: &'a [u8],
}

impl<'a> RtpPacket<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Self, Malformed> {
        if data.len() < HEADER_LEN {
            return Err(Malformed::TooShort);
        }
        if data[0] >> 6 != VERSION {
            return Err(Malformed::BadVersion);
        }
        let padding = data[0] & 0x20 != 0;
        let extension = data[0] & 0x10 != 0;
        let csrc_count = data[0] & 0x0f;
        let mut start = HEADER_LEN + 4 * usize::from(csrc_count);
        if start > data.len() {
            return Err(Malformed::CsrcOverrun);
        }
        if extension {
            // 16-bit profile id, 16-bit length in 32-bit words, then the words (§5.3.1).
            if start + 4 > data.len() {
                return Err(Malformed::BadExtension);
            }
            let words = usize::from(u16::from_be_bytes([data[start + 2], data[start + 3]]));
            start += 4 + 4 * words;
            if start > data.len() {
                return Err(Malformed::BadExtension);
            }
        }
        let mut end = data.len();
        if padding {
            // The last octet counts the padding octets, itself included (§5.1).
            let pad = usize::from(data[end - 1]);
            if pad == 0 || start + pad > end {
                return Err(Malformed::BadPadding);
            }
            end -= pad;
        }
        Ok(Self {
            header: RtpHeader {
                marker: data[1] & 0x80 != 0,
                payload_type: data[1] & 0x7f,
                sequence: u16::from_be_bytes([data[2], data[3]]),
                timestamp: u32::from_be_bytes([data[4], data[5], data[6], data[7]]),
                ssrc: u32::from_be_bytes([data[8], data[9], data[10], data[11]]),
            },
            csrc_count,
            payload: &data[start..end],
        })
    }
}

impl RtpHeader {
    /// Writes the 12-byte header at the start of `out` and returns its length.
    ///
    /// # Panics
    /// If `out` is shorter than [`HEADER_LEN`]: buffers are sized by the engine, not by input.
    pub fn write(&self, out: &mut [u8]) -> usize {
        out[0] = VERSION << 6;
        out[1] = (u8::from(self.marker) << 7) | (self.payload_type & 0x7f);
        out[2..4].copy_from_slice(&self.sequence.to_be_bytes());
        out[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        out[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
        HEADER_LEN
    }
}

/// Writes header and payload into `out`, returning the datagram length.
pub fn write_packet(header: &RtpHeader, payload: &[u8], out: &mut [u8]) -> usize {
    let n = header.write(out);
    out[n..n + payload.len()].copy_from_slice(payload);
    n + payload.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> RtpHeader {
        RtpHeader {
            marker: true,
            payload_type: 8,
            sequence: 65535,
            timestamp: 0xdead_beef,
            ssrc: 42,
        }
    }

    #[test]
    fn round_trip() {
        let mut buf = [0u8; 64];
        let n = write_packet(&header(), &[1, 2, 3], &mut buf);
        assert_eq!(n, 15);
        let p = RtpPacket::parse(&buf[..n]).unwrap();
        assert_eq!(p.header, header());
        assert_eq!(p.payload, &[1, 2, 3]);
        assert_eq!(p.csrc_count, 0);
    }

    #[test]
    fn skips_csrcs_extension_and_padding() {
        let mut d = vec![0xb1u8, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2]; // V=2 P X CC=1
        d.extend([9, 9, 9, 9]); // one CSRC
        d.extend([0xbe, 0xde, 0, 1, 7, 7, 7, 7]); // extension of one word
        d.extend([5, 6]); // payload
        d.extend([0, 0, 3]); // three padding octets
        let p = RtpPacket::parse(&d).unwrap();
        assert_eq!(p.payload, &[5, 6]);
        assert_eq!(p.csrc_count, 1);
    }

    #[test]
    fn malformed_packets_are_rejected_with_their_reason() {
        let ok = [0x80u8, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xff];
        assert_eq!(RtpPacket::parse(&ok[..11]), Err(Malformed::TooShort));
        assert_eq!(RtpPacket::parse(&[]), Err(Malformed::TooShort));
        let mut v1 = ok;
        v1[0] = 0x40;
        assert_eq!(RtpPacket::parse(&v1), Err(Malformed::BadVersion));
        let mut many_csrc = ok;
        many_csrc[0] = 0x8f;
        assert_eq!(RtpPacket::parse(&many_csrc), Err(Malformed::CsrcOverrun));
        let mut ext = ok;
        ext[0] = 0x90;
        assert_eq!(RtpPacket::parse(&ext), Err(Malformed::BadExtension));
        let mut long_ext = [0x90u8, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0xff, 0xff].to_vec();
        long_ext.extend([0; 8]);
        assert_eq!(RtpPacket::parse(&long_ext), Err(Malformed::BadExtension));
        let mut pad = ok;
        pad[0] = 0xa0; // padding count 0xff exceeds the packet
        assert_eq!(RtpPacket::parse(&pad), Err(Malformed::BadPadding));
        let mut zero_pad = ok;
        zero_pad[0] = 0xa0;
        zero_pad[12] = 0;
        assert_eq!(RtpPacket::parse(&zero_pad), Err(Malformed::BadPadding));
    }

    #[test]
    fn every_short_prefix_and_every_first_byte_is_handled() {
        let mut buf = [0u8; 40];
        let n = write_packet(&header(), &[0x55; 28], &mut buf);
        for len in 0..=n {
            for first in 0..=255u8 {
                let mut d = buf;
                d[0] = first;
                let _ = RtpPacket::parse(&d[..len]);
            }
        }
    }
}
