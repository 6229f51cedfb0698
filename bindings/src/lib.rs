use pyo3::prelude::*;
use pyo3::types::PyDict;

extern "C" {
    fn PyInit__pack() -> *mut pyo3::ffi::PyObject;
}

/// Imports a Cython module linked into this library and registers it under its dotted name.
fn register_cython(py: Python<'_>, name: &str, init: unsafe extern "C" fn() -> *mut pyo3::ffi::PyObject) -> PyResult<()> {
    // SAFETY: single-phase Cython init returns a new module reference or NULL with an error set.
    let module = unsafe { Bound::from_owned_ptr_or_err(py, init())? };
    let modules = py.import("sys")?.getattr("modules")?.cast_into::<PyDict>()?;
    modules.set_item(name, module)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_cython(m.py(), "ccengine.metrics._pack", PyInit__pack)?;
    Ok(())
}
