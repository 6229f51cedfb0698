//! `ccengine._native`: thin glue between the native crates and Python. Types are wrapped in
//! newtypes whose methods delegate; conversions live in `conversion/`; errors map in `errors`.

mod aggregator;
mod analytics;
mod contacts;
mod conversion;
mod errors;
mod media;
mod pacing;
mod sim;
mod sip;
mod sip_media;

use ccengine_events::calendar::{tzdb_version, tzif as native_tzif};
use ccengine_events::counters::Counter;
use ccengine_events::event::{flag, AgentState};
use ccengine_events::{EventKind, Indicator, NONE};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use errors::NativeError;

extern "C" {
    /// Module init of the Cython packer compiled by build.rs into this library.
    fn PyInit__pack() -> *mut pyo3::ffi::PyObject;
}

/// Imports a Cython module linked into this library and registers it under its dotted name.
fn register_cython(
    py: Python<'_>,
    name: &str,
    init: unsafe extern "C" fn() -> *mut pyo3::ffi::PyObject,
) -> PyResult<()> {
    // SAFETY: single-phase Cython init returns a new module reference, or NULL with an error set.
    let module = unsafe { Bound::from_owned_ptr_or_err(py, init())? };
    module.setattr("__name__", name)?;
    let modules = py
        .import("sys")?
        .getattr("modules")?
        .cast_into::<PyDict>()?;
    modules.set_item(name, module)
}

/// (canonical name, TZif bytes) of a zone from the tz database bundled in this library.
#[pyfunction]
fn tzif<'py>(py: Python<'py>, name: &str) -> PyResult<(&'static str, Bound<'py, PyBytes>)> {
    let (canonical, bytes) = native_tzif(name).map_err(NativeError::from)?;
    Ok((canonical, PyBytes::new(py, bytes)))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_cython(m.py(), "ccengine.metrics._pack", PyInit__pack)?;
    m.add_class::<aggregator::PyAggregator>()?;
    m.add_function(wrap_pyfunction!(tzif, m)?)?;
    contacts::register(m)?;
    m.add_function(wrap_pyfunction!(analytics::call_report, m)?)?;
    m.add_function(wrap_pyfunction!(analytics::synthetic_day, m)?)?;
    m.add_class::<pacing::PyPacer>()?;
    m.add_class::<pacing::PyAbandonLedger>()?;
    m.add_function(wrap_pyfunction!(pacing::simulate, m)?)?;
    m.add_function(wrap_pyfunction!(pacing::check_scenario, m)?)?;
    m.add_class::<media::PyMediaEngine>()?;
    m.add_class::<sip::PySipEngine>()?;
    m.add_class::<sim::PyCallDraws>()?;
    m.add("NONE", NONE)?;
    m.add("TZDB_VERSION", tzdb_version())?;
    m.add(
        "EVENT_KINDS",
        EventKind::ALL
            .iter()
            .map(|k| (k.name(), *k as u8))
            .collect::<Vec<_>>(),
    )?;
    m.add("FLAGS", flag::ALL.to_vec())?;
    m.add(
        "AGENT_STATES",
        AgentState::ALL.iter().map(|s| s.name()).collect::<Vec<_>>(),
    )?;
    m.add(
        "INDICATORS",
        Indicator::ALL.iter().map(|i| i.name()).collect::<Vec<_>>(),
    )?;
    m.add(
        "COUNTERS",
        Counter::ALL.iter().map(|c| c.name()).collect::<Vec<_>>(),
    )?;
    Ok(())
}
