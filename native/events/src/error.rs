//! The one error type of the indicator engine. Each variant carries a stable slug that callers
//! (the Python bindings, the API's problem bodies, ingest reports) use instead of the message.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum EventsError {
    #[error("unknown event kind {0}")]
    UnknownKind(u8),
    #[error("{dimension} id {id} is unknown (the aggregator holds {size})")]
    UnknownId {
        dimension: &'static str,
        id: u32,
        size: u32,
    },
    #[error("{0} events must name an agent")]
    MissingAgent(&'static str),
    #[error("{0} events must carry a call id")]
    MissingCall(&'static str),
    #[error("value {0} is not a finite number")]
    ValueNotFinite(f64),
    #[error("{kind} value {value} must not be negative")]
    NegativeValue { kind: &'static str, value: f64 },
    #[error("{kind} score {value} is out of range")]
    ScoreOutOfRange { kind: &'static str, value: f64 },
    #[error("SALE events need at least one transaction")]
    ZeroTransactions,
    #[error(
        "agent {agent} event at {time} is earlier than its previous state event at {previous}"
    )]
    AgentEventOutOfOrder {
        agent: u32,
        time: i64,
        previous: i64,
    },
    #[error("{what} {id} event at {time} is earlier than its previous state event at {previous}")]
    StateEventOutOfOrder {
        what: &'static str,
        id: u32,
        time: i64,
        previous: i64,
    },
    #[error("event at {time} is older than the oldest period held (from {horizon})")]
    EventTooOld { time: i64, horizon: i64 },
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    #[error("time {0} is outside the supported range")]
    TimeOutOfRange(i64),
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("columns have different lengths: {0}")]
    ColumnLengths(String),
    #[error("not a usable checkpoint: {0}")]
    BadCheckpoint(String),
}

impl EventsError {
    /// Stable identifier of the error family, part of the public contract (docs/metrics.md).
    pub fn slug(&self) -> &'static str {
        match self {
            Self::UnknownKind(_) => "unknown-kind",
            Self::UnknownId { .. } => "unknown-id",
            Self::MissingAgent(_) => "missing-agent",
            Self::MissingCall(_) => "missing-call",
            Self::ValueNotFinite(_) => "value-not-finite",
            Self::NegativeValue { .. } => "negative-value",
            Self::ScoreOutOfRange { .. } => "score-out-of-range",
            Self::ZeroTransactions => "zero-transactions",
            Self::AgentEventOutOfOrder { .. } => "agent-event-out-of-order",
            Self::StateEventOutOfOrder { .. } => "state-event-out-of-order",
            Self::EventTooOld { .. } => "event-too-old",
            Self::UnknownTimeZone(_) => "unknown-time-zone",
            Self::TimeOutOfRange(_) => "time-out-of-range",
            Self::InvalidArgument(_) => "invalid-argument",
            Self::ColumnLengths(_) => "column-lengths",
            Self::BadCheckpoint(_) => "bad-checkpoint",
        }
    }
}

pub type Result<T, E = EventsError> = std::result::Result<T, E>;
