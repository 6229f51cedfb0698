//! `ccengine._native.ContactReader`, `ZoneTable`, `ContactChunk` and `normalize_phone`:
//! one-line delegations to `ccengine_contacts`; conversions live in `conversion/`.

use std::fs::File;
use std::sync::Arc;

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use ccengine_contacts::{
    normalize, parse_region, Chunk, ChunkSink, ContactReader, ContactsError, Options, Phones,
    Rejection, SinkSql, Target, ZoneTable,
};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList, PyString, PyTuple};

use crate::conversion::{delimiter, numbers, phone_column, zone_entries};
use crate::errors::{NativeError, NativeResult};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyZoneTable>()?;
    m.add_class::<PyContactReader>()?;
    m.add_class::<PyContactChunk>()?;
    m.add_class::<PyPendingChunk>()?;
    m.add_class::<PyChunkSink>()?;
    m.add_function(wrap_pyfunction!(normalize_phone, m)?)
}

/// Prefix of E.164 digits → time zone(s), longest prefix wins.
#[pyclass(module = "ccengine._native", name = "ZoneTable", frozen)]
pub struct PyZoneTable {
    inner: Arc<ZoneTable>,
}

#[pymethods]
impl PyZoneTable {
    #[new]
    fn new(entries: &Bound<'_, PyAny>) -> PyResult<Self> {
        let table = ZoneTable::new(zone_entries(entries)?).map_err(NativeError::from)?;
        Ok(Self {
            inner: Arc::new(table),
        })
    }

    fn __len__(&self) -> usize {
        self.inner.names().len()
    }
}

/// Rows of one `ContactReader.read`: accepted rows ready for `executemany`, rejections, and
/// the bytes of the file consumed so far.
#[pyclass(module = "ccengine._native", name = "ContactChunk", frozen)]
pub struct PyContactChunk {
    #[pyo3(get)]
    rows: Py<PyList>,
    #[pyo3(get)]
    rejected: Py<PyList>,
    #[pyo3(get)]
    position: u64,
}

#[pyclass(module = "ccengine._native", name = "ContactReader")]
pub struct PyContactReader {
    inner: ContactReader<File>,
    table: Arc<ZoneTable>,
    chunk: Chunk,
    campaign: Py<PyInt>,
    list: Py<PyInt>,
    /// One Python str per distinct zone, made on first use.
    zones: Vec<Option<Py<PyString>>>,
    size: u64,
}

#[pymethods]
impl PyContactReader {
    #[new]
    #[pyo3(signature = (path, *, region, zones, campaign, list, header=None, phone_column=None,
                        delimiter=None, existing=None, dnc=None, max_field_bytes=16384))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        path: &str,
        region: &str,
        zones: &PyZoneTable,
        campaign: Bound<'_, PyInt>,
        list: Bound<'_, PyInt>,
        header: Option<bool>,
        phone_column: Option<&Bound<'_, PyAny>>,
        delimiter: Option<&str>,
        existing: Option<&Bound<'_, PyAny>>,
        dnc: Option<&Bound<'_, PyAny>>,
        max_field_bytes: usize,
    ) -> PyResult<Self> {
        let mut options = Options {
            region: region.to_owned(),
            header,
            phone_column: self::phone_column(phone_column)?,
            delimiter: self::delimiter(delimiter)?,
            max_field_bytes,
            size_hint: None,
        };
        let (existing, dnc) = (numbers(existing)?, numbers(dnc)?);
        let table = Arc::clone(&zones.inner);
        let reader_table = Arc::clone(&table);
        let inner = py
            .detach(|| {
                let file = File::open(path)?;
                let size = file.metadata()?.len();
                options.size_hint = Some(size);
                ContactReader::open(file, options, reader_table, existing, dnc).map(|r| (r, size))
            })
            .map_err(NativeError::from)?;
        let (inner, size) = inner;
        Ok(Self {
            zones: (0..inner.zones().names().len()).map(|_| None).collect(),
            inner,
            table,
            chunk: Chunk::default(),
            campaign: campaign.unbind(),
            list: list.unbind(),
            size,
        })
    }

    #[getter]
    fn encoding(&self) -> &'static str {
        self.inner.encoding().name()
    }

    #[getter]
    fn delimiter(&self) -> String {
        char::from(self.inner.delimiter()).to_string()
    }

    #[getter]
    fn header(&self) -> bool {
        self.inner.header()
    }

    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner.columns().to_vec()
    }

    #[getter]
    fn phone_column(&self) -> usize {
        self.inner.phone_column()
    }

    #[getter]
    fn size(&self) -> u64 {
        self.size
    }

    /// Like `read`, but the accepted rows stay native, for a `ChunkSink` to land without Python.
    fn read_pending(
        &mut self,
        py: Python<'_>,
        max_rows: usize,
    ) -> PyResult<Option<PyPendingChunk>> {
        let inner = &mut self.inner;
        let mut chunk = Chunk::default();
        let more = py
            .detach(|| inner.next_chunk(max_rows, &mut chunk))
            .map_err(NativeError::from)?;
        if !more {
            return Ok(None);
        }
        Ok(Some(PyPendingChunk {
            zones: Arc::clone(&self.table),
            chunk,
        }))
    }

    /// Up to `max_rows` records (accepted or rejected); None at the end of the file.
    fn read(&mut self, py: Python<'_>, max_rows: usize) -> PyResult<Option<PyContactChunk>> {
        let (inner, chunk) = (&mut self.inner, &mut self.chunk);
        if !py
            .detach(|| inner.next_chunk(max_rows, chunk))
            .map_err(NativeError::from)?
        {
            return Ok(None);
        }
        let mut items = Vec::with_capacity(self.chunk.len());
        for row in self.chunk.rows() {
            let zone = match row.zone {
                Some(id) => {
                    let cached = &mut self.zones[id as usize];
                    let name = self.inner.zones().name(id);
                    cached
                        .get_or_insert_with(|| PyString::new(py, name).unbind())
                        .clone_ref(py)
                        .into_any()
                }
                None => py.None(),
            };
            let item = PyTuple::new(
                py,
                [
                    self.campaign.clone_ref(py).into_any(),
                    self.list.clone_ref(py).into_any(),
                    PyInt::new(py, row.number).into_any().unbind(),
                    zone,
                    PyInt::new(py, row.line).into_any().unbind(),
                    PyString::new(py, row.fields).into_any().unbind(),
                ],
            )?;
            // SAFETY: a live tuple holding only str, int and None, which cannot form a cycle:
            // CPython untracks such tuples itself at its next collection; doing it now spares
            // the collector from traversing every row of a million-row import.
            unsafe { pyo3::ffi::PyObject_GC_UnTrack(item.as_ptr().cast()) };
            items.push(item);
        }
        let rows = PyList::new(py, items)?;
        let rejected = PyList::empty(py);
        for r in &self.chunk.rejected {
            rejected.append((r.line, r.reason.slug(), r.detail.as_str()))?;
        }
        Ok(Some(PyContactChunk {
            rows: rows.unbind(),
            rejected: rejected.unbind(),
            position: self.chunk.position,
        }))
    }
}

/// (E.164, zone) of one number; ContactsError with the rejection's slug if it is not one.
#[pyfunction]
#[pyo3(signature = (text, region, *, zones=None))]
fn normalize_phone(
    text: &str,
    region: &str,
    zones: Option<&PyZoneTable>,
) -> NativeResult<(String, Option<String>)> {
    let phones = Phones::new(parse_region(region)?);
    let empty = ZoneTable::default();
    let table = zones.map_or(&empty, |z| &*z.inner);
    let (e164, zone) = normalize(text, &phones, table)
        .map_err(|(reason, detail)| ContactsError::Rejected(reason, detail))?;
    Ok((e164, zone.map(str::to_owned)))
}

/// Rows read by `ContactReader.read_pending`, kept native until a `ChunkSink` lands them.
#[pyclass(module = "ccengine._native", name = "PendingChunk", frozen)]
pub struct PyPendingChunk {
    chunk: Chunk,
    zones: Arc<ZoneTable>,
}

#[pymethods]
impl PyPendingChunk {
    #[getter]
    fn accepted(&self) -> usize {
        self.chunk.len()
    }

    /// (line, reason slug, detail) of each rejected row.
    #[getter]
    fn rejected(&self) -> Vec<PyRejection> {
        rejections(&self.chunk.rejected)
    }

    #[getter]
    fn position(&self) -> u64 {
        self.chunk.position
    }
}

/// Lands pending chunks in the store's database through its own connection, GIL released.
#[pyclass(module = "ccengine._native", name = "ChunkSink", frozen)]
pub struct PyChunkSink {
    /// A connection is used by one thread at a time; the lock makes the class shareable.
    inner: Mutex<ChunkSink>,
}

#[pymethods]
impl PyChunkSink {
    #[new]
    #[pyo3(signature = (path, *, insert_contact, claim_phone, drop_contact, insert_rejection, count, insert_zone,
                        busy_timeout=10.0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        path: &str,
        insert_contact: String,
        claim_phone: String,
        drop_contact: String,
        insert_rejection: String,
        count: String,
        insert_zone: String,
        busy_timeout: f64,
    ) -> PyResult<Self> {
        let sql = SinkSql {
            insert_contact,
            claim_phone,
            drop_contact,
            insert_rejection,
            count,
            insert_zone,
        };
        let timeout = Duration::try_from_secs_f64(busy_timeout).map_err(|e| {
            NativeError::from(ContactsError::InvalidOption(format!("busy_timeout: {e}")))
        })?;
        let inner = py
            .detach(|| ChunkSink::open(Path::new(path), sql, timeout))
            .map_err(NativeError::from)?;
        Ok(Self {
            inner: Mutex::new(inner),
        })
    }

    /// Lands a chunk in one transaction; returns (rows added, rows the database refused as
    /// already in the campaign, as (line, slug, detail)).
    #[pyo3(signature = (chunk, *, import_id, campaign, list))]
    fn land(
        &self,
        py: Python<'_>,
        chunk: &PyPendingChunk,
        import_id: i64,
        campaign: i64,
        list: i64,
    ) -> PyResult<(u64, Vec<PyRejection>)> {
        let target = Target {
            import: import_id,
            campaign,
            list,
        };
        let landed = py
            .detach(|| {
                let mut sink = self
                    .inner
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                sink.land(&chunk.chunk, &chunk.zones, target)
            })
            .map_err(NativeError::from)?;
        Ok((landed.added, rejections(&landed.late)))
    }
}

/// (line, reason slug, detail), as Python sees a rejected row.
type PyRejection = (u64, &'static str, String);

fn rejections(list: &[Rejection]) -> Vec<PyRejection> {
    list.iter()
        .map(|r| (r.line, r.reason.slug(), r.detail.clone()))
        .collect()
}
