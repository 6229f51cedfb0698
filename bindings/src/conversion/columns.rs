//! A columnar batch read in place from Python buffers (numpy arrays): no copy, and the GIL can
//! be released while the native side reads it.

use ccengine_events::EventColumns;
use pyo3::buffer::{Element, PyBuffer};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The thirteen buffers of a batch, held for as long as the columns are read.
pub struct BatchBuffers {
    time: PyBuffer<i64>,
    kind: PyBuffer<u8>,
    flags: PyBuffer<u16>,
    tenant: PyBuffer<u32>,
    campaign: PyBuffer<u32>,
    list: PyBuffer<u32>,
    agent: PyBuffer<u32>,
    team: PyBuffer<u32>,
    queue: PyBuffer<u32>,
    channel: PyBuffer<u32>,
    call: PyBuffer<u64>,
    value: PyBuffer<f64>,
    aux: PyBuffer<u32>,
}

fn buffer<T: Element>(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<PyBuffer<T>> {
    let buf = PyBuffer::<T>::get(obj)
        .map_err(|e| PyValueError::new_err(format!("column {name:?}: {e}")))?;
    if buf.dimensions() != 1 {
        return Err(PyValueError::new_err(format!(
            "column {name:?} must be a 1-D array"
        )));
    }
    Ok(buf)
}

/// Views a held buffer as a slice, refusing one that is not contiguous.
///
/// SAFETY of the view: the buffer is C-contiguous and typed, and the slice borrows `buf`, which
/// keeps the exporter's memory alive. Python code mutating the array while the native side
/// reads it would race; the Python wrappers own their arrays.
pub fn column<'a, T: Element>(buf: &'a PyBuffer<T>, name: &str) -> PyResult<&'a [T]> {
    let ptr = buf.as_slice_ptr().ok_or_else(|| {
        PyValueError::new_err(format!("column {name:?} must be a contiguous 1-D array"))
    })?;
    Ok(unsafe { ptr.as_ref() })
}

impl BatchBuffers {
    /// Reads the columns of a `ccengine.metrics.EventBatch`.
    pub fn from_batch(batch: &Bound<'_, PyAny>) -> PyResult<Self> {
        let col = |name: &str| batch.getattr(name);
        Ok(Self {
            time: buffer(&col("time")?, "time")?,
            kind: buffer(&col("kind")?, "kind")?,
            flags: buffer(&col("flags")?, "flags")?,
            tenant: buffer(&col("tenant")?, "tenant")?,
            campaign: buffer(&col("campaign")?, "campaign")?,
            list: buffer(&col("list")?, "list")?,
            agent: buffer(&col("agent")?, "agent")?,
            team: buffer(&col("team")?, "team")?,
            queue: buffer(&col("queue")?, "queue")?,
            channel: buffer(&col("channel")?, "channel")?,
            call: buffer(&col("call")?, "call")?,
            value: buffer(&col("value")?, "value")?,
            aux: buffer(&col("aux")?, "aux")?,
        })
    }

    pub fn columns(&self) -> PyResult<EventColumns<'_>> {
        Ok(EventColumns {
            time: column(&self.time, "time")?,
            kind: column(&self.kind, "kind")?,
            flags: column(&self.flags, "flags")?,
            tenant: column(&self.tenant, "tenant")?,
            campaign: column(&self.campaign, "campaign")?,
            list: column(&self.list, "list")?,
            agent: column(&self.agent, "agent")?,
            team: column(&self.team, "team")?,
            queue: column(&self.queue, "queue")?,
            channel: column(&self.channel, "channel")?,
            call: column(&self.call, "call")?,
            value: column(&self.value, "value")?,
            aux: column(&self.aux, "aux")?,
        })
    }
}
