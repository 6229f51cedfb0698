//! The one error type of the media crate. Each variant carries a stable slug that callers (the
//! Python bindings) use instead of the message; docs/media.md lists them.

use std::fmt;

use thiserror::Error;

/// Why an incoming packet was dropped. Malformed packets are counted per reason, never fatal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Malformed {
    TooShort,
    BadVersion,
    CsrcOverrun,
    BadPadding,
    BadExtension,
    BadRtcp,
    BadTelephoneEvent,
}

impl Malformed {
    pub const ALL: [Malformed; 7] = [
        Self::TooShort,
        Self::BadVersion,
        Self::CsrcOverrun,
        Self::BadPadding,
        Self::BadExtension,
        Self::BadRtcp,
        Self::BadTelephoneEvent,
    ];

    pub fn reason(self) -> &'static str {
        match self {
            Self::TooShort => "too-short",
            Self::BadVersion => "bad-version",
            Self::CsrcOverrun => "csrc-overrun",
            Self::BadPadding => "bad-padding",
            Self::BadExtension => "bad-extension",
            Self::BadRtcp => "bad-rtcp",
            Self::BadTelephoneEvent => "bad-telephone-event",
        }
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

#[derive(Debug, Error)]
pub enum MediaError {
    #[error("malformed packet: {0}")]
    Malformed(Malformed),
    #[error("unknown {kind} {id}")]
    UnknownId { kind: &'static str, id: u64 },
    #[error("leg {leg} is already in room {room}")]
    LegInRoom { leg: u64, room: u64 },
    #[error("payload type {0} is not a codec this engine speaks (PCMU 0, PCMA 8)")]
    UnsupportedCodec(u8),
    #[error("bad audio file {path}: {reason}")]
    BadAudio { path: String, reason: String },
    #[error("bad setting {field}: {reason}")]
    BadSetting { field: &'static str, reason: String },
    #[error("I/O error ({context}): {source}")]
    Io {
        context: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("the media engine has stopped")]
    Stopped,
}

impl MediaError {
    /// Stable identifier of the error family, part of the public contract (docs/media.md).
    pub fn slug(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed-packet",
            Self::UnknownId { .. } => "unknown-id",
            Self::LegInRoom { .. } => "leg-in-room",
            Self::UnsupportedCodec(_) => "unsupported-codec",
            Self::BadAudio { .. } => "bad-audio",
            Self::BadSetting { .. } => "bad-setting",
            Self::Io { .. } => "io",
            Self::Stopped => "stopped",
        }
    }

    pub fn io(context: &'static str, source: std::io::Error) -> Self {
        Self::Io { context, source }
    }
}

impl From<Malformed> for MediaError {
    fn from(m: Malformed) -> Self {
        Self::Malformed(m)
    }
}

pub type Result<T> = std::result::Result<T, MediaError>;
