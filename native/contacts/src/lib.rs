//! Strict, streaming reader of contact lists (CSV exports from CRMs and marketing tools).
//!
//! [`ContactReader::open`] samples the file and refuses one that cannot be read at all
//! ([`ContactsError`]); [`ContactReader::next_chunk`] then yields accepted rows (E.164 number,
//! time zone, other columns as JSON) and rejected rows (line, [`RejectReason`], detail) in chunks,
//! holding at most one chunk and one read buffer in memory.

mod encoding;
mod error;
mod fields;
mod phone;
mod plans;
mod reader;
mod records;
mod sniff;
mod zones;

pub use encoding::Encoding;
pub use error::{ContactsError, RejectReason};
pub use phone::{parse_region, Phones};
pub use reader::{normalize, Chunk, ContactReader, Options, Rejection, Row};
pub use rlibphonenumber::Region;
pub use sniff::PhoneColumn;
pub use zones::{ZoneId, ZoneTable};
