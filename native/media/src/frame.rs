//! The unit of audio everywhere in the engine: 20 ms of 8 kHz mono 16-bit PCM.

pub const SAMPLE_RATE: u32 = 8000;
pub const FRAME_SAMPLES: usize = 160;
pub const FRAME_MS: u64 = 20;

pub type Frame = [i16; FRAME_SAMPLES];

pub const SILENCE: Frame = [0; FRAME_SAMPLES];

/// Mean absolute amplitude of a frame: the energy measure used by detection and concealment.
pub fn mean_abs(frame: &Frame) -> u32 {
    let total: u32 = frame.iter().map(|s| s.unsigned_abs() as u32).sum();
    total / FRAME_SAMPLES as u32
}
