//! What the pacer is told at each decision: the state of one campaign at `now`. Counts are
//! signed so that an impossible snapshot (a negative count) is reported, not wrapped around.

use crate::error::{PacingError, Result};

/// Running counts since the campaign started.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    /// Calls placed.
    pub attempts: i64,
    /// Calls answered by a person (connected or abandoned).
    pub human: i64,
    /// Calls answered by a machine.
    pub machine: i64,
    /// Calls that rang out unanswered.
    pub no_answer: i64,
    /// Human answers not connected to an agent within the limit.
    pub abandons: i64,
    /// Human answers connected to an agent.
    pub connects: i64,
}

/// Human answers and abandons over a span of time (the compliance window, the last hour).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub humans: i64,
    pub abandons: i64,
}

impl Tally {
    pub fn rate(&self) -> f64 {
        if self.humans > 0 {
            self.abandons as f64 / self.humans as f64
        } else {
            0.0
        }
    }
}

/// A campaign at one instant. Durations are in seconds; `now` is any monotonic clock in
/// seconds (the pacer only compares it with the previous decision's).
#[derive(Debug, Clone, Copy, Default)]
pub struct Snapshot<'a> {
    pub now: f64,
    /// Agents logged in to the campaign (idle, talking, wrapping up or paused).
    pub agents: i64,
    pub idle: i64,
    pub paused: i64,
    /// Elapsed talk time of each agent on a call.
    pub talking: &'a [f64],
    /// Elapsed wrap-up time of each agent in wrap-up.
    pub wrapping: &'a [f64],
    /// Elapsed ring time of each call placed and not yet answered or failed.
    pub ringing: &'a [f64],
    pub counts: Counts,
    /// Human answers and abandons within the compliance window (30 days, 24 h or lifetime).
    pub window: Tally,
    /// Human answers and abandons within the last 60 minutes.
    pub last_hour: Tally,
    /// Recent talk durations, recent wrap-up durations, recent ring times of human answers.
    pub recent_talk: &'a [f64],
    pub recent_wrap: &'a [f64],
    pub recent_answer: &'a [f64],
    /// Records left to dial, if the list is finite.
    pub records_left: Option<i64>,
    /// Seconds until the campaign's calling window closes, if known.
    pub time_left: Option<f64>,
}

fn non_negative(field: &'static str, value: i64) -> Result<()> {
    if value < 0 {
        return Err(PacingError::NegativeCount { field, value });
    }
    Ok(())
}

fn durations(field: &'static str, values: &[f64]) -> Result<()> {
    // A snapshot carries a thousand durations or so at every decision: the common, valid case
    // is checked with float minimums and sums only, four lanes at a time, which vectorise on
    // baseline x86-64 (a NaN or an infinity makes the sum non-finite, a negative the minimum
    // negative). Only when that fails is each value looked at.
    let (mut low, mut total) = ([f64::INFINITY; 4], [0.0; 4]);
    let chunks = values.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            low[k] = low[k].min(c[k]);
            total[k] += c[k];
        }
    }
    for (k, &v) in rest.iter().enumerate() {
        low[k] = low[k].min(v);
        total[k] += v;
    }
    let low = low.iter().copied().fold(f64::INFINITY, f64::min);
    let total: f64 = total.iter().sum();
    if low >= 0.0 && total.is_finite() {
        return Ok(());
    }
    match values
        .iter()
        .copied()
        .find(|v| !(v.is_finite() && *v >= 0.0))
    {
        Some(value) => Err(PacingError::BadDuration { field, value }),
        None => Ok(()),
    }
}

fn at_most(what: &str, part: i64, whole_name: &str, whole: i64) -> Result<()> {
    if part > whole {
        return Err(PacingError::InconsistentCounts(format!(
            "{what} ({part}) exceeds {whole_name} ({whole})"
        )));
    }
    Ok(())
}

impl Snapshot<'_> {
    /// Refuses a snapshot that cannot describe a real campaign.
    pub fn validate(&self) -> Result<()> {
        if !self.now.is_finite() {
            return Err(PacingError::BadDuration {
                field: "now",
                value: self.now,
            });
        }
        let c = &self.counts;
        for (field, value) in [
            ("agents", self.agents),
            ("idle", self.idle),
            ("paused", self.paused),
            ("attempts", c.attempts),
            ("human", c.human),
            ("machine", c.machine),
            ("no_answer", c.no_answer),
            ("abandons", c.abandons),
            ("connects", c.connects),
            ("window.humans", self.window.humans),
            ("window.abandons", self.window.abandons),
            ("last_hour.humans", self.last_hour.humans),
            ("last_hour.abandons", self.last_hour.abandons),
            ("records_left", self.records_left.unwrap_or(0)),
        ] {
            non_negative(field, value)?;
        }
        durations("talking", self.talking)?;
        durations("wrapping", self.wrapping)?;
        durations("ringing", self.ringing)?;
        durations("recent_talk", self.recent_talk)?;
        durations("recent_wrap", self.recent_wrap)?;
        durations("recent_answer", self.recent_answer)?;
        if let Some(t) = self.time_left {
            durations("time_left", &[t])?;
        }
        let busy = self.idle + self.paused + self.talking.len() as i64 + self.wrapping.len() as i64;
        if busy > self.agents {
            return Err(PacingError::TooManyBusy {
                busy,
                agents: self.agents,
            });
        }
        at_most(
            "human + machine + no_answer answers",
            c.human + c.machine + c.no_answer,
            "attempts",
            c.attempts,
        )?;
        at_most(
            "abandons + connects",
            c.abandons + c.connects,
            "human answers",
            c.human,
        )?;
        at_most(
            "window abandons",
            self.window.abandons,
            "window humans",
            self.window.humans,
        )?;
        at_most(
            "last-hour abandons",
            self.last_hour.abandons,
            "last-hour humans",
            self.last_hour.humans,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> Snapshot<'static> {
        Snapshot {
            agents: 3,
            idle: 1,
            talking: &[10.0],
            wrapping: &[2.0],
            ..Default::default()
        }
    }

    #[test]
    fn a_plain_snapshot_is_valid() {
        ok().validate().unwrap();
    }

    #[test]
    fn negative_counts_are_named() {
        let mut s = ok();
        s.counts.abandons = -1;
        let e = s.validate().unwrap_err();
        assert_eq!(e.slug(), "negative-count");
        assert!(e.to_string().contains("abandons"), "{e}");
    }

    #[test]
    fn nan_durations_are_refused() {
        let talk = [1.0, f64::NAN];
        let s = Snapshot {
            recent_talk: &talk,
            ..ok()
        };
        let e = s.validate().unwrap_err();
        assert_eq!(e.slug(), "bad-duration");
        assert!(e.to_string().contains("recent_talk"), "{e}");
        let s = Snapshot {
            ringing: &[-1.0],
            ..ok()
        };
        assert_eq!(s.validate().unwrap_err().slug(), "bad-duration");
    }

    #[test]
    fn every_bad_duration_is_found_wherever_it_sits() {
        for at in 0..9 {
            for bad in [f64::NAN, f64::INFINITY, -0.5] {
                let mut v = [1.0; 9];
                v[at] = bad;
                assert!(
                    durations("talking", &v[..=at.max(2)]).is_err(),
                    "{bad} at {at}"
                );
            }
        }
        durations("talking", &[0.0, -0.0, 1e300, 1e300]).unwrap();
        durations("talking", &[]).unwrap();
    }

    #[test]
    fn more_busy_agents_than_agents_is_refused() {
        let s = Snapshot { agents: 2, ..ok() };
        let e = s.validate().unwrap_err();
        assert_eq!(e, PacingError::TooManyBusy { busy: 3, agents: 2 });
    }

    #[test]
    fn abandons_cannot_exceed_human_answers() {
        let mut s = ok();
        s.counts = Counts {
            attempts: 5,
            human: 1,
            abandons: 2,
            ..Default::default()
        };
        assert_eq!(s.validate().unwrap_err().slug(), "inconsistent-counts");
    }
}
