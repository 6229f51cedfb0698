//! The pacer: one per campaign. `decide` takes a snapshot and returns how many calls to place
//! now. Deterministic and clock-free: the same snapshots in the same order give the same
//! decisions. It learns the outcome odds from the running counts and keeps a gain that trims
//! the model against the abandons actually counted.

use crate::config::{Mode, PacingConfig};
use crate::error::{PacingError, Result};
use crate::odds::OddsLearner;
use crate::overflow::{normal_overflow, Exact, EXACT_TERMS};
use crate::snapshot::Snapshot;
use crate::survival::Grid;
use crate::tables::{Tables, CHECKPOINTS};

/// Why a decision came out as it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Preview,
    Progressive,
    Power,
    /// Predictive mode without enough statistics yet: dialled progressively.
    ColdStart,
    /// Predictive, the model's answer.
    Predictive,
    /// Predictive, held back because the compliance window or the last hour is near the cap.
    Guarded,
}

impl Reason {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Preview => "preview",
            Self::Progressive => "progressive",
            Self::Power => "power",
            Self::ColdStart => "cold-start",
            Self::Predictive => "predictive",
            Self::Guarded => "guarded",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// Calls to place now.
    pub place: u32,
    pub reason: Reason,
    /// Abandoned share of the coming human answers the decision aimed at (0 outside predictive).
    pub target_rate: f64,
    /// Expected abandons and expected human answers over the horizon, with the calls placed.
    pub expected_abandons: f64,
    pub expected_humans: f64,
}

/// Seconds of `now` between two rebuilds of the duration tables.
const TABLES_EVERY: f64 = 60.0;
/// Seconds of `now` between two refreshes of the ring-odds table.
const ODDS_EVERY: f64 = 1.0;
/// Abandons of headroom below which the guard starts closing.
const GUARD_RAMP: f64 = 3.0;
/// Abandons kept in reserve under the cap by the guard.
const GUARD_MARGIN: f64 = 2.0;
/// Share of the cap the guard defends: the rest covers an hour whose older, busier minutes
/// slide out of the window.
const GUARD_SHARE: f64 = 0.75;
/// Gain change per abandon counted above the target (log scale).
const GAIN_STEP: f64 = 0.15;
/// The model counts overflows at a few checkpoints, not over every path: it underestimates
/// abandons about threefold, which the gain starts from.
const INITIAL_GAIN: f64 = 0.15;

#[derive(Debug, Clone)]
pub struct Pacer {
    config: PacingConfig,
    previous_now: Option<f64>,
    odds: OddsLearner,
    tables: Tables,
    answer: Grid,
    tables_at: Option<f64>,
    odds_at: f64,
    gain: f64,
    seen: Option<(i64, i64)>,
    exact: [Exact; CHECKPOINTS],
}

impl Pacer {
    pub fn new(config: PacingConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self {
            config,
            previous_now: None,
            odds: OddsLearner::default(),
            tables: Tables::default(),
            answer: Grid::exponential(10.0),
            tables_at: None,
            odds_at: f64::NEG_INFINITY,
            gain: INITIAL_GAIN,
            seen: None,
            exact: Default::default(),
        })
    }

    pub fn config(&self) -> &PacingConfig {
        &self.config
    }

    /// The gain the predictive model is trimmed by (1 = the model as is).
    pub fn gain(&self) -> f64 {
        self.gain
    }

    pub fn decide(&mut self, s: &Snapshot) -> Result<Decision> {
        s.validate()?;
        if let Some(previous) = self.previous_now {
            if s.now < previous {
                return Err(PacingError::TimeWentBack { now: s.now, previous });
            }
        }
        self.previous_now = Some(s.now);
        let ringing = s.ringing.len() as i64;
        self.odds.observe(&s.counts, ringing);
        let lines = ((s.agents as f64) * self.config.max_lines_per_agent).ceil() as i64;
        let lines = self.config.max_lines.map_or(lines, |m| m.min(lines));
        let mut room = (lines - ringing).max(0);
        if let Some(left) = s.records_left {
            room = room.min(left);
        }
        let progressive = (s.idle - ringing).clamp(0, room);
        let plain = |place: i64, reason| Decision {
            place: place as u32,
            reason,
            target_rate: 0.0,
            expected_abandons: 0.0,
            expected_humans: 0.0,
        };
        Ok(match self.config.mode {
            Mode::Preview => plain(progressive, Reason::Preview),
            Mode::Progressive => plain(progressive, Reason::Progressive),
            Mode::Power { ratio } => {
                plain((((ratio * s.idle as f64).round() as i64) - ringing).clamp(0, room), Reason::Power)
            }
            Mode::Predictive => self.predict(s, progressive, room),
        })
    }

    fn refresh(&mut self, s: &Snapshot) {
        let c = self.config;
        let odds = self.odds.odds();
        let stale = self.tables_at.is_none_or(|at| s.now - at >= TABLES_EVERY || s.now < at);
        if stale {
            let talk = Grid::learned(s.recent_talk, c.min_talks, c.prior_talk);
            let wrap = Grid::learned(s.recent_wrap, c.min_talks, c.prior_wrap);
            self.answer = Grid::learned(s.recent_answer, c.min_talks, c.prior_answer);
            // The checkpoints span nearly all answer delays: a call placed now is somebody's
            // demand until it is answered, and a person answering late still needs an agent.
            let horizon = self.answer.quantile(0.98).max(CHECKPOINTS);
            self.tables = Tables::build(&talk, &wrap, &self.answer, &odds, c.ring_timeout, horizon, c.connect_limit);
            self.tables_at = Some(s.now);
            self.odds_at = s.now;
        } else if s.now - self.odds_at >= ODDS_EVERY {
            self.tables.refresh_odds(&self.answer, &odds, c.ring_timeout);
            self.odds_at = s.now;
        }
    }

    /// Trims the gain by the abandons counted against the target since the last decision.
    fn learn_gain(&mut self, s: &Snapshot, target: f64) {
        let now = (s.counts.human, s.counts.abandons);
        if let Some((h, a)) = self.seen {
            if now.0 >= h && now.1 >= a {
                let surplus = (now.1 - a) as f64 - target * (now.0 - h) as f64;
                self.gain = (self.gain * (-GAIN_STEP * surplus).exp()).clamp(0.02, 3.0);
            }
        }
        self.seen = Some(now);
    }

    fn predict(&mut self, s: &Snapshot, progressive: i64, room: i64) -> Decision {
        let c = self.config;
        let small = s.agents <= c.small_team;
        let target = c.abandon_cap * c.target_share * if small { 0.5 } else { 1.0 };
        self.learn_gain(s, target);
        let cold = self.odds.weight() < c.min_resolved as f64
            || s.recent_talk.len() < c.min_talks
            || self.odds.odds().human <= 0.0;
        if cold {
            return Decision {
                place: progressive as u32,
                reason: Reason::ColdStart,
                target_rate: 0.0,
                expected_abandons: 0.0,
                expected_humans: 0.0,
            };
        }
        self.refresh(s);
        let t = &self.tables;
        const K: usize = CHECKPOINTS;
        let exact = small || s.talking.len() + s.wrapping.len() + s.ringing.len() <= EXACT_TERMS;
        let (mut mean, mut var, mut humans) = ([-(s.idle as f64); K], [0.0; K], 0.0);
        if exact {
            self.exact.iter_mut().for_each(Exact::reset);
        }
        for &r in s.ringing {
            let row = t.ring_human(r);
            humans += row[K - 1];
            for j in 0..K {
                let p = row[j];
                mean[j] += p;
                var[j] += p * (1.0 - p);
                if exact && p > 0.0 {
                    self.exact[j].add(p, true);
                }
            }
        }
        let supplies = s.talking.iter().map(|&e| t.talk_free(e)).chain(s.wrapping.iter().map(|&w| t.wrap_free(w)));
        for row in supplies {
            for j in 0..K {
                let q = row[j];
                mean[j] -= q;
                var[j] += q * (1.0 - q);
                if exact && q > 0.0 {
                    self.exact[j].add(q, false);
                }
            }
        }
        let p = t.new_human;
        let normal_at = |n: i64| {
            (0..K)
                .map(|j| normal_overflow(mean[j] + n as f64 * p[j], var[j] + n as f64 * p[j] * (1.0 - p[j])))
                .fold(0.0, f64::max)
        };
        let exact_now = |e: &[Exact; K]| e.iter().map(|x| x.overflow(s.idle)).fold(0.0, f64::max);
        let in_flight = if exact { exact_now(&self.exact) } else { normal_at(0) };
        // Headroom, in abandons, left under the cap in the compliance window and the last hour
        // once the calls already ringing have had their expected abandons (corrected by the
        // gain, which measures how far the model is from the abandons counted). A finite list
        // also bounds the people still to answer: the last hour of a list must dilute its
        // abandons too.
        let in_flight = in_flight / self.gain.max(0.1);
        let headroom =
            |humans: f64, abandons: i64| GUARD_SHARE * c.abandon_cap * humans - abandons as f64 - in_flight - GUARD_MARGIN;
        let mut room_left = headroom(s.window.humans as f64, s.window.abandons)
            .min(headroom(s.last_hour.humans as f64, s.last_hour.abandons));
        if let Some(left) = s.records_left {
            let to_come = left as f64 * self.odds.odds().human + humans;
            if to_come < s.last_hour.humans as f64 {
                room_left = room_left.min(headroom(to_come, 0));
            }
        }
        // Closing gradually, to a quarter, while there is headroom; shut at none.
        let guard = if room_left <= 0.0 { 0.0 } else { (room_left / GUARD_RAMP).clamp(0.25, 1.0) };
        let alpha = target * self.gain * guard;
        let fits = |n: i64, overflow: f64| n <= progressive || overflow <= alpha * (humans + n as f64 * p[K - 1]);
        let (place, abandons) = if exact {
            for _ in 0..progressive {
                self.exact.iter_mut().zip(p).for_each(|(e, p)| e.add(p, true));
            }
            let mut best = (progressive, exact_now(&self.exact));
            for n in progressive + 1..=room {
                self.exact.iter_mut().zip(p).for_each(|(e, p)| e.add(p, true));
                let o = exact_now(&self.exact);
                if !fits(n, o) {
                    break;
                }
                best = (n, o);
            }
            best
        } else {
            // The overflow share grows with n: find the last n that fits by doubling, then halving.
            let (mut lo, mut hi) = (progressive, progressive + 1);
            while hi <= room && fits(hi, normal_at(hi)) {
                lo = hi;
                hi = progressive + (hi - progressive) * 2;
            }
            let mut hi = hi.min(room + 1);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if fits(mid, normal_at(mid)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            (lo, normal_at(lo))
        };
        Decision {
            place: place as u32,
            reason: if guard < 1.0 { Reason::Guarded } else { Reason::Predictive },
            target_rate: alpha,
            expected_abandons: abandons,
            expected_humans: humans + place as f64 * p[K - 1],
        }
    }
}
