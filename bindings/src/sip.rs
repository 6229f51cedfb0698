//! `ccengine.telephony`'s native half: the SIP engine, its audio carried by a `MediaEngine`
//! when built on one, else by the UDP relay (`sip_media`).

use std::sync::Arc;
use std::time::Duration;

use ccengine_sip::{Command, EngineConfig, LegId, Originate, SipEngine, Target, Transport};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::conversion::sip::{cause, event};
use crate::errors::NativeError;
use crate::media::PyMediaEngine;
use crate::sip_media::SipMedia;

#[pyclass(name = "SipEngine", module = "ccengine._native")]
pub struct PySipEngine {
    engine: SipEngine,
    media: SipMedia,
}

fn seconds(timeout: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(timeout).map_err(|_| {
        NativeError::from(ccengine_sip::SipError::BadConfig(format!(
            "bad timeout {timeout}"
        )))
        .into()
    })
}

impl PySipEngine {
    fn command(&self, py: Python<'_>, command: Command) -> PyResult<()> {
        Ok(py
            .detach(|| self.engine.command(command))
            .map_err(NativeError::from)?)
    }

    fn originate(
        &self,
        py: Python<'_>,
        target: Target,
        caller_id: String,
        timeout: f64,
    ) -> PyResult<u64> {
        let originate = Originate {
            target,
            caller_id,
            timeout: seconds(timeout)?,
        };
        Ok(py
            .detach(|| self.engine.originate(originate))
            .map_err(NativeError::from)?
            .0)
    }
}

#[pymethods]
impl PySipEngine {
    /// Start serving the `[sip]` table of a TOML configuration, with calls' audio through
    /// `media` (legs and rooms of that engine) or, without it, through a plain UDP relay.
    #[new]
    #[pyo3(signature = (config_toml, media = None))]
    fn new(
        py: Python<'_>,
        config_toml: &str,
        media: Option<PyRef<'_, PyMediaEngine>>,
    ) -> PyResult<Self> {
        let config = EngineConfig::from_toml(config_toml).map_err(NativeError::from)?;
        let media = SipMedia::start(media.map(|m| Arc::clone(&m.0))).map_err(NativeError::from)?;
        let plane = media.plane();
        let engine = py
            .detach(|| SipEngine::start(config, plane))
            .map_err(NativeError::from)?;
        Ok(Self { engine, media })
    }

    /// (transport, ip, port) of each address the engine listens on.
    fn local_addrs(&self) -> Vec<(&'static str, String, u16)> {
        let name = |t: Transport| if t == Transport::Udp { "udp" } else { "tcp" };
        self.engine
            .local_addrs()
            .iter()
            .map(|b| (name(b.transport), b.addr.ip().to_string(), b.addr.port()))
            .collect()
    }

    fn originate_trunk(
        &self,
        py: Python<'_>,
        trunk: String,
        number: String,
        caller_id: String,
        timeout: f64,
    ) -> PyResult<u64> {
        self.originate(py, Target::Trunk { trunk, number }, caller_id, timeout)
    }

    fn originate_agent(
        &self,
        py: Python<'_>,
        user: String,
        caller_id: String,
        timeout: f64,
    ) -> PyResult<u64> {
        self.originate(py, Target::Agent { user }, caller_id, timeout)
    }

    fn answer(&self, py: Python<'_>, leg: u64) -> PyResult<()> {
        self.command(py, Command::Answer(LegId(leg)))
    }

    /// 180 Ringing on an offered inbound leg.
    fn ring(&self, py: Python<'_>, leg: u64) -> PyResult<()> {
        self.command(py, Command::Ring(LegId(leg)))
    }

    fn reject(&self, py: Python<'_>, leg: u64, status: u16) -> PyResult<()> {
        self.command(
            py,
            Command::Reject {
                leg: LegId(leg),
                status,
            },
        )
    }

    fn hangup(&self, py: Python<'_>, leg: u64, cause_name: &str) -> PyResult<()> {
        let cause = cause(cause_name).map_err(NativeError::from)?;
        self.command(
            py,
            Command::Hangup {
                leg: LegId(leg),
                cause,
            },
        )
    }

    fn bridge(&self, py: Python<'_>, a: u64, b: u64) -> PyResult<()> {
        self.command(py, Command::Bridge(LegId(a), LegId(b)))
    }

    fn unbridge(&self, py: Python<'_>, a: u64, b: u64) -> PyResult<()> {
        self.command(py, Command::Unbridge(LegId(a), LegId(b)))
    }

    fn detach(&self, py: Python<'_>, leg: u64) -> PyResult<()> {
        self.command(py, Command::Detach(LegId(leg)))
    }

    fn hold(&self, py: Python<'_>, leg: u64, on: bool) -> PyResult<()> {
        self.command(
            py,
            Command::Hold {
                leg: LegId(leg),
                on,
            },
        )
    }

    fn agent_contact(&self, py: Python<'_>, user: &str) -> PyResult<Option<String>> {
        Ok(py
            .detach(|| self.engine.agent_contact(user))
            .map_err(NativeError::from)?)
    }

    fn leg_count(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(py
            .detach(|| self.engine.leg_count())
            .map_err(NativeError::from)?)
    }

    /// RTP packets received on a leg's media socket (None once the leg is closed).
    fn rtp_packets(&self, py: Python<'_>, leg: u64) -> Option<u64> {
        py.detach(|| self.media.rtp_packets(LegId(leg)))
    }

    /// (id, host, port) of the `MediaEngine` leg carrying a SIP leg's audio (None on the relay
    /// or once closed).
    fn media_leg(&self, leg: u64) -> Option<(u64, String, u16)> {
        self.media
            .media_leg(LegId(leg))
            .map(|m| (m.id, m.local.ip().to_string(), m.local.port()))
    }

    /// The SIP leg a `MediaEngine` leg belongs to, for that engine's events.
    fn sip_leg(&self, media_leg: u64) -> Option<u64> {
        self.media.sip_leg(media_leg)
    }

    /// The `MediaEngine` room of a bridged SIP leg (None when not bridged or on the relay).
    fn room(&self, leg: u64) -> Option<u64> {
        self.media.room(LegId(leg))
    }

    /// Up to `max` events as (kind, leg, fields); see ccengine.telephony for the kinds.
    fn drain_events<'py>(&self, py: Python<'py>, max: usize) -> PyResult<Vec<Bound<'py, PyTuple>>> {
        self.engine
            .drain_events(max)
            .into_iter()
            .map(|e| event(py, e))
            .collect()
    }

    /// Readable while events wait.
    fn wake_fd(&self) -> i32 {
        self.engine.wake_fd()
    }

    /// Hang up every call and stop; waits up to about two seconds for the peers' answers.
    fn shutdown(&self, py: Python<'_>) {
        py.detach(|| self.engine.shutdown());
    }
}
