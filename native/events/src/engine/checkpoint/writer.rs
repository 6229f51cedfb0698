//! Writing the checkpoint sections.

use std::collections::HashMap;

use super::super::{Activity, AgentBook, Clock, Config, Level, QueueWaiters};
use super::CELL_BYTES;
use crate::calendar::{Span, WeekStart};
use crate::counters::Counters;

pub(super) struct Writer {
    pub(super) out: Vec<u8>,
}

impl Writer {
    pub(super) fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    pub(super) fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(super) fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(super) fn i64(&mut self, v: i64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(super) fn f64(&mut self, v: f64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(super) fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }

    pub(super) fn option(&mut self, v: Option<i64>) {
        self.u8(u8::from(v.is_some()));
        self.i64(v.unwrap_or(0));
    }

    /// A tagged section whose length is filled in once `body` has written it.
    pub(super) fn section(&mut self, tag: &[u8; 4], body: impl FnOnce(&mut Self)) {
        self.out.extend_from_slice(tag);
        let at = self.out.len();
        self.u64(0);
        body(self);
        let len = (self.out.len() - at - 8) as u64;
        self.out[at..at + 8].copy_from_slice(&len.to_le_bytes());
    }

    pub(super) fn config(&mut self, c: &Config) {
        self.len(c.tz.len());
        self.out.extend_from_slice(c.tz.as_bytes());
        self.u8(match c.week_start {
            WeekStart::Monday => 0,
            WeekStart::Sunday => 1,
        });
        self.f64(c.service_level_seconds);
        self.f64(c.trend_tolerance);
        let s = c.sizes;
        for size in [
            s.tenant, s.agent, s.team, s.campaign, s.list, s.queue, s.channel,
        ] {
            self.u32(size);
        }
    }

    pub(super) fn span(&mut self, s: Span) {
        self.i64(s.start);
        self.i64(s.end);
    }

    pub(super) fn clock(&mut self, clock: Option<&Clock>) {
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

    pub(super) fn level(&mut self, level: &Level) {
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
    pub(super) fn cells<'a>(&mut self, cells: impl Iterator<Item = (u32, &'a Counters)>) {
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

    pub(super) fn agents(&mut self, book: &AgentBook) {
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

    pub(super) fn activities(&mut self, book: &[Activity]) {
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
    pub(super) fn calls(&mut self, calls: &HashMap<u64, i64>) {
        let mut sorted: Vec<_> = calls.iter().map(|(&c, &t)| (c, t)).collect();
        sorted.sort_unstable();
        self.len(sorted.len());
        for (call, t) in sorted {
            self.u64(call);
            self.i64(t);
        }
    }

    pub(super) fn queues(&mut self, queues: &[QueueWaiters]) {
        self.len(queues.len());
        for q in queues {
            let (waiting, left_early) = q.entries();
            self.calls(waiting);
            self.calls(left_early);
        }
    }
}
