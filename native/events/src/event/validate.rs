//! Field checks of one event that need no aggregator state (docs/metrics.md, "Validation").

use super::{Event, EventKind, NONE};
use crate::entities::EntityIndex;
use crate::error::{EventsError, Result};

/// `Some(kind)` when `e` passes every rule `check_fields` applies: the batch path's fast test,
/// which leaves finding the reason for a refusal to `check_fields`.
#[inline]
pub(crate) fn fields_pass(e: &Event, index: &EntityIndex) -> Option<EventKind> {
    let kind = EventKind::from_code(e.kind).ok()?;
    let v = e.value;
    // `&` rather than `&&`: every test is cheap, and one branch beats several.
    let pass = index.knows_ids(e)
        & (!kind.requires_agent() | (e.agent != NONE))
        & (!kind.is_queue() | (e.call != 0))
        & v.is_finite()
        & (!kind.has_non_negative_value() | (v >= 0.0));
    let pass = pass
        && match kind {
            EventKind::CsatScored => (1.0..=5.0).contains(&v),
            EventKind::NpsScored => (0.0..=10.0).contains(&v) && v.fract() == 0.0,
            EventKind::Sale => e.aux != 0,
            _ => true,
        };
    pass.then_some(kind)
}

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
        _ if kind.has_non_negative_value() && v < 0.0 => Err(EventsError::NegativeValue {
            kind: kind.name(),
            value: v,
        }),
        EventKind::CsatScored if !(1.0..=5.0).contains(&v) => Err(EventsError::ScoreOutOfRange {
            kind: kind.name(),
            value: v,
        }),
        EventKind::NpsScored if !(0.0..=10.0).contains(&v) || v.fract() != 0.0 => {
            Err(EventsError::ScoreOutOfRange {
                kind: kind.name(),
                value: v,
            })
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
        EntityIndex::new(Sizes {
            tenant: 1,
            agent: 2,
            team: 1,
            campaign: 1,
            list: 1,
            queue: 1,
            channel: 1,
        })
    }

    fn slug(e: Event) -> &'static str {
        let slug = check_fields(&e, &index())
            .map(|_| "ok")
            .unwrap_or_else(|err| err.slug());
        assert_eq!(
            fields_pass(&e, &index()).is_some(),
            slug == "ok",
            "the fast test agrees: {e:?}"
        );
        slug
    }

    #[test]
    fn each_rule_has_its_slug() {
        assert_eq!(slug(Event::new(0, 99)), "unknown-kind");
        let mut e = Event::new(0, EventKind::DialAttempt as u8);
        assert_eq!(slug(e), "ok");
        e.agent = 2;
        assert_eq!(slug(e), "unknown-id");
        assert_eq!(
            slug(Event::new(0, EventKind::AgentLogin as u8)),
            "missing-agent"
        );
        assert_eq!(
            slug(Event::new(0, EventKind::QueueEntered as u8)),
            "missing-call"
        );
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
        assert_eq!(
            slug(Event::new(0, EventKind::Sale as u8)),
            "zero-transactions"
        );
    }

    #[test]
    fn the_fast_test_agrees_with_the_rules_on_random_events() {
        use rand::rngs::SmallRng;
        use rand::{RngExt, SeedableRng};
        let mut rng = SmallRng::seed_from_u64(7);
        let ids = [0, 1, 2, NONE];
        let values = [
            f64::NAN,
            f64::INFINITY,
            -1.0,
            -0.0,
            0.0,
            0.5,
            1.0,
            5.0,
            6.0,
            9.0,
            10.0,
            10.5,
            20.5,
        ];
        for _ in 0..200_000 {
            let mut e = Event::new(0, rng.random_range(0..32u8));
            for id in [
                &mut e.tenant,
                &mut e.campaign,
                &mut e.list,
                &mut e.agent,
                &mut e.team,
                &mut e.queue,
                &mut e.channel,
            ] {
                *id = ids[rng.random_range(0..ids.len())];
            }
            e.value = values[rng.random_range(0..values.len())];
            (e.aux, e.call) = (rng.random_range(0..2), rng.random_range(0..2));
            assert_eq!(
                fields_pass(&e, &index()),
                check_fields(&e, &index()).ok(),
                "{e:?}"
            );
        }
    }
}
