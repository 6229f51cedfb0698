//! Which buckets a query sums: the parts of the current period (or window), of the previous
//! period whole, and of the previous period up to the same elapsed time, with their weights.

use crate::calendar::{Calendar, Span, MICROS_PER_HOUR, MICROS_PER_MINUTE};
use crate::engine::Aggregator;
use crate::error::{EventsError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "day" => Ok(Self::Day),
            "week" => Ok(Self::Week),
            "month" => Ok(Self::Month),
            other => Err(EventsError::InvalidArgument(format!(
                "unknown period {other:?} (day, week, month)"
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Minutes15,
    Hour,
    Hours24,
    Days30,
}

impl Window {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "15m" => Ok(Self::Minutes15),
            "1h" => Ok(Self::Hour),
            "24h" => Ok(Self::Hours24),
            "30d" => Ok(Self::Days30),
            other => Err(EventsError::InvalidArgument(format!(
                "unknown window {other:?} (15m, 1h, 24h, 30d)"
            ))),
        }
    }
}

/// One bucket of one entity: an open one (with the open buckets below it) or a closed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    OpenDay,
    OpenHour,
    OpenMinute,
    /// A closed local day: its key and its span.
    Day(i64, Span),
    /// A closed local hour, by its start.
    Hour(i64),
    /// A closed minute, by its number.
    Minute(i64),
}

pub(crate) struct Plan {
    pub now: i64,
    pub span: Span,
    pub previous_span: Span,
    pub current: Vec<(Part, f64)>,
    pub previous_whole: Vec<(Part, f64)>,
    pub previous_to_date: Vec<(Part, f64)>,
    /// Weeks and months weight averages by the days' conversations.
    pub weighted: bool,
    /// Periods (not windows) count distinct active lists and campaigns.
    pub distinct: bool,
}

/// The local days `[first, end)`, whole.
fn days(cal: &Calendar, first: i32, end: i32) -> Result<Vec<(Part, f64)>> {
    day_parts(cal, first, end).map(|parts| parts.into_iter().map(|(_, part)| (part, 1.0)).collect())
}

/// The local days `[first, end)` with their spans; consecutive days share a midnight.
fn day_parts(cal: &Calendar, first: i32, end: i32) -> Result<Vec<(Span, Part)>> {
    let mut parts = Vec::with_capacity(end.saturating_sub(first).max(0) as usize);
    let mut start = cal.midnight(Calendar::date_of_key(first)?)?;
    for k in first..end {
        let next = cal.midnight(Calendar::date_of_key(k + 1)?)?;
        let span = Span { start, end: next };
        parts.push((span, Part::Day(i64::from(k), span)));
        start = next;
    }
    Ok(parts)
}

impl Plan {
    pub fn period(agg: &Aggregator, period: Period, now: i64) -> Result<Plan> {
        let cal = &agg.calendar;
        let p = agg.clock.expect("settled before planning").periods;
        let today = p.day_key;
        let (span, first_day, previous_first, previous_end) = match period {
            Period::Day => (p.day, today, today - 1, today),
            Period::Week => (p.week, p.week_key, p.week_key - 7, p.week_key),
            Period::Month => {
                let (first, _) = Calendar::month_days(p.month_key)?;
                let (prev_first, prev_end) = Calendar::month_days(p.month_key - 1)?;
                (p.month, first, prev_first, prev_end)
            }
        };
        let mut current = days(cal, first_day, today)?;
        current.push((Part::OpenDay, 1.0));
        let previous_span = Span {
            start: cal.midnight(Calendar::date_of_key(previous_first)?)?,
            end: cal.midnight(Calendar::date_of_key(previous_end)?)?,
        };
        let target = (previous_span.start + (now - span.start)).min(previous_span.end);
        let previous_to_date = match period {
            Period::Day => prorated_hours(previous_span.start, target),
            _ => prorated_days(cal, previous_first, previous_end, target)?,
        };
        Ok(Plan {
            now,
            span,
            previous_span,
            current,
            previous_whole: days(cal, previous_first, previous_end)?,
            previous_to_date,
            weighted: period != Period::Day,
            distinct: true,
        })
    }

    pub fn window(agg: &Aggregator, window: Window, now: i64) -> Result<Plan> {
        let p = agg.clock.expect("settled before planning").periods;
        let (start, current) = match window {
            Window::Minutes15 | Window::Hour => {
                let n = if window == Window::Hour { 60 } else { 15 };
                let mut parts = vec![(Part::OpenMinute, 1.0)];
                parts.extend((1..n).map(|k| (Part::Minute(p.minute - k), 1.0)));
                ((p.minute - (n - 1)) * MICROS_PER_MINUTE, parts)
            }
            Window::Hours24 => {
                let mut parts = vec![(Part::OpenHour, 1.0)];
                parts
                    .extend((1..24).map(|k| (Part::Hour(p.hour.start - k * MICROS_PER_HOUR), 1.0)));
                (p.hour.start - 23 * MICROS_PER_HOUR, parts)
            }
            Window::Days30 => {
                let mut parts = days(&agg.calendar, p.day_key - 29, p.day_key)?;
                parts.push((Part::OpenDay, 1.0));
                (
                    agg.calendar
                        .midnight(Calendar::date_of_key(p.day_key - 29)?)?,
                    parts,
                )
            }
        };
        Ok(Plan {
            now,
            span: Span { start, end: now },
            previous_span: Span::default(),
            current,
            previous_whole: Vec::new(),
            previous_to_date: Vec::new(),
            weighted: false,
            distinct: false,
        })
    }

    /// Chart points: local hours of today, or local days of the week or month, up to now.
    pub fn series(agg: &Aggregator, period: Period, now: i64) -> Result<Vec<(i64, Part)>> {
        let p = agg.clock.expect("settled before planning").periods;
        let first_day = match period {
            Period::Day => {
                let mut out = Vec::new();
                let mut h = p.day.start;
                while h <= now && h < p.day.end {
                    let part = if h == p.hour.start {
                        Part::OpenHour
                    } else {
                        Part::Hour(h)
                    };
                    out.push((h, part));
                    h += MICROS_PER_HOUR;
                }
                return Ok(out);
            }
            Period::Week => p.week_key,
            Period::Month => Calendar::month_days(p.month_key)?.0,
        };
        let mut out: Vec<(i64, Part)> = day_parts(&agg.calendar, first_day, p.day_key)?
            .into_iter()
            .map(|(span, part)| (span.start, part))
            .collect();
        out.push((p.day.start, Part::OpenDay));
        Ok(out)
    }
}

/// Hours from `start` up to `target`, the last one prorated.
fn prorated_hours(start: i64, target: i64) -> Vec<(Part, f64)> {
    let mut out = Vec::new();
    let mut h = start;
    while h < target {
        let weight = ((target - h) as f64 / MICROS_PER_HOUR as f64).min(1.0);
        out.push((Part::Hour(h), weight));
        h += MICROS_PER_HOUR;
    }
    out
}

/// Days `[first, end)` up to `target`, the last one prorated by its own length.
fn prorated_days(cal: &Calendar, first: i32, end: i32, target: i64) -> Result<Vec<(Part, f64)>> {
    let mut out = Vec::new();
    for k in first..end {
        let span = cal.day_span(Calendar::date_of_key(k)?)?;
        if span.start >= target {
            break;
        }
        let weight = ((target - span.start) as f64 / span.len() as f64).min(1.0);
        out.push((Part::Day(i64::from(k), span), weight));
    }
    Ok(out)
}
