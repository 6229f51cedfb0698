//! Recording a room to a WAV file: 8 kHz, 16-bit, two channels, one per side of the call:
//! channel 0 is the customer, channel 1 the engine's side (the agent and any supervisor heard
//! by the customer, or a prompt). Writes go through a buffered writer: the media thread touches
//! the disk once per 8 KiB (about a quarter of a second of audio).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::error::{MediaError, Result};
use crate::frame::{Frame, SAMPLE_RATE};

pub struct Recorder {
    path: PathBuf,
    writer: hound::WavWriter<BufWriter<File>>,
    frames: u64,
}

impl Recorder {
    pub fn create(path: &Path) -> Result<Self> {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: SAMPLE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::create(path, spec).map_err(|e| MediaError::BadAudio {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            writer,
            frames: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one frame of both sides.
    pub fn write(&mut self, customer: &Frame, engine_side: &Frame) -> Result<()> {
        let mut w = self.writer.get_i16_writer(2 * customer.len() as u32);
        for (&c, &e) in customer.iter().zip(engine_side.iter()) {
            w.write_sample(c);
            w.write_sample(e);
        }
        w.flush().map_err(|e| self.error(e))?;
        self.frames += 1;
        Ok(())
    }

    fn error(&self, e: hound::Error) -> MediaError {
        MediaError::BadAudio {
            path: self.path.display().to_string(),
            reason: e.to_string(),
        }
    }

    /// Completes the file header; returns the recorded duration in milliseconds.
    pub fn finish(self) -> Result<u64> {
        let frames = self.frames;
        let path = self.path.display().to_string();
        self.writer.finalize().map_err(|e| MediaError::BadAudio {
            path,
            reason: e.to_string(),
        })?;
        Ok(frames * crate::frame::FRAME_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::FRAME_SAMPLES;

    #[test]
    fn writes_both_sides_as_two_channels() {
        let path =
            std::env::temp_dir().join(format!("ccengine-media-rec-{}.wav", std::process::id()));
        let mut r = Recorder::create(&path).unwrap();
        for i in 0..5i16 {
            r.write(&[i; FRAME_SAMPLES], &[-i; FRAME_SAMPLES]).unwrap();
        }
        assert_eq!(r.finish().unwrap(), 100);
        let mut reader = hound::WavReader::open(&path).unwrap();
        assert_eq!(reader.spec().channels, 2);
        assert_eq!(reader.spec().sample_rate, 8000);
        let samples: Vec<i16> = reader.samples::<i16>().map(|s| s.unwrap()).collect();
        assert_eq!(samples.len(), 2 * 5 * FRAME_SAMPLES);
        assert_eq!(&samples[2 * FRAME_SAMPLES * 3..][..2], &[3, -3]);
        std::fs::remove_file(&path).unwrap();
        let bad = Recorder::create(Path::new("/nonexistent-dir/x.wav"))
            .err()
            .unwrap();
        assert_eq!(bad.slug(), "bad-audio");
    }
}
