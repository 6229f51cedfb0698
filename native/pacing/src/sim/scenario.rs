//! A simulated campaign day, read from TOML (bench/scenarios/*.toml). Unknown fields and
//! values out of range are refused with the field's name and line.

use serde::{Deserialize, Deserializer};

use crate::error::{PacingError, Result};

fn probability<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if !(0.0..=1.0).contains(&v) {
        return Err(serde::de::Error::custom(format!(
            "{v} is not a probability (0 to 1)"
        )));
    }
    Ok(v)
}

fn positive<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if !(v.is_finite() && v > 0.0) {
        return Err(serde::de::Error::custom(format!(
            "{v} must be a positive number"
        )));
    }
    Ok(v)
}

fn non_negative<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if !(v.is_finite() && v >= 0.0) {
        return Err(serde::de::Error::custom(format!(
            "{v} must be zero or a positive number"
        )));
    }
    Ok(v)
}

fn some_probability<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<f64>, D::Error> {
    probability(d).map(Some)
}

fn some_positive<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<f64>, D::Error> {
    positive(d).map(Some)
}

/// Shares of call outcomes; the rest of 1 rings out unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcomes {
    #[serde(deserialize_with = "probability")]
    pub human: f64,
    #[serde(default, deserialize_with = "probability")]
    pub machine: f64,
    #[serde(default, deserialize_with = "probability")]
    pub busy: f64,
    #[serde(default, deserialize_with = "probability")]
    pub invalid: f64,
}

/// A duration drawn from a log-normal law with this mean and standard deviation (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duration {
    #[serde(deserialize_with = "positive")]
    pub mean: f64,
    #[serde(deserialize_with = "non_negative")]
    pub sd: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ring {
    /// Ring time before a person or a machine answers.
    #[serde(default = "Ring::answer", deserialize_with = "positive")]
    pub answer_mean: f64,
    #[serde(default = "Ring::answer_sd", deserialize_with = "non_negative")]
    pub answer_sd: f64,
    /// Seconds before an unanswered call is given up.
    #[serde(default = "Ring::timeout", deserialize_with = "positive")]
    pub timeout: f64,
}

impl Ring {
    fn answer() -> f64 {
        9.0
    }
    fn answer_sd() -> f64 {
        4.0
    }
    fn timeout() -> f64 {
        25.0
    }
}

impl Default for Ring {
    fn default() -> Self {
        Self {
            answer_mean: Self::answer(),
            answer_sd: Self::answer_sd(),
            timeout: Self::timeout(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pauses {
    /// Pauses per agent per hour.
    #[serde(default, deserialize_with = "non_negative")]
    pub per_hour: f64,
    #[serde(default = "Pauses::mean", deserialize_with = "positive")]
    pub mean_seconds: f64,
}

impl Pauses {
    fn mean() -> f64 {
        300.0
    }
}

/// Agents joining or leaving at a time of the day.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staffing {
    #[serde(deserialize_with = "non_negative")]
    pub at_hours: f64,
    #[serde(default)]
    pub join: u32,
    #[serde(default)]
    pub leave: u32,
}

/// Parameters that change from a time of the day on.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drift {
    #[serde(deserialize_with = "non_negative")]
    pub at_hours: f64,
    #[serde(default, deserialize_with = "some_probability")]
    pub human: Option<f64>,
    #[serde(default, deserialize_with = "some_probability")]
    pub machine: Option<f64>,
    #[serde(default, deserialize_with = "some_positive")]
    pub talk_mean: Option<f64>,
    #[serde(default, deserialize_with = "some_positive")]
    pub wrap_mean: Option<f64>,
    #[serde(default, deserialize_with = "some_positive")]
    pub answer_mean: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(deserialize_with = "positive")]
    pub hours: f64,
    pub agents: u32,
    /// Records in the list (one attempt each); unlimited when absent.
    #[serde(default)]
    pub records: Option<u64>,
    /// Seconds of simulated time between two pacing decisions.
    #[serde(default = "Scenario::interval", deserialize_with = "positive")]
    pub decision_interval: f64,
    /// Seconds a person waits for an agent before the call is abandoned.
    #[serde(default = "Scenario::limit", deserialize_with = "positive")]
    pub connect_limit: f64,
    /// Seconds an agent previews a record before its call is placed (preview mode).
    #[serde(default = "Scenario::preview", deserialize_with = "non_negative")]
    pub preview_seconds: f64,
    /// Trunk lines: calls in flight at most.
    #[serde(default)]
    pub lines: Option<u32>,
    pub outcomes: Outcomes,
    #[serde(default)]
    pub ring: Ring,
    pub talk: Duration,
    pub wrap: Duration,
    #[serde(default)]
    pub pauses: Pauses,
    #[serde(default)]
    pub staffing: Vec<Staffing>,
    #[serde(default)]
    pub drift: Vec<Drift>,
}

impl Scenario {
    fn interval() -> f64 {
        0.1
    }
    fn limit() -> f64 {
        2.0
    }
    fn preview() -> f64 {
        10.0
    }

    /// Parses and checks a scenario; errors name the field and, where known, its line.
    pub fn from_toml(text: &str) -> Result<Self> {
        let s: Scenario = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let message = e.message().trim_end().to_string();
            PacingError::BadScenario(match line {
                Some(line) => format!("line {line}: {message}"),
                None => message,
            })
        })?;
        s.check(text)?;
        Ok(s)
    }

    fn check(&self, text: &str) -> Result<()> {
        let line_of = |key: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(key))
                .map_or(String::new(), |i| format!("line {}: ", i + 1))
        };
        let o = &self.outcomes;
        if o.human + o.machine + o.busy + o.invalid > 1.0 + 1e-9 {
            return Err(PacingError::BadScenario(format!(
                "{}outcomes: human + machine + busy + invalid exceed 1",
                line_of("[outcomes]")
            )));
        }
        for d in &self.drift {
            if d.human.unwrap_or(o.human) + d.machine.unwrap_or(o.machine) + o.busy + o.invalid
                > 1.0 + 1e-9
            {
                return Err(PacingError::BadScenario(format!(
                    "{}drift at {} h: outcome shares exceed 1",
                    line_of("[[drift]]"),
                    d.at_hours
                )));
            }
        }
        if self.agents == 0 && self.staffing.iter().all(|s| s.join == 0) {
            return Err(PacingError::BadScenario(format!(
                "{}agents: no agent ever works",
                line_of("agents")
            )));
        }
        if self.ring.answer_mean >= self.ring.timeout {
            return Err(PacingError::BadScenario(format!(
                "{}ring.answer_mean must be shorter than ring.timeout",
                line_of("answer_mean")
            )));
        }
        Ok(())
    }
}

/// A small scenario for tests: these outcome shares, then `extra` tables (pauses, drifts).
#[cfg(test)]
pub(crate) fn sample(outcomes: &str, extra: &str) -> Scenario {
    let text = format!(
        "name = \"t\"\nhours = 8\nagents = 3\n[outcomes]\n{outcomes}\n[talk]\nmean = 60\nsd = 20\n\
         [wrap]\nmean = 10\nsd = 5\n{extra}"
    );
    Scenario::from_toml(&text).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
name = "t"
hours = 1
agents = 3
[outcomes]
human = 0.2
machine = 0.1
[talk]
mean = 60
sd = 20
[wrap]
mean = 10
sd = 5
"#;

    #[test]
    fn a_small_scenario_parses_with_defaults() {
        let s = Scenario::from_toml(OK).unwrap();
        assert_eq!(s.agents, 3);
        assert_eq!(s.ring, Ring::default());
        assert_eq!(s.decision_interval, 0.1);
    }

    #[test]
    fn an_unknown_field_is_named_with_its_line() {
        let text = OK.replace("sd = 20", "sd = 20\nmedian = 50");
        let e = Scenario::from_toml(&text).unwrap_err();
        let m = e.to_string();
        assert_eq!(e.slug(), "bad-scenario");
        assert!(m.contains("median") && m.contains("line 11"), "{m}");
    }

    #[test]
    fn a_value_out_of_range_is_named_with_its_line() {
        let text = OK.replace("human = 0.2", "human = 1.5");
        let m = Scenario::from_toml(&text).unwrap_err().to_string();
        assert!(m.contains("line 6") && m.contains("probability"), "{m}");
        let text = OK.replace("machine = 0.1", "machine = 0.9");
        let m = Scenario::from_toml(&text).unwrap_err().to_string();
        assert!(m.contains("line 5") && m.contains("exceed 1"), "{m}");
    }
}
