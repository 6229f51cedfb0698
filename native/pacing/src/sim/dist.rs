//! Random draws of the simulator: log-normal durations from a mean and a standard deviation.

use rand::rngs::SmallRng;
use rand::RngExt;

/// Log-normal law with the given mean and standard deviation (sd 0 gives the mean exactly).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogNormal {
    mu: f64,
    sigma: f64,
}

impl LogNormal {
    pub fn new(mean: f64, sd: f64) -> Self {
        let sigma2 = (1.0 + (sd * sd) / (mean * mean)).ln();
        Self {
            mu: mean.ln() - sigma2 / 2.0,
            sigma: sigma2.sqrt(),
        }
    }

    /// The duration `z` standard deviations from the mean of the underlying normal law: a
    /// record's draw, whatever the law in force when it is used.
    pub fn at(&self, z: f64) -> f64 {
        (self.mu + self.sigma * z).exp()
    }
}

/// Box-Muller.
pub fn standard_normal(rng: &mut SmallRng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>();
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

pub fn exponential(rng: &mut SmallRng, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn log_normal_has_the_asked_mean_and_sd() {
        let mut rng = SmallRng::seed_from_u64(7);
        let d = LogNormal::new(120.0, 60.0);
        let xs: Vec<f64> = (0..100_000)
            .map(|_| d.at(standard_normal(&mut rng)))
            .collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
        assert!((mean - 120.0).abs() < 1.5, "{mean}");
        assert!((sd - 60.0).abs() < 2.0, "{sd}");
    }
}
