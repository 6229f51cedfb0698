//! Names and run results of the pacing crate, to and from Python values.

use ccengine_pacing::baseline::AdaptDropRate;
use ccengine_pacing::sim::RunResult;
use ccengine_pacing::{ComplianceWindow, Mode, Pacer, PacingConfig, PacingError, Policy};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A pacing mode from its name (`power` takes `ratio`).
pub fn mode(name: &str, ratio: f64) -> Result<Mode, PacingError> {
    match name {
        "preview" => Ok(Mode::Preview),
        "progressive" => Ok(Mode::Progressive),
        "power" => Ok(Mode::Power { ratio }),
        "predictive" => Ok(Mode::Predictive),
        other => Err(PacingError::BadConfig(format!(
            "unknown pacing mode {other:?} (preview, progressive, power, predictive)"
        ))),
    }
}

pub fn window(name: &str) -> Result<ComplianceWindow, PacingError> {
    ComplianceWindow::parse(name)
}

/// A policy for the simulator: a pacing mode, or `adapt` (the VICIdial-style baseline).
pub fn policy(name: &str, ratio: f64, cap: f64) -> Result<Box<dyn Policy + Send>, PacingError> {
    if name == "adapt" {
        return Ok(Box::new(AdaptDropRate::new(cap, ratio.max(1.0))));
    }
    let config = PacingConfig {
        mode: mode(name, ratio)?,
        abandon_cap: cap,
        ..PacingConfig::default()
    };
    Ok(Box::new(Pacer::new(config)?))
}

/// A run's figures and its minute-by-minute series as a dict.
pub fn run_result<'py>(py: Python<'py>, r: &RunResult) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("seconds", r.seconds)?;
    d.set_item("decisions", r.decisions)?;
    d.set_item("attempts", r.attempts())?;
    d.set_item("humans", r.humans())?;
    d.set_item("machines", r.machines)?;
    d.set_item("no_answers", r.no_answers)?;
    d.set_item("abandons", r.abandons())?;
    d.set_item("connects", r.connects())?;
    d.set_item("staffed_seconds", r.staffed_seconds())?;
    d.set_item("occupancy_talk", r.occupancy_talk())?;
    d.set_item("occupancy_busy", r.occupancy_busy())?;
    d.set_item("abandon_rate", r.abandon_rate())?;
    d.set_item("worst_hour_rate", r.worst_hour_rate())?;
    d.set_item("connects_per_agent_hour", r.connects_per_agent_hour())?;
    d.set_item("mean_wait", r.mean_wait())?;
    d.set_item("idle_share", r.idle_share())?;
    d.set_item("list_exhausted_at", r.list_exhausted_at)?;
    let m = &r.minutes;
    d.set_item(
        "minute_staffed",
        m.iter().map(|b| b.staffed).collect::<Vec<_>>(),
    )?;
    d.set_item("minute_talk", m.iter().map(|b| b.talk).collect::<Vec<_>>())?;
    d.set_item("minute_wrap", m.iter().map(|b| b.wrap).collect::<Vec<_>>())?;
    d.set_item(
        "minute_humans",
        m.iter().map(|b| b.humans).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "minute_abandons",
        m.iter().map(|b| b.abandons).collect::<Vec<_>>(),
    )?;
    Ok(d)
}
