//! The one error type of the pacing crate. Each variant carries a stable slug that callers (the
//! Python bindings, `ccengine plan`) use instead of the message; docs/pacing.md lists them.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum PacingError {
    #[error("{field} must not be negative (got {value})")]
    NegativeCount { field: &'static str, value: i64 },
    #[error("{field} must be a finite, non-negative number of seconds (got {value})")]
    BadDuration { field: &'static str, value: f64 },
    #[error(
        "{busy} agents are idle, talking, wrapping up or paused but only {agents} are logged in"
    )]
    TooManyBusy { busy: i64, agents: i64 },
    #[error("counts do not add up: {0}")]
    InconsistentCounts(String),
    #[error("time {now} is earlier than the previous decision's {previous}")]
    TimeWentBack { now: f64, previous: f64 },
    #[error("invalid pacing configuration: {0}")]
    BadConfig(String),
    #[error("{0}")]
    BadScenario(String),
}

impl PacingError {
    /// Stable identifier of the error family, part of the public contract (docs/pacing.md).
    pub fn slug(&self) -> &'static str {
        match self {
            Self::NegativeCount { .. } => "negative-count",
            Self::BadDuration { .. } => "bad-duration",
            Self::TooManyBusy { .. } => "too-many-busy",
            Self::InconsistentCounts(_) => "inconsistent-counts",
            Self::TimeWentBack { .. } => "time-went-back",
            Self::BadConfig(_) => "bad-config",
            Self::BadScenario(_) => "bad-scenario",
        }
    }
}

pub type Result<T> = std::result::Result<T, PacingError>;
