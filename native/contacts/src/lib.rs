//! Strict, streaming reader of contact lists (CSV exports from CRMs and marketing tools).
//!
//! [`ContactReader::open`] samples the file (its first MiB) and refuses one that cannot be read
//! at all ([`ContactsError`]); [`ContactReader::next_chunk`] then yields accepted rows (E.164
//! number, time zone, other columns as JSON) and rejected rows (line, [`RejectReason`], detail) in
//! chunks, holding one chunk, one read buffer and the numbers already seen (8 bytes each).
//!
//! The rules, in the order they apply:
//!
//! * **Encoding**: a UTF-8 BOM, a UTF-16 LE/BE BOM (transcoded), else UTF-8 if the sample is
//!   valid UTF-8, else Latin-1 (read as Windows-1252, as browsers do). Bytes invalid in the
//!   chosen encoding later in the file reject their row (`invalid-encoding`).
//! * **Refused files** (nothing returned): `file-empty` (no bytes, or only blanks),
//!   `file-binary` (a known signature — zip/xlsx, PNG, PDF… — or over 5% control bytes),
//!   `file-undecodable` (UTF-32, UTF-16 without BOM, a BOM contradicted by the content),
//!   `file-header-only`, `phone-column-not-found`, `unknown-region`, `io`; and bad arguments:
//!   `invalid-option`, `invalid-number` (existing / do-not-call not E.164), `invalid-zone-table`.
//! * **Shape**: a first line `sep=X` names the delimiter; else it is given, else sniffed among
//!   `,` `;` tab (the same non-zero count outside quotes on most of the first 200 records).
//!   Quotes, doubled quotes, newlines inside quotes, `\n` `\r\n` `\r` endings, rows of any
//!   length. Blank lines and rows of blank cells are skipped. Lines reported are the physical
//!   line (1-based, `\r\n` once) where the record starts.
//! * **Header and phone column**: given, or detected: a first-row cell named like a phone
//!   column (phone, téléphone, tel, mobile, portable, numéro, msisdn, gsm… case and accents
//!   aside) makes a header; else the column where at least half the sample cells look like
//!   numbers (most valid ones first), and a header if its first cell does not.
//! * **Row checks**: a record over 64 × the field limit (or 65,536 fields) or a field over the
//!   limit → `field-too-long`; a C0 control character other than tab, CR, LF →
//!   `control-character`; the phone cell trimmed: empty → `phone-missing`, a character other
//!   than digits and `( ) + - .` (seed 003) → `phone-characters`; then libphonenumber with the
//!   default region: `phone-too-short`, `phone-too-long` (its possible lengths), `phone-invalid`;
//!   then `do-not-call`, `duplicate-in-campaign`, `duplicate-in-file` (detail: the first line).
//! * **Accepted rows**: E.164, the time zone by longest prefix in the caller's [`ZoneTable`],
//!   the other columns as one JSON object (header names, `column_N` past the header or without).
//!
//! [`ChunkSink`] lands a chunk in a SQLite database (rows, rejections, counts) in one
//! transaction, through statements its caller (the store, which owns the schema) gives it.
mod encoding;
mod error;
mod fields;
mod phone;
mod plans;
mod reader;
mod records;
mod sink;
mod sniff;
mod zones;

pub use encoding::Encoding;
pub use error::{ContactsError, RejectReason};
pub use phone::{parse_region, Phones};
pub use reader::{normalize, Chunk, ContactReader, Options, Rejection, Row};
pub use rlibphonenumber::Region;
pub use sink::{ChunkSink, Landed, SinkSql, Target};
pub use sniff::PhoneColumn;
pub use zones::{ZoneId, ZoneTable};
