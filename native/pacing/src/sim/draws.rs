//! The draws of a live simulated run (`ccengine.sim`): what happens to the n-th call the
//! simulated carrier receives, and when each simulated agent pauses. They come from the same
//! fates, laws and streams as the simulator's, so a live run and `ccengine plan` on one scenario
//! and seed meet the same people.

use super::laws::{Laws, Outcome, VOICEMAIL_SECONDS};
use super::pauses::PauseDraws;
use super::record::Fate;
use super::scenario::Scenario;

/// What happens to one call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallFate {
    pub outcome: Outcome,
    /// Seconds of ringing before a person or a machine picks up, before a busy or invalid
    /// signal, or the ring timeout for a call nobody answers.
    pub ring: f64,
    /// For a person, seconds of conversation; for a machine, seconds it records after its beep.
    pub talk: f64,
    /// Seconds of wrap-up the agent of a connected person takes.
    pub wrap: f64,
}

pub struct Draws {
    scenario: Scenario,
    seed: u64,
}

impl Draws {
    pub fn new(scenario: Scenario, seed: u64) -> Self {
        Self { scenario, seed }
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The fate of the call of rank `rank` (0 for the first), placed `at` seconds into the day
    /// (the laws drift during the day).
    pub fn call(&self, rank: u64, at: f64) -> CallFate {
        let fate = Fate::of(self.seed, rank);
        let laws = Laws::at(&self.scenario, at);
        let (outcome, ring) = laws.outcome(&fate, self.scenario.ring.timeout);
        let talk = match outcome {
            Outcome::Machine => VOICEMAIL_SECONDS,
            _ => laws.talk(&fate),
        };
        CallFate {
            outcome,
            ring,
            talk,
            wrap: laws.wrap(&fate),
        }
    }

    /// The first `count` pauses of agent `agent` (its rank in the order agents join): (seconds
    /// worked since logging in or since the previous pause ended, seconds of pause). Empty
    /// when the scenario has no pauses.
    pub fn pauses(&self, agent: u64, count: usize) -> Vec<(f64, f64)> {
        let mut draws = PauseDraws::new(self.seed, agent, &self.scenario.pauses);
        let mut out = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            let gap = draws.gap();
            if !gap.is_finite() {
                break;
            }
            out.push((gap, draws.length()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::scenario::sample;
    use super::*;

    fn scenario(extra: &str) -> Scenario {
        sample(
            "human = 0.3\nmachine = 0.2\nbusy = 0.1\ninvalid = 0.05",
            extra,
        )
    }

    #[test]
    fn a_call_has_one_fate_per_seed_and_rank() {
        let draws = Draws::new(scenario(""), 7);
        assert_eq!(draws.call(42, 100.0), draws.call(42, 100.0));
        let other = Draws::new(scenario(""), 8);
        assert!((0..20).any(|r| draws.call(r, 0.0) != other.call(r, 0.0)));
    }

    #[test]
    fn outcomes_follow_the_shares() {
        let draws = Draws::new(scenario(""), 1);
        let n = 40_000;
        let mut counts = [0u32; 5];
        for rank in 0..n {
            let i = match draws.call(rank, 0.0).outcome {
                Outcome::Human => 0,
                Outcome::Machine => 1,
                Outcome::Busy => 2,
                Outcome::Invalid => 3,
                Outcome::NoAnswer => 4,
            };
            counts[i] += 1;
        }
        // Answers later than the ring timeout ring out: a few of the people and machines.
        let share = |i: usize| f64::from(counts[i]) / n as f64;
        assert!(share(0) < 0.3 && share(0) > 0.29, "{counts:?}");
        assert!(share(1) < 0.2 && share(1) > 0.185, "{counts:?}");
        assert!((share(2) - 0.1).abs() < 0.006, "{counts:?}");
        assert!((share(3) - 0.05).abs() < 0.005, "{counts:?}");
    }

    #[test]
    fn a_drift_changes_the_calls_placed_after_it() {
        let draws = Draws::new(scenario("[[drift]]\nat_hours = 1\nhuman = 0.6\n"), 1);
        let humans = |at: f64| {
            (0..10_000)
                .filter(|&r| draws.call(r, at).outcome == Outcome::Human)
                .count()
        };
        assert!(humans(3599.0) < 3_100);
        assert!(humans(3600.0) > 5_800);
    }

    #[test]
    fn a_machine_records_after_its_beep_and_pauses_stop_when_there_are_none() {
        let draws = Draws::new(scenario("[pauses]\nper_hour = 1\n"), 1);
        let machine = (0..)
            .map(|r| draws.call(r, 0.0))
            .find(|f| f.outcome == Outcome::Machine)
            .unwrap();
        assert_eq!(machine.talk, VOICEMAIL_SECONDS);
        assert_eq!(draws.pauses(2, 5).len(), 5);
        assert_eq!(draws.pauses(2, 5), draws.pauses(2, 5));
        assert!(Draws::new(scenario(""), 1).pauses(0, 5).is_empty());
    }
}
