//! Checkpoints: the aggregator's whole state as bytes, so a restart restores it and replays
//! only the events stored after it.
//!
//! Layout, little-endian: the magic `CCEVCKPT`, a u32 version, then one section per part of
//! the state, each a 4-byte tag, a u64 payload length and the payload, and last a u64
//! checksum of everything before it. Each bucket a level holds is its key, its count of
//! written cells, their entity ids in order, then their counters as one run of f64s; ring
//! slots no bucket has used yet are not stored, nor are cells never written.
//!
//! Restoring checks the checksum, every length and every id against the sizes the checkpoint
//! states, so damaged input is refused with `BadCheckpoint`, never half-loaded.

use std::collections::HashMap;

use super::{Activity, AgentBook, AgentRecord, Aggregator, Clock, Config, Level, QueueWaiters};
use crate::calendar::{PeriodsAt, Span, WeekStart};
use crate::counters::{Counters, COUNTERS};
use crate::entities::Sizes;
use crate::error::{EventsError, Result};
use crate::event::AgentState;

const MAGIC: &[u8; 8] = b"CCEVCKPT";
/// Bumped whenever the layout or the state changes: a checkpoint of another version is
/// refused, and its owner replays the log instead.
const VERSION: u32 = 1;
const CELL_BYTES: usize = COUNTERS * 8;

fn bad(what: impl Into<String>) -> EventsError {
    EventsError::BadCheckpoint(what.into())
}

impl Aggregator {
    /// The whole state, to be handed back to `restore`.
    pub fn checkpoint(&self) -> Vec<u8> {
        let mut w = Writer { out: Vec::with_capacity(self.checkpoint_size_hint()) };
        w.out.extend_from_slice(MAGIC);
        w.u32(VERSION);
        w.section(b"CONF", |w| w.config(&self.config));
        w.section(b"CLCK", |w| w.clock(self.clock.as_ref()));
        w.section(b"MISC", |w| {
            w.i64(self.latest);
            w.i64(self.shared_callbacks_pending);
        });
        w.section(b"MINS", |w| w.level(&self.minutes));
        w.section(b"HOUR", |w| w.level(&self.hours));
        w.section(b"DAYS", |w| w.level(&self.days));
        w.section(b"AGNT", |w| w.agents(&self.agents));
        w.section(b"CAMP", |w| w.activities(&self.campaigns));
        w.section(b"LIST", |w| w.activities(&self.lists));
        w.section(b"QUEU", |w| w.queues(&self.queues));
        let sum = checksum(&w.out);
        w.u64(sum);
        w.out
    }

    /// The aggregator a checkpoint holds.
    pub fn restore(bytes: &[u8]) -> Result<Aggregator> {
        let body = check_envelope(bytes)?;
        let mut r = Reader { bytes: body, at: 0 };
        let config = r.section(b"CONF", Reader::config)?;
        let mut agg = Aggregator::new(config).map_err(|e| bad(format!("its configuration: {e}")))?;
        agg.clock = r.section(b"CLCK", Reader::clock)?;
        (agg.latest, agg.shared_callbacks_pending) = r.section(b"MISC", |r| Ok((r.i64()?, r.i64()?)))?;
        r.section(b"MINS", |r| r.level(&mut agg.minutes))?;
        r.section(b"HOUR", |r| r.level(&mut agg.hours))?;
        r.section(b"DAYS", |r| r.level(&mut agg.days))?;
        let agents = agg.agents.records().len();
        agg.agents = r.section(b"AGNT", |r| r.agents(agents))?;
        r.section(b"CAMP", |r| r.activities(&mut agg.campaigns))?;
        r.section(b"LIST", |r| r.activities(&mut agg.lists))?;
        r.section(b"QUEU", |r| r.queues(&mut agg.queues))?;
        if r.at != body.len() {
            return Err(bad("bytes after the last section"));
        }
        Ok(agg)
    }

    /// Bytes of the cells held, so the checkpoint is written without growing its buffer.
    fn checkpoint_size_hint(&self) -> usize {
        let held = |level: &Level| {
            level.open_written().count() + level.closed().map(|(_, cells)| cells.count()).sum::<usize>()
        };
        let cells = held(&self.minutes) + held(&self.hours) + held(&self.days);
        cells * (CELL_BYTES + 4) + self.agents.records().len() * 32 + 4096
    }
}

/// The magic, version and checksum checked; the sections between them.
fn check_envelope(bytes: &[u8]) -> Result<&[u8]> {
    let header = MAGIC.len() + 4;
    if bytes.len() < header + 8 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(bad("not a checkpoint (no magic)"));
    }
    let version = u32::from_le_bytes(bytes[MAGIC.len()..header].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(bad(format!("version {version}, this engine reads version {VERSION}")));
    }
    let (covered, stored) = bytes.split_at(bytes.len() - 8);
    if checksum(covered) != u64::from_le_bytes(stored.try_into().expect("8 bytes")) {
        return Err(bad("checksum mismatch (truncated or damaged)"));
    }
    Ok(&covered[header..])
}

/// A fast 64-bit checksum (four independent xor-multiply lanes, so it runs at memory speed):
/// it catches truncation and damaged bytes, not deliberate forgery.
fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
    let mut lanes = [1u64, 2, 3, 4];
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (lane, w) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            *lane = (*lane ^ word(w)).wrapping_mul(K);
        }
    }
    let mut tail = [0u8; 32];
    tail[..blocks.remainder().len()].copy_from_slice(blocks.remainder());
    let mut h = bytes.len() as u64;
    for (lane, w) in lanes.iter().zip(tail.chunks_exact(8)) {
        h = (h ^ lane).wrapping_mul(K).rotate_left(31);
        h = (h ^ word(w)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn i64(&mut self, v: i64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn f64(&mut self, v: f64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }

    fn option(&mut self, v: Option<i64>) {
        self.u8(u8::from(v.is_some()));
        self.i64(v.unwrap_or(0));
    }

    /// A tagged section whose length is filled in once `body` has written it.
    fn section(&mut self, tag: &[u8; 4], body: impl FnOnce(&mut Self)) {
        self.out.extend_from_slice(tag);
        let at = self.out.len();
        self.u64(0);
        body(self);
        let len = (self.out.len() - at - 8) as u64;
        self.out[at..at + 8].copy_from_slice(&len.to_le_bytes());
    }

    fn config(&mut self, c: &Config) {
        self.len(c.tz.len());
        self.out.extend_from_slice(c.tz.as_bytes());
        self.u8(match c.week_start {
            WeekStart::Monday => 0,
            WeekStart::Sunday => 1,
        });
        self.f64(c.service_level_seconds);
        self.f64(c.trend_tolerance);
        let s = c.sizes;
        for size in [s.tenant, s.agent, s.team, s.campaign, s.list, s.queue, s.channel] {
            self.u32(size);
        }
    }

    fn span(&mut self, s: Span) {
        self.i64(s.start);
        self.i64(s.end);
    }

    fn clock(&mut self, clock: Option<&Clock>) {
        let Some(c) = clock else { return self.u8(0) };
        self.u8(1);
        let p = &c.periods;
        self.i64(p.minute);
        self.span(p.hour);
        self.span(p.day);
        self.span(p.week);
        self.span(p.month);
        for key in [p.day_key, p.week_key, p.month_key] {
            self.u32(key as u32);
        }
        self.i64(c.minute_start);
        self.i64(c.horizon);
    }

    fn level(&mut self, level: &Level) {
        self.option(level.open_key());
        self.cells(level.open_written());
        let closed: Vec<_> = level.closed().collect();
        self.len(closed.len());
        for (key, cells) in closed {
            self.i64(key);
            self.cells(cells);
        }
    }

    /// A bucket's written cells: their count, their entity ids, then all their counters.
    fn cells<'a>(&mut self, cells: impl Iterator<Item = (u32, &'a Counters)>) {
        let cells: Vec<_> = cells.collect();
        self.len(cells.len());
        for (e, _) in &cells {
            self.u32(*e);
        }
        let start = self.out.len();
        self.out.resize(start + cells.len() * CELL_BYTES, 0);
        let runs = self.out[start..].chunks_exact_mut(CELL_BYTES).zip(&cells);
        for (run, (_, counters)) in runs {
            for (to, v) in run.chunks_exact_mut(8).zip(counters.0) {
                to.copy_from_slice(&v.to_le_bytes());
            }
        }
    }

    fn agents(&mut self, book: &AgentBook) {
        self.len(book.records().len());
        for r in book.records() {
            self.u8(r.state as u8);
            self.i64(r.since);
            self.u32(r.tenant);
            self.u32(r.team);
            self.u32(r.campaign);
        }
        self.len(book.logged_in().len());
        for &a in book.logged_in() {
            self.u32(a);
        }
    }

    fn activities(&mut self, book: &[Activity]) {
        self.len(book.len());
        for a in book {
            self.i64(a.last_event);
            self.option(a.active_since);
            self.u32(a.tenant);
            self.u32(a.campaign);
            self.len(a.past.len());
            for &(start, end) in &a.past {
                self.i64(start);
                self.i64(end);
            }
        }
    }

    /// Sorted by call, so one state always writes the same bytes.
    fn calls(&mut self, calls: &HashMap<u64, i64>) {
        let mut sorted: Vec<_> = calls.iter().map(|(&c, &t)| (c, t)).collect();
        sorted.sort_unstable();
        self.len(sorted.len());
        for (call, t) in sorted {
            self.u64(call);
            self.i64(t);
        }
    }

    fn queues(&mut self, queues: &[QueueWaiters]) {
        self.len(queues.len());
        for q in queues {
            let (waiting, left_early) = q.entries();
            self.calls(waiting);
            self.calls(left_early);
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len()).ok_or_else(|| bad("truncated section"))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("N bytes"))
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A count of items of at least `item_bytes` each, refused if the rest cannot hold them
    /// (so a damaged count never makes a huge allocation).
    fn len(&mut self, item_bytes: usize) -> Result<usize> {
        let n = usize::try_from(self.u64()?).map_err(|_| bad("count out of range"))?;
        match n.checked_mul(item_bytes) {
            Some(need) if need <= self.bytes.len() - self.at => Ok(n),
            _ => Err(bad("count larger than its section")),
        }
    }

    fn option(&mut self) -> Result<Option<i64>> {
        let (present, v) = (self.u8()?, self.i64()?);
        match present {
            0 => Ok(None),
            1 => Ok(Some(v)),
            _ => Err(bad("bad option flag")),
        }
    }

    /// Reads section `tag` with `body`, which must consume exactly its payload.
    fn section<T>(&mut self, tag: &[u8; 4], body: impl FnOnce(&mut Reader<'a>) -> Result<T>) -> Result<T> {
        let name = String::from_utf8_lossy(tag);
        if self.take(4)? != tag {
            return Err(bad(format!("section {name} missing")));
        }
        let len = usize::try_from(self.u64()?).map_err(|_| bad(format!("section {name} too long")))?;
        let mut inner = Reader { bytes: self.take(len)?, at: 0 };
        let out = body(&mut inner).map_err(|e| match e {
            EventsError::BadCheckpoint(why) => bad(format!("section {name}: {why}")),
            other => other,
        })?;
        if inner.at != len {
            return Err(bad(format!("section {name} has bytes left over")));
        }
        Ok(out)
    }

    fn config(&mut self) -> Result<Config> {
        let tz_len = self.len(1)?;
        let tz = std::str::from_utf8(self.take(tz_len)?).map_err(|_| bad("time zone name is not UTF-8"))?.to_owned();
        let week_start = match self.u8()? {
            0 => WeekStart::Monday,
            1 => WeekStart::Sunday,
            other => return Err(bad(format!("week start {other}"))),
        };
        let (service_level_seconds, trend_tolerance) = (self.f64()?, self.f64()?);
        let mut sizes = Sizes::default();
        (sizes.tenant, sizes.agent, sizes.team) = (self.u32()?, self.u32()?, self.u32()?);
        (sizes.campaign, sizes.list, sizes.queue, sizes.channel) = (self.u32()?, self.u32()?, self.u32()?, self.u32()?);
        // The entity index numbers every entity of every dimension, plus the center, in a u32.
        let entities: u64 = [sizes.tenant, sizes.agent, sizes.team, sizes.campaign, sizes.list, sizes.queue, sizes.channel]
            .into_iter()
            .map(u64::from)
            .sum();
        if entities >= u64::from(u32::MAX) {
            return Err(bad("sizes too large"));
        }
        Ok(Config { tz, week_start, service_level_seconds, trend_tolerance, sizes })
    }

    fn span(&mut self) -> Result<Span> {
        Ok(Span { start: self.i64()?, end: self.i64()? })
    }

    fn clock(&mut self) -> Result<Option<Clock>> {
        if self.u8()? == 0 {
            return Ok(None);
        }
        let (minute, hour, day, week, month) = (self.i64()?, self.span()?, self.span()?, self.span()?, self.span()?);
        let (day_key, week_key, month_key) = (self.u32()? as i32, self.u32()? as i32, self.u32()? as i32);
        let periods = PeriodsAt { minute, hour, day, day_key, week, week_key, month, month_key };
        Ok(Some(Clock { periods, minute_start: self.i64()?, horizon: self.i64()? }))
    }

    fn level(&mut self, level: &mut Level) -> Result<()> {
        if let Some(key) = self.option()? {
            level.put_bucket(key, true);
            self.cells(level, key)?;
        } else if self.len(4)? != 0 {
            return Err(bad("cells in a bucket never opened"));
        }
        for _ in 0..self.len(8)? {
            let key = self.i64()?;
            if !level.put_bucket(key, false) {
                return Err(bad(format!("closed bucket {key} does not fit the ring")));
            }
            self.cells(level, key)?;
        }
        Ok(())
    }

    fn cells(&mut self, level: &mut Level, key: i64) -> Result<()> {
        let n = self.len(4 + CELL_BYTES)?;
        let ids = self.take(n * 4)?;
        let counters = self.take(n * CELL_BYTES)?;
        let mut previous = None;
        for (id, run) in ids.chunks_exact(4).zip(counters.chunks_exact(CELL_BYTES)) {
            let e = u32::from_le_bytes(id.try_into().expect("4 bytes"));
            if e as usize >= level.entities() || previous.is_some_and(|p| p >= e) {
                return Err(bad(format!("entity {e} out of order or range")));
            }
            previous = Some(e);
            let mut cell = Counters::default();
            for (v, from) in cell.0.iter_mut().zip(run.chunks_exact(8)) {
                *v = f64::from_le_bytes(from.try_into().expect("8 bytes"));
            }
            level.put_cell(key, e, cell);
        }
        Ok(())
    }

    fn agents(&mut self, agents: usize) -> Result<AgentBook> {
        if self.len(21)? != agents {
            return Err(bad("agent count differs from the sizes"));
        }
        let mut records = Vec::with_capacity(agents);
        for _ in 0..agents {
            let state = *AgentState::ALL.get(self.u8()? as usize).ok_or_else(|| bad("unknown agent state"))?;
            let since = self.i64()?;
            let (tenant, team, campaign) = (self.u32()?, self.u32()?, self.u32()?);
            records.push(AgentRecord { state, since, tenant, team, campaign });
        }
        let logged_in = (0..self.len(4)?).map(|_| self.u32()).collect::<Result<Vec<_>>>()?;
        AgentBook::from_parts(records, &logged_in).ok_or_else(|| bad("logged-in agents disagree with their records"))
    }

    fn activities(&mut self, book: &mut [Activity]) -> Result<()> {
        if self.len(33)? != book.len() {
            return Err(bad("activity count differs from the sizes"));
        }
        for a in book {
            (a.last_event, a.active_since) = (self.i64()?, self.option()?);
            (a.tenant, a.campaign) = (self.u32()?, self.u32()?);
            a.past = (0..self.len(16)?).map(|_| Ok((self.i64()?, self.i64()?))).collect::<Result<_>>()?;
        }
        Ok(())
    }

    fn calls(&mut self) -> Result<HashMap<u64, i64>> {
        (0..self.len(16)?).map(|_| Ok((self.u64()?, self.i64()?))).collect()
    }

    fn queues(&mut self, queues: &mut [QueueWaiters]) -> Result<()> {
        if self.len(16)? != queues.len() {
            return Err(bad("queue count differs from the sizes"));
        }
        for q in queues {
            let waiting = self.calls()?;
            *q = QueueWaiters::from_entries(waiting, self.calls()?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::flag;
    use crate::query::{Period, Window};
    use crate::synth::{synthetic_day, SynthConfig};
    use crate::{Dimension, Event, EventKind, OwnedColumns};

    const MINUTE: i64 = 60_000_000;

    fn sizes() -> Sizes {
        Sizes { tenant: 1, agent: 20, team: 4, campaign: 2, list: 4, queue: 2, channel: 1 }
    }

    fn aggregator() -> Aggregator {
        let config = Config { tz: "Europe/Paris".into(), week_start: WeekStart::Sunday, sizes: sizes(), ..Config::default() };
        Aggregator::new(Config { service_level_seconds: 15.0, trend_tolerance: 0.1, ..config }).unwrap()
    }

    /// Everything a query can tell at `now`, as text (so `NaN`s compare equal).
    fn answers(agg: &mut Aggregator, now: i64) -> String {
        let mut out = Vec::new();
        for period in [Period::Day, Period::Week, Period::Month] {
            for dim in Dimension::ALL {
                out.push(format!("{:?}", agg.table(now, period, dim).unwrap()));
                let last = agg.sizes().get(dim) - 1;
                out.push(format!("{:?}", agg.report(now, period, dim, last).unwrap()));
            }
            for ind in [crate::Indicator::SecondsAvailable, crate::Indicator::Attempts] {
                out.push(format!("{:?}", agg.series(now, period, Dimension::Agent, 3, ind).unwrap()));
            }
        }
        for window in [Window::Minutes15, Window::Hour, Window::Hours24, Window::Days30] {
            for dim in Dimension::ALL {
                out.push(format!("{:?}", agg.rolling(now, window, dim, 0).unwrap()));
            }
        }
        out.push(format!("{:?}", agg.live(now).unwrap()));
        out.push(format!("{:?}", (0..sizes().agent).map(|a| agg.agent_state(a)).collect::<Vec<_>>()));
        out.join("\n")
    }

    fn round_trip(agg: &Aggregator) -> Aggregator {
        let bytes = agg.checkpoint();
        let back = Aggregator::restore(&bytes).unwrap();
        assert_eq!(back.checkpoint(), bytes, "the restored state checkpoints to the same bytes");
        back
    }

    /// `a` and its restored copy answer alike at each `now`, asked in the same order.
    fn assert_same_answers(a: &mut Aggregator, b: &mut Aggregator, nows: &[i64]) {
        for &now in nows {
            assert_eq!(answers(a, now), answers(b, now), "at {now}");
        }
    }

    fn slice(day: &OwnedColumns, from: usize, to: usize) -> OwnedColumns {
        let columns = day.columns();
        (from..to).map(|i| columns.get(i)).collect()
    }

    #[test]
    fn a_synthetic_day_restores_whole_and_goes_on_alike() {
        let cfg = SynthConfig { agents: 20, teams: 4, campaigns: 2, lists: 4, queues: 2, target_events: 60_000, seed: 7, ..SynthConfig::default() };
        let day = synthetic_day(&cfg).unwrap();
        for split in [day.len() / 3, day.len() * 3 / 4] {
            let mut live = aggregator();
            live.ingest(&slice(&day, 0, split).columns()).unwrap();
            let mut restored = round_trip(&live);
            let t = day.time[split - 1];
            assert_same_answers(&mut live, &mut restored, &[t, t + 7 * MINUTE]);
            let rest = slice(&day, split, day.len());
            assert_eq!(live.ingest(&rest.columns()).unwrap(), restored.ingest(&rest.columns()).unwrap());
            let end = day.time[day.len() - 1];
            assert_same_answers(&mut live, &mut restored, &[end, end + 90 * MINUTE, end + 26 * 60 * MINUTE]);
            assert_eq!(live.checkpoint(), restored.checkpoint());
        }
    }

    fn micros(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_microsecond()
    }

    fn event(time: &str, kind: EventKind) -> Event {
        let mut e = Event::new(micros(time), kind as u8);
        e.tenant = 0;
        e
    }

    fn agent(time: &str, kind: EventKind, id: u32) -> Event {
        Event { agent: id, team: id % 4, campaign: 1, ..event(time, kind) }
    }

    fn queue(time: &str, kind: EventKind, call: u64) -> Event {
        Event { queue: 1, call, ..event(time, kind) }
    }

    /// Agents in every state, calls waiting and one that left before its entry arrived,
    /// campaigns and lists switched, a shared callback pending, and late events.
    fn busy_center() -> Aggregator {
        let mut agg = aggregator();
        let events = [
            agent("2026-11-19T22:50:00Z", EventKind::AgentLogin, 5),
            Event { campaign: 0, ..event("2026-11-20T07:00:00Z", EventKind::CampaignActivated) },
            Event { campaign: 0, list: 2, ..event("2026-11-20T07:00:00Z", EventKind::ListActivated) },
            agent("2026-11-20T08:00:10Z", EventKind::AgentLogin, 0),
            agent("2026-11-20T08:00:20Z", EventKind::AgentLogin, 1),
            agent("2026-11-20T08:03:00Z", EventKind::AgentPause, 1),
            Event { campaign: 1, call: 9, ..event("2026-11-20T08:04:00Z", EventKind::DialAttempt) },
            queue("2026-11-20T08:05:00Z", EventKind::QueueEntered, 1),
            queue("2026-11-20T08:05:30Z", EventKind::QueueEntered, 2),
            queue("2026-11-20T08:06:00Z", EventKind::QueueAnswered, 3),
            Event { flags: flag::SHARED, agent: 0, ..event("2026-11-20T08:07:00Z", EventKind::CallbackScheduled) },
            Event { campaign: 0, ..event("2026-11-20T09:30:00Z", EventKind::CampaignDeactivated) },
            Event { campaign: 1, call: 10, ..event("2026-11-20T09:31:00Z", EventKind::DialAttempt) },
            // Late: into a closed minute and a closed hour.
            Event { campaign: 1, call: 11, ..event("2026-11-20T08:59:00Z", EventKind::DialAttempt) },
            Event { campaign: 1, call: 12, ..event("2026-11-20T09:30:30Z", EventKind::DialAttempt) },
        ];
        for e in &events {
            agg.push(e).unwrap();
        }
        agg
    }

    #[test]
    fn agents_queues_activity_and_late_events_survive() {
        let mut live = busy_center();
        let mut restored = round_trip(&live);
        let nows = [micros("2026-11-20T09:31:10Z"), micros("2026-11-20T10:45:00Z")];
        assert_same_answers(&mut live, &mut restored, &nows);
        let more = [
            queue("2026-11-20T10:46:00Z", EventKind::QueueAnswered, 1),
            queue("2026-11-20T08:05:50Z", EventKind::QueueEntered, 3),
            agent("2026-11-20T10:47:00Z", EventKind::AgentResume, 1),
            agent("2026-11-20T10:48:00Z", EventKind::AgentLogout, 5),
            Event { flags: flag::SHARED, agent: 0, ..event("2026-11-20T10:49:00Z", EventKind::CallbackDone) },
            Event { campaign: 1, call: 13, ..event("2026-11-20T10:20:00Z", EventKind::DialAttempt) },
        ];
        for e in &more {
            assert_eq!(live.push(e), restored.push(e));
        }
        assert_same_answers(&mut live, &mut restored, &[micros("2026-11-20T10:50:00Z"), micros("2026-11-21T09:00:00Z")]);
    }

    #[test]
    fn an_untouched_or_resized_aggregator_round_trips() {
        let mut fresh = aggregator();
        let mut restored = round_trip(&fresh);
        assert_same_answers(&mut fresh, &mut restored, &[micros("2026-11-20T12:00:00Z")]);
        let mut grown = busy_center();
        grown.resize(Dimension::Agent, 30).unwrap();
        grown.resize(Dimension::Queue, 1).unwrap();
        let back = round_trip(&grown);
        assert_eq!(back.sizes(), grown.sizes());
    }

    fn refusal(bytes: &[u8]) -> String {
        match Aggregator::restore(bytes) {
            Err(e) => {
                assert_eq!(e.slug(), "bad-checkpoint");
                e.to_string()
            }
            Ok(_) => panic!("restored from bad input"),
        }
    }

    #[test]
    fn damaged_truncated_or_foreign_input_is_refused() {
        let bytes = busy_center().checkpoint();
        for cut in [0, 5, 12, 40, bytes.len() / 2, bytes.len() - 1] {
            refusal(&bytes[..cut]);
        }
        assert!(refusal(b"hello, not a checkpoint at all").contains("magic"));
        let mut newer = bytes.clone();
        newer[8..12].copy_from_slice(&(VERSION + 1).to_le_bytes());
        assert!(refusal(&newer).contains("version 2"));
        for at in [13, 30, bytes.len() / 3, bytes.len() - 9, bytes.len() - 3] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x10;
            assert!(refusal(&flipped).contains("checksum"));
        }
    }

    /// Structural checks behind the checksum: a section damaged and re-sealed is still refused.
    #[test]
    fn a_resealed_inconsistent_checkpoint_is_refused() {
        let bytes = busy_center().checkpoint();
        let seal = |mut body: Vec<u8>| {
            body.truncate(body.len() - 8);
            let sum = checksum(&body);
            body.extend_from_slice(&sum.to_le_bytes());
            body
        };
        let mut wrong_tag = bytes.clone();
        wrong_tag[12..16].copy_from_slice(b"XXXX");
        assert!(refusal(&seal(wrong_tag)).contains("section CONF missing"));
        let mut long_section = bytes.clone();
        long_section[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        refusal(&seal(long_section));
        let mut extra = bytes[..bytes.len() - 8].to_vec();
        extra.extend_from_slice(&[0; 9]);
        assert!(refusal(&seal(extra)).contains("after the last section"));
    }
}
