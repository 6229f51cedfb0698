//! `ccengine._native.MediaEngine`: one-line delegations to `ccengine_media::Engine`;
//! conversions live in `conversion/media.rs`, errors map in `errors`.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use ccengine_media::amd::AmdSettings;
use ccengine_media::{Engine, MediaError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::conversion::media::{codec, event, mode, role, stats};
use crate::errors::{NativeError, NativeResult};

fn ip(host: &str) -> NativeResult<IpAddr> {
    host.parse().map_err(|_| {
        MediaError::BadSetting {
            field: "host",
            reason: format!("{host:?} is not an IP address"),
        }
        .into()
    })
}

/// Shared (`Arc`) so a `SipEngine` built on it can use it as its media plane.
#[pyclass(name = "MediaEngine", module = "ccengine._native")]
pub struct PyMediaEngine(pub(crate) Arc<Engine>);

#[pymethods]
impl PyMediaEngine {
    #[new]
    #[pyo3(signature = (bind = "127.0.0.1"))]
    fn new(bind: &str) -> NativeResult<Self> {
        Ok(Self(Arc::new(Engine::start(ip(bind)?)?)))
    }

    /// (leg id, local host, local port) of a new leg.
    fn open_leg(&self, codec_name: &str) -> NativeResult<(u64, String, u16)> {
        let (leg, local) = self.0.open_leg(codec(codec_name)?)?;
        Ok((leg, local.ip().to_string(), local.port()))
    }

    #[pyo3(signature = (leg, host, port, payload_type, event_payload_type = None))]
    fn set_remote(
        &self,
        leg: u64,
        host: &str,
        port: u16,
        payload_type: u8,
        event_payload_type: Option<u8>,
    ) -> NativeResult<()> {
        Ok(self.0.set_remote(
            leg,
            SocketAddr::new(ip(host)?, port),
            payload_type,
            event_payload_type,
        )?)
    }

    fn create_room(&self) -> NativeResult<u64> {
        Ok(self.0.create_room()?)
    }

    #[pyo3(signature = (room, leg, role_name, mode_name = "listen"))]
    fn add_to_room(
        &self,
        room: u64,
        leg: u64,
        role_name: &str,
        mode_name: &str,
    ) -> NativeResult<()> {
        Ok(self
            .0
            .add_to_room(room, leg, role(role_name)?, mode(mode_name)?)?)
    }

    fn set_mode(&self, leg: u64, mode_name: &str) -> NativeResult<()> {
        Ok(self.0.set_mode(leg, mode(mode_name)?)?)
    }

    fn move_leg(&self, leg: u64, room: u64) -> NativeResult<()> {
        Ok(self.0.move_leg(leg, room)?)
    }

    fn remove_from_room(&self, leg: u64) -> NativeResult<()> {
        Ok(self.0.remove_from_room(leg)?)
    }

    fn close_leg(&self, leg: u64) -> NativeResult<()> {
        Ok(self.0.close_leg(leg)?)
    }

    fn close_room(&self, room: u64) -> NativeResult<()> {
        Ok(self.0.close_room(room)?)
    }

    #[pyo3(signature = (leg, path, looped = false))]
    fn play(&self, py: Python<'_>, leg: u64, path: &str, looped: bool) -> NativeResult<()> {
        Ok(py.detach(|| self.0.play(leg, Path::new(path), looped))?)
    }

    fn stop_play(&self, leg: u64) -> NativeResult<()> {
        Ok(self.0.stop_play(leg)?)
    }

    fn record(&self, py: Python<'_>, room: u64, path: &str) -> NativeResult<()> {
        Ok(py.detach(|| self.0.record(room, Path::new(path)))?)
    }

    fn stop_record(&self, room: u64) -> NativeResult<()> {
        Ok(self.0.stop_record(room)?)
    }

    /// Starts answering-machine detection; every threshold defaults to docs/media.md's value.
    #[pyo3(signature = (leg, *, voice_threshold = None, initial_silence_ms = None, greeting_ms = None, after_greeting_silence_ms = None, total_ms = None, min_word_ms = None, between_words_silence_ms = None, max_words = None, max_word_ms = None))]
    #[allow(clippy::too_many_arguments)]
    fn detect(
        &self,
        leg: u64,
        voice_threshold: Option<u32>,
        initial_silence_ms: Option<u64>,
        greeting_ms: Option<u64>,
        after_greeting_silence_ms: Option<u64>,
        total_ms: Option<u64>,
        min_word_ms: Option<u64>,
        between_words_silence_ms: Option<u64>,
        max_words: Option<u32>,
        max_word_ms: Option<u64>,
    ) -> NativeResult<()> {
        let d = AmdSettings::default();
        let settings = AmdSettings {
            voice_threshold: voice_threshold.unwrap_or(d.voice_threshold),
            initial_silence_ms: initial_silence_ms.unwrap_or(d.initial_silence_ms),
            greeting_ms: greeting_ms.unwrap_or(d.greeting_ms),
            after_greeting_silence_ms: after_greeting_silence_ms
                .unwrap_or(d.after_greeting_silence_ms),
            total_ms: total_ms.unwrap_or(d.total_ms),
            min_word_ms: min_word_ms.unwrap_or(d.min_word_ms),
            between_words_silence_ms: between_words_silence_ms
                .unwrap_or(d.between_words_silence_ms),
            max_words: max_words.unwrap_or(d.max_words),
            max_word_ms: max_word_ms.unwrap_or(d.max_word_ms),
        };
        Ok(self.0.detect(leg, settings)?)
    }

    #[pyo3(signature = (leg, digits, duration_ms = 100))]
    fn send_digits(&self, leg: u64, digits: &str, duration_ms: u32) -> NativeResult<()> {
        Ok(self.0.send_digits(leg, digits, duration_ms)?)
    }

    fn leg_stats<'py>(&self, py: Python<'py>, leg: u64) -> PyResult<Bound<'py, PyDict>> {
        let s = py
            .detach(|| self.0.leg_stats(leg))
            .map_err(NativeError::from)?;
        stats(py, &s)
    }

    /// Descriptor readable while events wait (for `trio.lowlevel.wait_readable`).
    fn event_fd(&self) -> i32 {
        self.0.event_fd()
    }

    /// Up to `max_events` events as (kind, fields), oldest first.
    #[pyo3(signature = (max_events = 1024))]
    fn drain_events<'py>(
        &self,
        py: Python<'py>,
        max_events: usize,
    ) -> PyResult<Vec<(&'static str, Bound<'py, PyDict>)>> {
        self.0
            .drain_events(max_events)
            .iter()
            .map(|e| event(py, e))
            .collect()
    }

    /// Stops the media thread (finishing recordings); later calls fail with slug `stopped`.
    fn stop(&self, py: Python<'_>) {
        py.detach(|| self.0.stop());
    }
}
