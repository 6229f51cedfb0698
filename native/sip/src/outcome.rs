//! What a failed or finished dial attempt means to a dialer: the SIP final status mapped to the
//! outcome the campaign records (RFC 3261 §21 and the usual carrier practice, Q.850 in mind).

/// Outcome of an originated call that never got answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DialOutcome {
    /// 486, 600: the called party is busy.
    Busy,
    /// 404, 484, 485, 604: the number does not exist or is incomplete.
    InvalidNumber,
    /// 408, 480 or our own ring timeout: nobody answered.
    NoAnswer,
    /// 500, 502, 503, 504: the carrier or the network could not take the call now.
    Congestion,
    /// 403, 603 and other declines: the call was refused.
    Rejected,
    /// 401, 407 we could not satisfy: our trunk credentials are wrong.
    AuthFailed,
    /// We cancelled it before an answer (hang-up command while ringing).
    Cancelled,
    /// The network never answered at all (transaction timeout, transport error).
    Unreachable,
    /// Any other final failure.
    Failed,
}

impl DialOutcome {
    pub fn from_status(status: u16) -> Self {
        match status {
            486 | 600 => Self::Busy,
            404 | 410 | 484 | 485 | 604 => Self::InvalidNumber,
            408 | 480 | 487 => Self::NoAnswer,
            500 | 502 | 503 | 504 | 580 => Self::Congestion,
            401 | 407 => Self::AuthFailed,
            403 | 603 | 606 => Self::Rejected,
            _ => Self::Failed,
        }
    }

    /// Stable name used by Python and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Busy => "busy",
            Self::InvalidNumber => "invalid-number",
            Self::NoAnswer => "no-answer",
            Self::Congestion => "congestion",
            Self::Rejected => "rejected",
            Self::AuthFailed => "auth-failed",
            Self::Cancelled => "cancelled",
            Self::Unreachable => "unreachable",
            Self::Failed => "failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carrier_statuses_map_to_dial_outcomes() {
        assert_eq!(DialOutcome::from_status(486), DialOutcome::Busy);
        assert_eq!(DialOutcome::from_status(600), DialOutcome::Busy);
        assert_eq!(DialOutcome::from_status(404), DialOutcome::InvalidNumber);
        assert_eq!(DialOutcome::from_status(484), DialOutcome::InvalidNumber);
        assert_eq!(DialOutcome::from_status(480), DialOutcome::NoAnswer);
        assert_eq!(DialOutcome::from_status(408), DialOutcome::NoAnswer);
        assert_eq!(DialOutcome::from_status(503), DialOutcome::Congestion);
        assert_eq!(DialOutcome::from_status(603), DialOutcome::Rejected);
        assert_eq!(DialOutcome::from_status(407), DialOutcome::AuthFailed);
        assert_eq!(DialOutcome::from_status(488), DialOutcome::Failed);
    }
}
