//! `ccengine.sim`'s native half: the draws of a live simulated run (the simulator's fates).

use ccengine_pacing::sim::{Draws, Scenario};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::NativeError;

/// Pauses drawn in one call at most (an agent takes a few a day).
const MAX_PAUSES: usize = 100_000;

/// (outcome, ring seconds, talk seconds, wrap-up seconds)
type CallFateTuple = (&'static str, f64, f64, f64);

#[pyclass(name = "CallDraws", module = "ccengine._native", frozen)]
pub struct PyCallDraws(Draws);

#[pymethods]
impl PyCallDraws {
    /// Draws of a scenario (TOML text) from a seed.
    #[new]
    fn new(scenario: &str, seed: u64) -> PyResult<Self> {
        let s = Scenario::from_toml(scenario).map_err(NativeError::from)?;
        Ok(Self(Draws::new(s, seed)))
    }

    /// The fate of the call of rank `rank`, placed `at_seconds` into the day.
    fn call(&self, rank: u64, at_seconds: f64) -> CallFateTuple {
        let f = self.0.call(rank, at_seconds);
        (f.outcome.name(), f.ring, f.talk, f.wrap)
    }

    /// The first `count` pauses of agent `agent`: (seconds worked before, seconds of pause).
    fn pauses(&self, agent: u64, count: usize) -> PyResult<Vec<(f64, f64)>> {
        if count > MAX_PAUSES {
            return Err(PyValueError::new_err(format!(
                "at most {MAX_PAUSES} pauses at once (asked {count})"
            )));
        }
        Ok(self.0.pauses(agent, count))
    }

    /// Seconds after which the scenario's unanswered calls are given up.
    fn ring_timeout(&self) -> f64 {
        self.0.scenario().ring.timeout
    }
}
