//! A duration distribution on a one-second grid, from recent samples or, before there are
//! enough, from an exponential prior with a configured mean.

/// Probability mass per one-second cell: `pmf[k]` is P(k <= duration < k + 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pmf: Vec<f64>,
    /// `tail[k]` = P(duration >= k).
    tail: Vec<f64>,
}

/// Longest duration kept on the grid (two hours); longer samples land in the last cell.
const MAX_CELLS: usize = 7200;

impl Grid {
    pub fn from_samples(samples: &[f64]) -> Self {
        let longest = samples.iter().copied().fold(0.0, f64::max);
        let cells = ((longest as usize) + 2).min(MAX_CELLS);
        let mut pmf = vec![0.0; cells];
        let w = 1.0 / samples.len() as f64;
        for &s in samples {
            pmf[(s as usize).min(cells - 1)] += w;
        }
        Self::with_pmf(pmf)
    }

    pub fn exponential(mean: f64) -> Self {
        let cells = ((mean * 8.0) as usize + 2).clamp(4, MAX_CELLS);
        let pmf: Vec<f64> = (0..cells)
            .map(|k| (-(k as f64) / mean).exp() - (-((k + 1) as f64) / mean).exp())
            .collect();
        let total: f64 = pmf.iter().sum();
        Self::with_pmf(pmf.into_iter().map(|p| p / total).collect())
    }

    /// The Kaplan-Meier estimate from completed durations and the elapsed times of those still
    /// running (censored: they last at least that long). Recent completed durations alone are
    /// biased short — the long ones are still running, most of all early in a day of long calls.
    pub fn kaplan_meier(completed: &[f64], running: &[f64]) -> Self {
        let longest = completed.iter().chain(running).copied().fold(0.0, f64::max);
        let cells = ((longest as usize) + 2).min(MAX_CELLS);
        let (mut ended, mut censored) = (vec![0.0; cells], vec![0.0; cells]);
        for &d in completed {
            ended[(d as usize).min(cells - 1)] += 1.0;
        }
        for &e in running {
            censored[(e as usize).min(cells - 1)] += 1.0;
        }
        // At risk in cell k: durations ending in k or later, and calls running past cell k.
        let mut pmf = vec![0.0; cells];
        let (mut at_risk, mut alive) = (0.0, 1.0_f64);
        let mut risk = vec![0.0; cells];
        for k in (0..cells).rev() {
            at_risk += ended[k] + if k + 1 < cells { censored[k + 1] } else { 0.0 };
            risk[k] = at_risk;
        }
        for k in 0..cells {
            if risk[k] > 0.0 {
                let gone = alive * ended[k] / risk[k];
                pmf[k] = gone;
                alive -= gone;
            }
        }
        // What outlives every observation lands in the last cell.
        pmf[cells - 1] += alive.max(0.0);
        Self::with_pmf(pmf)
    }

    /// Samples when there are at least `min` of them (with the running ones as censored
    /// observations), else the prior.
    pub fn learned_censored(
        completed: &[f64],
        running: &[f64],
        min: usize,
        prior_mean: f64,
    ) -> Self {
        if completed.len() >= min.max(1) {
            Self::kaplan_meier(completed, running)
        } else {
            Self::exponential(prior_mean)
        }
    }

    /// Samples when there are at least `min` of them, else the prior.
    pub fn learned(samples: &[f64], min: usize, prior_mean: f64) -> Self {
        if samples.len() >= min.max(1) {
            Self::from_samples(samples)
        } else {
            Self::exponential(prior_mean)
        }
    }

    /// The same distribution with its thin tail (beyond the point where fewer than `share` of
    /// the samples remain) replaced by an exponential with the mean residual time measured
    /// there. Few samples say little about how long a very long call still lasts; without
    /// this, a call longer than every recent one would look certain to end within a second.
    pub fn with_exponential_tail(self, share: f64) -> Self {
        let Some(start) = (0..self.pmf.len()).find(|&k| self.tail(k) < share) else {
            return self;
        };
        let left = self.tail(start);
        if left <= 0.0 {
            return self;
        }
        let residual: f64 = (start..self.pmf.len())
            .map(|k| (k - start) as f64 + 0.5)
            .zip(&self.pmf[start..])
            .map(|(d, p)| d * p)
            .sum::<f64>()
            / left;
        let mean = residual.max(1.0);
        let cells = (start + (12.0 * mean) as usize + 2)
            .min(MAX_CELLS)
            .max(start + 2);
        let mut pmf = self.pmf;
        pmf.resize(cells, 0.0);
        for (i, p) in pmf[start..].iter_mut().enumerate() {
            let d = i as f64;
            *p = left * ((-d / mean).exp() - (-(d + 1.0) / mean).exp());
        }
        // What lies beyond the grid lands in its last cell, as for the samples.
        pmf[cells - 1] += left * (-((cells - start) as f64) / mean).exp();
        Self::with_pmf(pmf)
    }

    fn with_pmf(pmf: Vec<f64>) -> Self {
        let mut tail = vec![0.0; pmf.len() + 1];
        for k in (0..pmf.len()).rev() {
            tail[k] = tail[k + 1] + pmf[k];
        }
        Self { pmf, tail }
    }

    pub fn cells(&self) -> usize {
        self.pmf.len()
    }

    pub fn pmf(&self, k: usize) -> f64 {
        self.pmf.get(k).copied().unwrap_or(0.0)
    }

    /// P(duration >= k).
    pub fn tail(&self, k: usize) -> f64 {
        self.tail.get(k).copied().unwrap_or(0.0)
    }

    /// P(duration < k).
    pub fn cdf(&self, k: usize) -> f64 {
        1.0 - self.tail(k)
    }

    /// Smallest k with P(duration < k) >= q.
    pub fn quantile(&self, q: f64) -> usize {
        (0..=self.pmf.len())
            .find(|&k| self.cdf(k) >= q)
            .unwrap_or(self.pmf.len())
    }

    pub fn mean(&self) -> f64 {
        self.pmf
            .iter()
            .enumerate()
            .map(|(k, p)| (k as f64 + 0.5) * p)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_make_a_distribution() {
        let g = Grid::from_samples(&[1.5, 1.2, 3.0, 10.0]);
        assert!((g.tail(0) - 1.0).abs() < 1e-12);
        assert!((g.pmf(1) - 0.5).abs() < 1e-12);
        assert!((g.tail(2) - 0.5).abs() < 1e-12);
        assert_eq!(g.quantile(0.5), 2);
        assert_eq!(g.tail(1000), 0.0);
    }

    #[test]
    fn a_thin_tail_becomes_exponential() {
        let samples: Vec<f64> = (0..100).map(|i| i as f64).collect();
        let g = Grid::from_samples(&samples).with_exponential_tail(0.05);
        // Beyond the longest sample, calls still end at a steady rate rather than at once.
        assert!(g.tail(100) > 0.001, "{}", g.tail(100));
        let hazard = |k: usize| g.pmf(k) / g.tail(k);
        assert!(
            (hazard(100) / hazard(105) - 1.0).abs() < 1e-3,
            "{} {}",
            hazard(100),
            hazard(105)
        );
        assert!((g.tail(0) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn calls_still_running_lengthen_the_estimate() {
        // Completed calls of 10 s only, but two calls already past 100 s.
        let plain = Grid::kaplan_meier(&[10.0; 8], &[]);
        assert!((plain.tail(11) - 0.0).abs() < 1e-12);
        assert_eq!(plain, Grid::from_samples(&[10.0; 8]));
        let km = Grid::kaplan_meier(&[10.0; 8], &[100.5, 120.0]);
        assert!((km.tail(11) - 0.2).abs() < 1e-12, "{}", km.tail(11));
        assert!((km.tail(0) - 1.0).abs() < 1e-12);
        assert!(km.mean() > 25.0);
    }

    #[test]
    fn the_prior_has_its_mean() {
        let g = Grid::exponential(30.0);
        assert!((g.mean() - 30.0).abs() < 1.5, "{}", g.mean());
        let few = Grid::learned(&[5.0], 8, 30.0);
        assert_eq!(few, g);
    }
}
