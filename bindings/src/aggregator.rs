//! `ccengine._native.Aggregator`: the indicator engine, one-line delegations to
//! `ccengine_events::Aggregator`.

use ccengine_events::calendar::WeekStart;
use ccengine_events::query::Live;
use ccengine_events::{Aggregator, Config, Dimension, Event, Sizes, NONE};

const _: () = assert!(NONE == 4294967295, "push's defaults spell NONE out");
use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::conversion::{column, dimension, indicator, period, window, BatchBuffers};
use crate::errors::{NativeError, NativeResult};

/// One indicator as reported: (value, previous, trend, comparison).
type ReportedValue = (Option<f64>, Option<f64>, Option<&'static str>, &'static str);
/// (accepted, [(row, slug, message)])
type IngestOutcome = (usize, Vec<(usize, &'static str, String)>);
/// (start, end, previous start, previous end, now, values)
type PeriodReportTuple = (i64, i64, i64, i64, i64, Vec<ReportedValue>);

#[pyclass(module = "ccengine._native", name = "Aggregator")]
pub struct PyAggregator {
    inner: Aggregator,
}

fn sizes(map: &Bound<'_, PyDict>) -> PyResult<Sizes> {
    let mut sizes = Sizes::default();
    for (key, value) in map.iter() {
        let name: String = key.extract()?;
        let dim = dimension(&name)?;
        sizes
            .set(dim, value.extract()?)
            .map_err(NativeError::from)?;
    }
    Ok(sizes)
}

#[pymethods]
impl PyAggregator {
    #[new]
    #[pyo3(signature = (*, tz, week_start, service_level_seconds, trend_tolerance, sizes))]
    fn new(
        tz: &str,
        week_start: &str,
        service_level_seconds: f64,
        trend_tolerance: f64,
        sizes: &Bound<'_, PyDict>,
    ) -> PyResult<Self> {
        let config = Config {
            tz: tz.to_owned(),
            week_start: WeekStart::parse(week_start).map_err(NativeError::from)?,
            service_level_seconds,
            trend_tolerance,
            sizes: self::sizes(sizes)?,
        };
        Ok(Self {
            inner: Aggregator::new(config).map_err(NativeError::from)?,
        })
    }

    fn sizes(&self) -> Vec<(&'static str, u32)> {
        let s = self.inner.sizes();
        Dimension::ALL[1..]
            .iter()
            .map(|&d| (d.name(), s.get(d)))
            .collect()
    }

    fn resize(&mut self, dimension_name: &str, size: u32) -> NativeResult<()> {
        Ok(self.inner.resize(dimension(dimension_name)?, size)?)
    }

    /// Ingests one event; ids default to NONE (written out, so the text signature shows it).
    #[pyo3(signature = (kind, time, tenant=4294967295, campaign=4294967295, list=4294967295,
                        agent=4294967295, team=4294967295, queue=4294967295, channel=4294967295,
                        call=0, value=0.0, aux=0, flags=0))]
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: u8,
        time: i64,
        tenant: u32,
        campaign: u32,
        list: u32,
        agent: u32,
        team: u32,
        queue: u32,
        channel: u32,
        call: u64,
        value: f64,
        aux: u32,
        flags: u16,
    ) -> NativeResult<()> {
        let e = Event {
            time,
            kind,
            flags,
            tenant,
            campaign,
            list,
            agent,
            team,
            queue,
            channel,
            call,
            value,
            aux,
        };
        Ok(self.inner.push(&e)?)
    }

    /// Ingests an `EventBatch`; returns (accepted, [(row, slug, message), ...]).
    fn ingest(&mut self, py: Python<'_>, batch: &Bound<'_, PyAny>) -> PyResult<IngestOutcome> {
        let buffers = BatchBuffers::from_batch(batch)?;
        let columns = buffers.columns()?;
        let inner = &mut self.inner;
        let report = py
            .detach(|| inner.ingest(&columns))
            .map_err(NativeError::from)?;
        let rejected = report
            .rejected
            .into_iter()
            .map(|(row, e)| (row, e.slug(), e.to_string()))
            .collect();
        Ok((report.accepted, rejected))
    }

    fn values(
        &mut self,
        now: i64,
        period_name: &str,
        dimension_name: &str,
        id: u32,
    ) -> NativeResult<Vec<Option<f64>>> {
        Ok(self
            .inner
            .values(now, period(period_name)?, dimension(dimension_name)?, id)?)
    }

    fn rolling(
        &mut self,
        now: i64,
        window_name: &str,
        dimension_name: &str,
        id: u32,
    ) -> NativeResult<Vec<Option<f64>>> {
        Ok(self
            .inner
            .rolling(now, window(window_name)?, dimension(dimension_name)?, id)?)
    }

    fn report(
        &mut self,
        now: i64,
        period_name: &str,
        dimension_name: &str,
        id: u32,
    ) -> NativeResult<PeriodReportTuple> {
        let r = self
            .inner
            .report(now, period(period_name)?, dimension(dimension_name)?, id)?;
        let values = r
            .values
            .iter()
            .map(|v| {
                (
                    v.value,
                    v.previous,
                    v.trend.map(|t| t.name()),
                    v.comparison.name(),
                )
            })
            .collect();
        Ok((
            r.span.start,
            r.span.end,
            r.previous_span.start,
            r.previous_span.end,
            r.now,
            values,
        ))
    }

    /// Row-major float64 matrix (entities × indicators) as bytes, NaN for no value.
    fn table<'py>(
        &mut self,
        py: Python<'py>,
        now: i64,
        period_name: &str,
        dimension_name: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let values = self
            .inner
            .table(now, period(period_name)?, dimension(dimension_name)?)
            .map_err(NativeError::from)?;
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
        Ok(PyBytes::new(py, &bytes))
    }

    fn series(
        &mut self,
        now: i64,
        period_name: &str,
        dimension_name: &str,
        id: u32,
        indicator_name: &str,
    ) -> NativeResult<Vec<(i64, Option<f64>)>> {
        let ind = indicator(indicator_name)?;
        Ok(self.inner.series(
            now,
            period(period_name)?,
            dimension(dimension_name)?,
            id,
            ind,
        )?)
    }

    /// (now, agents per state, active campaigns, pending shared callbacks, [(queue, waiting, longest wait s)])
    #[allow(clippy::type_complexity)]
    fn live(&mut self, now: i64) -> NativeResult<(i64, [u32; 5], u32, i64, Vec<(u32, u32, f64)>)> {
        let Live {
            now,
            agents_by_state,
            active_campaigns,
            shared_callbacks_pending,
            queues,
        } = self.inner.live(now)?;
        Ok((
            now,
            agents_by_state,
            active_campaigns,
            shared_callbacks_pending,
            queues,
        ))
    }

    fn tz(&self) -> String {
        self.inner.config().tz.clone()
    }

    /// The whole state as bytes (`restore` takes them back).
    fn checkpoint<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let inner = &self.inner;
        let bytes = py.detach(|| inner.checkpoint());
        PyBytes::new(py, &bytes)
    }

    /// Replaces the whole state (configuration included) with a checkpoint's, read in place
    /// from any contiguous bytes-like object.
    fn restore(&mut self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let buffer = PyBuffer::<u8>::get(data)?;
        let bytes = column(&buffer, "data")?;
        self.inner = py
            .detach(|| Aggregator::restore(bytes))
            .map_err(NativeError::from)?;
        Ok(())
    }

    /// (state name, time of the event that set it) of one agent.
    fn agent_state(&self, agent: u32) -> Option<(&'static str, i64)> {
        self.inner.agent_state(agent).map(|(s, t)| (s.name(), t))
    }
}
