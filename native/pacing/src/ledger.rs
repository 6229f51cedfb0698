//! Human answers and abandons by minute, for the tallies a snapshot carries: the compliance
//! window and the last hour. The caller owns it (it must survive a pacer restart).

use std::collections::VecDeque;

use crate::config::ComplianceWindow;
use crate::snapshot::Tally;

/// Minutes (from `now / 60`) with their counts, oldest first, and their running sum.
#[derive(Debug, Clone, Default)]
struct Span {
    minutes: Option<i64>,
    buckets: VecDeque<(i64, Tally)>,
    sum: Tally,
}

impl Span {
    fn add(&mut self, minute: i64, humans: i64, abandons: i64) {
        match self.buckets.back_mut() {
            Some((m, t)) if *m == minute => {
                t.humans += humans;
                t.abandons += abandons;
            }
            _ => self.buckets.push_back((minute, Tally { humans, abandons })),
        }
        self.sum.humans += humans;
        self.sum.abandons += abandons;
    }

    fn tally(&mut self, minute: i64) -> Tally {
        if let Some(span) = self.minutes {
            while let Some((m, t)) = self.buckets.front() {
                if *m > minute - span {
                    break;
                }
                self.sum.humans -= t.humans;
                self.sum.abandons -= t.abandons;
                self.buckets.pop_front();
            }
        }
        self.sum
    }
}

#[derive(Debug, Clone)]
pub struct AbandonLedger {
    hour: Span,
    window: Span,
}

fn minute(now: f64) -> i64 {
    (now / 60.0).floor() as i64
}

impl AbandonLedger {
    pub fn new(window: ComplianceWindow) -> Self {
        let window_minutes = window.seconds().map(|s| (s / 60.0) as i64);
        Self {
            hour: Span {
                minutes: Some(60),
                ..Span::default()
            },
            window: Span {
                minutes: window_minutes,
                ..Span::default()
            },
        }
    }

    /// Counts human answers and abandons at `now` (seconds, non-decreasing).
    pub fn record(&mut self, now: f64, humans: i64, abandons: i64) {
        let m = minute(now);
        self.hour.add(m, humans, abandons);
        self.window.add(m, humans, abandons);
    }

    /// The current minute and the 59 before it.
    pub fn last_hour(&mut self, now: f64) -> Tally {
        self.hour.tally(minute(now))
    }

    pub fn window(&mut self, now: f64) -> Tally {
        self.window.tally(minute(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_hour_forgets_older_minutes() {
        let mut l = AbandonLedger::new(ComplianceWindow::Hours24);
        l.record(10.0, 10, 1);
        l.record(1800.0, 5, 0);
        assert_eq!(
            l.last_hour(3000.0),
            Tally {
                humans: 15,
                abandons: 1
            }
        );
        assert_eq!(
            l.last_hour(3600.0),
            Tally {
                humans: 5,
                abandons: 0
            }
        );
        assert_eq!(
            l.window(3600.0),
            Tally {
                humans: 15,
                abandons: 1
            }
        );
        assert_eq!(
            l.window(86_400.0 + 1800.0),
            Tally {
                humans: 0,
                abandons: 0
            }
        );
    }

    #[test]
    fn a_lifetime_window_keeps_everything() {
        let mut l = AbandonLedger::new(ComplianceWindow::Lifetime);
        l.record(0.0, 3, 1);
        assert_eq!(
            l.window(1e9),
            Tally {
                humans: 3,
                abandons: 1
            }
        );
    }
}
