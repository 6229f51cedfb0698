//! Adding counters at a time in the past, and agent time over a stretch, to every bucket that
//! holds it.
//!
//! Each level stores what its lower open bucket does not hold yet: the open hour holds the
//! hour's closed minutes, the open day the day's closed hours. So a stretch of time goes to the
//! minutes it covers, the hours it covers before the open minute, and the days it covers before
//! the open hour — each level only as far back as its ring reaches.

use super::{Aggregator, HOUR_SLOTS, MINUTE_SLOTS};
use crate::calendar::{hour_key, Calendar, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND};
use crate::counters::{Counter, Delta};
use crate::error::Result;

fn seconds(micros: i64) -> f64 {
    micros as f64 / MICROS_PER_SECOND as f64
}

impl Aggregator {
    /// Adds `delta` at time `t` (at most the open minute's end) to every bucket containing it.
    #[inline]
    pub(super) fn add_at(&mut self, t: i64, entities: &[u32], delta: &Delta) -> Result<()> {
        if t >= self.minute_start() {
            self.minutes.add_open(entities, delta);
            Ok(())
        } else {
            self.add_before(t, entities, delta)
        }
    }

    /// `add_at` for a late event, before the open minute.
    fn add_before(&mut self, t: i64, entities: &[u32], delta: &Delta) -> Result<()> {
        let clock = self.clock.expect("advanced before counting");
        self.minutes
            .add(t.div_euclid(MICROS_PER_MINUTE), entities, delta);
        if clock.periods.hour.contains(t) {
            self.hours.add_open(entities, delta);
            return Ok(());
        }
        self.hours
            .add(hour_key(self.calendar.hour_span(t)?.start), entities, delta);
        if clock.periods.day.contains(t) {
            self.days.add_open(entities, delta);
        } else {
            let day = i64::from(Calendar::day_key(self.calendar.date(t)?));
            self.days.add(day, entities, delta);
        }
        Ok(())
    }

    /// Credits the seconds of `[a, b)` (`b` at most the open minute's end) to `counter` of
    /// each entity.
    #[inline]
    pub(super) fn credit(
        &mut self,
        a: i64,
        b: i64,
        entities: &[u32],
        counter: Counter,
    ) -> Result<()> {
        if a >= b {
            return Ok(());
        }
        let clock = self.clock.as_ref().expect("advanced before counting");
        let (minute_start, hour_start) = (clock.minute_start, clock.periods.hour.start);
        if a >= minute_start {
            // Agents change state many times a minute: most stretches lie in the open minute.
            self.minutes
                .add_open(entities, &Delta::single(counter, seconds(b - a)));
            return Ok(());
        }
        if a >= (minute_start - MICROS_PER_MINUTE).max(hour_start) {
            // Next most often, it began in the minute before, in the open hour: each logged-in
            // agent has one stretch across each minute boundary.
            let before = Delta::single(counter, seconds(b.min(minute_start) - a));
            self.minutes
                .add(minute_start / MICROS_PER_MINUTE - 1, entities, &before);
            self.hours.add_open(entities, &before);
            if b > minute_start {
                self.minutes
                    .add_open(entities, &Delta::single(counter, seconds(b - minute_start)));
            }
            return Ok(());
        }
        self.credit_before(a, b, entities, counter)
    }

    /// `credit` for a stretch that starts before the open minute.
    fn credit_before(&mut self, a: i64, b: i64, entities: &[u32], counter: Counter) -> Result<()> {
        let clock = self.clock.expect("advanced before counting");
        let piece = |from: i64, to: i64| Delta::single(counter, seconds(to - from));
        // Minutes, back to the oldest the ring holds.
        let mut start = a.max(clock.minute_start - MINUTE_SLOTS as i64 * MICROS_PER_MINUTE);
        while start < b {
            let minute = start.div_euclid(MICROS_PER_MINUTE);
            let end = ((minute + 1) * MICROS_PER_MINUTE).min(b);
            self.minutes.add(minute, entities, &piece(start, end));
            start = end;
        }
        // Hours: the stretch before the open minute.
        let (hour, before_minute) = (clock.periods.hour, b.min(clock.minute_start));
        let in_hour = a.max(hour.start);
        if before_minute > in_hour {
            self.hours
                .add_open(entities, &piece(in_hour, before_minute));
        }
        // Local hours last one hour, so the oldest hour the ring holds starts a whole number of
        // hours before the open one.
        let mut start = a.max(hour.start - HOUR_SLOTS as i64 * MICROS_PER_HOUR);
        let before_hour = b.min(hour.start);
        while start < before_hour {
            let span = self.calendar.hour_span(start)?;
            let end = span.end.min(before_hour);
            self.hours
                .add(hour_key(span.start), entities, &piece(start, end));
            start = end;
        }
        // Days: the stretch before the open hour, back to the oldest day an event may fall on.
        let day = clock.periods.day;
        let in_day = a.max(day.start);
        if before_hour > in_day {
            self.days.add_open(entities, &piece(in_day, before_hour));
        }
        let mut start = a.max(clock.horizon);
        let before_day = b.min(day.start);
        while start < before_day {
            let date = self.calendar.date(start)?;
            let end = self.calendar.day_span(date)?.end.min(before_day);
            self.days.add(
                i64::from(Calendar::day_key(date)),
                entities,
                &piece(start, end),
            );
            start = end;
        }
        Ok(())
    }
}
