//! Baseline policies the predictive mode is measured against (bench/pacing_table.py):
//! a drop-rate controller modelled on the public description of VICIdial's adaptive dial
//! methods (ADAPT_HARD_LIMIT, ADAPT_TAPERED, ADAPT_AVERAGE). The dial level (lines per idle
//! agent) is recomputed every 15 seconds: it climbs while agents wait and the day's drop
//! percentage is under the limit, falls when calls were dropped in the last interval, and is
//! forced back to 1 (progressive) once the drop percentage reaches the limit (hard limit). The
//! calls placed are `level x idle agents - calls ringing`, as in a fixed ratio.

use crate::error::Result;
use crate::snapshot::Snapshot;
use crate::Policy;

#[derive(Debug, Clone)]
pub struct AdaptDropRate {
    /// Drop percentage limit (share of human answers), e.g. 0.03.
    pub drop_limit: f64,
    /// Highest dial level allowed ("maximum adapt dial level").
    pub max_level: f64,
    /// Level step per adjustment ("adaptive intensity").
    pub intensity: f64,
    pub level: f64,
    last_adjust: Option<f64>,
    last_counts: (i64, i64),
    idle_seen: (f64, u32),
}

impl AdaptDropRate {
    pub fn new(drop_limit: f64, max_level: f64) -> Self {
        Self {
            drop_limit,
            max_level,
            intensity: 0.1,
            level: 1.0,
            last_adjust: None,
            last_counts: (0, 0),
            idle_seen: (0.0, 0),
        }
    }

    fn adjust(&mut self, s: &Snapshot) {
        let (humans, drops) = (s.counts.human, s.counts.abandons);
        let dropped_now = drops - self.last_counts.1;
        let day_rate = if humans > 0 {
            drops as f64 / humans as f64
        } else {
            0.0
        };
        let waiting = if self.idle_seen.1 > 0 {
            self.idle_seen.0 / self.idle_seen.1 as f64
        } else {
            0.0
        };
        let working = (s.agents - s.paused).max(1) as f64;
        if day_rate >= self.drop_limit {
            // Hard limit: at or over the limit the dialer stops dialling ahead.
            self.level = 1.0;
        } else if dropped_now > 0 {
            self.level -= self.intensity * dropped_now as f64;
        } else {
            // Agents waiting: raise in proportion to the share of agents waiting.
            self.level += self.intensity * (1.0 + 4.0 * waiting / working);
        }
        self.level = self.level.clamp(1.0, self.max_level);
        self.last_counts = (humans, drops);
        self.idle_seen = (0.0, 0);
    }
}

impl Policy for AdaptDropRate {
    fn decide(&mut self, s: &Snapshot) -> Result<u32> {
        s.validate()?;
        self.idle_seen.0 += s.idle as f64;
        self.idle_seen.1 += 1;
        match self.last_adjust {
            None => self.last_adjust = Some(s.now),
            Some(at) if s.now - at >= 15.0 => {
                self.adjust(s);
                self.last_adjust = Some(s.now);
            }
            Some(_) => {}
        }
        let want = (self.level * s.idle as f64).round() as i64 - s.ringing.len() as i64;
        let left = s.records_left.unwrap_or(i64::MAX);
        Ok(want.clamp(0, left) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Counts;

    #[test]
    fn the_level_climbs_while_agents_wait_and_drops_to_one_over_the_limit() {
        let mut p = AdaptDropRate::new(0.03, 5.0);
        let mut s = Snapshot {
            agents: 10,
            idle: 10,
            ..Default::default()
        };
        for i in 0..100 {
            s.now = i as f64;
            p.decide(&s).unwrap();
        }
        assert!(p.level > 1.5, "{}", p.level);
        s.counts = Counts {
            attempts: 100,
            human: 20,
            abandons: 2,
            connects: 18,
            ..Default::default()
        };
        s.now = 200.0;
        p.decide(&s).unwrap();
        assert_eq!(p.level, 1.0);
    }
}
