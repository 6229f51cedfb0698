//! A seeded synthetic day of an outbound center, consistent event by event (agents log in,
//! pause, take the calls the dialer connects, wrap up and qualify them), used by the demo and
//! the benchmarks. Durations are scaled so the day holds about `target_events` events.

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

use crate::calendar::{Calendar, WeekStart, MICROS_PER_SECOND};
use crate::error::{EventsError, Result};
use crate::event::{flag, Event, EventKind, OwnedColumns};

#[derive(Debug, Clone)]
pub struct SynthConfig {
    /// Local date, `YYYY-MM-DD`.
    pub date: String,
    pub tz: String,
    pub agents: u32,
    pub teams: u32,
    pub campaigns: u32,
    pub lists: u32,
    pub queues: u32,
    pub target_events: u64,
    pub seed: u64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        Self {
            date: "2026-11-20".into(),
            tz: "Europe/Paris".into(),
            agents: 1000,
            teams: 50,
            campaigns: 50,
            lists: 200,
            queues: 10,
            target_events: 10_000_000,
            seed: 1,
        }
    }
}

/// Events per second of agent cycle, calibrated so a day lands near its target (the dial, ring
/// and answer waits lengthen a cycle beyond its talk and wrap-up time).
const EVENTS_PER_CONNECT: f64 = 8.9;
/// Seconds an agent is logged in and not paused, on average.
const PRODUCTIVE_SECONDS: f64 = 8.5 * 3600.0;

struct Day {
    rng: SmallRng,
    events: Vec<(i64, u32, Event)>,
    seq: u32,
    next_call: u64,
    cfg: SynthConfig,
    /// Seconds of one dial-talk-wrap cycle.
    cycle: f64,
}

impl Day {
    fn emit(&mut self, e: Event) {
        self.events.push((e.time, self.seq, e));
        self.seq = self.seq.wrapping_add(1);
    }

    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.rng.random::<f64>()).ln()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random::<f64>() < p
    }

    /// One agent's day from login to logout, returns nothing; events are appended.
    fn agent(&mut self, agent: u32, midnight: i64) {
        let s = MICROS_PER_SECOND;
        let campaign = agent % self.cfg.campaigns;
        let team = agent % self.cfg.teams;
        let lists_per_campaign = (self.cfg.lists / self.cfg.campaigns).max(1);
        let base = |kind: EventKind, t: i64| {
            let mut e = Event::new(t, kind as u8);
            e.tenant = 0;
            e.campaign = campaign;
            e.channel = 0;
            e
        };
        let with_agent = |mut e: Event| {
            e.agent = agent;
            e.team = team;
            e
        };
        let login = midnight + (8 * 3600 + self.rng.random_range(0..1800)) * s;
        let logout = midnight + (18 * 3600 + self.rng.random_range(0..1800)) * s;
        let breaks = [
            (
                midnight + (10 * 3600 + 1800 + self.rng.random_range(0..900)) * s,
                900 * s,
                1,
            ),
            (
                midnight + (12 * 3600 + 1800 + self.rng.random_range(0..1800)) * s,
                3600 * s,
                2,
            ),
            (
                midnight + (15 * 3600 + 1800 + self.rng.random_range(0..900)) * s,
                900 * s,
                1,
            ),
        ];
        self.emit(with_agent(base(EventKind::AgentLogin, login)));
        let mut t = login;
        let mut next_break = 0;
        while t < logout {
            if next_break < breaks.len() && t >= breaks[next_break].0 {
                let (_, length, reason) = breaks[next_break];
                let mut pause = with_agent(base(EventKind::AgentPause, t));
                pause.aux = reason;
                self.emit(pause);
                t += length;
                self.emit(with_agent(base(EventKind::AgentResume, t)));
                next_break += 1;
                continue;
            }
            let list = campaign * lists_per_campaign + self.rng.random_range(0..lists_per_campaign);
            if self.cfg.queues > 0 && self.chance(0.05) {
                t = self.inbound_call(t, agent, team, campaign);
            } else {
                t = self.outbound_call(t, list, &base, &with_agent);
            }
        }
        self.emit(with_agent(base(EventKind::AgentLogout, t)));
    }

    /// Dials until a person answers and is put through to the agent; returns when the agent
    /// is available again.
    fn outbound_call(
        &mut self,
        mut t: i64,
        list: u32,
        base: &dyn Fn(EventKind, i64) -> Event,
        with_agent: &dyn Fn(Event) -> Event,
    ) -> i64 {
        let s = MICROS_PER_SECOND as f64;
        let dial_gap = self.cycle * 0.15;
        loop {
            t += (self.exp(dial_gap) * s) as i64 + 1;
            let call = self.next_call;
            self.next_call += 1;
            let ev = |kind: EventKind, at: i64| {
                let mut e = base(kind, at);
                e.list = list;
                e.call = call;
                e
            };
            self.emit(ev(EventKind::DialAttempt, t));
            let r: f64 = self.rng.random();
            if r < 0.08 {
                self.emit(ev(EventKind::InvalidNumber, t + (0.5 * s) as i64));
                continue;
            }
            let ring = t + (self.rng.random_range(1.0..3.0) * s) as i64;
            self.emit(ev(EventKind::Ringing, ring));
            let answer = ring + (self.rng.random_range(2.0..20.0) * s) as i64;
            if r < 0.18 {
                self.emit(ev(EventKind::Busy, ring));
            } else if r < 0.50 {
                self.emit(ev(EventKind::NoAnswer, ring + (25.0 * s) as i64));
            } else if r < 0.64 {
                self.emit(ev(EventKind::AnsweredMachine, answer));
                self.emit(ev(EventKind::Hangup, answer + (2.0 * s) as i64));
            } else if self.chance(0.025) {
                self.emit(ev(EventKind::AnsweredHuman, answer));
                self.emit(ev(EventKind::Abandoned, answer + (2.0 * s) as i64));
                self.emit(ev(EventKind::Hangup, answer + (3.0 * s) as i64));
            } else {
                self.emit(ev(EventKind::AnsweredHuman, answer));
                let connect = answer + (0.3 * s) as i64;
                self.emit(with_agent(ev(EventKind::Connected, connect)));
                return self.conversation(connect, &|k, at| with_agent(ev(k, at)));
            }
        }
    }

    fn inbound_call(&mut self, t: i64, agent: u32, team: u32, campaign: u32) -> i64 {
        let s = MICROS_PER_SECOND as f64;
        let call = self.next_call;
        self.next_call += 1;
        let queue = agent % self.cfg.queues;
        let wait = self.exp(15.0);
        let entered = t - (wait * s) as i64;
        let ev = |kind: EventKind, at: i64| {
            let mut e = Event::new(at, kind as u8);
            e.tenant = 0;
            e.queue = queue;
            e.channel = 0;
            e.call = call;
            e
        };
        self.emit(ev(EventKind::QueueEntered, entered));
        let mut answered = ev(EventKind::QueueAnswered, t);
        answered.value = wait;
        self.emit(answered);
        let agent_ev = move |kind: EventKind, at: i64| {
            let mut e = ev(kind, at);
            e.agent = agent;
            e.team = team;
            e.campaign = campaign;
            e
        };
        self.emit(agent_ev(EventKind::Connected, t));
        self.conversation(t, &agent_ev)
    }

    /// Talk, hang up, wrap up, qualify; returns the end of the wrap-up.
    fn conversation(&mut self, connect: i64, ev: &dyn Fn(EventKind, i64) -> Event) -> i64 {
        let s = MICROS_PER_SECOND as f64;
        let talk = self.exp(self.cycle * 0.6).max(1.0).round();
        let wrap = self.exp(self.cycle * 0.15).max(1.0).round();
        let hangup_at = connect + (talk * s) as i64;
        let mut hangup = ev(EventKind::Hangup, hangup_at);
        hangup.flags = flag::HANDLED;
        hangup.value = talk;
        self.emit(hangup);
        self.emit(ev(EventKind::WrapupStart, hangup_at));
        let end = hangup_at + (wrap * s) as i64;
        let mut wrapped = ev(EventKind::WrapupEnd, end);
        wrapped.value = wrap;
        let mut dispo = ev(EventKind::Disposition, end);
        let argued = self.chance(0.8);
        let positive = argued && self.chance(0.25);
        dispo.flags =
            if argued { flag::ARGUED } else { 0 } | if positive { flag::POSITIVE } else { 0 };
        dispo.aux = u32::from(positive) + 2 * u32::from(argued);
        self.emit(dispo);
        self.emit(wrapped);
        if self.chance(0.05) {
            let mut cb = ev(EventKind::CallbackScheduled, end);
            cb.flags = if self.chance(0.5) { flag::SHARED } else { 0 };
            self.emit(cb);
            // Most callbacks are made a few hours later (some the next day, some never).
            if self.chance(0.85) {
                let later = end + (self.rng.random_range(0.5..8.0) * 3600.0 * s) as i64;
                self.emit(Event {
                    kind: EventKind::CallbackDone as u8,
                    time: later,
                    ..cb
                });
            }
        }
        if positive && self.chance(0.5) {
            let mut sale = ev(EventKind::Sale, end);
            sale.value = (self.rng.random_range(20.0..400.0_f64) * 100.0).round() / 100.0;
            sale.aux = self.rng.random_range(1..4);
            self.emit(sale);
        }
        if self.chance(0.2) {
            let mut csat = ev(EventKind::CsatScored, end + 60 * MICROS_PER_SECOND);
            csat.value = f64::from(self.rng.random_range(1..6_u8));
            self.emit(csat);
        }
        end
    }
}

/// A synthetic day of `cfg`, sorted by time.
pub fn synthetic_day(cfg: &SynthConfig) -> Result<OwnedColumns> {
    if cfg.agents == 0 || cfg.campaigns == 0 || cfg.teams == 0 || cfg.lists < cfg.campaigns {
        return Err(EventsError::InvalidArgument(
            "need agents, teams, campaigns and at least one list per campaign".into(),
        ));
    }
    let cal = Calendar::new(&cfg.tz, WeekStart::Monday)?;
    let date: jiff::civil::Date = cfg
        .date
        .parse()
        .map_err(|e| EventsError::InvalidArgument(format!("date {:?}: {e}", cfg.date)))?;
    let midnight = cal.midnight(date)?;
    let per_agent = cfg.target_events as f64 / f64::from(cfg.agents);
    let cycle = (PRODUCTIVE_SECONDS * EVENTS_PER_CONNECT / per_agent).max(5.0);
    let mut day = Day {
        rng: SmallRng::seed_from_u64(cfg.seed),
        events: Vec::with_capacity(cfg.target_events as usize + cfg.target_events as usize / 8),
        seq: 0,
        next_call: 1,
        cfg: cfg.clone(),
        cycle,
    };
    for c in 0..cfg.campaigns {
        let mut e = Event::new(
            midnight + 7 * 3600 * MICROS_PER_SECOND,
            EventKind::CampaignActivated as u8,
        );
        e.tenant = 0;
        e.campaign = c;
        day.emit(e);
    }
    let lists_per_campaign = (cfg.lists / cfg.campaigns).max(1);
    for l in 0..(lists_per_campaign * cfg.campaigns) {
        let mut e = Event::new(
            midnight + 7 * 3600 * MICROS_PER_SECOND,
            EventKind::ListActivated as u8,
        );
        e.tenant = 0;
        e.campaign = l / lists_per_campaign;
        e.list = l;
        day.emit(e);
    }
    for agent in 0..cfg.agents {
        day.agent(agent, midnight);
    }
    let mut events = std::mem::take(&mut day.events);
    events.sort_unstable_by_key(|(t, seq, _)| (*t, *seq));
    let mut out = OwnedColumns::with_capacity(events.len());
    for (_, _, e) in &events {
        out.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Aggregator, Config, Dimension, Indicator, Period, Sizes};

    #[test]
    fn a_small_day_is_consistent_and_near_its_target() {
        let cfg = SynthConfig {
            agents: 20,
            teams: 4,
            campaigns: 2,
            lists: 4,
            queues: 2,
            target_events: 100_000,
            ..SynthConfig::default()
        };
        let day = synthetic_day(&cfg).unwrap();
        let n = day.len() as f64;
        assert!((70_000.0..140_000.0).contains(&n), "{n} events");
        assert!(day.time.windows(2).all(|w| w[0] <= w[1]));
        let mut agg = Aggregator::new(Config {
            tz: cfg.tz.clone(),
            sizes: Sizes {
                tenant: 1,
                agent: 20,
                team: 4,
                campaign: 2,
                list: 4,
                queue: 2,
                channel: 1,
            },
            ..Config::default()
        })
        .unwrap();
        // The day until 23:00 local (some callbacks are only made the next day).
        let cal = Calendar::new(&cfg.tz, WeekStart::Monday).unwrap();
        let evening =
            cal.midnight(cfg.date.parse().unwrap()).unwrap() + 23 * 3600 * MICROS_PER_SECOND;
        let until_evening: OwnedColumns = (0..day.len())
            .map(|i| day.columns().get(i))
            .filter(|e| e.time < evening)
            .collect();
        let report = agg.ingest(&until_evening.columns()).unwrap();
        assert!(
            report.rejected.is_empty(),
            "{:?}",
            &report.rejected[..report.rejected.len().min(3)]
        );
        let v = agg
            .values(evening, Period::Day, Dimension::Center, 0)
            .unwrap();
        let abandon = v[Indicator::AbandonRate as usize].unwrap();
        assert!(abandon > 0.0 && abandon < 0.06, "abandon rate {abandon}");
        let production = v[Indicator::ProductionHours as usize].unwrap();
        assert!(
            (20.0 * 8.0..20.0 * 10.0).contains(&production),
            "production {production}"
        );
        let again = synthetic_day(&cfg).unwrap();
        assert_eq!(again, day, "the same seed gives the same day");
    }
}
