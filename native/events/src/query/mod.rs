//! Reading the aggregator: a period's indicators with their trends, rolling windows, tables of
//! every entity of a dimension, chart series and live figures.
//!
//! A query takes `now` (the engine owns no clock), closes the buckets that ended before it,
//! then sums buckets: weeks and months from the day ring plus the open day, rolling windows
//! from the minute, hour and day rings. Each logged-in agent's current state has earned time
//! since its last state event that no bucket holds yet: every bucket summed gets the part of
//! that stretch, up to `now`, that falls in its span.

mod indicators;
mod plan;

pub use indicators::{Combine, Indicator, WeightedDays, INDICATORS};
pub use plan::{Period, Window};

use plan::{Part, Plan};

use crate::calendar::{hour_key, Span, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND};
use crate::counters::{Counter, Counters};
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

/// Agent time one entity has earned and no bucket holds yet: a stretch `[since, now)` of a
/// state's counter per logged-in agent counted under the entity.
#[derive(Debug, Clone)]
struct Ongoing {
    now: i64,
    stretches: Vec<(Counter, i64)>,
}

impl Ongoing {
    /// Adds the seconds of each stretch that fall in `span`.
    fn add_to(&self, c: &mut Counters, span: Span) {
        for &(counter, since) in &self.stretches {
            let micros = span.overlap(since, self.now);
            if micros > 0 {
                c.add(counter, micros as f64 / MICROS_PER_SECOND as f64);
            }
        }
    }
}

impl Aggregator {
    /// Closes buckets up to `now` and returns the effective query time: the engine's time never
    /// goes back, so a `now` earlier than the newest event or an earlier query reads as of that.
    fn settle(&mut self, now: i64) -> Result<i64> {
        let now = now.max(self.latest);
        self.advance(now)?;
        self.latest = now;
        Ok(now)
    }

    fn entity(&self, dim: Dimension, id: u32) -> Result<u32> {
        self.index
            .entity(dim, if dim == Dimension::Center { 0 } else { id })
    }

    /// The agent time entity `e` has earned up to `now` that no bucket holds yet.
    fn ongoing(&self, now: i64, e: u32) -> Ongoing {
        let stretches = self
            .agents
            .earning()
            .filter(|(agent, rec, _)| rec.entities(*agent, &self.index).as_slice().contains(&e))
            .map(|(_, rec, counter)| (counter, rec.since))
            .collect();
        Ongoing { now, stretches }
    }

    /// `ongoing` of every entity `first..first + size` at once.
    fn ongoing_of_range(&self, now: i64, first: u32, size: u32) -> Vec<Ongoing> {
        let mut out = vec![
            Ongoing {
                now,
                stretches: Vec::new()
            };
            size as usize
        ];
        for (agent, rec, counter) in self.agents.earning() {
            for &e in rec.entities(agent, &self.index).as_slice() {
                if let Some(o) = e.checked_sub(first).and_then(|i| out.get_mut(i as usize)) {
                    o.stretches.push((counter, rec.since));
                }
            }
        }
        out
    }

    /// Counters of entity `e` for one part of a plan, with the part of the running agent time
    /// that falls in it.
    fn part(&self, e: u32, part: Part, ongoing: &Ongoing) -> Counters {
        let clock = self.clock.expect("settled before reading");
        let held = |c: Option<&Counters>| c.copied().unwrap_or_default();
        let minute = |start: i64| Span {
            start,
            end: start + MICROS_PER_MINUTE,
        };
        let (mut c, span) = match part {
            Part::OpenMinute => (*self.minutes.current(e), minute(clock.minute_start)),
            Part::OpenHour => {
                let mut c = *self.hours.current(e);
                c.merge(self.minutes.current(e));
                (c, clock.periods.hour)
            }
            Part::OpenDay => {
                let mut c = *self.days.current(e);
                c.merge(self.hours.current(e));
                c.merge(self.minutes.current(e));
                (c, clock.periods.day)
            }
            Part::Day(key, span) => (held(self.days.get(key, e)), span),
            Part::Hour(start) => (
                held(self.hours.get(hour_key(start), e)),
                Span {
                    start,
                    end: start + MICROS_PER_HOUR,
                },
            ),
            Part::Minute(key) => (
                held(self.minutes.get(key, e)),
                minute(key * MICROS_PER_MINUTE),
            ),
        };
        ongoing.add_to(&mut c, span);
        c
    }

    fn sum(&self, e: u32, parts: &[(Part, f64)], ongoing: &Ongoing) -> Counters {
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

    fn weighted(&self, e: u32, days: &[(Part, f64)], ongoing: &Ongoing) -> WeightedDays {
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
            Dimension::Campaign => {
                campaign == id || (ind == Indicator::ActiveCampaignsInPeriod && own == id)
            }
            _ => false,
        };
        if !matches!(
            dim,
            Dimension::Center | Dimension::Tenant | Dimension::Campaign
        ) {
            return None;
        }
        let n = book
            .iter()
            .enumerate()
            .filter(|(own, act)| {
                belongs(act.tenant, act.campaign, *own as u32) && act.active_during(a, b)
            })
            .count();
        Some(n as f64)
    }

    fn values_with(
        &self,
        plan: &Plan,
        e: u32,
        dim: Dimension,
        id: u32,
        ongoing: &Ongoing,
    ) -> Vec<Option<f64>> {
        let total = self.sum(e, &plan.current, ongoing);
        let weighted = plan
            .weighted
            .then(|| self.weighted(e, &plan.current, ongoing));
        Indicator::ALL
            .iter()
            .map(|&ind| match ind.combine() {
                Combine::Weighted if weighted.is_some() => {
                    weighted.as_ref().and_then(|w| w.value(ind))
                }
                Combine::Distinct if plan.distinct => {
                    self.distinct(ind, dim, id, plan.span.start, plan.now)
                }
                _ => ind.of(&total),
            })
            .collect()
    }

    /// Every indicator of the period containing `now`, for one entity, up to `now`.
    pub fn values(
        &mut self,
        now: i64,
        period: Period,
        dim: Dimension,
        id: u32,
    ) -> Result<Vec<Option<f64>>> {
        let now = self.settle(now)?;
        let e = self.entity(dim, id)?;
        let plan = Plan::period(self, period, now)?;
        Ok(self.values_with(&plan, e, dim, id, &self.ongoing(now, e)))
    }

    /// Every indicator over a rolling window ending at `now`, for one entity.
    pub fn rolling(
        &mut self,
        now: i64,
        window: Window,
        dim: Dimension,
        id: u32,
    ) -> Result<Vec<Option<f64>>> {
        let now = self.settle(now)?;
        let e = self.entity(dim, id)?;
        let plan = Plan::window(self, window, now)?;
        Ok(self.values_with(&plan, e, dim, id, &self.ongoing(now, e)))
    }

    /// A period's indicators with the previous period's values and trends.
    pub fn report(
        &mut self,
        now: i64,
        period: Period,
        dim: Dimension,
        id: u32,
    ) -> Result<PeriodReport> {
        let now = self.settle(now)?;
        let e = self.entity(dim, id)?;
        let plan = Plan::period(self, period, now)?;
        // The previous period gets its share of agent time still running too (a stretch may
        // have started in it).
        let ongoing = self.ongoing(now, e);
        let values = self.values_with(&plan, e, dim, id, &ongoing);
        let whole = self.sum(e, &plan.previous_whole, &ongoing);
        let whole_weighted = self.weighted(e, &plan.previous_whole, &ongoing);
        let to_date = self.sum(e, &plan.previous_to_date, &ongoing);
        let tolerance = self.config.trend_tolerance;
        let values = Indicator::ALL
            .iter()
            .zip(values)
            .map(|(&ind, value)| {
                let (previous, comparison) = match ind.combine() {
                    Combine::Sum => (ind.of(&to_date), Comparison::ToDate),
                    Combine::Weighted if plan.weighted => {
                        (whole_weighted.value(ind), Comparison::Whole)
                    }
                    Combine::Distinct => (
                        self.distinct(
                            ind,
                            dim,
                            id,
                            plan.previous_span.start,
                            plan.previous_span.end - 1,
                        ),
                        Comparison::Whole,
                    ),
                    _ => (ind.of(&whole), Comparison::Whole),
                };
                IndicatorValue {
                    indicator: ind,
                    value,
                    previous,
                    trend: trend(value, previous, tolerance),
                    comparison,
                }
            })
            .collect();
        Ok(PeriodReport {
            span: plan.span,
            previous_span: plan.previous_span,
            now,
            values,
        })
    }

    /// Every indicator of the period for every entity of a dimension: a row-major matrix,
    /// `entities × INDICATORS`, `NaN` where an indicator has no value.
    pub fn table(&mut self, now: i64, period: Period, dim: Dimension) -> Result<Vec<f64>> {
        let now = self.settle(now)?;
        let plan = Plan::period(self, period, now)?;
        let size = self.index.sizes().get(dim);
        let first = self.index.offset(dim);
        let ongoing = self.ongoing_of_range(now, first, size);
        let mut out = Vec::with_capacity(size as usize * INDICATORS);
        for id in 0..size {
            let values = self.values_with(&plan, first + id, dim, id, &ongoing[id as usize]);
            out.extend(values.into_iter().map(|v| v.unwrap_or(f64::NAN)));
        }
        Ok(out)
    }

    /// An indicator's chart points over the period: (bucket start, value) by local hour for a
    /// day, by local day for a week or month, up to `now`.
    pub fn series(
        &mut self,
        now: i64,
        period: Period,
        dim: Dimension,
        id: u32,
        ind: Indicator,
    ) -> Result<Vec<(i64, Option<f64>)>> {
        let now = self.settle(now)?;
        let e = self.entity(dim, id)?;
        let ongoing = self.ongoing(now, e);
        let points = Plan::series(self, period, now)?;
        Ok(points
            .into_iter()
            .map(|(start, part)| (start, ind.of(&self.part(e, part, &ongoing))))
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
                (
                    id as u32,
                    q.waiting() as u32,
                    (now - oldest).max(0) as f64 / 1e6,
                )
            })
            .collect();
        Ok(Live {
            now,
            agents_by_state: self.agents.state_counts(),
            active_campaigns: self
                .campaigns
                .iter()
                .filter(|c| c.active_since.is_some())
                .count() as u32,
            shared_callbacks_pending: self.shared_callbacks_pending,
            queues,
        })
    }

    /// The state of one agent and since when (`None` if the agent is unknown).
    pub fn agent_state(&self, agent: u32) -> Option<(AgentState, i64)> {
        (agent != NONE && agent < self.index.sizes().agent).then(|| {
            let rec = self.agents.get(agent);
            (rec.state, rec.since)
        })
    }
}
