//! Names and events of `ccengine_media` as Python values.

use ccengine_media::codec::Codec;
use ccengine_media::leg::LegStats;
use ccengine_media::{Malformed, MediaError, MediaEvent, Mode, Role};
use pyo3::prelude::*;
use pyo3::types::PyDict;

fn unknown(field: &'static str, name: &str, known: &[&str]) -> MediaError {
    MediaError::BadSetting {
        field,
        reason: format!("{name:?} is not one of {}", known.join(", ")),
    }
}

pub fn codec(name: &str) -> Result<Codec, MediaError> {
    [Codec::Pcmu, Codec::Pcma]
        .into_iter()
        .find(|c| c.name().eq_ignore_ascii_case(name))
        .ok_or_else(|| unknown("codec", name, &["PCMU", "PCMA"]))
}

pub fn role(name: &str) -> Result<Role, MediaError> {
    Role::from_name(name).ok_or_else(|| unknown("role", name, &Role::ALL.map(Role::name)))
}

pub fn mode(name: &str) -> Result<Mode, MediaError> {
    Mode::from_name(name).ok_or_else(|| unknown("mode", name, &Mode::ALL.map(Mode::name)))
}

pub fn stats<'py>(py: Python<'py>, s: &LegStats) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("packets_received", s.packets_received)?;
    d.set_item("packets_sent", s.packets_sent)?;
    d.set_item("unexpected_payload_type", s.unexpected_payload_type)?;
    d.set_item("rtcp_received", s.rtcp_received)?;
    d.set_item("remote_changes", s.remote_changes)?;
    d.set_item("foreign_source", s.foreign_source)?;
    d.set_item("jitter_ms", s.jitter_ms)?;
    d.set_item("lost", s.lost)?;
    d.set_item("played", s.jitter.played)?;
    d.set_item("concealed_lost", s.jitter.lost)?;
    d.set_item("late", s.jitter.late)?;
    d.set_item("duplicates", s.jitter.duplicates)?;
    d.set_item("underruns", s.jitter.underruns)?;
    for m in Malformed::ALL {
        d.set_item(
            format!("malformed_{}", m.reason().replace('-', "_")),
            s.malformed(m),
        )?;
    }
    Ok(d)
}

/// (kind, fields) for one event.
pub fn event<'py>(py: Python<'py>, e: &MediaEvent) -> PyResult<(&'static str, Bound<'py, PyDict>)> {
    let d = PyDict::new(py);
    let kind = match e {
        MediaEvent::RemoteLatched { leg, remote, at_ms } => {
            d.set_item("leg", leg)?;
            d.set_item("host", remote.ip().to_string())?;
            d.set_item("port", remote.port())?;
            d.set_item("at_ms", at_ms)?;
            "remote-latched"
        }
        MediaEvent::TelephoneEvent {
            leg,
            event,
            digit,
            duration_ms,
            at_ms,
        } => {
            d.set_item("leg", leg)?;
            d.set_item("event", event)?;
            d.set_item("digit", digit.map(String::from))?;
            d.set_item("duration_ms", duration_ms)?;
            d.set_item("at_ms", at_ms)?;
            "telephone-event"
        }
        MediaEvent::PromptStarted { leg, at_ms } => {
            d.set_item("leg", leg)?;
            d.set_item("at_ms", at_ms)?;
            "prompt-started"
        }
        MediaEvent::PromptEnded {
            leg,
            completed,
            at_ms,
        } => {
            d.set_item("leg", leg)?;
            d.set_item("completed", completed)?;
            d.set_item("at_ms", at_ms)?;
            "prompt-ended"
        }
        MediaEvent::RecordingStarted { room, path, at_ms } => {
            d.set_item("room", room)?;
            d.set_item("path", path.display().to_string())?;
            d.set_item("at_ms", at_ms)?;
            "recording-started"
        }
        MediaEvent::RecordingEnded {
            room,
            path,
            duration_ms,
            error,
            at_ms,
        } => {
            d.set_item("room", room)?;
            d.set_item("path", path.display().to_string())?;
            d.set_item("duration_ms", duration_ms)?;
            d.set_item("error", error)?;
            d.set_item("at_ms", at_ms)?;
            "recording-ended"
        }
        MediaEvent::Detection {
            leg,
            decision,
            at_ms,
        } => {
            d.set_item("leg", leg)?;
            d.set_item("verdict", decision.verdict.name())?;
            d.set_item("reason", decision.reason)?;
            d.set_item("after_ms", decision.after_ms)?;
            d.set_item("words", decision.words)?;
            d.set_item("voice_ms", decision.voice_ms)?;
            d.set_item("at_ms", at_ms)?;
            "detection"
        }
        MediaEvent::LegMoved { leg, room, at_ms } => {
            d.set_item("leg", leg)?;
            d.set_item("room", room)?;
            d.set_item("at_ms", at_ms)?;
            "leg-moved"
        }
        MediaEvent::LegClosed {
            leg,
            stats: s,
            at_ms,
        } => {
            d.set_item("leg", leg)?;
            d.set_item("stats", stats(py, s)?)?;
            d.set_item("at_ms", at_ms)?;
            "leg-closed"
        }
        MediaEvent::SocketError { leg, error, at_ms } => {
            d.set_item("leg", leg)?;
            d.set_item("error", error)?;
            d.set_item("at_ms", at_ms)?;
            "socket-error"
        }
    };
    Ok((kind, d))
}
