//! Which encoding a file is in, whether it is text at all, and a streaming decoder that turns
//! the raw bytes into UTF-8 for the CSV parser.
//!
//! Bytes a row cannot hold in the chosen encoding (invalid UTF-8 in a UTF-8 file, an unpaired
//! surrogate in UTF-16) reach the parser as invalid UTF-8, so that row alone is rejected.

use std::io::{self, Read};

use crate::error::ContactsError;

/// How many bytes of the file are sampled to decide the encoding, delimiter, header and phone column.
pub const SAMPLE_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// ISO-8859-1, read as its Windows-1252 superset (as browsers do for this label): bytes
    /// 0x80–0x9F are the typographic characters Excel exports (€ ’ œ …), not C1 controls.
    Latin1,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Utf8Bom => "utf-8-sig",
            Self::Utf16Le => "utf-16-le",
            Self::Utf16Be => "utf-16-be",
            Self::Latin1 => "latin-1",
        }
    }

    fn bom_len(self) -> usize {
        match self {
            Self::Utf8Bom => 3,
            Self::Utf16Le | Self::Utf16Be => 2,
            Self::Utf8 | Self::Latin1 => 0,
        }
    }
}

/// File signatures of formats operators upload by mistake instead of a CSV.
const SIGNATURES: [(&[u8], &str); 9] = [
    (b"PK\x03\x04", "zip archive, or an xlsx/ods spreadsheet"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"\xd0\xcf\x11\xe0", "xls spreadsheet or other OLE document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf", "7z archive"),
    (b"SQLite format 3\0", "SQLite database"),
];

/// Chooses the encoding from the first bytes of the file. `eof` says the sample is the whole file.
pub fn detect(sample: &[u8], eof: bool) -> Result<Encoding, ContactsError> {
    if sample.starts_with(b"\xff\xfe\0\0") || sample.starts_with(b"\0\0\xfe\xff") {
        return Err(ContactsError::Undecodable(
            "UTF-32 is not supported; save the file as UTF-8",
        ));
    }
    if sample.starts_with(b"\xef\xbb\xbf") {
        return Ok(Encoding::Utf8Bom);
    }
    if sample.starts_with(b"\xff\xfe") {
        return Ok(Encoding::Utf16Le);
    }
    if sample.starts_with(b"\xfe\xff") {
        return Ok(Encoding::Utf16Be);
    }
    if looks_like_utf16(sample) {
        return Err(ContactsError::Undecodable(
            "it looks like UTF-16 without a byte-order mark; save it as UTF-8",
        ));
    }
    if let Some(what) = binary_kind(sample) {
        return Err(ContactsError::Binary(what));
    }
    match std::str::from_utf8(sample) {
        Ok(_) => Ok(Encoding::Utf8),
        // Cut inside a character at the end of a partial sample: still UTF-8.
        Err(e) if e.error_len().is_none() && !eof => Ok(Encoding::Utf8),
        Err(_) => Ok(Encoding::Latin1),
    }
}

/// Some(description) if these bytes are not text: a known signature, or control bytes (NUL
/// included) making up more than 5% of them. Tab, CR, LF and FF are text.
pub fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    if let Some((_, what)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Some(what);
    }
    let controls = bytes
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    (controls * 20 > bytes.len()).then_some("control bytes dominate it")
}

/// Text in UTF-16 without a BOM: NULs at most even (or odd) positions, almost none at the others.
fn looks_like_utf16(sample: &[u8]) -> bool {
    let head = &sample[..sample.len().min(4096) & !1];
    let pairs = head.len() / 2;
    if pairs < 4 {
        return false;
    }
    let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let (many, few) = (even.max(odd), even.min(odd));
    many * 10 >= pairs * 9 && few * 50 <= pairs
}

/// Checks a decoded (UTF-8) sample of a file whose encoding a BOM declared.
pub fn check_declared(decoded: &[u8]) -> Result<(), ContactsError> {
    if let Some(what) = binary_kind(decoded) {
        return Err(ContactsError::Binary(what));
    }
    // Count invalid sequences: many of them (not a stray byte in a row) means the BOM lies.
    let (mut rest, mut invalid) = (decoded, 0usize);
    while let Err(e) = std::str::from_utf8(rest) {
        let Some(len) = e.error_len() else { break };
        invalid += 1;
        rest = &rest[e.valid_up_to() + len..];
    }
    if invalid >= 8 && invalid * 20 > decoded.len() {
        return Err(ContactsError::Undecodable(
            "most of it is invalid in the encoding its byte-order mark declares",
        ));
    }
    Ok(())
}

/// Windows-1252 characters of bytes 0x80–0x9F (undefined ones keep their C1 code point).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Streams a source as UTF-8: the sample already read is replayed first, then the rest.
pub struct Decoder<R> {
    source: R,
    encoding: Encoding,
    replay: Vec<u8>,
    replayed: usize,
    raw: Vec<u8>,
    /// Raw bytes taken from the file so far (sample included).
    consumed: u64,
    /// UTF-16: an odd byte waiting for its pair, and a high surrogate waiting for its low one.
    odd: Option<u8>,
    high: Option<u16>,
    done: bool,
}

const READ_BYTES: usize = 64 * 1024;

impl<R: Read> Decoder<R> {
    pub fn new(source: R, encoding: Encoding, sample: Vec<u8>) -> Self {
        let skip = encoding.bom_len().min(sample.len());
        Self {
            source,
            encoding,
            replay: sample,
            replayed: skip,
            raw: vec![0; READ_BYTES],
            consumed: skip as u64,
            odd: None,
            high: None,
            done: false,
        }
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Raw bytes of the file consumed so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Appends the next decoded bytes to `out`; returns how many (0 at the end of the file).
    pub fn fill(&mut self, out: &mut Vec<u8>) -> io::Result<usize> {
        let before = out.len();
        while out.len() == before && !self.done {
            let n = if self.replayed < self.replay.len() {
                let n = (self.replay.len() - self.replayed).min(READ_BYTES);
                self.raw[..n].copy_from_slice(&self.replay[self.replayed..self.replayed + n]);
                self.replayed += n;
                if self.replayed == self.replay.len() {
                    self.replay = Vec::new();
                    self.replayed = 0;
                }
                n
            } else {
                loop {
                    match self.source.read(&mut self.raw) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                }
            };
            self.consumed += n as u64;
            if n == 0 {
                self.done = true;
                self.finish(out);
            } else {
                let raw = std::mem::take(&mut self.raw);
                self.decode(&raw[..n], out);
                self.raw = raw;
            }
        }
        Ok(out.len() - before)
    }

    fn decode(&mut self, raw: &[u8], out: &mut Vec<u8>) {
        match self.encoding {
            Encoding::Utf8 | Encoding::Utf8Bom => out.extend_from_slice(raw),
            Encoding::Latin1 => latin1_to_utf8(raw, out),
            Encoding::Utf16Le | Encoding::Utf16Be => self.utf16_to_utf8(raw, out),
        }
    }

    fn utf16_to_utf8(&mut self, mut raw: &[u8], out: &mut Vec<u8>) {
        let big = self.encoding == Encoding::Utf16Be;
        let unit = |a: u8, b: u8| {
            if big {
                u16::from_be_bytes([a, b])
            } else {
                u16::from_le_bytes([a, b])
            }
        };
        if let Some(first) = self.odd.take() {
            match raw.split_first() {
                Some((&second, rest)) => {
                    self.push_unit(unit(first, second), out);
                    raw = rest;
                }
                None => self.odd = Some(first),
            }
        }
        let mut pairs = raw.chunks_exact(2);
        for pair in &mut pairs {
            self.push_unit(unit(pair[0], pair[1]), out);
        }
        if let [last] = pairs.remainder() {
            self.odd = Some(*last);
        }
    }

    fn push_unit(&mut self, u: u16, out: &mut Vec<u8>) {
        if let Some(high) = self.high.take() {
            if (0xdc00..0xe000).contains(&u) {
                let c = 0x10000 + ((u32::from(high) - 0xd800) << 10) + (u32::from(u) - 0xdc00);
                push_char(
                    char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER),
                    out,
                );
                return;
            }
            out.push(0xff); // unpaired high surrogate: invalid UTF-8, the row is rejected
        }
        match u {
            0xd800..0xdc00 => self.high = Some(u),
            0xdc00..0xe000 => out.push(0xff),
            _ => push_char(
                char::from_u32(u32::from(u)).unwrap_or(char::REPLACEMENT_CHARACTER),
                out,
            ),
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        if self.high.take().is_some() || self.odd.take().is_some() {
            out.push(0xff);
        }
    }
}

fn push_char(c: char, out: &mut Vec<u8>) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

fn latin1_to_utf8(mut raw: &[u8], out: &mut Vec<u8>) {
    out.reserve(raw.len() + raw.len() / 4);
    while !raw.is_empty() {
        let ascii = raw.iter().position(|&b| b >= 0x80).unwrap_or(raw.len());
        out.extend_from_slice(&raw[..ascii]);
        let Some((&b, rest)) = raw[ascii..].split_first() else {
            break;
        };
        let c = if (0x80..0xa0).contains(&b) {
            CP1252_HIGH[usize::from(b - 0x80)]
        } else {
            char::from(b)
        };
        push_char(c, out);
        raw = rest;
    }
}

/// Reads up to [`SAMPLE_BYTES`] from the source; the flag says the whole file fit.
pub fn read_sample<R: Read>(source: &mut R) -> io::Result<(Vec<u8>, bool)> {
    let mut sample = Vec::with_capacity(64 * 1024);
    let got = source
        .by_ref()
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)?;
    Ok((sample, got < SAMPLE_BYTES))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], encoding: Encoding, step: usize) -> Vec<u8> {
        // Feed in small reads to cross every boundary.
        struct Slow<'a>(&'a [u8], usize);
        impl Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let split = bytes.len().min(3);
        let mut dec = Decoder::new(
            Slow(&bytes[split..], step),
            encoding,
            bytes[..split].to_vec(),
        );
        let mut out = Vec::new();
        while dec.fill(&mut out).unwrap() > 0 {}
        assert_eq!(dec.consumed(), bytes.len() as u64);
        out
    }

    #[test]
    fn detects_boms_and_fallbacks() {
        assert_eq!(
            detect(b"\xef\xbb\xbfphone\n", true).unwrap(),
            Encoding::Utf8Bom
        );
        assert_eq!(detect(b"\xff\xfep\0", true).unwrap(), Encoding::Utf16Le);
        assert_eq!(detect(b"\xfe\xff\0p", true).unwrap(), Encoding::Utf16Be);
        assert_eq!(
            detect("téléphone\n".as_bytes(), true).unwrap(),
            Encoding::Utf8
        );
        assert_eq!(
            detect(b"t\xe9l\xe9phone\n", true).unwrap(),
            Encoding::Latin1
        );
        // A sample cut inside a character is still UTF-8 when more follows.
        assert_eq!(detect(&"é".as_bytes()[..1], false).unwrap(), Encoding::Utf8);
        assert_eq!(
            detect(b"\xff\xfe\0\0", true).unwrap_err().slug(),
            "file-undecodable"
        );
    }

    #[test]
    fn refuses_binary() {
        assert_eq!(
            detect(b"PK\x03\x04\x14\0\x06\0", true).unwrap_err().slug(),
            "file-binary"
        );
        assert_eq!(
            detect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", true)
                .unwrap_err()
                .slug(),
            "file-binary"
        );
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(detect(&noise, true).unwrap_err().slug(), "file-binary");
        // One NUL in a row of a text file is not enough.
        let mut text = b"phone,name\n0612345678,Ann\n".repeat(4);
        text[15] = 0;
        assert!(detect(&text, true).is_ok());
    }

    #[test]
    fn transcodes_latin1_and_cp1252() {
        assert_eq!(
            decode_all(b"caf\xe9 \x80 \x92", Encoding::Latin1, 1),
            "café € ’".as_bytes()
        );
    }

    #[test]
    fn transcodes_utf16_across_reads() {
        let text = "phone;nom\r\n0612345678;Zoë 😀\n";
        let mut le = vec![0xff, 0xfe];
        let mut be = vec![0xfe, 0xff];
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        for step in [1, 3, 7, 1000] {
            assert_eq!(decode_all(&le, Encoding::Utf16Le, step), text.as_bytes());
            assert_eq!(decode_all(&be, Encoding::Utf16Be, step), text.as_bytes());
        }
    }

    #[test]
    fn unpaired_surrogates_and_odd_bytes_become_invalid_utf8() {
        let bytes = [0xff, 0xfe, b'a', 0, 0x00, 0xd8, b'b', 0, 0x00, 0xdc, b'c'];
        let out = decode_all(&bytes, Encoding::Utf16Le, 2);
        assert_eq!(out, b"a\xffb\xff\xff");
    }

    #[test]
    fn a_lying_bom_is_undecodable_a_stray_byte_is_not() {
        assert!(check_declared(b"tel\n06\xff12345678\n").is_ok());
        let lying = b"t\xe9l\xe9phone;pr\xe9nom\n".repeat(10);
        assert_eq!(
            check_declared(&lying).unwrap_err().slug(),
            "file-undecodable"
        );
    }

    #[test]
    fn utf8_bom_is_skipped() {
        assert_eq!(
            decode_all(b"\xef\xbb\xbfa,b\n", Encoding::Utf8Bom, 2),
            b"a,b\n"
        );
    }
}
