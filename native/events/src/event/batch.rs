//! One event, and a batch of events held as columns (one slice per field, as numpy, Arrow and
//! Polars hold them), so a batch from Python is read in place.

use crate::error::{EventsError, Result};

/// The id of a dimension that does not apply to an event.
pub const NONE: u32 = u32::MAX;

/// One event, with every field of the batch columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// UTC microseconds since the Unix epoch.
    pub time: i64,
    pub kind: u8,
    pub flags: u16,
    pub tenant: u32,
    pub campaign: u32,
    pub list: u32,
    pub agent: u32,
    pub team: u32,
    pub queue: u32,
    pub channel: u32,
    pub call: u64,
    pub value: f64,
    pub aux: u32,
}

impl Event {
    /// An event of `kind` at `time` naming nothing else.
    pub fn new(time: i64, kind: u8) -> Self {
        Self {
            time,
            kind,
            flags: 0,
            tenant: NONE,
            campaign: NONE,
            list: NONE,
            agent: NONE,
            team: NONE,
            queue: NONE,
            channel: NONE,
            call: 0,
            value: 0.0,
            aux: 0,
        }
    }
}

/// Borrowed columns of a batch; every slice has the same length.
#[derive(Debug, Clone, Copy)]
pub struct EventColumns<'a> {
    pub time: &'a [i64],
    pub kind: &'a [u8],
    pub flags: &'a [u16],
    pub tenant: &'a [u32],
    pub campaign: &'a [u32],
    pub list: &'a [u32],
    pub agent: &'a [u32],
    pub team: &'a [u32],
    pub queue: &'a [u32],
    pub channel: &'a [u32],
    pub call: &'a [u64],
    pub value: &'a [f64],
    pub aux: &'a [u32],
}

impl<'a> EventColumns<'a> {
    /// Checks that every column has the length of `time`.
    pub fn check(&self) -> Result<usize> {
        let n = self.time.len();
        let lengths = [
            ("kind", self.kind.len()),
            ("flags", self.flags.len()),
            ("tenant", self.tenant.len()),
            ("campaign", self.campaign.len()),
            ("list", self.list.len()),
            ("agent", self.agent.len()),
            ("team", self.team.len()),
            ("queue", self.queue.len()),
            ("channel", self.channel.len()),
            ("call", self.call.len()),
            ("value", self.value.len()),
            ("aux", self.aux.len()),
        ];
        let wrong: Vec<String> = lengths
            .iter()
            .filter(|(_, len)| *len != n)
            .map(|(name, len)| format!("{name}={len}"))
            .collect();
        if wrong.is_empty() {
            Ok(n)
        } else {
            Err(EventsError::ColumnLengths(format!(
                "time={n}, {}",
                wrong.join(", ")
            )))
        }
    }

    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// The first `n` rows in order (`n` at most every column's length). Each column is cut to
    /// `n` first, so reading row `i < n` needs no bounds check per column.
    pub fn rows(&self, n: usize) -> impl Iterator<Item = Event> + 'a {
        let (time, kind, flags) = (&self.time[..n], &self.kind[..n], &self.flags[..n]);
        let (tenant, campaign, list, agent) = (
            &self.tenant[..n],
            &self.campaign[..n],
            &self.list[..n],
            &self.agent[..n],
        );
        let (team, queue, channel) = (&self.team[..n], &self.queue[..n], &self.channel[..n]);
        let (call, value, aux) = (&self.call[..n], &self.value[..n], &self.aux[..n]);
        (0..n).map(move |i| Event {
            time: time[i],
            kind: kind[i],
            flags: flags[i],
            tenant: tenant[i],
            campaign: campaign[i],
            list: list[i],
            agent: agent[i],
            team: team[i],
            queue: queue[i],
            channel: channel[i],
            call: call[i],
            value: value[i],
            aux: aux[i],
        })
    }

    #[inline]
    pub fn get(&self, i: usize) -> Event {
        Event {
            time: self.time[i],
            kind: self.kind[i],
            flags: self.flags[i],
            tenant: self.tenant[i],
            campaign: self.campaign[i],
            list: self.list[i],
            agent: self.agent[i],
            team: self.team[i],
            queue: self.queue[i],
            channel: self.channel[i],
            call: self.call[i],
            value: self.value[i],
            aux: self.aux[i],
        }
    }
}

/// Owned columns, for batches built in Rust (the synthetic day, tests, the stored log).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnedColumns {
    pub time: Vec<i64>,
    pub kind: Vec<u8>,
    pub flags: Vec<u16>,
    pub tenant: Vec<u32>,
    pub campaign: Vec<u32>,
    pub list: Vec<u32>,
    pub agent: Vec<u32>,
    pub team: Vec<u32>,
    pub queue: Vec<u32>,
    pub channel: Vec<u32>,
    pub call: Vec<u64>,
    pub value: Vec<f64>,
    pub aux: Vec<u32>,
}

impl OwnedColumns {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            time: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            flags: Vec::with_capacity(n),
            tenant: Vec::with_capacity(n),
            campaign: Vec::with_capacity(n),
            list: Vec::with_capacity(n),
            agent: Vec::with_capacity(n),
            team: Vec::with_capacity(n),
            queue: Vec::with_capacity(n),
            channel: Vec::with_capacity(n),
            call: Vec::with_capacity(n),
            value: Vec::with_capacity(n),
            aux: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, e: &Event) {
        self.time.push(e.time);
        self.kind.push(e.kind);
        self.flags.push(e.flags);
        self.tenant.push(e.tenant);
        self.campaign.push(e.campaign);
        self.list.push(e.list);
        self.agent.push(e.agent);
        self.team.push(e.team);
        self.queue.push(e.queue);
        self.channel.push(e.channel);
        self.call.push(e.call);
        self.value.push(e.value);
        self.aux.push(e.aux);
    }

    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    pub fn columns(&self) -> EventColumns<'_> {
        EventColumns {
            time: &self.time,
            kind: &self.kind,
            flags: &self.flags,
            tenant: &self.tenant,
            campaign: &self.campaign,
            list: &self.list,
            agent: &self.agent,
            team: &self.team,
            queue: &self.queue,
            channel: &self.channel,
            call: &self.call,
            value: &self.value,
            aux: &self.aux,
        }
    }
}

impl FromIterator<Event> for OwnedColumns {
    fn from_iter<I: IntoIterator<Item = Event>>(iter: I) -> Self {
        let mut out = OwnedColumns::default();
        for e in iter {
            out.push(&e);
        }
        out
    }
}
