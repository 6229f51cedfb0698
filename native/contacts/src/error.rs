//! The crate's one error enum (a file refused as a whole, a bad option) and the reasons a single
//! row is rejected. Both carry a stable slug: Python and the import report key on it.

use thiserror::Error;

/// Why a file (or a call) was refused as a whole; nothing is read from a refused file.
#[derive(Debug, Error)]
pub enum ContactsError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is binary ({0}), not a text export")]
    Binary(&'static str),
    #[error("the file has a header row and no data rows")]
    HeaderOnly,
    #[error("the file cannot be decoded: {0}")]
    Undecodable(&'static str),
    #[error("no phone column found: {0}")]
    PhoneColumnNotFound(String),
    #[error("unknown region {0:?} (expected an ISO 3166 two-letter code such as FR)")]
    UnknownRegion(String),
    #[error("invalid option: {0}")]
    InvalidOption(String),
    #[error("invalid zone table entry: {0}")]
    InvalidZoneTable(String),
    #[error("not an E.164 number: {0:?}")]
    InvalidNumber(String),
    /// A single number given to `normalize` was rejected; the slug is the reason's.
    #[error("{1}")]
    Rejected(RejectReason, String),
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// Landing a chunk in the database failed (locked past the timeout, disk full, schema).
    #[error("cannot write to the database: {0}")]
    Database(#[from] rusqlite::Error),
}

impl ContactsError {
    /// Stable identifier of the rule that failed.
    pub fn slug(&self) -> &'static str {
        match self {
            Self::Empty => "file-empty",
            Self::Binary(_) => "file-binary",
            Self::HeaderOnly => "file-header-only",
            Self::Undecodable(_) => "file-undecodable",
            Self::PhoneColumnNotFound(_) => "phone-column-not-found",
            Self::UnknownRegion(_) => "unknown-region",
            Self::InvalidOption(_) => "invalid-option",
            Self::InvalidZoneTable(_) => "invalid-zone-table",
            Self::InvalidNumber(_) => "invalid-number",
            Self::Rejected(reason, _) => reason.slug(),
            Self::Io(_) => "io",
            Self::Database(_) => "database",
        }
    }
}

/// Why one row was rejected while the rest of the file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectReason {
    PhoneMissing,
    PhoneCharacters,
    PhoneTooShort,
    PhoneTooLong,
    PhoneInvalid,
    DuplicateInFile,
    DuplicateInCampaign,
    DoNotCall,
    FieldTooLong,
    ControlCharacter,
    InvalidEncoding,
}

impl RejectReason {
    pub const ALL: [RejectReason; 11] = [
        Self::PhoneMissing,
        Self::PhoneCharacters,
        Self::PhoneTooShort,
        Self::PhoneTooLong,
        Self::PhoneInvalid,
        Self::DuplicateInFile,
        Self::DuplicateInCampaign,
        Self::DoNotCall,
        Self::FieldTooLong,
        Self::ControlCharacter,
        Self::InvalidEncoding,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::PhoneMissing => "phone-missing",
            Self::PhoneCharacters => "phone-characters",
            Self::PhoneTooShort => "phone-too-short",
            Self::PhoneTooLong => "phone-too-long",
            Self::PhoneInvalid => "phone-invalid",
            Self::DuplicateInFile => "duplicate-in-file",
            Self::DuplicateInCampaign => "duplicate-in-campaign",
            Self::DoNotCall => "do-not-call",
            Self::FieldTooLong => "field-too-long",
            Self::ControlCharacter => "control-character",
            Self::InvalidEncoding => "invalid-encoding",
        }
    }

    /// A generic human sentence (rows carry a more precise detail).
    pub fn describe(self) -> &'static str {
        match self {
            Self::PhoneMissing => "no phone number",
            Self::PhoneCharacters => {
                "the phone number has characters other than digits and ( ) + - ."
            }
            Self::PhoneTooShort => "the phone number is too short",
            Self::PhoneTooLong => "the phone number is too long",
            Self::PhoneInvalid => "not a valid phone number",
            Self::DuplicateInFile => "the number appears earlier in the file",
            Self::DuplicateInCampaign => "the number is already in the campaign",
            Self::DoNotCall => "the number is on the do-not-call list",
            Self::FieldTooLong => "a field is too long",
            Self::ControlCharacter => "a field holds a control character",
            Self::InvalidEncoding => "the row's bytes are invalid in the file's encoding",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_distinct() {
        let mut slugs: Vec<_> = RejectReason::ALL.iter().map(|r| r.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), RejectReason::ALL.len());
        assert_eq!(
            ContactsError::Rejected(RejectReason::DoNotCall, String::new()).slug(),
            "do-not-call"
        );
    }
}
