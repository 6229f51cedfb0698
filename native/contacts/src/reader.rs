//! `ContactReader`: opens a contact file (refusing one that cannot be read at all), then yields
//! accepted rows and rejections chunk by chunk, in bounded memory.

use std::io::Read;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::encoding::{self, Decoder, Encoding};
use crate::error::{ContactsError, RejectReason};
use crate::fields::{column_names, control_character, FieldWriter};
use crate::phone::{e164_digits, parse_region, write_e164, Phones, Refusal};
use crate::records::Records;
use crate::sniff::{self, PhoneColumn};
use crate::zones::{ZoneId, ZoneTable};

/// How to read a file; what is None is detected.
#[derive(Debug, Clone)]
pub struct Options {
    /// Region of national numbers (ISO 3166 code, "FR").
    pub region: String,
    pub header: Option<bool>,
    pub phone_column: Option<PhoneColumn>,
    pub delimiter: Option<u8>,
    /// A longer field rejects its row (`field-too-long`).
    pub max_field_bytes: usize,
    /// Size of the file in bytes, if known: sizes the duplicate table once instead of growing it.
    pub size_hint: Option<u64>,
}

impl Options {
    pub fn new(region: &str) -> Self {
        Self {
            region: region.to_owned(),
            header: None,
            phone_column: None,
            delimiter: None,
            max_field_bytes: 16 * 1024,
            size_hint: None,
        }
    }
}

/// One accepted row, borrowed from its chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    /// Physical line (1-based) the record starts on.
    pub line: u64,
    pub e164: &'a str,
    /// The same number as the integer of its digits (how the store keeps it).
    pub number: u64,
    pub zone: Option<ZoneId>,
    /// The other columns as one JSON object.
    pub fields: &'a str,
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub line: u64,
    pub reason: RejectReason,
    pub detail: String,
}

#[derive(Debug, Clone, Copy)]
struct RowSpan {
    line: u64,
    number: u64,
    zone: Option<ZoneId>,
    /// e164 is text[start..mid], fields text[mid..end].
    start: usize,
    mid: usize,
    end: usize,
}

/// The rows of one `next_chunk` call; reused between calls.
#[derive(Debug, Default)]
pub struct Chunk {
    text: String,
    rows: Vec<RowSpan>,
    pub rejected: Vec<Rejection>,
    /// Bytes of the file consumed so far (for a progress bar).
    pub position: u64,
}

impl Chunk {
    pub fn clear(&mut self) {
        self.text.clear();
        self.rows.clear();
        self.rejected.clear();
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.rejected.is_empty()
    }

    pub fn rows(&self) -> impl ExactSizeIterator<Item = Row<'_>> + '_ {
        self.rows.iter().map(|s| Row {
            line: s.line,
            e164: &self.text[s.start..s.mid],
            number: s.number,
            zone: s.zone,
            fields: &self.text[s.mid..s.end],
        })
    }
}

/// Numbers held as the integers of their E.164 digits.
fn number_set<S: AsRef<str>>(
    numbers: impl IntoIterator<Item = S>,
) -> Result<FxHashSet<u64>, ContactsError> {
    numbers
        .into_iter()
        .map(|s| {
            e164_digits(s.as_ref().trim())
                .ok_or_else(|| ContactsError::InvalidNumber(s.as_ref().to_owned()))
        })
        .collect()
}

pub struct ContactReader<R> {
    records: Records<R>,
    delimiter: u8,
    header: bool,
    columns: Vec<String>,
    phone: usize,
    phones: Phones,
    zones: Arc<ZoneTable>,
    existing: FxHashSet<u64>,
    dnc: FxHashSet<u64>,
    /// Number → line it was first accepted on.
    seen: FxHashMap<u64, u64>,
    writer: FieldWriter,
    max_field_bytes: usize,
    /// Records still to skip before data: a "sep=" line, the header.
    skip: usize,
    done: bool,
}

impl<R: Read> ContactReader<R> {
    /// Samples the file and decides how to read it; refuses a file that cannot be read at all.
    pub fn open<S1: AsRef<str>, S2: AsRef<str>>(
        mut source: R,
        options: Options,
        zones: Arc<ZoneTable>,
        existing: impl IntoIterator<Item = S1>,
        dnc: impl IntoIterator<Item = S2>,
    ) -> Result<Self, ContactsError> {
        let region = parse_region(&options.region)?;
        if let Some(d) = options.delimiter {
            if !matches!(d, b',' | b';' | b'\t' | b'|') {
                return Err(ContactsError::InvalidOption(format!(
                    "delimiter {:?}",
                    char::from(d)
                )));
            }
        }
        if options.max_field_bytes == 0 {
            return Err(ContactsError::InvalidOption(
                "max_field_bytes must be positive".into(),
            ));
        }
        let existing = number_set(existing)?;
        let dnc = number_set(dnc)?;

        let (sample, complete) = encoding::read_sample(&mut source)?;
        if sample.is_empty() {
            return Err(ContactsError::Empty);
        }
        let encoding = encoding::detect(&sample, complete)?;
        let decoded = {
            let mut decoder = Decoder::new(&b""[..], encoding, sample.clone());
            let mut decoded = Vec::with_capacity(sample.len());
            while decoder.fill(&mut decoded)? > 0 {}
            decoded
        };
        if matches!(
            encoding,
            Encoding::Utf8Bom | Encoding::Utf16Le | Encoding::Utf16Be
        ) {
            encoding::check_declared(&decoded)?;
        }
        if decoded.iter().all(u8::is_ascii_whitespace) {
            return Err(ContactsError::Empty);
        }
        // Excel writes a first line "sep=;" to name the delimiter.
        let sep = sniff::sep_line(&decoded);
        let delimiter = options
            .delimiter
            .or(sep)
            .unwrap_or_else(|| sniff::delimiter(&decoded, complete));
        let (rows, all) = sample_rows(decoded, delimiter, complete, sep.is_some())?;
        if rows.is_empty() {
            return Err(ContactsError::Empty);
        }
        let layout = sniff::layout(
            &rows,
            all,
            options.header,
            options.phone_column.as_ref(),
            region,
        )?;
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        let columns = column_names(layout.header.then_some(rows[0].as_slice()), width);
        let max_record = options.max_field_bytes.saturating_mul(64).max(1 << 20);
        // Rows expected from the file size and the sample's bytes per row (capped: a hint).
        let per_row = (sample.len() / rows.len()).max(8) as u64;
        let expected = options
            .size_hint
            .map_or(0, |size| (size / per_row).min(1 << 24) as usize);
        Ok(Self {
            records: Records::new(
                Decoder::new(source, encoding, sample),
                delimiter,
                max_record,
                1 << 16,
            ),
            delimiter,
            header: layout.header,
            writer: FieldWriter::new(&columns, layout.phone, options.max_field_bytes),
            columns,
            phone: layout.phone,
            phones: Phones::new(region),
            zones,
            existing,
            dnc,
            seen: FxHashMap::with_capacity_and_hasher(expected, Default::default()),
            max_field_bytes: options.max_field_bytes,
            skip: usize::from(sep.is_some()) + usize::from(layout.header),
            done: false,
        })
    }

    pub fn encoding(&self) -> Encoding {
        self.records.decoder().encoding()
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    pub fn header(&self) -> bool {
        self.header
    }

    /// Column names: the header's (made unique), or `column_N`.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// 0-based index of the phone column.
    pub fn phone_column(&self) -> usize {
        self.phone
    }

    pub fn zones(&self) -> &ZoneTable {
        &self.zones
    }

    /// Bytes of the file consumed so far.
    pub fn position(&self) -> u64 {
        self.records.decoder().consumed()
    }

    /// Reads up to `max_rows` records into `chunk` (cleared first). Returns false, with an
    /// empty chunk, once the file is exhausted.
    pub fn next_chunk(
        &mut self,
        max_rows: usize,
        chunk: &mut Chunk,
    ) -> Result<bool, ContactsError> {
        chunk.clear();
        let mut seen_records = 0;
        while seen_records < max_rows.max(1) && !self.done {
            let Some(line) = self.records.next_record()? else {
                self.done = true;
                break;
            };
            // Rows with nothing but blanks (";;;" lines of spreadsheet exports) are not contacts.
            let bytes = self.records.bytes();
            if !self.records.oversize() && bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if self.skip > 0 {
                self.skip -= 1;
                continue;
            }
            seen_records += 1;
            if let Err((reason, detail)) = self.row(line, chunk) {
                chunk.rejected.push(Rejection {
                    line,
                    reason,
                    detail,
                });
            }
        }
        chunk.position = self.position();
        Ok(seen_records > 0)
    }

    fn row(&mut self, line: u64, chunk: &mut Chunk) -> Result<(), Refusal> {
        let records = &self.records;
        if records.oversize() {
            return Err((
                RejectReason::FieldTooLong,
                format!(
                    "the row is too large (over {} bytes or 65536 fields)",
                    self.max_field_bytes.saturating_mul(64)
                ),
            ));
        }
        let bytes = records.bytes();
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let column = (0..records.len())
                .position(|i| records.end(i) > e.valid_up_to())
                .map_or(0, |i| i + 1);
            (
                RejectReason::InvalidEncoding,
                format!(
                    "column {column} holds bytes that are not valid {}",
                    self.encoding().name()
                ),
            )
        })?;
        let n = records.len();
        // Valid as a whole is not enough: "\xC3" then "\xA9" in two fields read as "é" joined.
        if let Some(i) = (0..n).find(|&i| !text.is_char_boundary(records.end(i))) {
            return Err((
                RejectReason::InvalidEncoding,
                format!(
                    "column {} holds bytes that are not valid {}",
                    i + 1,
                    self.encoding().name()
                ),
            ));
        }
        if let Some(at) = control_character(bytes) {
            let column = (0..n)
                .position(|i| records.end(i) > at)
                .map_or(0, |i| i + 1);
            return Err((
                RejectReason::ControlCharacter,
                format!(
                    "column {column} holds control character U+{:04X}",
                    bytes[at]
                ),
            ));
        }
        let field = |i: usize| &text[records.start(i)..records.end(i)];
        self.writer.check((0..n).map(field))?;
        let cell = if self.phone < n {
            field(self.phone)
        } else {
            ""
        };
        let number = self.phones.e164(cell)?;
        if self.dnc.contains(&number) {
            return Err((
                RejectReason::DoNotCall,
                format!("+{number} is on the do-not-call list"),
            ));
        }
        if self.existing.contains(&number) {
            return Err((
                RejectReason::DuplicateInCampaign,
                format!("+{number} is already in the campaign"),
            ));
        }
        if let Some(first) = self.seen.get(&number) {
            return Err((
                RejectReason::DuplicateInFile,
                format!("+{number} is already on line {first}"),
            ));
        }
        self.seen.insert(number, line);
        let start = chunk.text.len();
        write_e164(number, &mut chunk.text);
        let mid = chunk.text.len();
        self.writer.write((0..n).map(field), &mut chunk.text);
        let zone = self.zones.lookup(number);
        chunk.rows.push(RowSpan {
            line,
            number,
            zone,
            start,
            mid,
            end: chunk.text.len(),
        });
        Ok(())
    }
}

/// The first records of the decoded sample, as text; the flag says they are the whole file.
fn sample_rows(
    decoded: Vec<u8>,
    delimiter: u8,
    complete: bool,
    skip_first: bool,
) -> Result<(Vec<Vec<String>>, bool), ContactsError> {
    let mut records = Records::new(
        Decoder::new(&b""[..], Encoding::Utf8, decoded),
        delimiter,
        1 << 21,
        1 << 16,
    );
    let mut rows = Vec::new();
    let mut all = complete;
    if skip_first {
        records.next_record()?;
    }
    while let Some(_line) = records.next_record()? {
        if rows.len() == sniff::SAMPLE_ROWS {
            all = false;
            break;
        }
        // A record over the memory caps stands as one opaque cell: present, not blank.
        let row: Vec<String> = if records.oversize() {
            vec!["\u{2026}".to_owned()]
        } else {
            (0..records.len())
                .map(|i| String::from_utf8_lossy(records.field(i)).into_owned())
                .collect()
        };
        if row.iter().any(|c| !c.trim().is_empty()) {
            rows.push(row);
        }
    }
    if !complete && rows.len() > 1 {
        rows.pop(); // may be cut by the end of the sample
    }
    Ok((rows, all))
}

/// Normalizes one number: its E.164 form and time zone.
pub fn normalize<'z>(
    text: &str,
    phones: &Phones,
    zones: &'z ZoneTable,
) -> Result<(String, Option<&'z str>), Refusal> {
    let number = phones.e164(text)?;
    let mut e164 = String::with_capacity(16);
    write_e164(number, &mut e164);
    Ok((e164, zones.lookup(number).map(|id| zones.name(id))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones() -> Arc<ZoneTable> {
        Arc::new(ZoneTable::new([("33", "Europe/Paris"), ("1212", "America/New_York")]).unwrap())
    }

    fn open(bytes: &[u8], options: Options) -> Result<ContactReader<&[u8]>, ContactsError> {
        ContactReader::open(bytes, options, zones(), ["+33600000001"], ["+33600000002"])
    }

    /// (accepted (line, e164, zone, fields), rejected (line, slug))
    type Read = (
        Vec<(u64, String, Option<String>, String)>,
        Vec<(u64, &'static str)>,
    );

    fn read_all(reader: &mut ContactReader<&[u8]>, max_rows: usize) -> Read {
        let (mut rows, mut rejected) = (Vec::new(), Vec::new());
        let mut chunk = Chunk::default();
        while reader.next_chunk(max_rows, &mut chunk).unwrap() {
            for r in chunk.rows() {
                let zone = r.zone.map(|z| reader.zones().name(z).to_owned());
                rows.push((r.line, r.e164.to_owned(), zone, r.fields.to_owned()));
            }
            rejected.extend(chunk.rejected.iter().map(|r| (r.line, r.reason.slug())));
        }
        assert!(chunk.is_empty());
        (rows, rejected)
    }

    #[test]
    fn reads_a_messy_file() {
        let text = "Nom;Téléphone;Ville\r\n\
                    Ann;06.12.34.56.78;Paris\r\n\
                    Bob;06 12 34 56 79;Lyon\n\
                    \n\
                    \"Cé;cile\";+1(212)736-5000;\"New\nYork\"\r\
                    Dan;0612345678;dup\n\
                    Eve;+33600000001;campaign\n\
                    Fay;06-00-00-00-02;dnc\n\
                    Gus;;x\n\
                    Hal;061234;short\n\
                    Ivy;0612345678901;long\n\
                    Jo;+999123456789;invalid\n\
                    Kim;0734567890;a\0b\n\
                    Lou;0734567891\n\
                    ;;\n";
        let mut reader = open(text.as_bytes(), Options::new("fr")).unwrap();
        assert_eq!(
            (reader.header(), reader.phone_column(), reader.delimiter()),
            (true, 1, b';')
        );
        assert_eq!(reader.columns(), ["Nom", "Téléphone", "Ville"]);
        assert_eq!(reader.encoding(), Encoding::Utf8);
        let (rows, rejected) = read_all(&mut reader, 3);
        assert_eq!(
            rows.iter().map(|r| (r.0, r.1.as_str())).collect::<Vec<_>>(),
            [
                (2, "+33612345678"),
                (5, "+12127365000"),
                (15, "+33734567891")
            ]
        );
        assert_eq!(rows[0].2.as_deref(), Some("Europe/Paris"));
        assert_eq!(rows[1].2.as_deref(), Some("America/New_York"));
        assert_eq!(rows[1].3, r#"{"Nom":"Cé;cile","Ville":"New\nYork"}"#);
        assert_eq!(rows[2].3, r#"{"Nom":"Lou"}"#);
        assert_eq!(
            rejected,
            [
                (3, "phone-characters"),
                (7, "duplicate-in-file"),
                (8, "duplicate-in-campaign"),
                (9, "do-not-call"),
                (10, "phone-missing"),
                (11, "phone-too-short"),
                (12, "phone-too-long"),
                (13, "phone-invalid"),
                (14, "control-character"),
            ]
        );
        assert_eq!(reader.position(), text.len() as u64);
    }

    #[test]
    fn refuses_unreadable_files() {
        let slug = |bytes: &[u8]| open(bytes, Options::new("FR")).err().map(|e| e.slug());
        assert_eq!(slug(b""), Some("file-empty"));
        assert_eq!(slug(b"\xef\xbb\xbf\r\n \n"), Some("file-empty"));
        assert_eq!(slug(b"nom,telephone\n"), Some("file-header-only"));
        assert_eq!(slug(b"nom,telephone\n\n,\n"), Some("file-header-only"));
        assert_eq!(
            slug(b"PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0"),
            Some("file-binary")
        );
        assert_eq!(
            slug(b"nom,ville\nAnn,Paris\nBob,Lyon\n"),
            Some("phone-column-not-found")
        );
        assert_eq!(
            open(b"0612345678\n", Options::new("XX"))
                .err()
                .unwrap()
                .slug(),
            "unknown-region"
        );
        let bad = ContactReader::open(
            &b"0612345678\n"[..],
            Options::new("FR"),
            zones(),
            ["0612"],
            [""; 0],
        );
        assert_eq!(bad.err().unwrap().slug(), "invalid-number");
    }

    #[test]
    fn encodings() {
        let text = "téléphone\tnom\n0612345678\tZoë\n";
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut reader = open(&utf16, Options::new("FR")).unwrap();
        assert_eq!(
            (reader.encoding(), reader.delimiter()),
            (Encoding::Utf16Le, b'\t')
        );
        assert_eq!(read_all(&mut reader, 10).0[0].3, r#"{"nom":"Zoë"}"#);

        let latin1 = b"t\xe9l\xe9phone;nom\n0612345678;Zo\xeb\n0734567890;\x80\n";
        let mut reader = open(latin1, Options::new("FR")).unwrap();
        assert_eq!(reader.encoding(), Encoding::Latin1);
        assert_eq!(reader.columns()[0], "téléphone");
        let rows = read_all(&mut reader, 10).0;
        assert_eq!(rows[1].3, r#"{"nom":"€"}"#);

        // UTF-8 with a bad byte further than the sample: only that row goes.
        let mut big = b"\xef\xbb\xbfphone,n\n".to_vec();
        for i in 10..100_010 {
            big.extend_from_slice(format!("06{:08},x\n", i).as_bytes());
        }
        big.extend_from_slice(b"0799999999,\xff\n");
        let mut reader = open(&big, Options::new("FR")).unwrap();
        assert_eq!(reader.encoding(), Encoding::Utf8Bom);
        let (rows, rejected) = read_all(&mut reader, 4096);
        assert_eq!(rows.len(), 100_000);
        assert_eq!(rejected, [(100_002, "invalid-encoding")]);
    }

    #[test]
    fn no_header_and_given_options() {
        let text = b"Ann,0612345678,x\nBob,0734567890\n";
        let mut reader = open(text, Options::new("FR")).unwrap();
        assert!(!reader.header());
        assert_eq!(reader.columns(), ["column_1", "column_2", "column_3"]);
        let rows = read_all(&mut reader, 1).0;
        assert_eq!(rows[0].3, r#"{"column_1":"Ann","column_3":"x"}"#);
        assert_eq!(rows[1].0, 2);

        let options = Options {
            header: Some(true),
            phone_column: Some(PhoneColumn::Index(2)),
            delimiter: Some(b','),
            ..Options::new("FR")
        };
        let mut reader = open(text, options).unwrap();
        let rows = read_all(&mut reader, 10).0;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].3, r#"{"Ann":"Bob"}"#);
    }

    #[test]
    fn huge_fields_are_rejected_in_bounded_memory() {
        let mut text = b"phone,note\n".to_vec();
        text.extend_from_slice(b"0612345678,");
        text.extend(std::iter::repeat_n(b'x', 1 << 20));
        text.extend_from_slice(b"\n0612345679,\"");
        text.extend(std::iter::repeat_n(b'y', 3 << 20));
        text.extend_from_slice(b"\"\n0612345670,ok\n");
        let mut reader = open(&text, Options::new("FR")).unwrap();
        let (rows, rejected) = read_all(&mut reader, 10);
        assert_eq!(rejected, [(2, "field-too-long"), (3, "field-too-long")]);
        assert_eq!(rows[0].0, 4);
    }

    #[test]
    fn a_character_split_across_fields_is_invalid() {
        let mut reader = open(
            b"tel,a,b\n0612345678,\xc3,\xa9\n0612345679,\xc3\xa9,x\n",
            Options::new("FR"),
        )
        .unwrap();
        assert_eq!(reader.encoding(), Encoding::Latin1);
        let mut reader2 = open(
            b"\xef\xbb\xbftel,a,b\n0612345678,\xc3,\xa9\n0612345679,\xc3\xa9,x\n",
            Options::new("FR"),
        )
        .unwrap();
        assert_eq!(read_all(&mut reader, 10).0.len(), 2);
        let (rows, rejected) = read_all(&mut reader2, 10);
        assert_eq!((rows.len(), rejected), (1, vec![(2, "invalid-encoding")]));
    }

    #[test]
    fn rows_too_wide_to_keep_are_not_an_empty_file() {
        let mut text = b"tel".to_vec();
        text.extend(std::iter::repeat_n(b",c".as_slice(), 70_000).flatten());
        text.extend_from_slice(b"\n0612345678\n");
        let mut reader = open(&text, Options::new("FR")).unwrap();
        assert_eq!((reader.header(), reader.phone_column()), (true, 0));
        assert_eq!(read_all(&mut reader, 10).0[0].1, "+33612345678");
        // Only over-wide rows: nothing to find the phone in.
        let wide = b"0612345678,".repeat(70_000);
        let text = [wide.as_slice(), b"\n", wide.as_slice(), b"\n"].concat();
        let refused = open(&text, Options::new("FR")).err().unwrap();
        assert_eq!(refused.slug(), "phone-column-not-found");
    }

    #[test]
    fn excel_sep_line_and_blank_rows() {
        let text = b"sep=,\r\n,,\r\nnom,tel\r\n,\r\nAnn,0612345678\r\n , \r\n";
        let mut reader = open(text, Options::new("FR")).unwrap();
        assert_eq!(
            (reader.delimiter(), reader.header(), reader.phone_column()),
            (b',', true, 1)
        );
        let (rows, rejected) = read_all(&mut reader, 10);
        assert_eq!((rows.len(), rows[0].0), (1, 5));
        assert!(rejected.is_empty());
    }

    #[test]
    fn normalizes_single_numbers() {
        let phones = Phones::new(parse_region("FR").unwrap());
        let zones = zones();
        assert_eq!(
            normalize("06.12.34.56.78", &phones, &zones).unwrap(),
            ("+33612345678".into(), Some("Europe/Paris"))
        );
        assert_eq!(
            normalize("+81312345678", &phones, &zones).unwrap(),
            ("+81312345678".into(), None)
        );
        assert_eq!(
            normalize("abc", &phones, &zones).unwrap_err().0,
            RejectReason::PhoneCharacters
        );
    }
}
