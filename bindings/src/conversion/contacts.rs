//! Python values the contact reader takes: iterables of strings and zone entries, the phone
//! column (name or 1-based position), the delimiter.

use ccengine_contacts::{ContactsError, PhoneColumn};
use pyo3::prelude::*;
use pyo3::types::PyInt;

use crate::errors::{NativeError, NativeResult};

/// Any iterable (list, tuple, set, generator…) of numbers, each an E.164 str or, as the store
/// keeps them, the int of its digits; collected as E.164 text.
pub fn numbers(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(obj) = obj else {
        return Ok(Vec::new());
    };
    obj.try_iter()?
        .map(|item| {
            let item = item?;
            if item.is_instance_of::<PyInt>() {
                Ok(format!("+{}", item.extract::<u64>()?))
            } else {
                item.extract::<String>()
            }
        })
        .collect()
}

/// An iterable of (prefix, zone) pairs.
pub fn zone_entries(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    obj.try_iter()?
        .map(|item| item?.extract::<(String, String)>())
        .collect()
}

/// A name, or a 1-based position given as an int.
pub fn phone_column(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<PhoneColumn>> {
    let Some(obj) = obj else { return Ok(None) };
    if obj.is_instance_of::<PyInt>() {
        return Ok(Some(PhoneColumn::Index(obj.extract()?)));
    }
    Ok(Some(PhoneColumn::Name(obj.extract()?)))
}

/// One ASCII character (`,` `;` tab `|`); the reader checks which.
pub fn delimiter(text: Option<&str>) -> NativeResult<Option<u8>> {
    match text.map(str::as_bytes) {
        None => Ok(None),
        Some(&[b]) if b.is_ascii() => Ok(Some(b)),
        Some(_) => Err(NativeError::from(ContactsError::InvalidOption(format!(
            "delimiter {text:?}"
        )))),
    }
}
