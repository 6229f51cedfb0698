//! The balance X = D - S - idle, with D a sum of independent Bernoulli demands (people
//! answering) and S a sum of Bernoulli supplies (agents freeing): the chance P(X >= 1) that one
//! more person finds no agent, and the expected overflow E[max(X, 0)]. Exact by convolution for
//! few terms; for many, a refined normal approximation (with the skew) or the plain normal with
//! a continuity correction.

/// Terms above which the normal approximation is used.
pub const EXACT_TERMS: usize = 32;

/// Complementary error function (Numerical Recipes `erfcc`, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Standard normal cumulative distribution.
pub fn phi_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// E[max(X, 0)] for an integer X approximated by Y ~ N(mean, var): the sum over k >= 1 of
/// P(X >= k) ~ P(Y >= k - 1/2) is the midpoint rule for the integral of P(Y >= y) over y > 0,
/// which is E[max(Y, 0)].
pub fn normal_overflow(mean: f64, var: f64) -> f64 {
    let m = mean;
    if var <= 1e-12 {
        return m.max(0.0);
    }
    let s = var.sqrt();
    let z = m / s;
    let density = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    (s * density + m * phi_cdf(z)).max(0.0)
}

/// P(X >= 1) for an integer X with mean, variance and third cumulant `k3`: the refined normal
/// approximation of a Poisson-binomial sum (Volkova 1996), which corrects the normal's tail for
/// the skew of few, unlikely terms. P(X <= k) ~ G((k + 1/2 - mean) / sd), G(x) = Phi(x) +
/// skew (1 - x^2) phi(x) / 6.
pub fn refined_short(mean: f64, var: f64, k3: f64) -> f64 {
    if var <= 1e-12 {
        return if mean >= 0.5 { 1.0 } else { 0.0 };
    }
    // Two divisions in all (they are the slow part of a decision's search): 1 / sd and t.
    let inv_sd = 1.0 / var.sqrt();
    let x = (0.5 - mean) * inv_sd;
    if x > 9.0 {
        // Under 1e-18 for the normal part, and the skew term with it: not worth an exponential.
        return 0.0;
    }
    let skew = k3 * inv_sd * inv_sd * inv_sd;
    // One exponential for both the density and the tail (Abramowitz and Stegun 7.1.26,
    // absolute error under 1.5e-7): erfc(z) = poly(t) e^(-z^2) with z = |x| / sqrt 2.
    let gauss = (-0.5 * x * x).exp();
    let density = gauss * FRAC_1_SQRT_2PI;
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs() * std::f64::consts::FRAC_1_SQRT_2);
    let erfc = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))))
        * gauss;
    // 1 - Phi(x) = erfc(x / sqrt 2) / 2.
    let upper = if x >= 0.0 {
        0.5 * erfc
    } else {
        1.0 - 0.5 * erfc
    };
    (upper - skew * (1.0 - x * x) * density * (1.0 / 6.0)).clamp(0.0, 1.0)
}

/// 1 / sqrt(2 pi).
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Exact distribution of D - S, as a probability per value from `low` upwards.
#[derive(Debug, Clone, Default)]
pub struct Exact {
    pmf: Vec<f64>,
    low: i64,
    scratch: Vec<f64>,
}

impl Exact {
    pub fn reset(&mut self) {
        self.pmf.clear();
        self.pmf.push(1.0);
        self.low = 0;
    }

    /// Adds a demand (`+1` with probability p) or a supply (`-1` with probability p).
    pub fn add(&mut self, p: f64, demand: bool) {
        let n = self.pmf.len();
        self.scratch.clear();
        self.scratch.resize(n + 1, 0.0);
        // Moving by +1 with p: new[i + 1] += old[i] * p, new[i] += old[i] * (1 - p). A supply is
        // the same move shifted down by one (low decreases).
        for (i, &q) in self.pmf.iter().enumerate() {
            self.scratch[i] +=
                q * (1.0 - p) * (demand as u8 as f64) + q * p * (!demand as u8 as f64);
            self.scratch[i + 1] +=
                q * p * (demand as u8 as f64) + q * (1.0 - p) * (!demand as u8 as f64);
        }
        if !demand {
            self.low -= 1;
        }
        std::mem::swap(&mut self.pmf, &mut self.scratch);
    }

    /// P(D - S - idle >= 1): no agent left for one more person.
    pub fn short(&self, idle: i64) -> f64 {
        let first = (idle + 1 - self.low).max(0) as usize;
        self.pmf.iter().skip(first).sum()
    }

    /// E[max(D - S - idle, 0)].
    pub fn overflow(&self, idle: i64) -> f64 {
        self.pmf
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let x = self.low + i as i64 - idle;
                if x > 0 {
                    x as f64 * p
                } else {
                    0.0
                }
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_is_accurate() {
        assert!((phi_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((phi_cdf(1.96) - 0.975_002_1).abs() < 1e-6);
        assert!((phi_cdf(-1.0) - 0.158_655_25).abs() < 1e-6);
    }

    #[test]
    fn the_refined_tail_is_the_normal_one_without_skew_and_heavier_with_it() {
        for (mean, var) in [(-3.0, 4.0), (0.0, 1.0), (2.0, 9.0)] {
            let normal = 1.0 - phi_cdf((0.5 - mean) / f64::sqrt(var));
            assert!((refined_short(mean, var, 0.0) - normal).abs() < 1e-6);
        }
        assert!(refined_short(-3.0, 4.0, 2.0) > refined_short(-3.0, 4.0, 0.0));
    }

    #[test]
    fn the_refined_tail_is_close_to_exact_for_few_unlikely_people() {
        // 20 calls with a 5% chance of a person each, one agent idle: P(D >= 2).
        let mut e = Exact::default();
        e.reset();
        for _ in 0..20 {
            e.add(0.05, true);
        }
        let exact = e.short(1);
        let (m, v, k3) = (
            20.0 * 0.05 - 1.0,
            20.0 * 0.05 * 0.95,
            20.0 * 0.05 * 0.95 * 0.9,
        );
        let refined = refined_short(m, v, k3);
        let normal = refined_short(m, v, 0.0);
        assert!(
            (refined - exact).abs() < (normal - exact).abs(),
            "{exact} {refined} {normal}"
        );
    }

    #[test]
    fn exact_matches_a_hand_count() {
        // Two people answer with p = 0.5 each, one agent idle, one agent freeing with p = 0.5.
        let mut e = Exact::default();
        e.reset();
        e.add(0.5, true);
        e.add(0.5, true);
        e.add(0.5, false);
        // D - S - 1 > 0 only when D = 2 and S = 0: probability 1/8, overflow 1.
        assert!((e.overflow(1) - 0.125).abs() < 1e-12);
        assert!((e.short(1) - 0.125).abs() < 1e-12);
        assert!((e.short(0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn normal_is_close_to_exact_for_many_terms() {
        let mut e = Exact::default();
        e.reset();
        let (mut mean, mut var) = (0.0, 0.0);
        for i in 0..200 {
            let p = 0.05 + 0.4 * ((i * 37 % 100) as f64 / 100.0);
            let demand = i % 2 == 0;
            e.add(p, demand);
            mean += if demand { p } else { -p };
            var += p * (1.0 - p);
        }
        let exact = e.overflow(3);
        let approx = normal_overflow(mean - 3.0, var);
        assert!(
            (exact - approx).abs() < 0.05 * exact.max(0.1),
            "{exact} vs {approx}"
        );
    }
}
