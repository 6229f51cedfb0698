//! The one place native errors become Python exceptions: each crate error maps to a class of
//! `ccengine.errors`, carrying the error's stable slug.

use ccengine_events::EventsError;
use pyo3::prelude::*;
use pyo3::PyErr;

/// Wraps a native error on its way to Python.
pub struct NativeError(EventsError);

impl From<EventsError> for NativeError {
    fn from(e: EventsError) -> Self {
        Self(e)
    }
}

impl From<NativeError> for PyErr {
    fn from(e: NativeError) -> PyErr {
        Python::attach(|py| {
            let made = py
                .import("ccengine.errors")
                .and_then(|m| m.getattr("MetricsError"))
                .and_then(|cls| cls.call1((e.0.to_string(), e.0.slug())));
            match made {
                Ok(exc) => PyErr::from_value(exc),
                Err(import_failed) => import_failed,
            }
        })
    }
}

pub type NativeResult<T> = Result<T, NativeError>;

/// Wraps a pacing error on its way to Python (`ccengine.errors.PacingError`).
pub struct PacingFailure(pub ccengine_pacing::PacingError);

impl From<ccengine_pacing::PacingError> for PacingFailure {
    fn from(e: ccengine_pacing::PacingError) -> Self {
        Self(e)
    }
}

impl From<PacingFailure> for PyErr {
    fn from(e: PacingFailure) -> PyErr {
        Python::attach(|py| {
            let made = py
                .import("ccengine.errors")
                .and_then(|m| m.getattr("PacingError"))
                .and_then(|cls| cls.call1((e.0.to_string(), e.0.slug())));
            match made {
                Ok(exc) => PyErr::from_value(exc),
                Err(import_failed) => import_failed,
            }
        })
    }
}
