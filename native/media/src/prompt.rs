//! Prompts played into a leg (the abandon message, hold music): a WAV file loaded once into
//! 8 kHz mono samples, then read one frame per tick. Any WAV hound reads is accepted: channels
//! are averaged and other rates resampled linearly (enough for speech and hold music on a
//! telephone line, which G.711 limits to 4 kHz anyway).

use std::path::Path;
use std::sync::Arc;

use crate::error::{MediaError, Result};
use crate::frame::{Frame, FRAME_SAMPLES, SAMPLE_RATE};

/// Loaded audio, shared by every leg playing it.
#[derive(Debug, Clone)]
pub struct Audio(pub Arc<[i16]>);

impl Audio {
    pub fn load(path: &Path) -> Result<Self> {
        let bad = |reason: String| MediaError::BadAudio {
            path: path.display().to_string(),
            reason,
        };
        let mut reader = hound::WavReader::open(path).map_err(|e| bad(e.to_string()))?;
        let spec = reader.spec();
        let channels = usize::from(spec.channels.max(1));
        let interleaved: Vec<f32> = match spec.sample_format {
            hound::SampleFormat::Float => reader
                .samples::<f32>()
                .collect::<std::result::Result<_, _>>(),
            hound::SampleFormat::Int => {
                let scale = 1.0 / (1i64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
                reader
                    .samples::<i32>()
                    .map(|s| s.map(|v| v as f32 * scale))
                    .collect()
            }
        }
        .map_err(|e| bad(e.to_string()))?;
        let mono: Vec<f32> = interleaved
            .chunks(channels)
            .map(|c| c.iter().sum::<f32>() / channels as f32)
            .collect();
        if mono.is_empty() {
            return Err(bad("no samples".into()));
        }
        let out = resample(&mono, spec.sample_rate, SAMPLE_RATE);
        Ok(Self(
            out.iter()
                .map(|&x| (x * 32767.0).clamp(-32768.0, 32767.0) as i16)
                .collect(),
        ))
    }

    pub fn duration_ms(&self) -> u64 {
        self.0.len() as u64 * 1000 / u64::from(SAMPLE_RATE)
    }
}

/// Linear interpolation between neighbouring samples.
fn resample(input: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to || from == 0 {
        return input.to_vec();
    }
    let out_len = (input.len() as u64 * u64::from(to) / u64::from(from)).max(1) as usize;
    let step = f64::from(from) / f64::from(to);
    (0..out_len)
        .map(|i| {
            let pos = i as f64 * step;
            let at = pos as usize;
            let frac = (pos - at as f64) as f32;
            let a = input[at.min(input.len() - 1)];
            let b = input[(at + 1).min(input.len() - 1)];
            a + (b - a) * frac
        })
        .collect()
}

/// One playback of an [`Audio`] into a leg.
#[derive(Debug, Clone)]
pub struct Prompt {
    audio: Audio,
    at: usize,
    looped: bool,
}

impl Prompt {
    pub fn new(audio: Audio, looped: bool) -> Self {
        Self {
            audio,
            at: 0,
            looped,
        }
    }

    /// Fills the next frame (silence past the end); returns false once a non-looping prompt has
    /// been played entirely.
    pub fn next_frame(&mut self, out: &mut Frame) -> bool {
        let samples = &self.audio.0;
        let mut filled = 0;
        while filled < FRAME_SAMPLES {
            if self.at >= samples.len() {
                if !self.looped {
                    break;
                }
                self.at = 0;
            }
            let n = (FRAME_SAMPLES - filled).min(samples.len() - self.at);
            out[filled..filled + n].copy_from_slice(&samples[self.at..self.at + n]);
            filled += n;
            self.at += n;
        }
        out[filled..].fill(0);
        filled > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_wav(path: &Path, rate: u32, channels: u16, samples: &[i16]) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for &s in samples {
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn loads_resamples_and_downmixes() {
        let dir =
            std::env::temp_dir().join(format!("ccengine-media-prompt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("stereo16k.wav");
        // One second of 16 kHz stereo: left 1000, right 3000 → mono 2000 at 8 kHz.
        let samples: Vec<i16> = (0..16000).flat_map(|_| [1000i16, 3000]).collect();
        write_wav(&path, 16000, 2, &samples);
        let audio = Audio::load(&path).unwrap();
        assert_eq!(audio.0.len(), 8000);
        assert_eq!(audio.duration_ms(), 1000);
        assert!(audio.0.iter().all(|&s| (s - 2000).abs() <= 1));
        let missing = Audio::load(&dir.join("missing.wav")).unwrap_err();
        assert_eq!(missing.slug(), "bad-audio");
        std::fs::write(dir.join("junk.wav"), b"RIFF0000WAVEjunk").unwrap();
        assert_eq!(
            Audio::load(&dir.join("junk.wav")).unwrap_err().slug(),
            "bad-audio"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn plays_to_the_end_once_or_loops() {
        let audio = Audio((0..400).map(|i| i as i16 + 1).collect());
        let mut once = Prompt::new(audio.clone(), false);
        let mut f = [0i16; FRAME_SAMPLES];
        assert!(once.next_frame(&mut f) && once.next_frame(&mut f));
        assert!(once.next_frame(&mut f));
        assert_eq!(f[79], 400);
        assert_eq!(f[80], 0);
        assert!(!once.next_frame(&mut f));
        let mut looped = Prompt::new(audio, true);
        for _ in 0..3 {
            looped.next_frame(&mut f);
        }
        assert_eq!((f[79], f[80]), (400, 1));
    }
}
