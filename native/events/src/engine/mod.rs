//! The aggregator: takes events one by one or in columnar batches and keeps every counter of
//! every entity current, minute by minute, hour by hour and day by day.
//!
//! An event in the open minute costs one counter update per entity it names. Closing a minute
//! folds the touched cells into the open hour (and the minute ring); closing an hour folds into
//! the open day (and the hour ring); a closed day goes to the day ring. Weeks, months and
//! rolling windows are summed from these at query time (`crate::query`). Late events are added
//! to every bucket that contains them.

mod agents;
mod gauges;
mod layer;

pub(crate) use agents::{AgentBook, AgentRecord};
pub(crate) use gauges::{Activity, QueueWaiters};
pub(crate) use layer::{Layer, Ring};

use crate::calendar::{hour_key, Calendar, PeriodsAt, WeekStart, MICROS_PER_MINUTE, MICROS_PER_SECOND};
use crate::counters::{state_seconds, Counter, Delta};
use crate::entities::{Dimension, EntityIndex, EntityList, Sizes};
use crate::error::{EventsError, Result};
use crate::event::{check_fields, flag, AgentState, Event, EventColumns, EventKind, NONE};

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
    pub(crate) minute: Layer,
    pub(crate) hour: Layer,
    pub(crate) day: Layer,
    pub(crate) minutes: Ring,
    pub(crate) hours: Ring,
    pub(crate) days: Ring,
    pub(crate) agents: AgentBook,
    pub(crate) campaigns: Vec<Activity>,
    pub(crate) lists: Vec<Activity>,
    pub(crate) queues: Vec<QueueWaiters>,
    pub(crate) shared_callbacks_pending: i64,
    /// Time of the newest event ingested.
    pub(crate) newest: i64,
}

impl Aggregator {
    pub fn new(config: Config) -> Result<Self> {
        let calendar = Calendar::new(&config.tz, config.week_start)?;
        if !(config.service_level_seconds.is_finite() && config.service_level_seconds >= 0.0) {
            return Err(EventsError::InvalidArgument("service_level_seconds must be a finite number >= 0".into()));
        }
        if !(config.trend_tolerance.is_finite() && config.trend_tolerance >= 0.0) {
            return Err(EventsError::InvalidArgument("trend_tolerance must be a finite number >= 0".into()));
        }
        let index = EntityIndex::new(config.sizes);
        let n = index.count();
        let s = config.sizes;
        Ok(Self {
            calendar,
            minute: Layer::new(n),
            hour: Layer::new(n),
            day: Layer::new(n),
            minutes: Ring::new(MINUTE_SLOTS, n),
            hours: Ring::new(HOUR_SLOTS, n),
            days: Ring::new(DAY_SLOTS, n),
            agents: AgentBook::new(s.agent as usize),
            campaigns: vec![Activity::default(); s.campaign as usize],
            lists: vec![Activity::default(); s.list as usize],
            queues: vec![QueueWaiters::default(); s.queue as usize],
            shared_callbacks_pending: 0,
            newest: i64::MIN,
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
        for layer in [&mut self.minute, &mut self.hour, &mut self.day] {
            layer.remap(&map, n);
        }
        for ring in [&mut self.minutes, &mut self.hours, &mut self.days] {
            ring.remap(&map, n);
        }
        self.agents.resize(sizes.agent as usize);
        self.campaigns.resize(sizes.campaign as usize, Activity::default());
        self.lists.resize(sizes.list as usize, Activity::default());
        self.queues.resize(sizes.queue as usize, QueueWaiters::default());
        self.index = next;
        self.config.sizes = sizes;
        Ok(())
    }

    /// Ingests one event, or refuses it whole.
    pub fn push(&mut self, e: &Event) -> Result<()> {
        let kind = check_fields(e, &self.index)?;
        self.check_order(kind, e)?;
        self.advance(e.time)?;
        self.count(kind, e)?;
        self.newest = self.newest.max(e.time);
        Ok(())
    }

    /// Ingests a batch: good rows land, bad rows are reported with their index and reason.
    pub fn ingest(&mut self, batch: &EventColumns<'_>) -> Result<IngestReport> {
        let n = batch.check()?;
        let mut report = IngestReport::default();
        for i in 0..n {
            match self.push(&batch.get(i)) {
                Ok(()) => report.accepted += 1,
                Err(err) => report.rejected.push((i, err)),
            }
        }
        Ok(report)
    }

    /// Refusals that depend on what came before (age, per-agent and per-list order).
    fn check_order(&self, kind: EventKind, e: &Event) -> Result<()> {
        if let Some(clock) = &self.clock {
            if e.time < clock.horizon {
                return Err(EventsError::EventTooOld { time: e.time, horizon: clock.horizon });
            }
        }
        if kind.agent_state().is_some() && e.agent != NONE {
            let previous = self.agents.get(e.agent).last_event;
            if e.time < previous {
                return Err(EventsError::AgentEventOutOfOrder { agent: e.agent, time: e.time, previous });
            }
        }
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
                return Err(EventsError::StateEventOutOfOrder { what, id, time: e.time, previous: a.last_event });
            }
        }
        Ok(())
    }

    /// Closes every bucket that ends at or before `t`.
    pub(crate) fn advance(&mut self, t: i64) -> Result<()> {
        let Some(mut clock) = self.clock else {
            self.clock = Some(self.clock_at(t)?);
            return Ok(());
        };
        while t >= clock.minute_start + MICROS_PER_MINUTE {
            let end = clock.minute_start + MICROS_PER_MINUTE;
            let idle = self.minute.touched().is_empty() && self.agents.logged_in().is_empty();
            if idle && self.hour.touched().is_empty() && self.day.touched().is_empty() {
                // Nothing accrues: jump straight to `t`.
                clock = self.clock_at(t)?;
                self.forget_before(clock.horizon);
                break;
            }
            self.credit_logged_in(end);
            self.minute.close(clock.periods.minute, Some(&mut self.hour), &mut self.minutes);
            if end >= clock.periods.hour.end {
                let hour_key = hour_key(clock.periods.hour.start);
                self.hour.close(hour_key, Some(&mut self.day), &mut self.hours);
                if end >= clock.periods.day.end {
                    self.day.close(i64::from(clock.periods.day_key), None, &mut self.days);
                    let new = self.clock_at(end)?;
                    self.forget_before(new.horizon);
                    clock = new;
                } else {
                    clock.periods = self.calendar.periods_at(end)?;
                }
            }
            clock.minute_start = end;
            clock.periods.minute = end.div_euclid(MICROS_PER_MINUTE);
            self.clock = Some(clock);
        }
        self.clock = Some(clock);
        Ok(())
    }

    fn clock_at(&self, t: i64) -> Result<Clock> {
        let periods = self.calendar.periods_at(t)?;
        let horizon_date = Calendar::date_of_key(periods.day_key - HORIZON_DAYS)?;
        Ok(Clock { periods, minute_start: periods.minute * MICROS_PER_MINUTE, horizon: self.calendar.midnight(horizon_date)? })
    }

    fn forget_before(&mut self, horizon: i64) {
        for a in self.campaigns.iter_mut().chain(self.lists.iter_mut()) {
            a.forget_before(horizon);
        }
        for q in &mut self.queues {
            q.forget_before(horizon);
        }
    }

    /// Credits every logged-in agent's current state up to `end` (a minute boundary).
    fn credit_logged_in(&mut self, end: i64) {
        for i in 0..self.agents.logged_in().len() {
            let agent = self.agents.logged_in()[i];
            let rec = *self.agents.get(agent);
            if let Some(counter) = state_seconds(rec.state) {
                let entities = self.agent_entities(agent, &rec);
                let seconds = (end - rec.credited_to) as f64 / MICROS_PER_SECOND as f64;
                for &e in entities.as_slice() {
                    self.minute.add(e, counter, seconds);
                }
            }
            self.agents.credit_to(agent, end);
        }
    }

    pub(crate) fn agent_entities(&self, agent: u32, rec: &AgentRecord) -> EntityList {
        let mut e = Event::new(0, 0);
        e.agent = agent;
        e.tenant = rec.tenant;
        e.team = rec.team;
        e.campaign = rec.campaign;
        let mut list = EntityList::default();
        self.index.of_event(&e, &mut list);
        list
    }

    /// Adds the counters of an accepted event and updates the live state it changes.
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
        match kind {
            EventKind::CampaignActivated if e.campaign != NONE => {
                self.campaigns[e.campaign as usize].activate(e.time, e.tenant, e.campaign)
            }
            EventKind::CampaignDeactivated if e.campaign != NONE => {
                self.campaigns[e.campaign as usize].deactivate(e.time)
            }
            EventKind::ListActivated if e.list != NONE => self.lists[e.list as usize].activate(e.time, e.tenant, e.campaign),
            EventKind::ListDeactivated if e.list != NONE => self.lists[e.list as usize].deactivate(e.time),
            EventKind::QueueEntered if e.queue != NONE => self.queues[e.queue as usize].enter(e.call, e.time),
            EventKind::QueueAnswered | EventKind::QueueAbandoned if e.queue != NONE => {
                self.queues[e.queue as usize].leave(e.call, e.time)
            }
            EventKind::CallbackScheduled if e.flags & flag::SHARED != 0 => self.shared_callbacks_pending += 1,
            EventKind::CallbackDone if e.flags & flag::SHARED != 0 => self.shared_callbacks_pending -= 1,
            _ => {}
        }
        Ok(())
    }

    /// Adds `delta` at time `t` to every bucket containing `t`, for each entity.
    fn add_at(&mut self, t: i64, entities: &[u32], delta: &Delta) -> Result<()> {
        let clock = self.clock.expect("advance runs before counting");
        if t >= clock.minute_start {
            for &e in entities {
                self.minute.apply(e, delta);
            }
            return Ok(());
        }
        let minute = t.div_euclid(MICROS_PER_MINUTE);
        for &e in entities {
            self.minutes.apply(minute, e, delta);
        }
        if clock.periods.hour.contains(t) {
            for &e in entities {
                self.hour.apply(e, delta);
            }
            return Ok(());
        }
        let hour_key = hour_key(self.calendar.hour_span(t)?.start);
        for &e in entities {
            self.hours.apply(hour_key, e, delta);
        }
        if clock.periods.day.contains(t) {
            for &e in entities {
                self.day.apply(e, delta);
            }
        } else {
            let day_key = i64::from(Calendar::day_key(self.calendar.date(t)?));
            for &e in entities {
                self.days.apply(day_key, e, delta);
            }
        }
        Ok(())
    }

    /// Adds `sign × seconds of [a, b)` of `counter`, minute by minute, to the buckets.
    fn add_interval(&mut self, a: i64, b: i64, entities: &[u32], counter: Counter, sign: f64) -> Result<()> {
        let mut start = a;
        while start < b {
            let end = ((start.div_euclid(MICROS_PER_MINUTE) + 1) * MICROS_PER_MINUTE).min(b);
            let seconds = sign * (end - start) as f64 / MICROS_PER_SECOND as f64;
            let delta = Delta::single(counter, seconds);
            self.add_at(start, entities, &delta)?;
            start = end;
        }
        Ok(())
    }

    /// Applies an agent state event: credits the time of the state it leaves and switches.
    fn move_agent(&mut self, e: &Event, state: AgentState) -> Result<()> {
        let old = *self.agents.get(e.agent);
        let mut new = old.attributed(e);
        new.state = state;
        new.last_event = e.time;
        let t = e.time;
        let old_entities = self.agent_entities(e.agent, &old);
        let new_entities = self.agent_entities(e.agent, &new);
        let old_counter = state_seconds(old.state);
        let new_counter = state_seconds(state);
        if let Some(counter) = old_counter {
            if old.credited_to <= t {
                self.add_interval(old.credited_to, t, old_entities.as_slice(), counter, 1.0)?;
                new.credited_to = t;
            } else {
                // The clock moved past `t` before this event came: the time since `t` went to
                // the old state; move it to the new one.
                self.add_interval(t, old.credited_to, old_entities.as_slice(), counter, -1.0)?;
                if let Some(counter) = new_counter {
                    self.add_interval(t, old.credited_to, new_entities.as_slice(), counter, 1.0)?;
                }
            }
        } else {
            let minute_start = self.clock.expect("advanced").minute_start;
            if let Some(counter) = new_counter.filter(|_| t < minute_start) {
                self.add_interval(t, minute_start, new_entities.as_slice(), counter, 1.0)?;
            }
            new.credited_to = t.max(minute_start);
        }
        self.agents.set(e.agent, new);
        Ok(())
    }
}
