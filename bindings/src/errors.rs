//! The one place native errors become Python exceptions: each crate error maps to a class of
//! `ccengine.errors`, carrying the error's stable slug.

use ccengine_contacts::ContactsError;
use ccengine_events::EventsError;
use ccengine_media::MediaError;
use ccengine_pacing::PacingError;
use ccengine_sip::SipError;
use pyo3::prelude::*;
use pyo3::PyErr;

/// Wraps a native error on its way to Python.
pub enum NativeError {
    Events(EventsError),
    Contacts(ContactsError),
    Pacing(PacingError),
    Media(MediaError),
    Sip(SipError),
}

impl From<EventsError> for NativeError {
    fn from(e: EventsError) -> Self {
        Self::Events(e)
    }
}

impl From<ContactsError> for NativeError {
    fn from(e: ContactsError) -> Self {
        Self::Contacts(e)
    }
}

impl From<PacingError> for NativeError {
    fn from(e: PacingError) -> Self {
        Self::Pacing(e)
    }
}

impl From<MediaError> for NativeError {
    fn from(e: MediaError) -> Self {
        Self::Media(e)
    }
}

impl From<SipError> for NativeError {
    fn from(e: SipError) -> Self {
        Self::Sip(e)
    }
}

impl From<NativeError> for PyErr {
    fn from(e: NativeError) -> PyErr {
        let (class, message, slug) = match e {
            NativeError::Events(e) => ("MetricsError", e.to_string(), e.slug()),
            NativeError::Contacts(e) => ("ContactsError", e.to_string(), e.slug()),
            NativeError::Pacing(e) => ("PacingError", e.to_string(), e.slug()),
            NativeError::Media(e) => ("MediaError", e.to_string(), e.slug()),
            NativeError::Sip(e) => ("TelephonyError", e.to_string(), e.slug()),
        };
        Python::attach(|py| {
            let made = py
                .import("ccengine.errors")
                .and_then(|m| m.getattr(class))
                .and_then(|cls| cls.call1((message, slug)));
            match made {
                Ok(exc) => PyErr::from_value(exc),
                Err(import_failed) => import_failed,
            }
        })
    }
}

pub type NativeResult<T> = Result<T, NativeError>;
