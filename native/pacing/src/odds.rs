//! Outcome odds of a call, learned from the running counts: each decision adds the attempts
//! resolved since the previous one, and older attempts fade out (a memory of `MEMORY`
//! resolved attempts), so a mid-day drift in the answer rate is followed within minutes.

use crate::snapshot::Counts;

/// Resolved attempts after which an attempt's weight has fallen to 1/e.
pub const MEMORY: f64 = 600.0;
/// The same for the fast estimate of the human share: when people start answering more, the
/// pacer believes it within a couple of hundred attempts (over-estimating people is the safe
/// side: fewer calls, fewer abandons).
pub const FAST_MEMORY: f64 = 150.0;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Odds {
    pub human: f64,
    pub machine: f64,
    pub no_answer: f64,
    /// Busy, invalid number and other quick failures.
    pub other: f64,
}

/// Decayed sums of outcomes, fed with count deltas.
#[derive(Debug, Clone, Default)]
pub struct OddsLearner {
    last: Option<(Counts, i64)>,
    resolved: f64,
    human: f64,
    machine: f64,
    no_answer: f64,
    fast_resolved: f64,
    fast_human: f64,
}

impl OddsLearner {
    /// Takes the running counts and the calls still ringing; returns how many attempts are now
    /// known to be resolved in total (weighted).
    pub fn observe(&mut self, counts: &Counts, ringing: i64) {
        let resolved_now = counts.attempts - ringing;
        let (dh, dm, dn, dr) = match self.last {
            // Counts that went down (a restart of the caller's tallies) restart the learning.
            Some((prev, prev_resolved))
                if counts.human >= prev.human
                    && counts.machine >= prev.machine
                    && counts.no_answer >= prev.no_answer
                    && resolved_now >= prev_resolved =>
            {
                (
                    counts.human - prev.human,
                    counts.machine - prev.machine,
                    counts.no_answer - prev.no_answer,
                    resolved_now - prev_resolved,
                )
            }
            _ => {
                *self = Self::default();
                (counts.human, counts.machine, counts.no_answer, resolved_now)
            }
        };
        self.last = Some((*counts, resolved_now));
        if dr <= 0 && dh + dm + dn <= 0 {
            return;
        }
        let dr = dr.max(dh + dm + dn) as f64;
        let keep = (-dr / MEMORY).exp();
        self.resolved = self.resolved * keep + dr;
        self.human = self.human * keep + dh as f64;
        self.machine = self.machine * keep + dm as f64;
        self.no_answer = self.no_answer * keep + dn as f64;
        let keep = (-dr / FAST_MEMORY).exp();
        self.fast_resolved = self.fast_resolved * keep + dr;
        self.fast_human = self.fast_human * keep + dh as f64;
    }

    /// Weighted number of resolved attempts the odds rest on.
    pub fn weight(&self) -> f64 {
        self.resolved
    }

    pub fn odds(&self) -> Odds {
        if self.resolved <= 0.0 {
            return Odds {
                human: 0.0,
                machine: 0.0,
                no_answer: 0.0,
                other: 1.0,
            };
        }
        let fast = if self.fast_resolved > 0.0 {
            self.fast_human / self.fast_resolved
        } else {
            0.0
        };
        let h = (self.human / self.resolved).max(fast).clamp(0.0, 1.0);
        let m = (self.machine / self.resolved).clamp(0.0, 1.0 - h);
        let n = (self.no_answer / self.resolved).clamp(0.0, 1.0 - h - m);
        Odds {
            human: h,
            machine: m,
            no_answer: n,
            other: (1.0 - h - m - n).max(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(attempts: i64, human: i64) -> Counts {
        Counts {
            attempts,
            human,
            no_answer: attempts - human,
            ..Default::default()
        }
    }

    #[test]
    fn odds_follow_the_counts_and_then_a_drift() {
        let mut l = OddsLearner::default();
        l.observe(&counts(1000, 300), 0);
        assert!((l.odds().human - 0.3).abs() < 1e-9);
        // 3000 more attempts at 10%: the memory forgets the 30% era.
        l.observe(&counts(4000, 600), 0);
        let h = l.odds().human;
        assert!(h > 0.09 && h < 0.13, "{h}");
    }

    #[test]
    fn ringing_calls_are_not_resolved() {
        let mut l = OddsLearner::default();
        let c = Counts {
            attempts: 100,
            human: 10,
            no_answer: 40,
            ..Default::default()
        };
        l.observe(&c, 50);
        assert!((l.weight() - 50.0).abs() < 1e-9);
        assert!((l.odds().human - 0.2).abs() < 1e-9);
    }
}
