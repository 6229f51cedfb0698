//! An agent's pauses: the time worked before each pause and its length, drawn from the agent's
//! own stream (the agent's rank in the order agents join), so the simulator and the simulated
//! agents of a live run draw the same pauses for the same agent.

use rand::rngs::SmallRng;

use super::dist::exponential;
use super::record::{stream, AGENTS};
use super::scenario::Pauses;

pub struct PauseDraws {
    rng: SmallRng,
    per_hour: f64,
    mean_seconds: f64,
}

impl PauseDraws {
    pub fn new(seed: u64, agent: u64, pauses: &Pauses) -> Self {
        Self {
            rng: stream(seed, AGENTS, agent),
            per_hour: pauses.per_hour,
            mean_seconds: pauses.mean_seconds,
        }
    }

    /// Seconds of work until the agent next wants a pause (never, without pauses). Draws
    /// alternate with `length`: gap, length, gap, length …
    pub fn gap(&mut self) -> f64 {
        if self.per_hour > 0.0 {
            exponential(&mut self.rng, 3600.0 / self.per_hour)
        } else {
            f64::INFINITY
        }
    }

    /// Seconds the pause lasts.
    pub fn length(&mut self) -> f64 {
        exponential(&mut self.rng, self.mean_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_come_at_the_asked_rate_and_length() {
        let mut draws = PauseDraws::new(
            3,
            0,
            &Pauses {
                per_hour: 2.0,
                mean_seconds: 300.0,
            },
        );
        let n = 20_000;
        let (gaps, lengths): (Vec<f64>, Vec<f64>) =
            (0..n).map(|_| (draws.gap(), draws.length())).unzip();
        let gap = gaps.iter().sum::<f64>() / n as f64;
        let length = lengths.iter().sum::<f64>() / n as f64;
        assert!((gap - 1800.0).abs() < 40.0, "{gap}");
        assert!((length - 300.0).abs() < 7.0, "{length}");
    }

    #[test]
    fn without_pauses_the_gap_is_endless() {
        let mut draws = PauseDraws::new(
            3,
            0,
            &Pauses {
                per_hour: 0.0,
                mean_seconds: 300.0,
            },
        );
        assert_eq!(draws.gap(), f64::INFINITY);
    }
}
