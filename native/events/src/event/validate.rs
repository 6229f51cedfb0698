//! Field checks of one event that need no aggregator state (docs/metrics.md, "Validation").

use super::{Event, EventKind, NONE};
use crate::entities::EntityIndex;
use crate::error::{EventsError, Result};

/// Checks everything about `e` that its own fields decide, returning its kind.
pub(crate) fn check_fields(e: &Event, index: &EntityIndex) -> Result<EventKind> {
    let kind = EventKind::from_code(e.kind)?;
    index.check_ids(e)?;
    if kind.requires_agent() && e.agent == NONE {
        return Err(EventsError::MissingAgent(kind.name()));
    }
    if kind.is_queue() && e.call == 0 {
        return Err(EventsError::MissingCall(kind.name()));
    }
    let v = e.value;
    if !v.is_finite() {
        return Err(EventsError::ValueNotFinite(v));
    }
    match kind {
        EventKind::Hangup
        | EventKind::WrapupEnd
        | EventKind::Sale
        | EventKind::MessageAnswered
        | EventKind::QueueAnswered
        | EventKind::QueueAbandoned
            if v < 0.0 =>
        {
            Err(EventsError::NegativeValue { kind: kind.name(), value: v })
        }
        EventKind::CsatScored if !(1.0..=5.0).contains(&v) => {
            Err(EventsError::ScoreOutOfRange { kind: kind.name(), value: v })
        }
        EventKind::NpsScored if !(0.0..=10.0).contains(&v) || v.fract() != 0.0 => {
            Err(EventsError::ScoreOutOfRange { kind: kind.name(), value: v })
        }
        EventKind::Sale if e.aux == 0 => Err(EventsError::ZeroTransactions),
        _ => Ok(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Sizes;

    fn index() -> EntityIndex {
        EntityIndex::new(Sizes { tenant: 1, agent: 2, team: 1, campaign: 1, list: 1, queue: 1, channel: 1 })
    }

    fn slug(e: Event) -> &'static str {
        check_fields(&e, &index()).map(|_| "ok").unwrap_or_else(|err| err.slug())
    }

    #[test]
    fn each_rule_has_its_slug() {
        assert_eq!(slug(Event::new(0, 99)), "unknown-kind");
        let mut e = Event::new(0, EventKind::DialAttempt as u8);
        assert_eq!(slug(e), "ok");
        e.agent = 2;
        assert_eq!(slug(e), "unknown-id");
        assert_eq!(slug(Event::new(0, EventKind::AgentLogin as u8)), "missing-agent");
        assert_eq!(slug(Event::new(0, EventKind::QueueEntered as u8)), "missing-call");
        let mut e = Event::new(0, EventKind::Hangup as u8);
        e.value = f64::NAN;
        assert_eq!(slug(e), "value-not-finite");
        e.value = -1.0;
        assert_eq!(slug(e), "negative-value");
        let mut e = Event::new(0, EventKind::CsatScored as u8);
        e.value = 6.0;
        assert_eq!(slug(e), "score-out-of-range");
        let mut e = Event::new(0, EventKind::NpsScored as u8);
        e.value = 7.5;
        assert_eq!(slug(e), "score-out-of-range");
        e.value = 10.0;
        assert_eq!(slug(e), "ok");
        assert_eq!(slug(Event::new(0, EventKind::Sale as u8)), "zero-transactions");
    }
}
