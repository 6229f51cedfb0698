//! A one-shot call report over an event log: the dialer's core figures per (campaign, agent)
//! and for the center, plus attempts per local hour — the historical "agent performance" and
//! campaign tables of seed 003, computed in one pass over the columns it needs.

use crate::calendar::{Calendar, Span, WeekStart};
use crate::error::{EventsError, Result};
use crate::event::{flag, EventKind, OwnedColumns, NONE};

/// Figures of one (campaign, agent) group.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReportCell {
    pub attempts: u64,
    pub human_answers: u64,
    pub machine_answers: u64,
    pub connects: u64,
    pub abandons: u64,
    pub dispositions: u64,
    pub argued: u64,
    pub positive: u64,
    pub conversations: u64,
    pub talk_seconds: f64,
    pub wrapup_seconds: f64,
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0).then(|| a / b)
}

impl ReportCell {
    pub fn abandon_rate(&self) -> Option<f64> {
        ratio(self.abandons as f64, self.human_answers as f64)
    }
    pub fn argued_share(&self) -> Option<f64> {
        ratio(self.argued as f64, self.attempts as f64)
    }
    pub fn positive_share(&self) -> Option<f64> {
        ratio(self.positive as f64, self.dispositions as f64)
    }
    pub fn aht_seconds(&self) -> Option<f64> {
        ratio(
            self.talk_seconds + self.wrapup_seconds,
            self.conversations as f64,
        )
    }

    fn merge(&mut self, o: &ReportCell) {
        self.attempts += o.attempts;
        self.human_answers += o.human_answers;
        self.machine_answers += o.machine_answers;
        self.connects += o.connects;
        self.abandons += o.abandons;
        self.dispositions += o.dispositions;
        self.argued += o.argued;
        self.positive += o.positive;
        self.conversations += o.conversations;
        self.talk_seconds += o.talk_seconds;
        self.wrapup_seconds += o.wrapup_seconds;
    }
}

/// The report: `groups` holds every (campaign, agent) pair that has at least one event.
#[derive(Debug, Clone, PartialEq)]
pub struct CallReport {
    pub groups: Vec<((u32, u32), ReportCell)>,
    pub center: ReportCell,
    pub attempts_by_local_hour: [u64; 24],
}

/// Dense accumulator cell: counts as u32 (a day's cell never nears 4 billion).
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct Acc {
    /// Indexed by the slots below: each event adds one to exactly one count.
    counts: [u32; 11],
    /// Talk seconds, wrap-up seconds, and a scratch sum for every other event's value, so
    /// each event also adds its value to exactly one sum, without a branch.
    sums: [f64; 3],
}

const TALK: usize = 0;
const WRAP: usize = 1;
const SCRATCH: usize = 2;

const ATTEMPTS: usize = 0;
const HUMAN: usize = 1;
const MACHINE: usize = 2;
const CONNECTS: usize = 3;
const ABANDONS: usize = 4;
const CONVERSATIONS: usize = 5;
/// Dispositions by their (argued, positive) flags: 6 + 2 × argued + positive.
const DISPOSITIONS: usize = 6;
/// Kinds the report does not count land here and are never read.
const IGNORED: usize = 10;

/// Index of the slot table: the kind (codes past 31 all read as 31, which is no kind) and the
/// three flag bits the report reads.
#[inline]
fn slot_index(kind: u8, flags: u16) -> usize {
    let bits = (flags & (flag::POSITIVE | flag::ARGUED)) | ((flags & flag::HANDLED) >> 2);
    usize::from(kind.min(31)) | (usize::from(bits) << 5)
}

/// Count slot (low four bits) and sum slot (high bits) of each (kind, flag bits) combination.
const SLOTS: [u8; 256] = {
    let mut t = [(IGNORED | SCRATCH << 4) as u8; 256];
    let mut bits = 0;
    while bits < 8 {
        let b = bits << 5;
        t[EventKind::DialAttempt as usize | b] = (ATTEMPTS | SCRATCH << 4) as u8;
        t[EventKind::AnsweredHuman as usize | b] = (HUMAN | SCRATCH << 4) as u8;
        t[EventKind::AnsweredMachine as usize | b] = (MACHINE | SCRATCH << 4) as u8;
        t[EventKind::Connected as usize | b] = (CONNECTS | SCRATCH << 4) as u8;
        t[EventKind::Abandoned as usize | b] = (ABANDONS | SCRATCH << 4) as u8;
        if bits & 4 != 0 {
            t[EventKind::Hangup as usize | b] = (CONVERSATIONS | TALK << 4) as u8;
        }
        t[EventKind::Disposition as usize | b] = ((DISPOSITIONS + (bits & 3)) | SCRATCH << 4) as u8;
        t[EventKind::WrapupEnd as usize | b] = (IGNORED | WRAP << 4) as u8;
        bits += 1;
    }
    t
};

impl Acc {
    fn cell(&self) -> ReportCell {
        let c = |i: usize| u64::from(self.counts[i]);
        let (none, positive, argued, both) = (
            c(DISPOSITIONS),
            c(DISPOSITIONS + 1),
            c(DISPOSITIONS + 2),
            c(DISPOSITIONS + 3),
        );
        ReportCell {
            attempts: c(ATTEMPTS),
            human_answers: c(HUMAN),
            machine_answers: c(MACHINE),
            connects: c(CONNECTS),
            abandons: c(ABANDONS),
            dispositions: none + positive + argued + both,
            argued: argued + both,
            positive: positive + both,
            conversations: c(CONVERSATIONS),
            talk_seconds: self.sums[TALK],
            wrapup_seconds: self.sums[WRAP],
        }
    }

    fn is_empty(&self) -> bool {
        self.counts[..IGNORED].iter().all(|&c| c == 0)
            && self.sums[..SCRATCH].iter().all(|&v| v == 0.0)
    }
}

/// Columns the report reads.
pub struct ReportColumns<'a> {
    pub time: &'a [i64],
    pub kind: &'a [u8],
    pub flags: &'a [u16],
    pub campaign: &'a [u32],
    pub agent: &'a [u32],
    pub value: &'a [f64],
}

impl<'a> From<&'a OwnedColumns> for ReportColumns<'a> {
    fn from(day: &'a OwnedColumns) -> Self {
        Self {
            time: &day.time,
            kind: &day.kind,
            flags: &day.flags,
            campaign: &day.campaign,
            agent: &day.agent,
            value: &day.value,
        }
    }
}

/// Computes the report in one pass; `tz` cuts local hours.
pub fn call_report(cols: &ReportColumns<'_>, tz: &str) -> Result<CallReport> {
    let n = cols.time.len();
    let others = [
        cols.kind.len(),
        cols.flags.len(),
        cols.campaign.len(),
        cols.agent.len(),
        cols.value.len(),
    ];
    if others.iter().any(|&l| l != n) {
        return Err(EventsError::ColumnLengths(format!(
            "time={n}, kind/flags/campaign/agent/value={others:?}"
        )));
    }
    let calendar = Calendar::new(tz, WeekStart::Monday)?;
    // Ids are dense; NONE gets the slot after the largest id. NONE + 1 wraps to 0, which keeps
    // this max branch-free (and vectorised).
    let slots =
        |col: &[u32]| col.iter().map(|&x| x.wrapping_add(1)).max().unwrap_or(0) as usize + 1;
    let (campaigns, agents) = (slots(cols.campaign), slots(cols.agent));
    let (none_c, none_a) = (campaigns as u32 - 1, agents as u32 - 1);
    let mut cells = vec![Acc::default(); campaigns * agents];
    let mut hours = [0u64; 24];
    let mut hour_span = Span::default();
    let mut hour_of_day = 0usize;
    // Re-sliced to `n` so the compiler drops the per-column bounds checks in the loop.
    let (time, kind, flags) = (&cols.time[..n], &cols.kind[..n], &cols.flags[..n]);
    let (campaign, agent, value) = (&cols.campaign[..n], &cols.agent[..n], &cols.value[..n]);
    for i in 0..n {
        let k = kind[i];
        let v = value[i];
        let t = time[i];
        let slot = usize::from(SLOTS[slot_index(k, flags[i])]);
        let c = campaign[i].min(none_c) as usize;
        let a = agent[i].min(none_a) as usize;
        let acc = &mut cells[c * agents + a];
        acc.counts[slot & 15] += 1;
        acc.sums[slot >> 4] += v;
        // Sorted logs change hour rarely; the branch is predictable.
        if !hour_span.contains(t) {
            let (span, h) = calendar.local_hour(t)?;
            hour_span = span;
            hour_of_day = usize::from(h);
        }
        hours[hour_of_day] += u64::from(slot & 15 == ATTEMPTS);
    }
    let id = |slot: usize, none: u32| {
        if slot as u32 == none {
            NONE
        } else {
            slot as u32
        }
    };
    let mut center = ReportCell::default();
    let mut groups = Vec::new();
    for (i, acc) in cells.iter().enumerate() {
        if acc.is_empty() {
            continue;
        }
        let cell = acc.cell();
        center.merge(&cell);
        groups.push(((id(i / agents, none_c), id(i % agents, none_a)), cell));
    }
    Ok(CallReport {
        groups,
        center,
        attempts_by_local_hour: hours,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{synthetic_day, SynthConfig};
    use crate::Event;

    #[test]
    fn counts_match_a_plain_reading_of_the_events() {
        let cfg = SynthConfig {
            agents: 12,
            teams: 3,
            campaigns: 3,
            lists: 3,
            queues: 1,
            target_events: 30_000,
            ..SynthConfig::default()
        };
        let day = synthetic_day(&cfg).unwrap();
        let report = call_report(&ReportColumns::from(&day), &cfg.tz).unwrap();
        let events: Vec<Event> = (0..day.len()).map(|i| day.columns().get(i)).collect();
        let count = |k: EventKind| events.iter().filter(|e| e.kind == k as u8).count() as u64;
        assert_eq!(report.center.attempts, count(EventKind::DialAttempt));
        assert_eq!(report.center.abandons, count(EventKind::Abandoned));
        let handled = events
            .iter()
            .filter(|e| e.kind == EventKind::Hangup as u8 && e.flags & flag::HANDLED != 0);
        assert_eq!(report.center.conversations, handled.clone().count() as u64);
        let talk: f64 = handled.map(|e| e.value).sum();
        assert!((report.center.talk_seconds - talk).abs() < 1e-6 * talk);
        assert_eq!(
            report.attempts_by_local_hour.iter().sum::<u64>(),
            count(EventKind::DialAttempt)
        );
        // Dial attempts have no agent yet: they sit in (campaign, NONE).
        let (key, cell) = report.groups.iter().find(|((_, a), _)| *a == NONE).unwrap();
        assert!(cell.attempts > 0 && key.0 < 3);
        assert_eq!(report.attempts_by_local_hour[3], 0, "nobody dials at 03:00");
    }

    #[test]
    fn mismatched_columns_are_refused() {
        let t = [0i64; 2];
        let cols = ReportColumns {
            time: &t,
            kind: &[0],
            flags: &[0, 0],
            campaign: &[0, 0],
            agent: &[0, 0],
            value: &[0.0, 0.0],
        };
        assert_eq!(
            call_report(&cols, "UTC").unwrap_err().slug(),
            "column-lengths"
        );
    }
}
