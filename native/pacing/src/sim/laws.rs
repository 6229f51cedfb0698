//! The laws in force at a moment of the simulated day — the scenario's, changed by its drifts —
//! and what they make of a record's fate. The simulator and the simulated carrier of a live run
//! (`ccengine.sim`) both turn fates into outcomes and durations here, so the n-th record dialled
//! meets the same fate in `ccengine plan` and on the wire.

use super::dist::LogNormal;
use super::record::Fate;
use super::scenario::{Drift, Scenario};

/// Seconds of a machine's greeting the engine's answering-machine detection listens to before
/// it decides: the simulator resolves a machine answer that much after the pickup, and a
/// machine that would not be decided before the ring timeout rings out.
pub const AMD_SECONDS: f64 = 2.5;

/// Seconds a voicemail records after its beep before it hangs up. The scenario has no key for
/// it (the simulator drops machines once detected); this is room for a left message.
pub const VOICEMAIL_SECONDS: f64 = 30.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Human,
    Machine,
    NoAnswer,
    Busy,
    Invalid,
}

impl Outcome {
    /// Stable name, part of the Python API (`ccengine.sim`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Human => "human",
            Self::Machine => "machine",
            Self::NoAnswer => "no-answer",
            Self::Busy => "busy",
            Self::Invalid => "invalid",
        }
    }
}

/// Outcome shares and duration laws in force.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Laws {
    pub human: f64,
    pub machine: f64,
    pub busy: f64,
    pub invalid: f64,
    pub answer: LogNormal,
    pub talk: LogNormal,
    pub wrap: LogNormal,
}

impl Laws {
    /// The laws at the start of the day.
    pub fn new(sc: &Scenario) -> Self {
        Self {
            human: sc.outcomes.human,
            machine: sc.outcomes.machine,
            busy: sc.outcomes.busy,
            invalid: sc.outcomes.invalid,
            answer: LogNormal::new(sc.ring.answer_mean, sc.ring.answer_sd),
            talk: LogNormal::new(sc.talk.mean, sc.talk.sd),
            wrap: LogNormal::new(sc.wrap.mean, sc.wrap.sd),
        }
    }

    /// The laws at `seconds` into the day: every drift whose time has come, applied in time
    /// order (drifts at the same time in file order), as the simulator's event queue does.
    pub fn at(sc: &Scenario, seconds: f64) -> Self {
        let mut due: Vec<&Drift> = sc
            .drift
            .iter()
            .filter(|d| d.at_hours * 3600.0 <= seconds)
            .collect();
        due.sort_by(|a, b| a.at_hours.total_cmp(&b.at_hours));
        let mut laws = Self::new(sc);
        for d in due {
            laws.drift(sc, d);
        }
        laws
    }

    /// Applies one drift: new shares, and new means with the scenario's coefficient of variation.
    pub fn drift(&mut self, sc: &Scenario, d: &Drift) {
        self.human = d.human.unwrap_or(self.human);
        self.machine = d.machine.unwrap_or(self.machine);
        if let Some(m) = d.talk_mean {
            self.talk = LogNormal::new(m, sc.talk.sd * m / sc.talk.mean);
        }
        if let Some(m) = d.wrap_mean {
            self.wrap = LogNormal::new(m, sc.wrap.sd * m / sc.wrap.mean);
        }
        if let Some(m) = d.answer_mean {
            self.answer = LogNormal::new(m, sc.ring.answer_sd * m / sc.ring.answer_mean);
        }
    }

    /// The outcome of a call and its ring: seconds until a person or a machine picks up, until
    /// a busy or invalid signal comes back, or the ring timeout for a call that rings out.
    /// People answer before the timeout, machines early enough to be detected before it, or
    /// the call rings out.
    pub fn outcome(&self, fate: &Fate, ring_timeout: f64) -> (Outcome, f64) {
        let r = fate.outcome;
        let (outcome, ring) = if r < self.human {
            (Outcome::Human, self.answer.at(fate.answer))
        } else if r < self.human + self.machine {
            (Outcome::Machine, self.answer.at(fate.answer))
        } else if r < self.human + self.machine + self.busy {
            (Outcome::Busy, 2.0 + 3.0 * fate.failure)
        } else if r < self.human + self.machine + self.busy + self.invalid {
            (Outcome::Invalid, 0.5 + 1.5 * fate.failure)
        } else {
            (Outcome::NoAnswer, ring_timeout)
        };
        let decided = match outcome {
            Outcome::Machine => ring + AMD_SECONDS,
            _ => ring,
        };
        match outcome {
            Outcome::Human | Outcome::Machine if decided >= ring_timeout => {
                (Outcome::NoAnswer, ring_timeout)
            }
            _ => (outcome, ring),
        }
    }

    pub fn talk(&self, fate: &Fate) -> f64 {
        self.talk.at(fate.talk)
    }

    pub fn wrap(&self, fate: &Fate) -> f64 {
        self.wrap.at(fate.wrap)
    }
}

#[cfg(test)]
mod tests {
    use super::super::scenario::sample;
    use super::*;

    fn drifting() -> Scenario {
        let drifts = "[[drift]]\nat_hours = 5\nhuman = 0.4\n[[drift]]\nat_hours = 2\nhuman = 0.3\ntalk_mean = 120\n";
        sample(
            "human = 0.2\nmachine = 0.1\nbusy = 0.1\ninvalid = 0.1",
            drifts,
        )
    }

    #[test]
    fn drifts_apply_in_time_order_from_their_moment_on() {
        let sc = drifting();
        assert_eq!(Laws::at(&sc, 0.0), Laws::new(&sc));
        let at_two = Laws::at(&sc, 2.0 * 3600.0);
        assert_eq!(at_two.human, 0.3);
        assert_eq!(at_two.talk, LogNormal::new(120.0, 40.0));
        let late = Laws::at(&sc, 6.0 * 3600.0);
        assert_eq!(late.human, 0.4);
        assert_eq!(late.talk, at_two.talk);
    }

    #[test]
    fn each_outcome_comes_from_its_share_of_the_uniform() {
        let sc = drifting();
        let laws = Laws::new(&sc);
        let fate = |outcome| Fate {
            outcome,
            answer: 0.0,
            failure: 0.5,
            talk: 0.0,
            wrap: 0.0,
        };
        let expected = [
            (0.1, Outcome::Human),
            (0.25, Outcome::Machine),
            (0.35, Outcome::Busy),
            (0.45, Outcome::Invalid),
            (0.9, Outcome::NoAnswer),
        ];
        for (u, outcome) in expected {
            assert_eq!(laws.outcome(&fate(u), 25.0).0, outcome, "{u}");
        }
        assert_eq!(laws.outcome(&fate(0.35), 25.0).1, 3.5);
        assert_eq!(laws.outcome(&fate(0.9), 25.0).1, 25.0);
    }

    #[test]
    fn a_late_answer_rings_out_and_a_machine_needs_time_to_be_detected() {
        let sc = drifting();
        let laws = Laws::new(&sc);
        // The median answer delay of the default law is just under 9 s.
        let fate = |outcome| Fate {
            outcome,
            answer: 0.0,
            failure: 0.5,
            talk: 0.0,
            wrap: 0.0,
        };
        let ring = laws.answer.at(0.0);
        assert_eq!(laws.outcome(&fate(0.1), ring + 1.0), (Outcome::Human, ring));
        assert_eq!(
            laws.outcome(&fate(0.25), ring + 1.0),
            (Outcome::NoAnswer, ring + 1.0)
        );
        assert_eq!(
            laws.outcome(&fate(0.25), ring + AMD_SECONDS + 0.1),
            (Outcome::Machine, ring)
        );
    }
}
