//! The fate of one record, drawn from the seed and the record's rank in the list alone.
//!
//! Every policy run on the same scenario and seed meets the same people: the n-th record
//! dialled answers (or not) after the same delay and talks for the same time, whatever the
//! calls before it did. Comparisons between policies (and the hindsight search over fixed
//! ratios) then measure pacing, not which policy drew the luckier list (common random
//! numbers). The draws are kept as uniforms and normal deviates, so a law that drifts during
//! the day still applies to the records dialled after the drift.

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

use super::dist::standard_normal;

#[derive(Debug, Clone, Copy)]
pub struct Fate {
    /// Picks the outcome against the outcome shares in force.
    pub outcome: f64,
    /// Answer delay of a person or a machine (normal deviate).
    pub answer: f64,
    /// Where in its range a busy or invalid signal comes back (uniform).
    pub failure: f64,
    /// Talk and wrap-up durations if the person is connected (normal deviates).
    pub talk: f64,
    pub wrap: f64,
}

impl Fate {
    pub fn of(seed: u64, rank: u64) -> Self {
        let mut rng = stream(seed, RECORDS, rank);
        Self {
            outcome: rng.random(),
            answer: standard_normal(&mut rng),
            failure: rng.random(),
            talk: standard_normal(&mut rng),
            wrap: standard_normal(&mut rng),
        }
    }
}

/// The families of streams drawn from one run's seed.
pub const RECORDS: u64 = 0;
pub const AGENTS: u64 = 1 << 62;

/// The random stream number `rank` of a family, for the run seeded `seed`: distinct seeds,
/// families and ranks give unrelated streams (the seed is mixed before the rank is added).
pub fn stream(seed: u64, family: u64, rank: u64) -> SmallRng {
    SmallRng::seed_from_u64(splitmix(seed) ^ family ^ rank)
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_has_one_fate_per_seed() {
        let (a, b) = (Fate::of(7, 123), Fate::of(7, 123));
        assert_eq!((a.outcome, a.answer, a.talk), (b.outcome, b.answer, b.talk));
        assert_ne!(Fate::of(7, 123).outcome, Fate::of(8, 123).outcome);
    }

    #[test]
    fn neighbouring_ranks_are_independent() {
        // The outcome uniforms of consecutive ranks: mean 1/2, no lag-one correlation.
        let u: Vec<f64> = (0..50_000).map(|r| Fate::of(1, r).outcome).collect();
        let mean = u.iter().sum::<f64>() / u.len() as f64;
        let lag = u
            .windows(2)
            .map(|w| (w[0] - 0.5) * (w[1] - 0.5))
            .sum::<f64>()
            / (u.len() - 1) as f64
            / (1.0 / 12.0);
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        assert!(lag.abs() < 0.02, "{lag}");
    }
}
