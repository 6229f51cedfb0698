//! A one-shot call report over an event log: the dialer's core figures per (campaign, agent)
//! and for the center, plus attempts per local hour — the historical "agent performance" and
//! campaign tables of seed 003, computed in one pass over the columns it needs.

use crate::calendar::{Calendar, Span, WeekStart};
use crate::error::{EventsError, Result};
use crate::event::{flag, EventKind, NONE};

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
        ratio(self.talk_seconds + self.wrapup_seconds, self.conversations as f64)
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

/// Dense accumulator cell: counts as u32 (a cell of one day never nears 4 billion).
#[derive(Clone, Copy, Default)]
struct Acc {
    /// Indexed by the slots below.
    counts: [u32; 10],
    talk: f64,
    wrap: f64,
}

const ATTEMPTS: usize = 0;
const HUMAN: usize = 1;
const MACHINE: usize = 2;
const CONNECTS: usize = 3;
const ABANDONS: usize = 4;
const DISPOSITIONS: usize = 5;
const CONVERSATIONS: usize = 6;
const ARGUED: usize = 7;
const POSITIVE: usize = 8;
/// Kinds the report does not count land here and are never read.
const IGNORED: usize = 9;

/// Counter slot of each kind code (a handled hang-up is redirected to conversations).
const SLOT: [usize; 256] = {
    let mut t = [IGNORED; 256];
    t[EventKind::DialAttempt as usize] = ATTEMPTS;
    t[EventKind::AnsweredHuman as usize] = HUMAN;
    t[EventKind::AnsweredMachine as usize] = MACHINE;
    t[EventKind::Connected as usize] = CONNECTS;
    t[EventKind::Abandoned as usize] = ABANDONS;
    t[EventKind::Disposition as usize] = DISPOSITIONS;
    t
};

impl Acc {
    fn cell(&self) -> ReportCell {
        let c = |i: usize| u64::from(self.counts[i]);
        ReportCell {
            attempts: c(ATTEMPTS),
            human_answers: c(HUMAN),
            machine_answers: c(MACHINE),
            connects: c(CONNECTS),
            abandons: c(ABANDONS),
            dispositions: c(DISPOSITIONS),
            argued: c(ARGUED),
            positive: c(POSITIVE),
            conversations: c(CONVERSATIONS),
            talk_seconds: self.talk,
            wrapup_seconds: self.wrap,
        }
    }

    fn is_empty(&self) -> bool {
        self.counts[..IGNORED].iter().all(|&c| c == 0) && self.talk == 0.0 && self.wrap == 0.0
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

/// Computes the report in one pass; `tz` cuts local hours.
pub fn call_report(cols: &ReportColumns<'_>, tz: &str) -> Result<CallReport> {
    let n = cols.time.len();
    let others = [cols.kind.len(), cols.flags.len(), cols.campaign.len(), cols.agent.len(), cols.value.len()];
    if others.iter().any(|&l| l != n) {
        return Err(EventsError::ColumnLengths(format!("time={n}, kind/flags/campaign/agent/value={others:?}")));
    }
    let calendar = Calendar::new(tz, WeekStart::Monday)?;
    // Ids are dense; NONE gets the slot after the largest id.
    let slots = |col: &[u32]| col.iter().copied().filter(|&x| x != NONE).max().map_or(1, |m| m as usize + 2);
    let (campaigns, agents) = (slots(cols.campaign), slots(cols.agent));
    let (none_c, none_a) = (campaigns as u32 - 1, agents as u32 - 1);
    let mut cells = vec![Acc::default(); campaigns * agents];
    let mut hours = [0u64; 24];
    let mut hour_span = Span::default();
    let mut hour_of_day = 0usize;
    for i in 0..n {
        let k = cols.kind[i];
        let f = cols.flags[i];
        let v = cols.value[i];
        let c = cols.campaign[i].min(none_c) as usize;
        let a = cols.agent[i].min(none_a) as usize;
        let handled = (k == EventKind::Hangup as u8) & (f & flag::HANDLED != 0);
        let is_dispo = k == EventKind::Disposition as u8;
        let acc = &mut cells[c * agents + a];
        acc.counts[if handled { CONVERSATIONS } else { SLOT[k as usize] }] += 1;
        acc.counts[ARGUED] += u32::from(is_dispo & (f & flag::ARGUED != 0));
        acc.counts[POSITIVE] += u32::from(is_dispo & (f & flag::POSITIVE != 0));
        acc.talk += if handled { v } else { 0.0 };
        acc.wrap += if k == EventKind::WrapupEnd as u8 { v } else { 0.0 };
        if k == EventKind::DialAttempt as u8 {
            let t = cols.time[i];
            if !hour_span.contains(t) {
                let (span, h) = calendar.local_hour(t)?;
                hour_span = span;
                hour_of_day = usize::from(h);
            }
            hours[hour_of_day] += 1;
        }
    }
    let id = |slot: usize, none: u32| if slot as u32 == none { NONE } else { slot as u32 };
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
    Ok(CallReport { groups, center, attempts_by_local_hour: hours })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{synthetic_day, SynthConfig};
    use crate::{Event, OwnedColumns};

    fn columns(day: &OwnedColumns) -> ReportColumns<'_> {
        ReportColumns {
            time: &day.time,
            kind: &day.kind,
            flags: &day.flags,
            campaign: &day.campaign,
            agent: &day.agent,
            value: &day.value,
        }
    }

    #[test]
    fn counts_match_a_plain_reading_of_the_events() {
        let cfg = SynthConfig { agents: 12, teams: 3, campaigns: 3, lists: 3, queues: 1, target_events: 30_000, ..SynthConfig::default() };
        let day = synthetic_day(&cfg).unwrap();
        let report = call_report(&columns(&day), &cfg.tz).unwrap();
        let events: Vec<Event> = (0..day.len()).map(|i| day.columns().get(i)).collect();
        let count = |k: EventKind| events.iter().filter(|e| e.kind == k as u8).count() as u64;
        assert_eq!(report.center.attempts, count(EventKind::DialAttempt));
        assert_eq!(report.center.abandons, count(EventKind::Abandoned));
        let handled = events.iter().filter(|e| e.kind == EventKind::Hangup as u8 && e.flags & flag::HANDLED != 0);
        assert_eq!(report.center.conversations, handled.clone().count() as u64);
        let talk: f64 = handled.map(|e| e.value).sum();
        assert!((report.center.talk_seconds - talk).abs() < 1e-6 * talk);
        assert_eq!(report.attempts_by_local_hour.iter().sum::<u64>(), count(EventKind::DialAttempt));
        // Dial attempts have no agent yet: they sit in (campaign, NONE).
        let (key, cell) = report.groups.iter().find(|((_, a), _)| *a == NONE).unwrap();
        assert!(cell.attempts > 0 && key.0 < 3);
        assert_eq!(report.attempts_by_local_hour[3], 0, "nobody dials at 03:00");
    }

    #[test]
    fn mismatched_columns_are_refused() {
        let t = [0i64; 2];
        let cols = ReportColumns { time: &t, kind: &[0], flags: &[0, 0], campaign: &[0, 0], agent: &[0, 0], value: &[0.0, 0.0] };
        assert_eq!(call_report(&cols, "UTC").unwrap_err().slug(), "column-lengths");
    }
}
