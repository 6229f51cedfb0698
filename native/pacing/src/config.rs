//! How a campaign is paced: the mode and the limits the predictive mode works under.

use crate::error::{PacingError, Result};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    /// The agent sees the record first, then the call is placed: one call per idle agent, each
    /// placed after the agent's preview (the driver owns that delay).
    Preview,
    /// One call per idle agent, never more calls in flight than idle agents: never abandons.
    Progressive,
    /// A fixed number of calls in flight per idle agent (`ratio` >= 1).
    Power { ratio: f64 },
    /// As many calls as the predicted free agents can take, under the abandon cap.
    Predictive,
}

impl Mode {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Preview => "preview",
            Self::Progressive => "progressive",
            Self::Power { .. } => "power",
            Self::Predictive => "predictive",
        }
    }
}

/// The span the regulator measures the abandon rate over. The caller keeps the tallies (see
/// [`crate::ledger::AbandonLedger`]); the pacer only reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceWindow {
    /// US FTC TSR: 30 days per campaign.
    Days30,
    /// UK Ofcom: 24 hours per campaign.
    Hours24,
    /// The campaign's whole life.
    Lifetime,
}

impl ComplianceWindow {
    /// Length in seconds, `None` for the campaign's lifetime.
    pub fn seconds(&self) -> Option<f64> {
        match self {
            Self::Days30 => Some(30.0 * 86_400.0),
            Self::Hours24 => Some(86_400.0),
            Self::Lifetime => None,
        }
    }

    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "30d" => Ok(Self::Days30),
            "24h" => Ok(Self::Hours24),
            "lifetime" => Ok(Self::Lifetime),
            other => Err(PacingError::BadConfig(format!(
                "unknown compliance window {other:?} (30d, 24h, lifetime)"
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PacingConfig {
    pub mode: Mode,
    /// Abandoned share of human answers never to exceed (0.03: FTC and Ofcom).
    pub abandon_cap: f64,
    pub window: ComplianceWindow,
    /// Share of the cap the predictive mode aims at: the last call placed may carry at most
    /// this share of the cap as its person's chance of being abandoned (trimmed by the gain so
    /// that the abandons counted meet it); the rest absorbs chance and the rolling hours.
    pub target_share: f64,
    /// Teams of this many agents or fewer are paced with half the target and an exact model.
    pub small_team: i64,
    /// Seconds a human may wait for an agent before the call counts as abandoned.
    pub connect_limit: f64,
    /// Seconds an unanswered call rings before it is given up.
    pub ring_timeout: f64,
    /// Never more calls in flight than this many per logged-in agent.
    pub max_lines_per_agent: f64,
    /// Trunk limit on calls in flight, if any.
    pub max_lines: Option<i64>,
    /// Means used until enough durations are known (seconds).
    pub prior_talk: f64,
    pub prior_wrap: f64,
    pub prior_answer: f64,
    /// Below this many resolved attempts or completed talks, predictive dials progressively.
    pub min_resolved: i64,
    pub min_talks: usize,
}

impl Default for PacingConfig {
    fn default() -> Self {
        Self {
            mode: Mode::Predictive,
            abandon_cap: 0.03,
            window: ComplianceWindow::Days30,
            target_share: 0.55,
            small_team: 5,
            connect_limit: 2.0,
            ring_timeout: 25.0,
            max_lines_per_agent: 30.0,
            max_lines: None,
            prior_talk: 120.0,
            prior_wrap: 20.0,
            prior_answer: 10.0,
            min_resolved: 40,
            min_talks: 8,
        }
    }
}

fn positive(name: &str, v: f64) -> Result<()> {
    if !(v.is_finite() && v > 0.0) {
        return Err(PacingError::BadConfig(format!(
            "{name} must be a positive number (got {v})"
        )));
    }
    Ok(())
}

impl PacingConfig {
    pub fn validate(&self) -> Result<()> {
        if let Mode::Power { ratio } = self.mode {
            if !(ratio.is_finite() && ratio >= 1.0) {
                return Err(PacingError::BadConfig(format!(
                    "power ratio must be at least 1 (got {ratio})"
                )));
            }
        }
        if !(self.abandon_cap.is_finite() && self.abandon_cap > 0.0 && self.abandon_cap < 1.0) {
            return Err(PacingError::BadConfig(format!(
                "abandon_cap must be in (0, 1) (got {})",
                self.abandon_cap
            )));
        }
        if !(self.target_share.is_finite() && self.target_share > 0.0 && self.target_share <= 1.0) {
            return Err(PacingError::BadConfig(format!(
                "target_share must be in (0, 1] (got {})",
                self.target_share
            )));
        }
        positive("connect_limit", self.connect_limit)?;
        positive("ring_timeout", self.ring_timeout)?;
        positive("max_lines_per_agent", self.max_lines_per_agent)?;
        positive("prior_talk", self.prior_talk)?;
        positive("prior_wrap", self.prior_wrap)?;
        positive("prior_answer", self.prior_answer)?;
        if let Some(lines) = self.max_lines {
            if lines < 1 {
                return Err(PacingError::BadConfig(format!(
                    "max_lines must be at least 1 (got {lines})"
                )));
            }
        }
        Ok(())
    }
}
