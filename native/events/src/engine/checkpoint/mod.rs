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

use super::{Aggregator, Level};
use crate::counters::COUNTERS;
use crate::error::{EventsError, Result};

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
        let mut w = Writer {
            out: Vec::with_capacity(self.checkpoint_size_hint()),
        };
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
        let mut agg =
            Aggregator::new(config).map_err(|e| bad(format!("its configuration: {e}")))?;
        agg.clock = r.section(b"CLCK", Reader::clock)?;
        (agg.latest, agg.shared_callbacks_pending) =
            r.section(b"MISC", |r| Ok((r.i64()?, r.i64()?)))?;
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
            level.open_written().count()
                + level
                    .closed()
                    .map(|(_, cells)| cells.count())
                    .sum::<usize>()
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
        return Err(bad(format!(
            "version {version}, this engine reads version {VERSION}"
        )));
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

mod reader;
#[cfg(test)]
mod tests;
mod writer;

use reader::Reader;
use writer::Writer;
