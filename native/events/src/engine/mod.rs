//! The aggregator: takes events one by one or in columnar batches and keeps every counter of
//! every entity current, minute by minute, hour by hour and day by day.
//!
//! An event in the open minute costs one counter update per entity it names. Closing a minute
//! adds the cells it wrote to the open hour and keeps them in the minute ring; closing an hour
//! does the same into the open day and the hour ring; a closed day goes to the day ring.
//! Weeks, months and rolling windows are summed from these at query time (`crate::query`).
//! Late events are added to every bucket that contains them. An agent's time is credited when
//! its next state event ends the stretch; queries add the stretch still running, so the clock
//! can jump over minutes in which nothing happened.

mod agents;
mod checkpoint;
mod credit;
mod gauges;
mod level;
#[cfg(test)]
mod tests;

pub(crate) use agents::{AgentBook, AgentRecord};
pub(crate) use gauges::{Activity, QueueWaiters};
pub(crate) use level::Level;

use crate::calendar::{hour_key, Calendar, PeriodsAt, WeekStart, MICROS_PER_MINUTE};
use crate::counters::{state_seconds, Delta};
use crate::entities::{Dimension, EntityIndex, EntityList, Sizes};
use crate::error::{EventsError, Result};
use crate::event::{
    check_fields, fields_pass, flag, AgentState, Event, EventColumns, EventKind, NONE,
};

// A level holds at least its count of closed buckets (its ring rounds up to a power of two).
/// Closed minutes held (rolling 15 min and 1 h windows).
pub(crate) const MINUTE_SLOTS: usize = 64;
/// Closed hours held: today and yesterday, whatever DST does, and the rolling 24 h.
pub(crate) const HOUR_SLOTS: usize = 56;
/// Closed days held: the previous month and the rolling 30 days always fit.
pub(crate) const DAY_SLOTS: usize = 64;
/// Events older than this many days before the newest event's local date are refused.
pub(crate) const HORIZON_DAYS: i32 = 62;

#[derive(Debug, Clone)]
pub struct Config {
    pub tz: String,
    pub week_start: WeekStart,
    /// Queue answers within this many seconds count toward the service level.
    pub service_level_seconds: f64,
    /// Relative change under which a trend is "stable".
    pub trend_tolerance: f64,
    pub sizes: Sizes,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            tz: "UTC".to_owned(),
            week_start: WeekStart::Monday,
            service_level_seconds: 20.0,
            trend_tolerance: 0.05,
            sizes: Sizes::default(),
        }
    }
}

/// The periods of the open buckets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    pub periods: PeriodsAt,
    /// Start of the open minute.
    pub minute_start: i64,
    /// Events before this are too old.
    pub horizon: i64,
}

impl Clock {
    /// Whether `t` falls after the open minute.
    #[inline]
    fn is_past(&self, t: i64) -> bool {
        t >= self.minute_start + MICROS_PER_MINUTE
    }
}

/// Rows of a batch that were refused, with the reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestReport {
    pub accepted: usize,
    pub rejected: Vec<(usize, EventsError)>,
}

pub struct Aggregator {
    pub(crate) config: Config,
    pub(crate) calendar: Calendar,
    pub(crate) index: EntityIndex,
    pub(crate) clock: Option<Clock>,
    pub(crate) minutes: Level,
    pub(crate) hours: Level,
    pub(crate) days: Level,
    pub(crate) agents: AgentBook,
    pub(crate) campaigns: Vec<Activity>,
    pub(crate) lists: Vec<Activity>,
    pub(crate) queues: Vec<QueueWaiters>,
    pub(crate) shared_callbacks_pending: i64,
    /// The engine's time: the latest of every accepted event's time and every query's `now`
    /// (it never goes back, docs/metrics.md "Limits").
    pub(crate) latest: i64,
}

impl Aggregator {
    pub fn new(config: Config) -> Result<Self> {
        let calendar = Calendar::new(&config.tz, config.week_start)?;
        if !(config.service_level_seconds.is_finite() && config.service_level_seconds >= 0.0) {
            return Err(EventsError::InvalidArgument(
                "service_level_seconds must be a finite number >= 0".into(),
            ));
        }
        if !(config.trend_tolerance.is_finite() && config.trend_tolerance >= 0.0) {
            return Err(EventsError::InvalidArgument(
                "trend_tolerance must be a finite number >= 0".into(),
            ));
        }
        let index = EntityIndex::new(config.sizes);
        let n = index.count();
        let s = config.sizes;
        Ok(Self {
            calendar,
            minutes: Level::new(MINUTE_SLOTS, n),
            hours: Level::new(HOUR_SLOTS, n),
            days: Level::new(DAY_SLOTS, n),
            agents: AgentBook::new(s.agent as usize),
            campaigns: vec![Activity::default(); s.campaign as usize],
            lists: vec![Activity::default(); s.list as usize],
            queues: vec![QueueWaiters::default(); s.queue as usize],
            shared_callbacks_pending: 0,
            latest: i64::MIN,
            clock: None,
            index,
            config,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    pub fn sizes(&self) -> Sizes {
        self.index.sizes()
    }

    /// Grows (or shrinks) a dimension; counters of ids that remain are kept.
    pub fn resize(&mut self, dim: Dimension, size: u32) -> Result<()> {
        let mut sizes = self.index.sizes();
        sizes.set(dim, size)?;
        let next = EntityIndex::new(sizes);
        let map = self.index.remap_to(&next);
        let n = next.count();
        for level in [&mut self.minutes, &mut self.hours, &mut self.days] {
            level.remap(&map, n);
        }
        self.agents.resize(&next);
        self.campaigns
            .resize(sizes.campaign as usize, Activity::default());
        self.lists.resize(sizes.list as usize, Activity::default());
        self.queues
            .resize(sizes.queue as usize, QueueWaiters::default());
        self.index = next;
        self.config.sizes = sizes;
        Ok(())
    }

    /// Ingests one event, or refuses it whole.
    #[inline]
    pub fn push(&mut self, e: &Event) -> Result<()> {
        let kind = match fields_pass(e, &self.index) {
            Some(kind) => kind,
            // The reason, from the rules in the order the contract gives them.
            None => check_fields(e, &self.index)?,
        };
        self.check_order(kind, e)?;
        self.advance(e.time)?;
        self.count(kind, e)?;
        self.latest = self.latest.max(e.time);
        Ok(())
    }

    /// Ingests a batch: good rows land, bad rows are reported with their index and reason.
    pub fn ingest(&mut self, batch: &EventColumns<'_>) -> Result<IngestReport> {
        let n = batch.check()?;
        let mut report = IngestReport::default();
        for (i, e) in batch.rows(n).enumerate() {
            match self.push(&e) {
                Ok(()) => report.accepted += 1,
                Err(err) => report.rejected.push((i, err)),
            }
        }
        Ok(report)
    }

    /// Refusals that depend on what came before (age, per-agent and per-list order).
    #[inline]
    fn check_order(&self, kind: EventKind, e: &Event) -> Result<()> {
        if let Some(clock) = &self.clock {
            if e.time < clock.horizon {
                return Err(EventsError::EventTooOld {
                    time: e.time,
                    horizon: clock.horizon,
                });
            }
        }
        if kind.agent_state().is_some() && e.agent != NONE {
            let previous = self.agents.get(e.agent).since;
            if e.time < previous {
                return Err(EventsError::AgentEventOutOfOrder {
                    agent: e.agent,
                    time: e.time,
                    previous,
                });
            }
        }
        if kind.is_activation() {
            self.check_activation_order(kind, e)?;
        }
        Ok(())
    }

    fn check_activation_order(&self, kind: EventKind, e: &Event) -> Result<()> {
        let activity = match kind {
            EventKind::CampaignActivated | EventKind::CampaignDeactivated if e.campaign != NONE => {
                Some(("campaign", e.campaign, &self.campaigns[e.campaign as usize]))
            }
            EventKind::ListActivated | EventKind::ListDeactivated if e.list != NONE => {
                Some(("list", e.list, &self.lists[e.list as usize]))
            }
            _ => None,
        };
        if let Some((what, id, a)) = activity {
            if e.time < a.last_event {
                return Err(EventsError::StateEventOutOfOrder {
                    what,
                    id,
                    time: e.time,
                    previous: a.last_event,
                });
            }
        }
        Ok(())
    }

    /// Moves the clock to the minute of `t` if `t` is past the open minute.
    #[inline]
    pub(crate) fn advance(&mut self, t: i64) -> Result<()> {
        match &self.clock {
            Some(clock) if !clock.is_past(t) => Ok(()),
            _ => self.move_clock(t),
        }
    }

    /// Start of the open minute.
    #[inline]
    fn minute_start(&self) -> i64 {
        self.clock
            .as_ref()
            .expect("advanced before counting")
            .minute_start
    }

    /// Closes the open minute (and hour and day, if `t` is past them) and opens the buckets of
    /// `t`. Buckets in between held nothing: no event fell in them, and agent time still
    /// running is added at query time.
    fn move_clock(&mut self, t: i64) -> Result<()> {
        let Some(old) = self.clock else {
            let clock = self.clock_at(t)?;
            self.minutes.open(clock.periods.minute, None);
            self.hours.open(hour_key(clock.periods.hour.start), None);
            self.days.open(i64::from(clock.periods.day_key), None);
            self.clock = Some(clock);
            return Ok(());
        };
        let (new_hour, new_day) = (t >= old.periods.hour.end, t >= old.periods.day.end);
        // Everything that may fail comes first, so a failure leaves the buckets as they were.
        let clock = if new_day {
            self.clock_at(t)?
        } else if new_hour {
            Clock {
                periods: self.calendar.periods_at(t)?,
                ..old
            }
        } else {
            Clock {
                periods: PeriodsAt {
                    minute: t.div_euclid(MICROS_PER_MINUTE),
                    ..old.periods
                },
                ..old
            }
        };
        let clock = Clock {
            minute_start: clock.periods.minute * MICROS_PER_MINUTE,
            ..clock
        };
        self.minutes
            .open(clock.periods.minute, Some(&mut self.hours));
        if new_hour {
            self.hours
                .open(hour_key(clock.periods.hour.start), Some(&mut self.days));
        }
        if new_day {
            self.days.open(i64::from(clock.periods.day_key), None);
            self.forget_before(clock.horizon);
        }
        self.clock = Some(clock);
        Ok(())
    }

    fn clock_at(&self, t: i64) -> Result<Clock> {
        let periods = self.calendar.periods_at(t)?;
        let horizon_date = Calendar::date_of_key(periods.day_key - HORIZON_DAYS)?;
        Ok(Clock {
            periods,
            minute_start: periods.minute * MICROS_PER_MINUTE,
            horizon: self.calendar.midnight(horizon_date)?,
        })
    }

    fn forget_before(&mut self, horizon: i64) {
        for a in self.campaigns.iter_mut().chain(self.lists.iter_mut()) {
            a.forget_before(horizon);
        }
        for q in &mut self.queues {
            q.forget_before(horizon);
        }
    }

    /// Adds the counters of an accepted event and updates the live state it changes.
    #[inline]
    fn count(&mut self, kind: EventKind, e: &Event) -> Result<()> {
        let delta = Delta::of(kind, e, self.config.service_level_seconds);
        if !delta.as_slice().is_empty() {
            let mut entities = EntityList::default();
            self.index.of_event(e, &mut entities);
            self.add_at(e.time, entities.as_slice(), &delta)?;
        }
        if let (Some(state), true) = (kind.agent_state(), e.agent != NONE) {
            self.move_agent(e, state)?;
        }
        if kind.changes_gauges() {
            self.update_gauges(kind, e);
        }
        Ok(())
    }

    /// Campaign and list activity, queue waiters and pending shared callbacks.
    fn update_gauges(&mut self, kind: EventKind, e: &Event) {
        match kind {
            EventKind::CampaignActivated if e.campaign != NONE => {
                self.campaigns[e.campaign as usize].activate(e.time, e.tenant, e.campaign)
            }
            EventKind::CampaignDeactivated if e.campaign != NONE => {
                self.campaigns[e.campaign as usize].deactivate(e.time)
            }
            EventKind::ListActivated if e.list != NONE => {
                self.lists[e.list as usize].activate(e.time, e.tenant, e.campaign)
            }
            EventKind::ListDeactivated if e.list != NONE => {
                self.lists[e.list as usize].deactivate(e.time)
            }
            EventKind::QueueEntered if e.queue != NONE => {
                self.queues[e.queue as usize].enter(e.call, e.time)
            }
            EventKind::QueueAnswered | EventKind::QueueAbandoned if e.queue != NONE => {
                self.queues[e.queue as usize].leave(e.call, e.time)
            }
            EventKind::CallbackScheduled if e.flags & flag::SHARED != 0 => {
                self.shared_callbacks_pending += 1
            }
            EventKind::CallbackDone if e.flags & flag::SHARED != 0 => {
                self.shared_callbacks_pending -= 1
            }
            _ => {}
        }
    }

    /// Applies an agent state event: credits the time of the state it leaves and switches.
    #[inline]
    fn move_agent(&mut self, e: &Event, state: AgentState) -> Result<()> {
        let old = *self.agents.get(e.agent);
        if let Some(counter) = state_seconds(old.state) {
            let entities = old.entities(e.agent, &self.index);
            self.credit(old.since, e.time, entities.as_slice(), counter)?;
        }
        self.agents.set(
            e.agent,
            AgentRecord {
                state,
                since: e.time,
                ..old.attributed(e)
            },
        );
        Ok(())
    }
}
