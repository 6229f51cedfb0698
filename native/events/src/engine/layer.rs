//! Storage of counters: the open bucket of a level (one cell per entity, with the list of
//! entities touched so closing it costs what was written), and a ring of closed buckets.

use crate::counters::{zeroed_cells, Counter, Counters, Delta};

/// The open bucket of one level (minute, hour or day) for every entity.
#[derive(Debug, Clone)]
pub struct Layer {
    cells: Vec<Counters>,
    touched: Vec<u32>,
    is_touched: Vec<bool>,
}

impl Layer {
    pub fn new(entities: usize) -> Self {
        Self { cells: zeroed_cells(entities), touched: Vec::new(), is_touched: vec![false; entities] }
    }

    #[inline]
    fn touch(&mut self, e: u32) -> &mut Counters {
        let i = e as usize;
        if !self.is_touched[i] {
            self.is_touched[i] = true;
            self.touched.push(e);
        }
        &mut self.cells[i]
    }

    #[inline]
    pub fn apply(&mut self, e: u32, delta: &Delta) {
        self.touch(e).apply(delta);
    }

    #[inline]
    pub fn add(&mut self, e: u32, c: Counter, v: f64) {
        self.touch(e).add(c, v);
    }

    pub fn merge(&mut self, e: u32, counters: &Counters) {
        self.touch(e).merge(counters);
    }

    #[inline]
    pub fn get(&self, e: u32) -> &Counters {
        &self.cells[e as usize]
    }

    pub fn touched(&self) -> &[u32] {
        &self.touched
    }

    /// Adds every touched cell into `into`, stores them in `ring` under `key`, and clears.
    pub fn close(&mut self, key: i64, into: Option<&mut Layer>, ring: &mut Ring) {
        ring.open_slot(key);
        let mut into = into;
        for &e in &self.touched {
            let cell = &mut self.cells[e as usize];
            if let Some(parent) = into.as_deref_mut() {
                parent.merge(e, cell);
            }
            ring.merge(key, e, cell);
            *cell = Counters::default();
            self.is_touched[e as usize] = false;
        }
        self.touched.clear();
    }

    /// Re-lays the cells out for a new entity index (`map[old] = new`, `u32::MAX` = dropped).
    pub fn remap(&mut self, map: &[u32], entities: usize) {
        let mut next = Layer::new(entities);
        for &e in &self.touched {
            let to = map[e as usize];
            if to != u32::MAX {
                next.merge(to, &self.cells[e as usize]);
            }
        }
        *self = next;
    }
}

/// Closed buckets of one level, `slots` of them, each keyed by its bucket number; a slot is
/// reused when a bucket `slots` later closes, clearing only the cells it had written.
#[derive(Debug, Clone)]
pub struct Ring {
    entities: usize,
    keys: Vec<Option<i64>>,
    cells: Vec<Counters>,
    written: Vec<Vec<u32>>,
}

impl Ring {
    pub fn new(slots: usize, entities: usize) -> Self {
        Self {
            entities,
            keys: vec![None; slots],
            cells: zeroed_cells(slots * entities),
            written: vec![Vec::new(); slots],
        }
    }

    fn slot(&self, key: i64) -> usize {
        key.rem_euclid(self.keys.len() as i64) as usize
    }

    /// Makes the slot of `key` hold `key`, clearing what an older bucket left there.
    /// Returns false if the slot holds a newer bucket (`key` is past the ring's horizon).
    pub fn open_slot(&mut self, key: i64) -> bool {
        let s = self.slot(key);
        match self.keys[s] {
            Some(k) if k == key => true,
            Some(k) if k > key => false,
            _ => {
                for &e in &self.written[s] {
                    self.cells[s * self.entities + e as usize] = Counters::default();
                }
                self.written[s].clear();
                self.keys[s] = Some(key);
                true
            }
        }
    }

    fn cell_mut(&mut self, key: i64, e: u32) -> Option<&mut Counters> {
        if !self.open_slot(key) {
            return None;
        }
        let s = self.slot(key);
        // A cell may be listed twice; clearing it twice is harmless.
        self.written[s].push(e);
        Some(&mut self.cells[s * self.entities + e as usize])
    }

    pub fn merge(&mut self, key: i64, e: u32, counters: &Counters) {
        if let Some(cell) = self.cell_mut(key, e) {
            cell.merge(counters);
        }
    }

    pub fn apply(&mut self, key: i64, e: u32, delta: &Delta) {
        if let Some(cell) = self.cell_mut(key, e) {
            cell.apply(delta);
        }
    }

    /// The counters of entity `e` in bucket `key`, if the ring holds that bucket.
    #[inline]
    pub fn get(&self, key: i64, e: u32) -> Option<&Counters> {
        let s = self.slot(key);
        (self.keys[s] == Some(key)).then(|| &self.cells[s * self.entities + e as usize])
    }

    pub fn remap(&mut self, map: &[u32], entities: usize) {
        let mut next = Ring::new(self.keys.len(), entities);
        for s in 0..self.keys.len() {
            let Some(key) = self.keys[s] else { continue };
            next.open_slot(key);
            for &e in &self.written[s] {
                let to = map[e as usize];
                let cell = self.cells[s * self.entities + e as usize];
                if to != u32::MAX && !cell.is_zero() {
                    next.merge(key, to, &cell);
                    // Cells listed twice must be copied once.
                    self.cells[s * self.entities + e as usize] = Counters::default();
                }
            }
        }
        *self = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_moves_touched_cells_to_parent_and_ring() {
        let mut minute = Layer::new(3);
        let mut hour = Layer::new(3);
        let mut ring = Ring::new(4, 3);
        minute.add(1, Counter::Attempts, 2.0);
        minute.close(10, Some(&mut hour), &mut ring);
        assert_eq!(minute.get(1).get(Counter::Attempts), 0.0);
        assert_eq!(hour.get(1).get(Counter::Attempts), 2.0);
        assert_eq!(ring.get(10, 1).unwrap().get(Counter::Attempts), 2.0);
        assert!(ring.get(11, 1).is_none());
    }

    #[test]
    fn a_reused_slot_forgets_the_old_bucket() {
        let mut ring = Ring::new(4, 2);
        ring.apply(3, 0, &Delta::single(Counter::Attempts, 1.0));
        ring.apply(7, 1, &Delta::single(Counter::Busy, 1.0));
        assert!(ring.get(3, 0).is_none());
        assert_eq!(ring.get(7, 0).unwrap().get(Counter::Attempts), 0.0);
        // Past the horizon: the slot holds a newer bucket, nothing is written.
        ring.apply(3, 0, &Delta::single(Counter::Attempts, 1.0));
        assert!(ring.get(3, 0).is_none());
        assert_eq!(ring.get(7, 0).unwrap().get(Counter::Attempts), 0.0);
    }
}
