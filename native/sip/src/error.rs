//! The one error type of the SIP crate. Each variant carries a stable slug that callers (the
//! Python bindings, `ccengine serve`) use instead of the message; docs/sip.md lists them.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SipError {
    #[error("invalid SIP configuration: {0}")]
    BadConfig(String),
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
    #[error("malformed SIP message: {0}")]
    Malformed(String),
    #[error("SIP message exceeds a limit: {0}")]
    TooLarge(String),
    #[error("malformed SDP: {0}")]
    BadSdp(String),
    #[error("no codec in common with the peer's offer")]
    NoCommonCodec,
    #[error("unknown leg {0}")]
    UnknownLeg(u64),
    #[error("unknown trunk {0:?}")]
    UnknownTrunk(String),
    #[error("leg {leg} cannot {action} while {state}")]
    WrongState {
        leg: u64,
        action: &'static str,
        state: &'static str,
    },
    #[error("invalid number or address {0:?}")]
    BadTarget(String),
    #[error("media plane: {0}")]
    Media(String),
    #[error("the SIP engine has stopped")]
    Stopped,
    #[error("SIP stack: {0}")]
    Stack(String),
}

impl SipError {
    /// Stable identifier of the error family, part of the public contract (docs/sip.md).
    pub fn slug(&self) -> &'static str {
        match self {
            Self::BadConfig(_) => "bad-config",
            Self::Bind { .. } => "bind-failed",
            Self::Malformed(_) => "malformed-message",
            Self::TooLarge(_) => "message-too-large",
            Self::BadSdp(_) => "bad-sdp",
            Self::NoCommonCodec => "no-common-codec",
            Self::UnknownLeg(_) => "unknown-leg",
            Self::UnknownTrunk(_) => "unknown-trunk",
            Self::WrongState { .. } => "wrong-state",
            Self::BadTarget(_) => "bad-target",
            Self::Media(_) => "media-failed",
            Self::Stopped => "engine-stopped",
            Self::Stack(_) => "stack-error",
        }
    }
}

pub type Result<T> = std::result::Result<T, SipError>;
