//! One-shot functions over event columns: the call report and the synthetic day.

use ccengine_events::report::{call_report as native_report, ReportCell, ReportColumns};
use ccengine_events::synth::{synthetic_day as native_day, SynthConfig};
use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::conversion::column;
use crate::errors::NativeError;

/// (attempts, human, machine, connects, abandons, dispositions, argued, positive,
///  conversations, talk seconds, wrap-up seconds)
type CellTuple = (u64, u64, u64, u64, u64, u64, u64, u64, u64, f64, f64);

fn cell(c: &ReportCell) -> CellTuple {
    (
        c.attempts,
        c.human_answers,
        c.machine_answers,
        c.connects,
        c.abandons,
        c.dispositions,
        c.argued,
        c.positive,
        c.conversations,
        c.talk_seconds,
        c.wrapup_seconds,
    )
}

/// Call report over columns: ([((campaign, agent), cell)], center cell, attempts per local hour).
#[pyfunction]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
pub fn call_report(
    py: Python<'_>,
    time: PyBuffer<i64>,
    kind: PyBuffer<u8>,
    flags: PyBuffer<u16>,
    campaign: PyBuffer<u32>,
    agent: PyBuffer<u32>,
    value: PyBuffer<f64>,
    tz: &str,
) -> PyResult<(Vec<((u32, u32), CellTuple)>, CellTuple, [u64; 24])> {
    let cols = ReportColumns {
        time: column(&time, "time")?,
        kind: column(&kind, "kind")?,
        flags: column(&flags, "flags")?,
        campaign: column(&campaign, "campaign")?,
        agent: column(&agent, "agent")?,
        value: column(&value, "value")?,
    };
    let report = py
        .detach(|| native_report(&cols, tz))
        .map_err(NativeError::from)?;
    let groups = report
        .groups
        .iter()
        .map(|(key, c)| (*key, cell(c)))
        .collect();
    Ok((groups, cell(&report.center), report.attempts_by_local_hour))
}

fn bytes_of<'py, T: Copy>(py: Python<'py>, values: &[T]) -> Bound<'py, PyBytes> {
    // SAFETY: plain-old-data numeric slices viewed as bytes.
    let raw = unsafe {
        std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), std::mem::size_of_val(values))
    };
    PyBytes::new(py, raw)
}

/// A synthetic day as {column name: bytes}.
#[pyfunction]
#[pyo3(signature = (*, date, tz, agents, teams, campaigns, lists, queues, target_events, seed))]
#[allow(clippy::too_many_arguments)]
pub fn synthetic_day<'py>(
    py: Python<'py>,
    date: String,
    tz: String,
    agents: u32,
    teams: u32,
    campaigns: u32,
    lists: u32,
    queues: u32,
    target_events: u64,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let cfg = SynthConfig {
        date,
        tz,
        agents,
        teams,
        campaigns,
        lists,
        queues,
        target_events,
        seed,
    };
    let day = py.detach(|| native_day(&cfg)).map_err(NativeError::from)?;
    let out = PyDict::new(py);
    out.set_item("time", bytes_of(py, &day.time))?;
    out.set_item("kind", bytes_of(py, &day.kind))?;
    out.set_item("flags", bytes_of(py, &day.flags))?;
    out.set_item("tenant", bytes_of(py, &day.tenant))?;
    out.set_item("campaign", bytes_of(py, &day.campaign))?;
    out.set_item("list", bytes_of(py, &day.list))?;
    out.set_item("agent", bytes_of(py, &day.agent))?;
    out.set_item("team", bytes_of(py, &day.team))?;
    out.set_item("queue", bytes_of(py, &day.queue))?;
    out.set_item("channel", bytes_of(py, &day.channel))?;
    out.set_item("call", bytes_of(py, &day.call))?;
    out.set_item("value", bytes_of(py, &day.value))?;
    out.set_item("aux", bytes_of(py, &day.aux))?;
    Ok(out)
}
