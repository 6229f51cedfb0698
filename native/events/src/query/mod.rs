//! Reading the aggregator: a period's indicators with their trends, rolling windows, tables of
//! every entity of a dimension, chart series and live figures.
//!
//! A query takes `now` (the engine owns no clock), closes the buckets that ended before it,
//! then sums buckets: weeks and months from the day ring plus the open day, rolling windows
//! from the minute, hour and day rings. The seconds of each logged-in agent's current state
//! since its last credit are added up to `now`.

mod indicators;
mod plan;

pub use indicators::{Combine, Indicator, WeightedDays, INDICATORS};
pub use plan::{Period, Window};

use plan::{Part, Plan};

use crate::calendar::Span;
use crate::counters::{state_seconds, Counters};
use crate::engine::Aggregator;
use crate::entities::Dimension;
use crate::error::Result;
use crate::event::{AgentState, NONE};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Up,
    Down,
    Stable,
}

impl Trend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down => "down",
            Self::Stable => "stable",
        }
    }
}

/// What a trend compared (seed 002's tooltip).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// The previous period over the same elapsed time.
    ToDate,
    /// The whole previous period.
    Whole,
}

impl Comparison {
    pub fn name(self) -> &'static str {
        match self {
            Self::ToDate => "to_date",
            Self::Whole => "whole",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorValue {
    pub indicator: Indicator,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub trend: Option<Trend>,
    pub comparison: Comparison,
}

/// A period's indicators for one entity, with the spans they cover.
#[derive(Debug, Clone)]
pub struct PeriodReport {
    pub span: Span,
    pub previous_span: Span,
    pub now: i64,
    pub values: Vec<IndicatorValue>,
}

/// Live figures of the center.
#[derive(Debug, Clone, PartialEq)]
pub struct Live {
    pub now: i64,
    /// Agents in each state, indexed by `AgentState as usize`.
    pub agents_by_state: [u32; 5],
    pub active_campaigns: u32,
    pub shared_callbacks_pending: i64,
    /// (queue id, waiting calls, longest wait in seconds) for queues with someone waiting.
    pub queues: Vec<(u32, u32, f64)>,
}

impl Live {
    pub fn agents_connected(&self) -> u32 {
        self.agents_by_state[1..].iter().sum()
    }
}

pub(crate) fn trend(value: Option<f64>, previous: Option<f64>, tolerance: f64) -> Option<Trend> {
    let v = value?;
    let p = previous.unwrap_or(0.0);
    Some(if p == 0.0 {
        if v > 0.0 {
            Trend::Up
        } else if v < 0.0 {
            Trend::Down
        } else {
            Trend::Stable
        }
    } else if v > p + tolerance * p.abs() {
        Trend::Up
    } else if v < p - tolerance * p.abs() {
        Trend::Down
    } else {
        Trend::Stable
    })
}

impl Aggregator {
    /// Closes buckets up to `now` and returns the effective query time: a `now` earlier than
    /// the newest event reads as of the newest event.
    fn settle(&mut self, now: i64) -> Result<i64> {
        let now = now.max(self.newest);
        self.advance(now)?;
        Ok(now)
    }

    fn entity(&self, dim: Dimension, id: u32) -> Result<u32> {
        self.index.entity(dim, if dim == Dimension::Center { 0 } else { id })
    }

    /// Seconds each logged-in agent's current state has earned since its last credit, per entity.
    fn ongoing(&self, now: i64, only: Option<u32>) -> Vec<(u32, Counters)> {
        let mut out: Vec<(u32, Counters)> = Vec::new();
        for &agent in self.agents.logged_in() {
            let rec = self.agents.get(agent);
            let Some(counter) = state_seconds(rec.state) else { continue };
            let seconds = (now - rec.credited_to).max(0) as f64 / 1e6;
            for &e in self.agent_entities(agent, rec).as_slice() {
                if only.is_some_and(|o| o != e) {
                    continue;
                }
                match out.iter_mut().find(|(x, _)| *x == e) {
                    Some((_, c)) => c.add(counter, seconds),
                    None => {
                        let mut c = Counters::default();
                        c.add(counter, seconds);
                        out.push((e, c));
                    }
                }
            }
        }
        out
    }

    /// Counters of entity `e` for one part of a plan.
    fn part(&self, e: u32, part: Part, ongoing: Option<&Counters>) -> Counters {
        let mut c = Counters::default();
        let open = |c: &mut Counters, layers: &[&crate::engine::Layer]| {
            for layer in layers {
                c.merge(layer.get(e));
            }
            if let Some(o) = ongoing {
                c.merge(o);
            }
        };
        match part {
            Part::OpenDay => open(&mut c, &[&self.day, &self.hour, &self.minute]),
            Part::OpenHour => open(&mut c, &[&self.hour, &self.minute]),
            Part::OpenMinute => open(&mut c, &[&self.minute]),
            Part::Day(k) => {
                if let Some(x) = self.days.get(k, e) {
                    c = *x;
                }
            }
            Part::Hour(k) => {
                if let Some(x) = self.hours.get(k, e) {
                    c = *x;
                }
            }
            Part::Minute(k) => {
                if let Some(x) = self.minutes.get(k, e) {
                    c = *x;
                }
            }
        }
        c
    }

    fn sum(&self, e: u32, parts: &[(Part, f64)], ongoing: Option<&Counters>) -> Counters {
        let mut total = Counters::default();
        for &(part, weight) in parts {
            let c = self.part(e, part, ongoing);
            if weight == 1.0 {
                total.merge(&c);
            } else {
                for (t, x) in total.0.iter_mut().zip(c.0.iter()) {
                    *t += weight * x;
                }
            }
        }
        total
    }

    fn weighted(&self, e: u32, days: &[(Part, f64)], ongoing: Option<&Counters>) -> WeightedDays {
        let mut w = WeightedDays::default();
        for &(part, _) in days {
            w.add_day(&self.part(e, part, ongoing));
        }
        w
    }

    /// Number of lists (or campaigns) active during `[a, b]` that belong to the entity.
    fn distinct(&self, ind: Indicator, dim: Dimension, id: u32, a: i64, b: i64) -> Option<f64> {
        let book = match ind {
            Indicator::ActiveLists => &self.lists,
            Indicator::ActiveCampaignsInPeriod => &self.campaigns,
            _ => return None,
        };
        let belongs = |tenant: u32, campaign: u32, own: u32| match dim {
            Dimension::Center => true,
            Dimension::Tenant => tenant == id,
            Dimension::Campaign => campaign == id || (ind == Indicator::ActiveCampaignsInPeriod && own == id),
            _ => false,
        };
        if !matches!(dim, Dimension::Center | Dimension::Tenant | Dimension::Campaign) {
            return None;
        }
        let n = book
            .iter()
            .enumerate()
            .filter(|(own, act)| belongs(act.tenant, act.campaign, *own as u32) && act.active_during(a, b))
            .count();
        Some(n as f64)
    }

    fn values_with(&self, plan: &Plan, e: u32, dim: Dimension, id: u32, ongoing: Option<&Counters>) -> Vec<Option<f64>> {
        let total = self.sum(e, &plan.current, ongoing);
        let weighted = plan.weighted.then(|| self.weighted(e, &plan.current, ongoing));
        Indicator::ALL
            .iter()
            .map(|&ind| match ind.combine() {
                Combine::Weighted if weighted.is_some() => weighted.as_ref().and_then(|w| w.value(ind)),
                Combine::Distinct if plan.distinct => self.distinct(ind, dim, id, plan.span.start, plan.now),
                _ => ind.of(&total),
            })
            .collect()
    }

    /// Every indicator of the period containing `now`, for one entity, up to `now`.
    pub fn values(&mut self, now: i64, period: Period, dim: Dimension, id: u32) -> Result<Vec<Option<f64>>> {
        let now = self.settle(now)?;
        let e = self.entity(dim, id)?;
        let plan = Plan::period(self, period, now)?;
        let ongoing = self.ongoing(now, Some(e)).pop().map(|(_, c)| c);
        Ok(self.values_with(&plan, e, dim, id, ongoing.as_ref()))
    }

    /// Every indicator over a rolling window ending at `now`, for one entity.
    pub fn rolling(&mut self, now: i64, window: Window, dim: Dimension, id: u32) -> Result<Vec<Option<f64>>> {
        let now = self.settle(now)?;
        let e = self.entity(dim, id)?;
        let plan = Plan::window(self, window, now)?;
        let ongoing = self.ongoing(now, Some(e)).pop().map(|(_, c)| c);
        Ok(self.values_with(&plan, e, dim, id, ongoing.as_ref()))
    }

    /// A period's indicators with the previous period's values and trends.
    pub fn report(&mut self, now: i64, period: Period, dim: Dimension, id: u32) -> Result<PeriodReport> {
        let now = self.settle(now)?;
        let e = self.entity(dim, id)?;
        let plan = Plan::period(self, period, now)?;
        let ongoing = self.ongoing(now, Some(e)).pop().map(|(_, c)| c);
        let values = self.values_with(&plan, e, dim, id, ongoing.as_ref());
        let whole = self.sum(e, &plan.previous_whole, None);
        let whole_weighted = self.weighted(e, &plan.previous_whole, None);
        let to_date = self.sum(e, &plan.previous_to_date, None);
        let tolerance = self.config.trend_tolerance;
        let values = Indicator::ALL
            .iter()
            .zip(values)
            .map(|(&ind, value)| {
                let (previous, comparison) = match ind.combine() {
                    Combine::Sum => (ind.of(&to_date), Comparison::ToDate),
                    Combine::Weighted if plan.weighted => (whole_weighted.value(ind), Comparison::Whole),
                    Combine::Distinct => (
                        self.distinct(ind, dim, id, plan.previous_span.start, plan.previous_span.end - 1),
                        Comparison::Whole,
                    ),
                    _ => (ind.of(&whole), Comparison::Whole),
                };
                IndicatorValue { indicator: ind, value, previous, trend: trend(value, previous, tolerance), comparison }
            })
            .collect();
        Ok(PeriodReport { span: plan.span, previous_span: plan.previous_span, now, values })
    }

    /// Every indicator of the period for every entity of a dimension: a row-major matrix,
    /// `entities × INDICATORS`, `NaN` where an indicator has no value.
    pub fn table(&mut self, now: i64, period: Period, dim: Dimension) -> Result<Vec<f64>> {
        let now = self.settle(now)?;
        let plan = Plan::period(self, period, now)?;
        let size = self.index.sizes().get(dim);
        let first = self.index.offset(dim);
        let mut ongoing = vec![None; size as usize];
        for (e, c) in self.ongoing(now, None) {
            if (first..first + size).contains(&e) {
                ongoing[(e - first) as usize] = Some(c);
            }
        }
        let mut out = Vec::with_capacity(size as usize * INDICATORS);
        for id in 0..size {
            let values = self.values_with(&plan, first + id, dim, id, ongoing[id as usize].as_ref());
            out.extend(values.into_iter().map(|v| v.unwrap_or(f64::NAN)));
        }
        Ok(out)
    }

    /// An indicator's chart points over the period: (bucket start, value) by local hour for a
    /// day, by local day for a week or month, up to `now`.
    pub fn series(&mut self, now: i64, period: Period, dim: Dimension, id: u32, ind: Indicator) -> Result<Vec<(i64, Option<f64>)>> {
        let now = self.settle(now)?;
        let e = self.entity(dim, id)?;
        let ongoing = self.ongoing(now, Some(e)).pop().map(|(_, c)| c);
        let points = Plan::series(self, period, now)?;
        Ok(points
            .into_iter()
            .map(|(start, part)| (start, ind.of(&self.part(e, part, ongoing.as_ref()))))
            .collect())
    }

    /// The live figures of the center at `now`.
    pub fn live(&mut self, now: i64) -> Result<Live> {
        let now = self.settle(now)?;
        let queues = self
            .queues
            .iter()
            .enumerate()
            .filter(|(_, q)| q.waiting() > 0)
            .map(|(id, q)| {
                let oldest = q.oldest_entry().unwrap_or(now);
                (id as u32, q.waiting() as u32, (now - oldest).max(0) as f64 / 1e6)
            })
            .collect();
        Ok(Live {
            now,
            agents_by_state: self.agents.state_counts(),
            active_campaigns: self.campaigns.iter().filter(|c| c.active_since.is_some()).count() as u32,
            shared_callbacks_pending: self.shared_callbacks_pending,
            queues,
        })
    }

    /// The state of one agent and since when (`None` if the agent is unknown).
    pub fn agent_state(&self, agent: u32) -> Option<(AgentState, i64)> {
        (agent != NONE && agent < self.index.sizes().agent).then(|| {
            let rec = self.agents.get(agent);
            (rec.state, rec.last_event)
        })
    }
}
