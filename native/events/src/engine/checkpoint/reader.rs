//! Reading and checking the checkpoint sections.

use std::collections::HashMap;

use super::super::{Activity, AgentBook, AgentRecord, Clock, Config, Level, QueueWaiters};
use super::{bad, CELL_BYTES};
use crate::calendar::{PeriodsAt, Span, WeekStart};
use crate::counters::Counters;
use crate::entities::Sizes;
use crate::error::{EventsError, Result};
use crate::event::AgentState;

pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| bad("truncated section"))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    pub(super) fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("N bytes"))
    }

    pub(super) fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    pub(super) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(super) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub(super) fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    pub(super) fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A count of items of at least `item_bytes` each, refused if the rest cannot hold them
    /// (so a damaged count never makes a huge allocation).
    pub(super) fn len(&mut self, item_bytes: usize) -> Result<usize> {
        let n = usize::try_from(self.u64()?).map_err(|_| bad("count out of range"))?;
        match n.checked_mul(item_bytes) {
            Some(need) if need <= self.bytes.len() - self.at => Ok(n),
            _ => Err(bad("count larger than its section")),
        }
    }

    pub(super) fn option(&mut self) -> Result<Option<i64>> {
        let (present, v) = (self.u8()?, self.i64()?);
        match present {
            0 => Ok(None),
            1 => Ok(Some(v)),
            _ => Err(bad("bad option flag")),
        }
    }

    /// Reads section `tag` with `body`, which must consume exactly its payload.
    pub(super) fn section<T>(
        &mut self,
        tag: &[u8; 4],
        body: impl FnOnce(&mut Reader<'a>) -> Result<T>,
    ) -> Result<T> {
        let name = String::from_utf8_lossy(tag);
        if self.take(4)? != tag {
            return Err(bad(format!("section {name} missing")));
        }
        let len =
            usize::try_from(self.u64()?).map_err(|_| bad(format!("section {name} too long")))?;
        let mut inner = Reader {
            bytes: self.take(len)?,
            at: 0,
        };
        let out = body(&mut inner).map_err(|e| match e {
            EventsError::BadCheckpoint(why) => bad(format!("section {name}: {why}")),
            other => other,
        })?;
        if inner.at != len {
            return Err(bad(format!("section {name} has bytes left over")));
        }
        Ok(out)
    }

    pub(super) fn config(&mut self) -> Result<Config> {
        let tz_len = self.len(1)?;
        let tz = std::str::from_utf8(self.take(tz_len)?)
            .map_err(|_| bad("time zone name is not UTF-8"))?
            .to_owned();
        let week_start = match self.u8()? {
            0 => WeekStart::Monday,
            1 => WeekStart::Sunday,
            other => return Err(bad(format!("week start {other}"))),
        };
        let (service_level_seconds, trend_tolerance) = (self.f64()?, self.f64()?);
        let mut sizes = Sizes::default();
        (sizes.tenant, sizes.agent, sizes.team) = (self.u32()?, self.u32()?, self.u32()?);
        (sizes.campaign, sizes.list, sizes.queue, sizes.channel) =
            (self.u32()?, self.u32()?, self.u32()?, self.u32()?);
        // The entity index numbers every entity of every dimension, plus the center, in a u32.
        let entities: u64 = [
            sizes.tenant,
            sizes.agent,
            sizes.team,
            sizes.campaign,
            sizes.list,
            sizes.queue,
            sizes.channel,
        ]
        .into_iter()
        .map(u64::from)
        .sum();
        if entities >= u64::from(u32::MAX) {
            return Err(bad("sizes too large"));
        }
        Ok(Config {
            tz,
            week_start,
            service_level_seconds,
            trend_tolerance,
            sizes,
        })
    }

    pub(super) fn span(&mut self) -> Result<Span> {
        Ok(Span {
            start: self.i64()?,
            end: self.i64()?,
        })
    }

    pub(super) fn clock(&mut self) -> Result<Option<Clock>> {
        if self.u8()? == 0 {
            return Ok(None);
        }
        let (minute, hour, day, week, month) = (
            self.i64()?,
            self.span()?,
            self.span()?,
            self.span()?,
            self.span()?,
        );
        let (day_key, week_key, month_key) =
            (self.u32()? as i32, self.u32()? as i32, self.u32()? as i32);
        let periods = PeriodsAt {
            minute,
            hour,
            day,
            day_key,
            week,
            week_key,
            month,
            month_key,
        };
        Ok(Some(Clock {
            periods,
            minute_start: self.i64()?,
            horizon: self.i64()?,
        }))
    }

    pub(super) fn level(&mut self, level: &mut Level) -> Result<()> {
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

    pub(super) fn cells(&mut self, level: &mut Level, key: i64) -> Result<()> {
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

    pub(super) fn agents(&mut self, agents: usize) -> Result<AgentBook> {
        if self.len(21)? != agents {
            return Err(bad("agent count differs from the sizes"));
        }
        let mut records = Vec::with_capacity(agents);
        for _ in 0..agents {
            let state = *AgentState::ALL
                .get(self.u8()? as usize)
                .ok_or_else(|| bad("unknown agent state"))?;
            let since = self.i64()?;
            let (tenant, team, campaign) = (self.u32()?, self.u32()?, self.u32()?);
            records.push(AgentRecord {
                state,
                since,
                tenant,
                team,
                campaign,
            });
        }
        let logged_in = (0..self.len(4)?)
            .map(|_| self.u32())
            .collect::<Result<Vec<_>>>()?;
        AgentBook::from_parts(records, &logged_in)
            .ok_or_else(|| bad("logged-in agents disagree with their records"))
    }

    pub(super) fn activities(&mut self, book: &mut [Activity]) -> Result<()> {
        if self.len(33)? != book.len() {
            return Err(bad("activity count differs from the sizes"));
        }
        for a in book {
            (a.last_event, a.active_since) = (self.i64()?, self.option()?);
            (a.tenant, a.campaign) = (self.u32()?, self.u32()?);
            a.past = (0..self.len(16)?)
                .map(|_| Ok((self.i64()?, self.i64()?)))
                .collect::<Result<_>>()?;
        }
        Ok(())
    }

    pub(super) fn calls(&mut self) -> Result<HashMap<u64, i64>> {
        (0..self.len(16)?)
            .map(|_| Ok((self.u64()?, self.i64()?)))
            .collect()
    }

    pub(super) fn queues(&mut self, queues: &mut [QueueWaiters]) -> Result<()> {
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
