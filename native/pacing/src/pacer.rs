//! The pacer: one per campaign. `decide` takes a snapshot and returns how many calls to place
//! now. Deterministic and clock-free: the same snapshots in the same order give the same
//! decisions. It learns the outcome odds from the running counts and keeps a gain that trims
//! the model against the abandons actually counted.

use crate::config::{Mode, PacingConfig};
use crate::error::{PacingError, Result};
use crate::odds::OddsLearner;
use crate::overflow::{refined_short, Exact, EXACT_TERMS};
use crate::snapshot::Snapshot;
use crate::survival::Grid;
use crate::tables::{Tables, Terms, CHECKPOINTS};

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
    /// Predictive, dialled progressively: the list runs out before the calling window closes
    /// even so, and abandons would buy no more conversations.
    ListBound,
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
            Self::ListBound => "list-bound",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// Calls to place now.
    pub place: u32,
    pub reason: Reason,
    /// Chance of being abandoned the last call's person could carry at most (0 outside
    /// predictive): the target, or a tenth of it once the abandon budget is spent.
    pub target_rate: f64,
    /// Expected abandons and expected human answers over the horizon, with the calls placed.
    pub expected_abandons: f64,
    pub expected_humans: f64,
}

/// Calls added one by one before the search for more turns to doubling and halving.
const LINEAR_STEPS: i64 = 4;
/// Seconds of `now` between two rebuilds of the duration tables.
const TABLES_EVERY: f64 = 60.0;
/// Share of the target risk a call may carry once the abandon budget is spent.
const GUARD_FLOOR: f64 = 0.1;
/// Relative error allowed on the learned share of people answering (its drift): the people
/// expected from the calls in flight may be this much more or fewer, all together.
const ODDS_DOUBT: f64 = 0.2;
/// Share of the recent durations below which a duration's tail is taken as exponential.
const THIN_TAIL: f64 = 0.04;
/// Seconds of `now` between two refreshes of the ring-odds table.
const ODDS_EVERY: f64 = 1.0;
/// Abandons kept in reserve under the cap by the guard.
const GUARD_MARGIN: f64 = 2.0;
/// Deviations of the horizon's abandon count (Poisson) the guard keeps room for.
const GUARD_SPREAD: f64 = 1.5;
/// Share of the cap the guard defends: the rest covers an hour whose older, busier minutes
/// slide out of the window, and the shocks no model sees coming (half the agents logging out
/// at once, the share of people answering tripling at once; see the staffing and drift
/// scenarios).
const GUARD_SHARE: f64 = 0.7;
/// Gain change per abandon counted above the target (log scale).
const GAIN_STEP: f64 = 0.05;
/// The gain starts from the model as is.
const INITIAL_GAIN: f64 = 1.0;
/// Normal deviate of the chance that a rolling hour's abandons, a Poisson count, exceed the
/// cap although their mean is on target (2.33: 1%).
const HOUR_SPREAD: f64 = 2.33;
/// Seconds of a campaign's first hour before its pace of human answers is extrapolated.
const MIN_EXTRAPOLATION: f64 = 600.0;
/// Share of the agents' time left that working the rest of a list progressively may take
/// for the pacer to call the day list-bound (the rest covers pauses and slower hours).
const LIST_SLACK: f64 = 0.8;

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
    /// First decision's time and human answers: the pace of answers in the first hour.
    start: Option<(f64, i64)>,
    exact: [Exact; CHECKPOINTS],
    /// Scratch: calls ringing per whole second.
    ring_counts: Vec<u32>,
}

/// z with P(Z > z) = a for a standard normal Z, 0 < a <= 1/2 (Abramowitz and Stegun
/// 26.2.23, absolute error under 4.5e-4: a starting guess only).
fn upper_quantile(a: f64) -> f64 {
    let t = (-2.0 * a.ln()).sqrt();
    t - (2.515_517 + t * (0.802_853 + t * 0.010_328))
        / (1.0 + t * (1.432_788 + t * (0.189_269 + t * 0.001_308)))
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
            start: None,
            exact: Default::default(),
            ring_counts: Vec::new(),
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
                return Err(PacingError::TimeWentBack {
                    now: s.now,
                    previous,
                });
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
            Mode::Power { ratio } => plain(
                (((ratio * s.idle as f64).round() as i64) - ringing).clamp(0, room),
                Reason::Power,
            ),
            Mode::Predictive => self.predict(s, progressive, room),
        })
    }

    fn refresh(&mut self, s: &Snapshot) {
        let c = self.config;
        let odds = self.odds.odds();
        let stale = self
            .tables_at
            .is_none_or(|at| s.now - at >= TABLES_EVERY || s.now < at);
        if stale {
            // Calls and wrap-ups still running are censored observations of their durations.
            let talk = Grid::learned_censored(s.recent_talk, s.talking, c.min_talks, c.prior_talk)
                .with_exponential_tail(THIN_TAIL);
            let wrap = Grid::learned_censored(s.recent_wrap, s.wrapping, c.min_talks, c.prior_wrap)
                .with_exponential_tail(THIN_TAIL);
            self.answer = Grid::learned(s.recent_answer, c.min_talks, c.prior_answer);
            // The checkpoints span nearly all answer delays: a call placed now is somebody's
            // demand until it is answered, and a person answering late still needs an agent.
            let horizon = self.answer.quantile(0.98).max(CHECKPOINTS);
            self.tables = Tables::build(
                &talk,
                &wrap,
                &self.answer,
                &odds,
                c.ring_timeout,
                horizon,
                c.connect_limit,
            );
            self.tables_at = Some(s.now);
            self.odds_at = s.now;
        } else if s.now - self.odds_at >= ODDS_EVERY {
            self.tables
                .refresh_odds(&self.answer, &odds, c.ring_timeout);
            self.odds_at = s.now;
        }
    }

    /// Trims the gain by the abandons counted against the target since the last decision.
    fn learn_gain(&mut self, s: &Snapshot, target: f64) {
        let now = (s.counts.human, s.counts.abandons);
        if let Some((h, a)) = self.seen {
            if now.0 >= h && now.1 >= a {
                let surplus = (now.1 - a) as f64 - target * (now.0 - h) as f64;
                self.gain = (self.gain * (-GAIN_STEP * surplus).exp()).clamp(0.2, 20.0);
            }
        }
        self.seen = Some(now);
    }

    /// People answering in a rolling hour: the last hour's, or in the first hour of the pacer,
    /// its pace so far if higher (the hour is not over, and its final count is what matters).
    fn hour_humans(&mut self, s: &Snapshot) -> f64 {
        let (start, humans_at_start) = *self.start.get_or_insert((s.now, s.counts.human));
        let elapsed = s.now - start;
        let last_hour = s.last_hour.humans as f64;
        if elapsed >= 3600.0 {
            return last_hour;
        }
        let pace = (s.counts.human - humans_at_start).max(0) as f64 * 3600.0
            / elapsed.max(MIN_EXTRAPOLATION);
        last_hour.max(pace)
    }

    /// Whether the agents logged in work the rest of the list progressively before the
    /// calling window closes. Each record takes an agent for at most the ring timeout (the agent
    /// waits while its call rings) and, when a person answers, for a talk and a wrap-up: every
    /// person of the list then reaches an agent, none is abandoned, and dialling ahead of the
    /// agents would only spend abandons on people progressive dialling reaches anyway.
    fn list_outlasted(&self, s: &Snapshot) -> bool {
        let (Some(left), Some(time_left)) = (s.records_left, s.time_left) else {
            return false;
        };
        let working = (s.agents - s.paused) as f64;
        if working <= 0.0 {
            return false;
        }
        let mean = |v: &[f64], prior: f64| {
            if v.is_empty() {
                prior
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        };
        let c = &self.config;
        let handle = mean(s.recent_talk, c.prior_talk) + mean(s.recent_wrap, c.prior_wrap);
        let per_record = c.ring_timeout + self.odds.odds().human * handle;
        left as f64 * per_record <= LIST_SLACK * working * time_left
    }

    fn predict(&mut self, s: &Snapshot, progressive: i64, room: i64) -> Decision {
        let c = self.config;
        let small = s.agents <= c.small_team;
        let hour_humans = self.hour_humans(s);
        let target = (c.abandon_cap * c.target_share * if small { 0.5 } else { 1.0 })
            .min(hour_safe_rate(c.abandon_cap, hour_humans));
        self.learn_gain(s, target);
        let cold = self.odds.weight() < c.min_resolved as f64
            || s.recent_talk.len() < c.min_talks
            || self.odds.odds().human <= 0.0;
        let calm = if cold {
            Some(Reason::ColdStart)
        } else if self.list_outlasted(s) {
            Some(Reason::ListBound)
        } else {
            None
        };
        if let Some(reason) = calm {
            return Decision {
                place: progressive as u32,
                reason,
                target_rate: 0.0,
                expected_abandons: 0.0,
                expected_humans: 0.0,
            };
        }
        self.refresh(s);
        let t = &self.tables;
        const K: usize = CHECKPOINTS;
        let exact = small || s.talking.len() + s.wrapping.len() + s.ringing.len() <= EXACT_TERMS;
        // At each checkpoint c_j: people answering by c_j (D_j) less agents free by c_j + L
        // (S_j) less the idle agents; mean, variance, and the expected people alone.
        let (mut demand, mut supply) = (Terms::ZERO, Terms::ZERO);
        // Calls ringing for the same whole second share their entry: count them per second.
        self.ring_counts.clear();
        self.ring_counts.resize(t.ring_cells(), 0);
        if !self.ring_counts.is_empty() {
            for &r in s.ringing {
                self.ring_counts[t.ring_cell(r)] += 1;
            }
        }
        for (cell, &count) in self.ring_counts.iter().enumerate() {
            if count > 0 {
                t.ring_entry(cell).add_times_to(count as f32, &mut demand);
            }
        }
        for &e in s.talking {
            t.talk_free(e).add_to(&mut supply);
        }
        for &w in s.wrapping {
            t.wrap_free(w).add_to(&mut supply);
        }
        let (mut mean, mut var, mut k3, mut people) = ([0.0; K], [0.0; K], [0.0; K], [0.0; K]);
        for j in 0..K {
            let (d, q) = (&demand.0, &supply.0);
            people[j] = d[j] as f64;
            mean[j] = d[j] as f64 - q[j] as f64 - s.idle as f64;
            var[j] = d[K + j] as f64 + q[K + j] as f64;
            k3[j] = d[2 * K + j] as f64 - q[2 * K + j] as f64;
        }
        if exact {
            self.exact.iter_mut().for_each(Exact::reset);
            let rows = s.ringing.iter().map(|&r| (t.ring_human(r), true));
            let rows = rows.chain(s.talking.iter().map(|&e| (t.talk_free(e), false)));
            for (row, demand) in rows.chain(s.wrapping.iter().map(|&w| (t.wrap_free(w), false))) {
                for (j, e) in self.exact.iter_mut().enumerate() {
                    let p = row.p(j);
                    if p > 0.0 {
                        e.add(p, demand);
                    }
                }
            }
        }
        let p = t.new_human;
        // Expected abandons along the whole horizon: each person answering between two
        // checkpoints is abandoned when, at the later one, the people answered so far
        // outnumber the agents free by then and the connect limit (X_j >= 1).
        fn along(
            people: &[f64; K],
            p: &[f64; K],
            n: i64,
            short: impl Fn(usize) -> f64,
        ) -> (f64, f64) {
            let (mut abandons, mut before) = (0.0, 0.0);
            for j in 0..K {
                let d = people[j] + n as f64 * p[j];
                abandons += (d - before).max(0.0) * short(j);
                before = d;
            }
            (abandons, before)
        }
        let normal = |n: i64| {
            let nf = n as f64;
            along(&people, &p, n, |j| {
                let v = p[j] * (1.0 - p[j]);
                // The share of people answering is known only so well, and it drifts: all the
                // calls in flight err together, a variance growing with their square.
                let drift = ODDS_DOUBT * (people[j] + nf * p[j]);
                refined_short(
                    mean[j] + nf * p[j],
                    var[j] + nf * v + drift * drift,
                    k3[j] + nf * v * (1.0 - 2.0 * p[j]),
                )
            })
        };
        let idle = s.idle;
        let exact_at = |e: &[Exact; K], n: i64| along(&people, &p, n, |j| e[j].short(idle));
        // The abandons of the calls already in flight, corrected by the gain (how far the
        // model has been from the abandons counted).
        let gain = self.gain;
        let (in_flight, humans) = if exact {
            exact_at(&self.exact, 0)
        } else {
            normal(0)
        };
        // Budget, in abandons, under the cap in the compliance window and the last hour once
        // the people of the horizon have answered: a hard limit. A finite list also bounds
        // the people still to answer: the last hour of a list must dilute its abandons too.
        let budget = |humans: f64, abandons: i64| {
            GUARD_SHARE * c.abandon_cap * humans - abandons as f64 - GUARD_MARGIN
        };
        let spendable = |coming: f64| {
            budget(s.window.humans as f64 + coming, s.window.abandons)
                .min(budget(s.last_hour.humans as f64, s.last_hour.abandons))
        };
        // The end of a list: the people still to come from it are all the last rolling hours
        // will hold, and dialling harder brings no more of them. A hard stop, with a double
        // margin: there is nothing to gain there.
        let list_end = s
            .records_left
            .map(|left| left as f64 * self.odds.odds().human + humans)
            .filter(|&to_come| to_come < s.last_hour.humans as f64)
            .map(|to_come| budget(to_come, 0) - GUARD_MARGIN);
        // Abandons of the horizon as a count: their mean and GUARD_SPREAD deviations (Poisson).
        let surely = |a: f64| a + GUARD_SPREAD * a.sqrt();
        let sure_now = surely(in_flight / gain);
        let guarded = sure_now > spendable(humans) || list_end.is_some_and(|b| sure_now > b);
        let alpha = target * gain;
        // The last call placed must be worth its risk: the expected abandons it adds at most
        // alpha times the people it brings (its person's chance of being abandoned), spending
        // the abandons where they cost the least occupancy. Past the budget of the window or
        // the last hour, calls are still placed when their risk is tiny: shutting down to
        // progressive would starve the coming minutes of people, and a rolling hour with few
        // people cannot dilute the abandons it already holds.
        let fits = |n: i64, (a, h): (f64, f64), (a0, h0): (f64, f64)| {
            if n <= progressive {
                return true;
            }
            let sure = surely(a / gain);
            if list_end.is_some_and(|b| sure > b) {
                return false;
            }
            let share = if sure <= spendable(h) {
                1.0
            } else {
                GUARD_FLOOR
            };
            a - a0 <= share * alpha * (h - h0)
        };
        let (place, (abandons, humans_then)) = if exact {
            for _ in 0..progressive {
                self.exact
                    .iter_mut()
                    .zip(p)
                    .for_each(|(e, p)| e.add(p, true));
            }
            let mut best = (progressive, exact_at(&self.exact, progressive));
            for n in progressive + 1..=room {
                self.exact
                    .iter_mut()
                    .zip(p)
                    .for_each(|(e, p)| e.add(p, true));
                let o = exact_at(&self.exact, n);
                if !fits(n, o, best.1) {
                    break;
                }
                best = (n, o);
            }
            best
        } else {
            // One call at a time while the last one fits: each step costs one evaluation (the
            // previous one is its base), and a decision every 100 ms places a few calls at most.
            // Past LINEAR_STEPS (a cold start, a burst of free agents) the rest is found by a
            // search from a guess, the added risk growing with n.
            let mut best = (
                progressive,
                if progressive == 0 {
                    (in_flight, humans)
                } else {
                    normal(progressive)
                },
            );
            let mut open = true;
            while open && best.0 < room && best.0 - progressive < LINEAR_STEPS {
                let n = best.0 + 1;
                let at = normal(n);
                open = fits(n, at, best.1);
                if open {
                    best = (n, at);
                }
            }
            if open && best.0 < room {
                // Many calls at once: start from a guess, gallop to bracket the last call that
                // fits, then halve.
                let fits_at = |n: i64| fits(n, normal(n), normal(n - 1));
                let floor = best.0;
                let last = K - 1;
                let guess = if p[last] > 0.0 {
                    // The calls after which one more person at the end of the horizon finds no
                    // agent with about the target's chance: mean + z sd = -1/2, z the normal
                    // quantile of alpha, solved by a few fixed-point steps.
                    let z = upper_quantile(alpha.clamp(1e-6, 0.5));
                    let v = p[last] * (1.0 - p[last]);
                    let mut n = (-mean[last] / p[last]).max(0.0);
                    for _ in 0..3 {
                        let drift = ODDS_DOUBT * (people[last] + n * p[last]);
                        let sd = (var[last] + n * v + drift * drift).sqrt();
                        n = ((-mean[last] - 0.5 - z * sd) / p[last]).max(0.0);
                    }
                    n.min(room as f64) as i64
                } else {
                    floor + 1
                };
                let guess = guess.clamp(floor + 1, room);
                let (mut lo, mut hi);
                let mut step = 1;
                if fits_at(guess) {
                    lo = guess;
                    hi = lo + step;
                    while hi <= room && fits_at(hi) {
                        lo = hi;
                        step *= 2;
                        hi = lo + step;
                    }
                    hi = hi.min(room + 1);
                } else {
                    hi = guess;
                    loop {
                        lo = hi - step;
                        if lo <= floor {
                            lo = floor;
                            break;
                        }
                        if fits_at(lo) {
                            break;
                        }
                        hi = lo;
                        step *= 2;
                    }
                }
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if fits_at(mid) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                best = (lo, normal(lo));
            }
            best
        };
        Decision {
            place: place as u32,
            reason: if guarded {
                Reason::Guarded
            } else {
                Reason::Predictive
            },
            target_rate: if guarded { GUARD_FLOOR * alpha } else { alpha },
            expected_abandons: abandons,
            expected_humans: humans_then,
        }
    }
}

/// The highest mean abandon rate at which an hour of `humans` answers stays within `cap` but
/// for a 1% chance: abandons being about Poisson, the mean m with m + z sqrt(m) = cap humans.
/// An hour of 1,400 answers may average 2.1%, an hour of 175 only 1.1%: with 5 abandons
/// allowed, chance alone would break the cap one hour in twenty at the day's usual target.
fn hour_safe_rate(cap: f64, humans: f64) -> f64 {
    if humans < 1.0 {
        return cap;
    }
    let allowed = cap * humans;
    let root = (-HOUR_SPREAD + (HOUR_SPREAD * HOUR_SPREAD + 4.0 * allowed).sqrt()) / 2.0;
    root * root / humans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{Counts, Tally};

    #[test]
    fn small_hours_aim_lower() {
        let rate = |h| hour_safe_rate(0.03, h);
        assert!((rate(1400.0) - 0.021).abs() < 0.001, "{}", rate(1400.0));
        assert!((rate(175.0) - 0.0113).abs() < 0.001, "{}", rate(175.0));
        assert!(rate(30.0) < 0.005);
        // The mean found leaves the cap 2.33 Poisson deviations above it.
        let m = rate(700.0) * 700.0;
        assert!((m + HOUR_SPREAD * m.sqrt() - 21.0).abs() < 1e-9);
    }

    #[test]
    fn the_quantile_guess_is_close() {
        assert!((upper_quantile(0.025) - 1.96).abs() < 1e-3);
        assert!(upper_quantile(0.5).abs() < 1e-3);
        assert!((upper_quantile(0.001) - 3.09).abs() < 1e-2);
    }

    /// A busy floor of 200 with a tenth idle: many calls at once, found by the search; with the
    /// last hour's budget spent, fewer (a tenth of the risk), never below progressive.
    #[test]
    fn many_calls_at_once_and_fewer_once_the_budget_is_spent() {
        let spread = |n: usize, span: f64| {
            (0..n)
                .map(|i| (i as f64 * 7.31) % span)
                .collect::<Vec<f64>>()
        };
        let (talking, wrapping, ringing) =
            (spread(150, 300.0), spread(30, 30.0), spread(100, 25.0));
        let (rt, rw, ra) = (spread(256, 240.0), spread(256, 35.0), spread(256, 15.0));
        let snap = |last_hour: Tally| Snapshot {
            now: 3600.0,
            agents: 200,
            idle: 20,
            talking: &talking,
            wrapping: &wrapping,
            ringing: &ringing,
            counts: Counts {
                attempts: 50_000,
                human: 10_000,
                machine: 6_000,
                no_answer: 20_000,
                abandons: 150,
                connects: 9_850,
            },
            window: Tally {
                humans: 10_000,
                abandons: 150,
            },
            last_hour,
            recent_talk: &rt,
            recent_wrap: &rw,
            recent_answer: &ra,
            ..Default::default()
        };
        let free = Pacer::new(PacingConfig::default())
            .unwrap()
            .decide(&snap(Tally {
                humans: 2_000,
                abandons: 30,
            }))
            .unwrap();
        assert_eq!(free.reason, Reason::Predictive);
        assert!(free.place > LINEAR_STEPS as u32, "{free:?}");
        let spent = Pacer::new(PacingConfig::default())
            .unwrap()
            .decide(&snap(Tally {
                humans: 2_000,
                abandons: 60,
            }))
            .unwrap();
        assert_eq!(spent.reason, Reason::Guarded);
        assert!(spent.place < free.place, "{spent:?} {free:?}");
    }
}
