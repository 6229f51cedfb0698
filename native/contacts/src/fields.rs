//! The columns other than the phone, kept as one JSON object text per row, and the checks every
//! field passes (length, control characters).

use std::fmt::Write;

use crate::error::RejectReason;
use crate::phone::Refusal;

/// Column names as keys: header names (blank ones and repeats made unique), `column_N` (1-based)
/// without a header or past its end.
pub struct FieldWriter {
    /// `"name":` already escaped, one per column.
    keys: Vec<String>,
    phone: usize,
    max_bytes: usize,
}

/// Names of the columns: the header's, cleaned up, or `column_N`.
pub fn column_names(header: Option<&[String]>, width: usize) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(width);
    let given = header.unwrap_or(&[]);
    for i in 0..width.max(given.len()) {
        let base = given.get(i).map(|s| s.trim()).filter(|s| !s.is_empty());
        let base = base.map_or_else(|| format!("column_{}", i + 1), str::to_owned);
        let mut name = base.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        names.push(name);
    }
    names
}

impl FieldWriter {
    pub fn new(names: &[String], phone: usize, max_bytes: usize) -> Self {
        let mut writer = Self {
            keys: Vec::with_capacity(names.len()),
            phone,
            max_bytes,
        };
        for name in names {
            writer.push_key(name);
        }
        writer
    }

    fn push_key(&mut self, name: &str) {
        let mut key = String::with_capacity(name.len() + 3);
        escape_json(name, &mut key);
        key.push(':');
        self.keys.push(key);
    }

    /// Checks a row's fields; a rejected row gets its reason and detail.
    pub fn check<'a>(&self, fields: impl Iterator<Item = &'a str>) -> Result<(), Refusal> {
        for (i, field) in fields.enumerate() {
            if field.len() > self.max_bytes {
                return Err((
                    RejectReason::FieldTooLong,
                    format!(
                        "column {} holds {} bytes (limit {})",
                        i + 1,
                        field.len(),
                        self.max_bytes
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Appends the JSON object of a row's non-phone fields to `out`.
    pub fn write<'a>(&mut self, fields: impl Iterator<Item = &'a str>, out: &mut String) {
        out.push('{');
        let mut first = true;
        for (i, field) in fields.enumerate() {
            if i == self.phone {
                continue;
            }
            while i >= self.keys.len() {
                self.push_key(&format!("column_{}", self.keys.len() + 1));
            }
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&self.keys[i]);
            escape_json(field, out);
        }
        out.push('}');
    }
}

/// Position of the first C0 control character other than tab, LF and CR (kept: a quoted field
/// may span lines).
pub fn control_character(bytes: &[u8]) -> Option<usize> {
    if !bytes.iter().fold(false, |any, &b| any | (b < 0x20)) {
        return None;
    }
    bytes
        .iter()
        .position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
}

/// Bytes a JSON string literal escapes: C0 controls, `"` and `\\`.
const ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Writes `s` as a JSON string literal, escaping exactly as serde_json does.
pub fn escape_json(s: &str, out: &mut String) {
    out.push('"');
    let bytes = s.as_bytes();
    // Most fields need no escape at all: one table scan, one copy.
    if !bytes
        .iter()
        .fold(false, |any, &b| any | ESCAPED[usize::from(b)])
    {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escaped.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escaped);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_serde_json() {
        let mut samples: Vec<String> = [
            "",
            "plain",
            "quote \" and \\ back",
            "tab\tline\nret\r",
            "é😀",
            "\u{0}\u{1f}\u{7f}\u{8}\u{c}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        samples.push((0u8..128).map(char::from).collect());
        for s in samples {
            let mut out = String::new();
            escape_json(&s, &mut out);
            assert_eq!(out, serde_json::to_string(&s).unwrap());
        }
    }

    #[test]
    fn names_and_objects() {
        let names = column_names(
            Some(&["Nom".into(), "phone".into(), "".into(), "Nom".into()]),
            2,
        );
        assert_eq!(names, ["Nom", "phone", "column_3", "Nom_2"]);
        let mut writer = FieldWriter::new(&names, 1, 100);
        let mut out = String::new();
        writer.write(
            ["Zoë \"Z\"", "0612345678", "", "x", "extra"].into_iter(),
            &mut out,
        );
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["Nom"], "Zoë \"Z\"");
        assert_eq!(value["column_3"], "");
        assert_eq!(value["Nom_2"], "x");
        assert_eq!(value["column_5"], "extra");
        assert!(value.get("phone").is_none());
        assert_eq!(column_names(None, 2), ["column_1", "column_2"]);
    }

    #[test]
    fn checks() {
        let writer = FieldWriter::new(&column_names(None, 2), 0, 4);
        assert!(writer.check(["1234", "abcd"].into_iter()).is_ok());
        assert_eq!(
            writer.check(["1", "abcde"].into_iter()).unwrap_err().0,
            RejectReason::FieldTooLong
        );
        assert_eq!(control_character(b"a\tb\r\nc"), None);
        assert_eq!(control_character(b"ab\0c"), Some(2));
        assert_eq!(control_character(b"\x1b[31m"), Some(0));
    }
}
