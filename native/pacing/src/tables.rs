//! Per-call probabilities precomputed on one-second grids, so a decision costs a few lookups
//! per agent and per ringing call. They are kept for `CHECKPOINTS` horizons c_1 < ... < c_K
//! (the last one the demand horizon d), because who answers *when* matters: a person
//! answering in 1 s cannot be served by an agent freeing in 10 s. For each checkpoint c, with
//! m the middle of the step that ends at c and L the connect limit:
//! - an agent talking for `e` seconds is free by m + L with probability
//!   P(T - e + W <= m + L | T > e) (talk T then wrap-up W);
//! - an agent in wrap-up for `w` seconds: P(W - w <= m + L | W > w);
//! - a call ringing for `r` seconds is answered by a person by c with probability
//!   P(human, answered in (r, r + c] | still ringing at r), from the outcome odds and the
//!   answer-delay distribution (machines answer like people, no-answers ring to the timeout,
//!   quick failures fade within seconds).

use crate::odds::Odds;
use crate::survival::Grid;

/// Checkpoints per horizon.
pub const CHECKPOINTS: usize = 8;

type Row = [f64; CHECKPOINTS];

/// One table entry, laid out for summing: per checkpoint the probability p, its Bernoulli
/// variance p(1 - p) and third cumulant p(1 - p)(1 - 2p), in single precision so that a
/// decision adds 24 contiguous floats per call (sums of a few hundred terms in [0, 1] keep
/// six significant digits, far below the model's own error).
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, align(32))]
pub struct Terms(pub [f32; 3 * CHECKPOINTS]);

impl Terms {
    pub const ZERO: Self = Self([0.0; 3 * CHECKPOINTS]);

    fn from_row(row: &Row) -> Self {
        let mut t = Self::ZERO;
        for (j, &p) in row.iter().enumerate() {
            let v = p * (1.0 - p);
            t.0[j] = p as f32;
            t.0[CHECKPOINTS + j] = v as f32;
            t.0[2 * CHECKPOINTS + j] = (v * (1.0 - 2.0 * p)) as f32;
        }
        t
    }

    /// The probability at checkpoint `j`.
    pub fn p(&self, j: usize) -> f64 {
        self.0[j] as f64
    }

    /// Adds this entry to a running sum.
    #[inline]
    pub fn add_to(&self, sum: &mut Self) {
        for (s, t) in sum.0.chunks_exact_mut(4).zip(self.0.chunks_exact(4)) {
            for k in 0..4 {
                s[k] += t[k];
            }
        }
    }

    /// Adds this entry `times` times to a running sum.
    #[inline]
    pub fn add_times_to(&self, times: f32, sum: &mut Self) {
        for (s, t) in sum.0.chunks_exact_mut(4).zip(self.0.chunks_exact(4)) {
            for k in 0..4 {
                s[k] += times * t[k];
            }
        }
    }
}

impl std::ops::Index<usize> for Terms {
    type Output = f32;
    fn index(&self, j: usize) -> &f32 {
        &self.0[j]
    }
}

#[derive(Debug, Clone, Default)]
pub struct Tables {
    talk_free: Vec<Terms>,
    wrap_free: Vec<Terms>,
    ring_human: Vec<Terms>,
    /// Chance that a call placed now brings a person by each checkpoint.
    pub new_human: Row,
    /// Seconds of each checkpoint (demand side).
    pub checkpoints: [usize; CHECKPOINTS],
    limit: usize,
}

fn lookup(table: &[Terms], seconds: f64) -> &Terms {
    match table.len() {
        0 => &Terms::ZERO,
        // Elapsed times are validated non-negative and finite; u32 seconds is 136 years.
        n => &table[(seconds as u32 as usize).min(n - 1)],
    }
}

fn terms(rows: Vec<Row>) -> Vec<Terms> {
    rows.iter().map(Terms::from_row).collect()
}

/// P(W <= x) for a duration on the grid, counting half of the cell at x.
fn cdf_mid(g: &Grid, x: usize) -> f64 {
    0.5 * (g.cdf(x) + g.cdf(x + 1))
}

fn talk_row(talk: &Grid, wrap_by: &[f64], e: usize, h: usize) -> f64 {
    let alive = talk.tail(e);
    if alive <= 1e-9 {
        return f64::NAN;
    }
    let num: f64 = (0..=h).map(|d| talk.pmf(e + d) * wrap_by[h - d]).sum();
    (num / alive).clamp(0.0, 1.0)
}

fn talk_table(talk: &Grid, wrap: &Grid, horizons: &[usize; CHECKPOINTS]) -> Vec<Row> {
    let h_max = horizons[CHECKPOINTS - 1];
    let wrap_by: Vec<f64> = (0..=h_max).map(|x| cdf_mid(wrap, x)).collect();
    let mut out: Vec<Row> = Vec::with_capacity(talk.cells());
    let mut last = [0.0; CHECKPOINTS];
    for e in 0..talk.cells() {
        for (j, &h) in horizons.iter().enumerate() {
            let v = talk_row(talk, &wrap_by, e, h);
            if !v.is_nan() {
                last[j] = v;
            }
        }
        out.push(last);
    }
    out
}

fn wrap_table(wrap: &Grid, horizons: &[usize; CHECKPOINTS]) -> Vec<Row> {
    let mut out = Vec::with_capacity(wrap.cells());
    let mut last = [1.0; CHECKPOINTS];
    for w in 0..wrap.cells() {
        let alive = wrap.tail(w);
        if alive > 1e-9 {
            for (j, &h) in horizons.iter().enumerate() {
                let ended = alive - 0.5 * (wrap.tail(w + h) + wrap.tail(w + h + 1));
                last[j] = (ended / alive).clamp(0.0, 1.0);
            }
        }
        out.push(last);
    }
    out
}

fn ring_table(
    answer: &Grid,
    odds: &Odds,
    timeout: f64,
    checkpoints: &[usize; CHECKPOINTS],
) -> Vec<Row> {
    let cells = (timeout.ceil() as usize).max(1) + 1;
    (0..cells)
        .map(|r| {
            let a = answer.tail(r);
            let pending_na = if (r as f64) < timeout {
                odds.no_answer
            } else {
                0.0
            };
            let alive = (odds.human + odds.machine) * a
                + pending_na
                + odds.other * (-(r as f64) / 3.0).exp();
            let mut row = [0.0; CHECKPOINTS];
            if alive > 1e-12 {
                for (j, &c) in checkpoints.iter().enumerate() {
                    let soon = 0.5 * (answer.tail(r + c) + answer.tail(r + c + 1));
                    row[j] = (odds.human * (a - soon) / alive).clamp(0.0, 1.0);
                }
            }
            row
        })
        .collect()
}

impl Tables {
    /// Builds every table for checkpoints spread evenly up to `demand_horizon` seconds.
    pub fn build(
        talk: &Grid,
        wrap: &Grid,
        answer: &Grid,
        odds: &Odds,
        timeout: f64,
        demand_horizon: usize,
        connect_limit: f64,
    ) -> Self {
        let limit = connect_limit.round() as usize;
        let mut checkpoints = [0; CHECKPOINTS];
        for (j, c) in checkpoints.iter_mut().enumerate() {
            *c = (demand_horizon * (j + 1)).div_ceil(CHECKPOINTS).max(1);
        }
        // People answering between two checkpoints are counted at the later one; the agents
        // that can take them are those free by the middle of the step plus the connect limit
        // (crediting the whole step would let an agent freeing late serve a person answering
        // early).
        let mut supply = [0; CHECKPOINTS];
        for j in 0..CHECKPOINTS {
            let before = if j == 0 { 0 } else { checkpoints[j - 1] };
            supply[j] = checkpoints[j] - (checkpoints[j] - before) / 2 + limit;
        }
        let mut t = Self {
            talk_free: terms(talk_table(talk, wrap, &supply)),
            wrap_free: terms(wrap_table(wrap, &supply)),
            ring_human: Vec::new(),
            new_human: [0.0; CHECKPOINTS],
            checkpoints,
            limit,
        };
        t.refresh_odds(answer, odds, timeout);
        t
    }

    /// Only the parts that depend on the odds (cheap: one row per ring second).
    pub fn refresh_odds(&mut self, answer: &Grid, odds: &Odds, timeout: f64) {
        self.ring_human = terms(ring_table(answer, odds, timeout, &self.checkpoints));
        self.new_human = self.checkpoints.map(|c| odds.human * cdf_mid(answer, c));
    }

    /// Seconds after each checkpoint an agent freeing still serves a person.
    pub fn connect_limit(&self) -> usize {
        self.limit
    }

    pub fn talk_free(&self, elapsed: f64) -> &Terms {
        lookup(&self.talk_free, elapsed)
    }

    pub fn wrap_free(&self, elapsed: f64) -> &Terms {
        lookup(&self.wrap_free, elapsed)
    }

    pub fn ring_human(&self, elapsed: f64) -> &Terms {
        lookup(&self.ring_human, elapsed)
    }

    /// The ring-time cells: a call ringing `elapsed` seconds falls in `ring_cell(elapsed)`,
    /// whose entry is `ring_entry(cell)`.
    pub fn ring_cells(&self) -> usize {
        self.ring_human.len()
    }

    pub fn ring_cell(&self, elapsed: f64) -> usize {
        (elapsed as u32 as usize).min(self.ring_human.len().saturating_sub(1))
    }

    pub fn ring_entry(&self, cell: usize) -> &Terms {
        &self.ring_human[cell]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_talk_is_unlikely_to_end_soon_a_long_wrap_likely() {
        let talk = Grid::from_samples(&[60.0, 61.0, 62.0, 300.0]);
        let wrap = Grid::from_samples(&[5.0; 4]);
        let answer = Grid::from_samples(&[8.0; 4]);
        let odds = Odds {
            human: 0.2,
            machine: 0.1,
            no_answer: 0.5,
            other: 0.2,
        };
        let t = Tables::build(&talk, &wrap, &answer, &odds, 25.0, 16, 2.0);
        assert_eq!(t.checkpoints, [2, 4, 6, 8, 10, 12, 14, 16]);
        let last = CHECKPOINTS - 1;
        assert!(t.talk_free(0.0)[last] < 0.05);
        // 57 s into a call that mostly ends at 60-62 s, then 5 s of wrap-up: free within 17 s
        // (the last checkpoint, less half a step, plus the connect limit), not within 3 s.
        assert!(
            (t.talk_free(57.0)[last] - 0.75).abs() < 1e-6,
            "{:?}",
            t.talk_free(57.0)
        );
        assert_eq!(t.talk_free(57.0)[0], 0.0);
        assert!(t.wrap_free(4.0)[last] > 0.9);
        // People answer at 8 s: a fresh call is a person by the 16 s checkpoint, not by 2 s.
        assert!(t.ring_human(0.0)[last] > 0.15);
        assert!(t.ring_human(0.0)[0] < 0.01);
        assert!(t.ring_human(12.0)[last] < 0.01);
        assert!((t.new_human[last] - 0.2).abs() < 1e-9);
    }

    #[test]
    fn terms_carry_the_variance_and_skew_and_sum_per_ring_second() {
        let t = Terms::from_row(&[0.5, 0.1, 0.0, 1.0, 0.2, 0.2, 0.2, 0.2]);
        assert_eq!(t[0], 0.5);
        assert_eq!(t.0[CHECKPOINTS], 0.25);
        assert_eq!(t.0[2 * CHECKPOINTS], 0.0);
        assert!((t.0[2 * CHECKPOINTS + 1] as f64 - 0.09 * 0.8).abs() < 1e-7);
        let (mut once, mut thrice) = (Terms::ZERO, Terms::ZERO);
        for _ in 0..3 {
            t.add_to(&mut once);
        }
        t.add_times_to(3.0, &mut thrice);
        assert_eq!(once, thrice);
        let answer = Grid::from_samples(&[8.0; 4]);
        let odds = Odds {
            human: 0.2,
            machine: 0.1,
            no_answer: 0.5,
            other: 0.2,
        };
        let g = Grid::from_samples(&[5.0; 4]);
        let tables = Tables::build(&g, &g, &answer, &odds, 25.0, 16, 2.0);
        assert_eq!(tables.ring_cells(), 26); // 0 to 25 s, the timeout
        assert_eq!(tables.ring_cell(3.7), 3);
        assert_eq!(tables.ring_cell(1e6), 25);
        assert_eq!(tables.ring_entry(3), tables.ring_human(3.2));
    }
}
