//! Audio codecs a leg can speak: G.711 in both laws, one 20 ms frame at a time.

pub mod g711;

use crate::error::MediaError;
use crate::frame::{Frame, FRAME_SAMPLES};

/// A static RTP payload type this engine encodes and decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    Pcmu,
    Pcma,
}

impl Codec {
    pub fn payload_type(self) -> u8 {
        match self {
            Self::Pcmu => 0,
            Self::Pcma => 8,
        }
    }

    pub fn from_payload_type(pt: u8) -> Result<Self, MediaError> {
        match pt {
            0 => Ok(Self::Pcmu),
            8 => Ok(Self::Pcma),
            other => Err(MediaError::UnsupportedCodec(other)),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Pcmu => "PCMU",
            Self::Pcma => "PCMA",
        }
    }

    /// Encodes one frame into `out` (160 bytes).
    pub fn encode(self, frame: &Frame, out: &mut [u8]) {
        let encode = match self {
            Self::Pcmu => g711::ulaw_encode,
            Self::Pcma => g711::alaw_encode,
        };
        for (o, s) in out[..FRAME_SAMPLES].iter_mut().zip(frame.iter()) {
            *o = encode(*s);
        }
    }

    /// Decodes up to one frame of payload; a short payload leaves the rest of the frame silent.
    pub fn decode(self, payload: &[u8], frame: &mut Frame) {
        let decode = match self {
            Self::Pcmu => g711::ulaw_decode,
            Self::Pcma => g711::alaw_decode,
        };
        frame.fill(0);
        for (s, b) in frame.iter_mut().zip(payload) {
            *s = decode(*b);
        }
    }
}
