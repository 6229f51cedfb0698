//! CSV records over the decoded stream, each with the physical line it starts on.
//!
//! Parsing is csv-core's (the engine of the `csv` crate): quotes, doubled quotes, newlines
//! inside quotes, `\n` / `\r\n` / `\r` endings, rows of any length. This module drives it
//! directly rather than through `csv::Reader` because the operator needs the editor line where
//! a record starts: `csv::Reader` positions land before skipped blank lines and count `\n` only.
//! Memory stays bounded: a record larger than the caps is consumed but not kept (`oversize`).

use std::io::{self, Read};

use csv_core::{ReadRecordResult, ReaderBuilder};
use memchr::memchr2_iter;

use crate::encoding::Decoder;

pub struct Records<R> {
    decoder: Decoder<R>,
    core: csv_core::Reader,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Physical line (1-based) of the next unread byte; `\r\n` counts once.
    line: u64,
    last_cr: bool,
    out: Vec<u8>,
    ends: Vec<usize>,
    out_len: usize,
    fields: usize,
    oversize: bool,
    max_bytes: usize,
    max_fields: usize,
}

impl<R: Read> Records<R> {
    /// `max_bytes` / `max_fields` cap what one record may hold in memory.
    pub fn new(decoder: Decoder<R>, delimiter: u8, max_bytes: usize, max_fields: usize) -> Self {
        Self {
            decoder,
            core: ReaderBuilder::new().delimiter(delimiter).build(),
            buf: Vec::with_capacity(256 * 1024),
            pos: 0,
            eof: false,
            line: 1,
            last_cr: false,
            out: vec![0; 4096],
            ends: vec![0; 64],
            out_len: 0,
            fields: 0,
            oversize: false,
            max_bytes: max_bytes.max(4096),
            max_fields: max_fields.max(64),
        }
    }

    pub fn decoder(&self) -> &Decoder<R> {
        &self.decoder
    }

    fn refill(&mut self) -> io::Result<bool> {
        self.buf.clear();
        self.pos = 0;
        Ok(self.decoder.fill(&mut self.buf)? > 0)
    }

    fn count_lines(&mut self, consumed: &[u8]) {
        for at in memchr2_iter(b'\n', b'\r', consumed) {
            let after_cr = if at == 0 {
                self.last_cr
            } else {
                consumed[at - 1] == b'\r'
            };
            if consumed[at] == b'\r' || !after_cr {
                self.line += 1;
            }
        }
        if let Some(&last) = consumed.last() {
            self.last_cr = last == b'\r';
        }
    }

    /// Reads the next non-blank record; returns the line it starts on, None at the end.
    pub fn next_record(&mut self) -> io::Result<Option<u64>> {
        // Skip blank lines ourselves so the start line is exact.
        loop {
            if self.pos == self.buf.len() && (self.eof || !self.refill()?) {
                self.eof = true;
                return Ok(None);
            }
            let rest = &self.buf[self.pos..];
            let blank = rest
                .iter()
                .position(|&b| b != b'\n' && b != b'\r')
                .unwrap_or(rest.len());
            if blank == 0 {
                break;
            }
            let (start, end) = (self.pos, self.pos + blank);
            let consumed = std::mem::take(&mut self.buf);
            self.count_lines(&consumed[start..end]);
            self.buf = consumed;
            self.pos = end;
        }
        let start_line = self.line;
        let (mut out_len, mut fields) = (0, 0);
        self.oversize = false;
        loop {
            let input = if self.eof {
                &[][..]
            } else {
                &self.buf[self.pos..]
            };
            let (res, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.out[out_len..], &mut self.ends[fields..]);
            if nin > 0 {
                let (start, end) = (self.pos, self.pos + nin);
                let consumed = std::mem::take(&mut self.buf);
                self.count_lines(&consumed[start..end]);
                self.buf = consumed;
                self.pos = end;
            }
            out_len += nout;
            fields += nend;
            match res {
                ReadRecordResult::InputEmpty => {
                    if self.pos == self.buf.len() && !self.refill()? {
                        self.eof = true;
                    }
                }
                ReadRecordResult::OutputFull => {
                    if self.out.len() >= self.max_bytes {
                        self.oversize = true;
                        out_len = 0;
                    } else {
                        self.out.resize(self.out.len() * 2, 0);
                    }
                }
                ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() >= self.max_fields {
                        self.oversize = true;
                        fields = 0;
                    } else {
                        self.ends.resize(self.ends.len() * 2, 0);
                    }
                }
                ReadRecordResult::Record => {
                    self.out_len = out_len;
                    self.fields = fields;
                    return Ok(Some(start_line));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }

    /// The current record went over the memory caps; its fields are not available.
    pub fn oversize(&self) -> bool {
        self.oversize
    }

    /// Number of fields of the current record.
    pub fn len(&self) -> usize {
        if self.oversize {
            0
        } else {
            self.fields
        }
    }

    /// The current record's field contents, concatenated.
    pub fn bytes(&self) -> &[u8] {
        if self.oversize {
            &[]
        } else {
            &self.out[..self.out_len]
        }
    }

    /// Field `i` of the current record.
    pub fn field(&self, i: usize) -> &[u8] {
        &self.out[self.start(i)..self.end(i)]
    }

    /// Where field `i` starts in [`Self::bytes`].
    pub fn start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.ends[i - 1]
        }
    }

    /// Where field `i` ends in [`Self::bytes`].
    pub fn end(&self, i: usize) -> usize {
        self.ends[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::Encoding;

    fn read(text: &[u8], delimiter: u8) -> Vec<(u64, Vec<String>)> {
        let mut records = Records::new(
            Decoder::new(&b""[..], Encoding::Utf8, text.to_vec()),
            delimiter,
            1 << 20,
            1024,
        );
        let mut rows = Vec::new();
        while let Some(line) = records.next_record().unwrap() {
            let fields = (0..records.len())
                .map(|i| String::from_utf8_lossy(records.field(i)).into_owned())
                .collect();
            rows.push((line, fields));
        }
        rows
    }

    #[test]
    fn lines_with_mixed_endings_and_blank_lines() {
        let rows = read(b"a,b\r\n1,2\n\n3,4\r5,6\r\n\r\n\n7,8", b',');
        let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 2, 4, 5, 8]);
        assert_eq!(rows[4].1, ["7", "8"]);
    }

    #[test]
    fn quoted_newlines_count_as_lines() {
        let rows = read(
            b"phone;note\n0612345678;\"two\r\nlines \"\"quoted\"\"\"\n0712345678;x\n",
            b';',
        );
        assert_eq!(
            rows[1],
            (
                2,
                vec!["0612345678".into(), "two\r\nlines \"quoted\"".into()]
            )
        );
        assert_eq!(rows[2].0, 4);
    }

    #[test]
    fn flexible_lengths() {
        let rows = read(b"a\tb\tc\n1\n1\t2\t3\t4\n", b'\t');
        assert_eq!(rows[1].1.len(), 1);
        assert_eq!(rows[2].1.len(), 4);
    }

    #[test]
    fn oversize_records_are_skipped_not_kept() {
        let mut text = b"1,".to_vec();
        text.extend(std::iter::repeat_n(b'x', 100_000));
        text.extend_from_slice(b"\n2,y\n");
        let mut records =
            Records::new(Decoder::new(&b""[..], Encoding::Utf8, text), b',', 8192, 64);
        assert_eq!(records.next_record().unwrap(), Some(1));
        assert!(records.oversize());
        assert_eq!(records.next_record().unwrap(), Some(2));
        assert!(!records.oversize());
        assert_eq!(records.field(1), b"y");
    }

    #[test]
    fn unterminated_quote_runs_to_the_end() {
        let rows = read(b"a,\"b\n1,2\n", b',');
        assert_eq!(rows.len(), 1);
    }
}
