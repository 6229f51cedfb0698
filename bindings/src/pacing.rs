//! `ccengine.pacing`'s native half: the pacer, the simulator and scenario checks.

use ccengine_pacing::ledger::AbandonLedger;
use ccengine_pacing::sim::{simulate as native_simulate, Scenario};
use ccengine_pacing::{Counts, Pacer, PacingConfig, Snapshot, Tally};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::conversion::pacing::{mode, policy, run_result, window};
use crate::errors::NativeError;

#[pyclass(name = "Pacer", module = "ccengine._native")]
pub struct PyPacer(Pacer);

/// (calls to place, reason, target rate, expected abandons, expected human answers)
type DecisionTuple = (u32, &'static str, f64, f64, f64);

#[pymethods]
impl PyPacer {
    #[new]
    #[pyo3(signature = (mode_name, *, ratio, abandon_cap, window_name, target_share, small_team, connect_limit, ring_timeout, max_lines))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        mode_name: &str,
        ratio: f64,
        abandon_cap: f64,
        window_name: &str,
        target_share: f64,
        small_team: i64,
        connect_limit: f64,
        ring_timeout: f64,
        max_lines: Option<i64>,
    ) -> PyResult<Self> {
        let config = PacingConfig {
            mode: mode(mode_name, ratio).map_err(NativeError::from)?,
            abandon_cap,
            window: window(window_name).map_err(NativeError::from)?,
            target_share,
            small_team,
            connect_limit,
            ring_timeout,
            max_lines,
            ..PacingConfig::default()
        };
        Ok(Self(Pacer::new(config).map_err(NativeError::from)?))
    }

    /// One decision; `counts` is (attempts, human, machine, no_answer, abandons, connects),
    /// `window` and `last_hour` are (humans, abandons).
    #[pyo3(signature = (now, agents, idle, paused, talking, wrapping, ringing, counts, window, last_hour, recent_talk, recent_wrap, recent_answer, records_left, time_left=None))]
    #[allow(clippy::too_many_arguments)]
    fn decide(
        &mut self,
        now: f64,
        agents: i64,
        idle: i64,
        paused: i64,
        talking: Vec<f64>,
        wrapping: Vec<f64>,
        ringing: Vec<f64>,
        counts: (i64, i64, i64, i64, i64, i64),
        window: (i64, i64),
        last_hour: (i64, i64),
        recent_talk: Vec<f64>,
        recent_wrap: Vec<f64>,
        recent_answer: Vec<f64>,
        records_left: Option<i64>,
        time_left: Option<f64>,
    ) -> PyResult<DecisionTuple> {
        let (attempts, human, machine, no_answer, abandons, connects) = counts;
        let snapshot = Snapshot {
            now,
            agents,
            idle,
            paused,
            talking: &talking,
            wrapping: &wrapping,
            ringing: &ringing,
            counts: Counts {
                attempts,
                human,
                machine,
                no_answer,
                abandons,
                connects,
            },
            window: Tally {
                humans: window.0,
                abandons: window.1,
            },
            last_hour: Tally {
                humans: last_hour.0,
                abandons: last_hour.1,
            },
            recent_talk: &recent_talk,
            recent_wrap: &recent_wrap,
            recent_answer: &recent_answer,
            records_left,
            time_left,
        };
        let d = self.0.decide(&snapshot).map_err(NativeError::from)?;
        Ok((
            d.place,
            d.reason.name(),
            d.target_rate,
            d.expected_abandons,
            d.expected_humans,
        ))
    }

    fn mode(&self) -> &'static str {
        self.0.config().mode.name()
    }

    fn gain(&self) -> f64 {
        self.0.gain()
    }
}

/// Human answers and abandons by minute: the tallies of a campaign's snapshots.
#[pyclass(name = "AbandonLedger", module = "ccengine._native")]
pub struct PyAbandonLedger(AbandonLedger);

#[pymethods]
impl PyAbandonLedger {
    #[new]
    fn new(window_name: &str) -> PyResult<Self> {
        Ok(Self(AbandonLedger::new(
            window(window_name).map_err(NativeError::from)?,
        )))
    }

    fn record(&mut self, now: f64, humans: i64, abandons: i64) {
        self.0.record(now, humans, abandons)
    }

    /// (human answers, abandons) over the compliance window.
    fn window(&mut self, now: f64) -> (i64, i64) {
        let t = self.0.window(now);
        (t.humans, t.abandons)
    }

    /// (human answers, abandons) over the current minute and the 59 before it.
    fn last_hour(&mut self, now: f64) -> (i64, i64) {
        let t = self.0.last_hour(now);
        (t.humans, t.abandons)
    }
}

/// Parses and checks a scenario: (name, description, hours, agents, records).
#[pyfunction]
pub fn check_scenario(text: &str) -> PyResult<(String, String, f64, u32, Option<u64>)> {
    let s = Scenario::from_toml(text).map_err(NativeError::from)?;
    Ok((s.name, s.description, s.hours, s.agents, s.records))
}

/// Simulates one day of a scenario (TOML text) under a policy, with optional overrides.
#[pyfunction]
#[pyo3(signature = (scenario, policy_name, seed, *, ratio=1.0, abandon_cap=0.03, agents=None, records=None, hours=None))]
#[allow(clippy::too_many_arguments)]
pub fn simulate<'py>(
    py: Python<'py>,
    scenario: &str,
    policy_name: &str,
    seed: u64,
    ratio: f64,
    abandon_cap: f64,
    agents: Option<u32>,
    records: Option<u64>,
    hours: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut s = Scenario::from_toml(scenario).map_err(NativeError::from)?;
    if let Some(a) = agents {
        s.agents = a;
    }
    if records.is_some() {
        s.records = records;
    }
    if let Some(h) = hours {
        if !(h.is_finite() && h > 0.0) {
            return Err(
                NativeError::from(ccengine_pacing::PacingError::BadScenario(format!(
                    "hours must be positive (got {h})"
                )))
                .into(),
            );
        }
        s.hours = h;
    }
    let mut p = policy(policy_name, ratio, abandon_cap).map_err(NativeError::from)?;
    let preview = policy_name == "preview";
    let result = py
        .detach(|| native_simulate(&s, p.as_mut(), seed, preview))
        .map_err(NativeError::from)?;
    run_result(py, &result)
}
