//! SIP engine values to and from Python: events become `(kind, leg, fields)` tuples that
//! `ccengine.telephony` turns into its dataclasses; hang-up causes come in by name.

use ccengine_sip::{Event, HangupCause, LegEvent, PeerEvent, SipError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

pub fn cause(name: &str) -> Result<HangupCause, SipError> {
    HangupCause::from_name(name)
        .ok_or_else(|| SipError::BadConfig(format!("unknown hang-up cause {name:?}")))
}

/// `(kind, leg, fields)`; peer events have leg 0 (leg ids start at 1).
pub fn event<'py>(py: Python<'py>, event: Event) -> PyResult<Bound<'py, PyTuple>> {
    let (kind, leg, fields): (&str, u64, Bound<'py, PyTuple>) = match event {
        Event::Leg { leg, event } => {
            let (kind, fields) = match event {
                LegEvent::Incoming {
                    from,
                    to,
                    agent,
                    account,
                } => ("incoming", (from, to, agent, account).into_pyobject(py)?),
                LegEvent::Trying => ("trying", PyTuple::empty(py)),
                LegEvent::Ringing => ("ringing", PyTuple::empty(py)),
                LegEvent::EarlyMedia => ("early-media", PyTuple::empty(py)),
                LegEvent::Answered => ("answered", PyTuple::empty(py)),
                LegEvent::Failed { outcome, status } => {
                    ("failed", (outcome.as_str(), status).into_pyobject(py)?)
                }
                LegEvent::HungUp { by, cause } => {
                    ("hung-up", (by.as_str(), cause).into_pyobject(py)?)
                }
                LegEvent::Held => ("held", PyTuple::empty(py)),
                LegEvent::Resumed => ("resumed", PyTuple::empty(py)),
                LegEvent::Dtmf { digit, duration_ms } => {
                    ("dtmf", (digit.to_string(), duration_ms).into_pyobject(py)?)
                }
                LegEvent::Bridged { with } => ("bridged", (with.0,).into_pyobject(py)?),
                LegEvent::Unbridged { with } => ("unbridged", (with.0,).into_pyobject(py)?),
            };
            (kind, leg.0, fields)
        }
        Event::Peer(PeerEvent::Trunk { trunk, up }) => ("trunk", 0, (trunk, up).into_pyobject(py)?),
        Event::Peer(PeerEvent::Registration {
            user,
            contact,
            expires,
        }) => (
            "registration",
            0,
            (user, contact, expires).into_pyobject(py)?,
        ),
        Event::Peer(PeerEvent::RegisterStatus {
            name,
            kind,
            ok,
            expires,
            reason,
            status,
        }) => (
            "register-status",
            0,
            (name, kind.as_str(), ok, expires, reason, status).into_pyobject(py)?,
        ),
    };
    (kind, leg, fields).into_pyobject(py)
}
