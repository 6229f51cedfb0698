//! G.711 µ-law (PCMU) and A-law (PCMA), ITU-T G.711 (11/88). Decoding goes through 256-entry
//! tables built at compile time; encoding is computed (a few integer operations), so neither needs
//! a lookup that could be wrong by a typo. Linear samples are 16-bit: G.711's 14-bit (µ-law) and
//! 13-bit (A-law) values scaled by 4 and 8.

const ULAW_BIAS: i32 = 0x84;
const ULAW_CLIP: i32 = 32635;

const fn ulaw_to_linear(code: u8) -> i16 {
    let u = !code;
    let exponent = (u >> 4) & 0x07;
    let mantissa = (u & 0x0f) as i32;
    let magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
    if u & 0x80 != 0 {
        -magnitude as i16
    } else {
        magnitude as i16
    }
}

const fn alaw_to_linear(code: u8) -> i16 {
    let a = code ^ 0x55;
    let mut t = ((a & 0x0f) as i32) << 4;
    let segment = (a & 0x70) >> 4;
    match segment {
        0 => t += 8,
        1 => t += 0x108,
        _ => t = (t + 0x108) << (segment - 1),
    }
    if a & 0x80 != 0 {
        t as i16
    } else {
        -t as i16
    }
}

const fn table(alaw: bool) -> [i16; 256] {
    let mut t = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if alaw {
            alaw_to_linear(i as u8)
        } else {
            ulaw_to_linear(i as u8)
        };
        i += 1;
    }
    t
}

static ULAW_DECODE: [i16; 256] = table(false);
static ALAW_DECODE: [i16; 256] = table(true);

/// Index of the highest set bit of `v` (0 for 0 and 1).
fn top_bit(v: i32) -> u8 {
    if v <= 1 {
        0
    } else {
        (31 - v.leading_zeros()) as u8
    }
}

pub fn ulaw_encode(sample: i16) -> u8 {
    let mut pcm = i32::from(sample);
    let sign = if pcm < 0 {
        pcm = -pcm;
        0x80u8
    } else {
        0
    };
    pcm = pcm.min(ULAW_CLIP) + ULAW_BIAS;
    let exponent = top_bit(pcm >> 7).min(7);
    let mantissa = ((pcm >> (exponent + 3)) & 0x0f) as u8;
    !(sign | (exponent << 4) | mantissa)
}

pub fn ulaw_decode(code: u8) -> i16 {
    ULAW_DECODE[usize::from(code)]
}

pub fn alaw_encode(sample: i16) -> u8 {
    let mut pcm = i32::from(sample) >> 3;
    let mask = if pcm >= 0 {
        0xd5u8
    } else {
        pcm = -pcm - 1;
        0x55
    };
    // Segment ends are 0x1f, 0x3f, … 0xfff: the segment is the top bit above bit 4.
    let segment = if pcm < 0x20 { 0 } else { top_bit(pcm) - 4 };
    if segment >= 8 {
        return 0x7f ^ mask;
    }
    let shift = if segment < 2 { 1 } else { segment };
    let code = (segment << 4) | ((pcm >> shift) & 0x0f) as u8;
    code ^ mask
}

pub fn alaw_decode(code: u8) -> i16 {
    ALAW_DECODE[usize::from(code)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from G.711's tables 1 and 2 (decoder outputs), scaled to 16 bits: A-law ×8
    /// (13-bit), µ-law ×4 (14-bit).
    #[test]
    fn decoder_outputs_match_the_g711_tables() {
        // A-law: character 0xD5 (after even-bit inversion 0x80) is +1 → output 8 (×8 = 1 step of
        // 16/2); the top of segment 7 is 4032 × 8.
        assert_eq!(alaw_decode(0xd5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(alaw_decode(0xaa), 32256);
        assert_eq!(alaw_decode(0x2a), -32256);
        assert_eq!(alaw_decode(0xc5), 264); // segment 1 starts at 33 × 8
                                            // µ-law: 0xFF and 0x7F are the two zeros; 0x80 is the largest, 8031 × 4.
        assert_eq!(ulaw_decode(0xff), 0);
        assert_eq!(ulaw_decode(0x7f), 0);
        assert_eq!(ulaw_decode(0x80), 32124);
        assert_eq!(ulaw_decode(0x00), -32124);
        assert_eq!(ulaw_decode(0xfe), 8);
        assert_eq!(ulaw_decode(0xef), 132); // segment 1 begins at 33 × 4
    }

    #[test]
    fn encoder_outputs_match_the_g711_tables() {
        assert_eq!(alaw_encode(0), 0xd5);
        assert_eq!(alaw_encode(-1), 0x55);
        assert_eq!(alaw_encode(i16::MAX), 0xaa);
        assert_eq!(alaw_encode(i16::MIN), 0x2a);
        assert_eq!(ulaw_encode(0), 0xff);
        assert_eq!(ulaw_encode(i16::MAX), 0x80);
        assert_eq!(ulaw_encode(i16::MIN), 0x00);
    }

    #[test]
    fn every_code_round_trips() {
        for code in 0..=255u8 {
            assert_eq!(alaw_encode(alaw_decode(code)), code, "A-law {code:#04x}");
            // µ-law's negative zero (0x7F) decodes to 0, which encodes as positive zero.
            let back = ulaw_encode(ulaw_decode(code));
            assert_eq!(
                back,
                if code == 0x7f { 0xff } else { code },
                "µ-law {code:#04x}"
            );
        }
    }

    #[test]
    fn quantisation_error_stays_within_half_a_step() {
        for s in (i16::MIN..=i16::MAX).step_by(7) {
            let x = i32::from(s);
            for (decoded, name) in [
                (ulaw_decode(ulaw_encode(s)), "µ"),
                (alaw_decode(alaw_encode(s)), "A"),
            ] {
                let err = (i32::from(decoded) - x).abs();
                // Steps double per segment: the error is bounded by 1/16 of the magnitude plus
                // the smallest step.
                assert!(err <= x.abs() / 16 + 16, "{name}-law {s} -> {decoded}");
            }
        }
    }

    #[test]
    fn decoding_is_monotonic_in_magnitude() {
        let mut last = -1;
        for code in (0x80..=0xffu8).rev() {
            let v = i32::from(ulaw_decode(code));
            assert!(v > last || (code == 0xff && v == 0));
            last = v;
        }
    }
}
