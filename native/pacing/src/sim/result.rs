//! What a simulated day measured, minute by minute and in total.

/// One minute of the day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MinuteBin {
    /// Agent-seconds logged in and not paused (idle, talking or wrapping up).
    pub staffed: f64,
    pub talk: f64,
    pub wrap: f64,
    pub idle: f64,
    pub paused: f64,
    pub attempts: u32,
    pub humans: u32,
    pub abandons: u32,
    pub connects: u32,
    /// Seconds people waited for an agent, summed over the connects.
    pub wait: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunResult {
    pub seconds: f64,
    pub minutes: Vec<MinuteBin>,
    pub machines: u64,
    pub no_answers: u64,
    pub decisions: u64,
    /// Seconds into the day when the last record was dialled.
    pub list_exhausted_at: Option<f64>,
}

impl RunResult {
    fn sum<T: Into<f64>>(&self, f: impl Fn(&MinuteBin) -> T) -> f64 {
        self.minutes.iter().map(|m| f(m).into()).sum()
    }

    pub fn staffed_seconds(&self) -> f64 {
        self.sum(|m| m.staffed)
    }
    pub fn talk_seconds(&self) -> f64 {
        self.sum(|m| m.talk)
    }
    pub fn wrap_seconds(&self) -> f64 {
        self.sum(|m| m.wrap)
    }
    pub fn idle_seconds(&self) -> f64 {
        self.sum(|m| m.idle)
    }
    pub fn attempts(&self) -> u64 {
        self.sum(|m| m.attempts) as u64
    }
    pub fn humans(&self) -> u64 {
        self.sum(|m| m.humans) as u64
    }
    pub fn abandons(&self) -> u64 {
        self.sum(|m| m.abandons) as u64
    }
    pub fn connects(&self) -> u64 {
        self.sum(|m| m.connects) as u64
    }

    fn share(part: f64, whole: f64) -> f64 {
        if whole > 0.0 {
            part / whole
        } else {
            0.0
        }
    }

    /// Talk time over staffed time.
    pub fn occupancy_talk(&self) -> f64 {
        Self::share(self.talk_seconds(), self.staffed_seconds())
    }
    /// Talk and wrap-up time over staffed time.
    pub fn occupancy_busy(&self) -> f64 {
        Self::share(
            self.talk_seconds() + self.wrap_seconds(),
            self.staffed_seconds(),
        )
    }
    pub fn abandon_rate(&self) -> f64 {
        Self::share(self.abandons() as f64, self.humans() as f64)
    }
    pub fn connects_per_agent_hour(&self) -> f64 {
        Self::share(self.connects() as f64, self.staffed_seconds() / 3600.0)
    }
    /// Mean seconds a connected person waited for an agent.
    pub fn mean_wait(&self) -> f64 {
        Self::share(self.sum(|m| m.wait), self.connects() as f64)
    }
    /// Idle share of staffed time.
    pub fn idle_share(&self) -> f64 {
        Self::share(self.idle_seconds(), self.staffed_seconds())
    }

    /// Abandon rate of each full 60-minute window, one per starting minute (the whole run when
    /// it is shorter than an hour). Windows without a human answer have rate 0.
    pub fn rolling_hour_rates(&self) -> Vec<f64> {
        let n = self.minutes.len();
        let width = n.min(60);
        if width == 0 {
            return Vec::new();
        }
        let (mut h, mut a) = (0u64, 0u64);
        let mut out = Vec::with_capacity(n + 1 - width);
        for (i, m) in self.minutes.iter().enumerate() {
            h += m.humans as u64;
            a += m.abandons as u64;
            if i >= width {
                h -= self.minutes[i - width].humans as u64;
                a -= self.minutes[i - width].abandons as u64;
            }
            if i + 1 >= width {
                out.push(Self::share(a as f64, h as f64));
            }
        }
        out
    }

    pub fn worst_hour_rate(&self) -> f64 {
        self.rolling_hour_rates().into_iter().fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_hours_slide_minute_by_minute() {
        let mut r = RunResult {
            minutes: vec![MinuteBin::default(); 61],
            ..Default::default()
        };
        r.minutes[0].humans = 10;
        r.minutes[0].abandons = 1;
        r.minutes[60].humans = 10;
        let rates = r.rolling_hour_rates();
        assert_eq!(rates.len(), 2);
        assert!((rates[0] - 0.1).abs() < 1e-12);
        assert_eq!(rates[1], 0.0);
        assert!((r.worst_hour_rate() - 0.1).abs() < 1e-12);
        assert!((r.abandon_rate() - 0.05).abs() < 1e-12);
    }
}
