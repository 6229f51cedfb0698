//! Live state that is not a sum over time: which campaigns and lists are active (and were, for
//! "active at any moment of the period"), who waits in each queue, pending shared callbacks.

use std::collections::HashMap;

use crate::event::NONE;

/// Active intervals of one campaign or contact list.
#[derive(Debug, Clone)]
pub struct Activity {
    pub last_event: i64,
    pub active_since: Option<i64>,
    /// Closed `[start, end)` intervals, oldest first.
    pub past: Vec<(i64, i64)>,
    /// Tenant and campaign named by the last activation.
    pub tenant: u32,
    pub campaign: u32,
}

impl Default for Activity {
    fn default() -> Self {
        Self {
            last_event: i64::MIN,
            active_since: None,
            past: Vec::new(),
            tenant: NONE,
            campaign: NONE,
        }
    }
}

impl Activity {
    pub fn activate(&mut self, t: i64, tenant: u32, campaign: u32) {
        self.last_event = t;
        self.tenant = tenant;
        self.campaign = campaign;
        self.active_since.get_or_insert(t);
    }

    pub fn deactivate(&mut self, t: i64) {
        self.last_event = t;
        // Activated and deactivated at the same instant: active at no moment, nothing to keep.
        if let Some(start) = self.active_since.take().filter(|&start| start < t) {
            self.past.push((start, t));
        }
    }

    /// Active at any moment of `[a, b]`.
    pub fn active_during(&self, a: i64, b: i64) -> bool {
        self.active_since.is_some_and(|s| s <= b) || self.past.iter().any(|&(s, e)| s <= b && e > a)
    }

    pub fn forget_before(&mut self, horizon: i64) {
        self.past.retain(|&(_, end)| end >= horizon);
    }
}

/// Calls waiting in one queue, by call id, with the time each entered.
#[derive(Debug, Clone, Default)]
pub struct QueueWaiters {
    waiting: HashMap<u64, i64>,
    /// Calls that left before their entry arrived (late events), so the entry is not counted.
    left_early: HashMap<u64, i64>,
}

impl QueueWaiters {
    /// A call waits from its entry until an answer or abandon at or after it. Entering again
    /// while it waits keeps the first entry time (the caller has waited since then); an entry
    /// whose leaving already arrived (a late entry) does not wait.
    pub fn enter(&mut self, call: u64, t: i64) {
        match self.left_early.get(&call) {
            Some(&left) if left >= t => {
                self.left_early.remove(&call);
            }
            _ => {
                self.left_early.remove(&call);
                self.waiting.entry(call).or_insert(t);
            }
        }
    }

    /// Ends the wait the call began at or before `t`; a leaving for a wait not seen yet is
    /// kept for its late entry.
    pub fn leave(&mut self, call: u64, t: i64) {
        match self.waiting.get(&call) {
            Some(&entered) if entered <= t => {
                self.waiting.remove(&call);
            }
            Some(_) => {}
            None => {
                let left = self.left_early.entry(call).or_insert(t);
                *left = (*left).max(t);
            }
        }
    }

    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    pub fn oldest_entry(&self) -> Option<i64> {
        self.waiting.values().copied().min()
    }

    /// (call, entry time) of each call waiting, and (call, leaving time) of each that left
    /// before its entry arrived.
    pub fn entries(&self) -> (&HashMap<u64, i64>, &HashMap<u64, i64>) {
        (&self.waiting, &self.left_early)
    }

    pub fn from_entries(waiting: HashMap<u64, i64>, left_early: HashMap<u64, i64>) -> Self {
        Self {
            waiting,
            left_early,
        }
    }

    pub fn forget_before(&mut self, horizon: i64) {
        self.left_early.retain(|_, t| *t >= horizon);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_length_activation_was_never_active() {
        let mut a = Activity::default();
        a.activate(10, 0, 0);
        a.deactivate(10);
        assert!(!a.active_during(0, 100));
        a.activate(20, 0, 0);
        a.deactivate(30);
        assert!(a.active_during(29, 100) && !a.active_during(30, 100));
    }

    #[test]
    fn re_entering_keeps_the_first_entry_and_late_entries_are_ignored() {
        let mut q = QueueWaiters::default();
        q.enter(1, 100);
        q.enter(1, 200);
        assert_eq!(q.oldest_entry(), Some(100));
        q.leave(2, 300);
        q.enter(2, 250);
        assert_eq!(q.waiting(), 1);
        // Entered and answered at one instant, whichever arrived first: not waiting.
        q.leave(3, 400);
        q.enter(3, 400);
        assert_eq!(q.waiting(), 1);
    }

    #[test]
    fn an_entry_after_the_last_leaving_waits_again() {
        let mut q = QueueWaiters::default();
        q.leave(1, 100);
        q.enter(1, 150);
        assert_eq!(q.oldest_entry(), Some(150));
        // A leaving older than the wait it would end belongs to an earlier stint.
        q.leave(1, 120);
        assert_eq!(q.waiting(), 1);
        q.leave(1, 160);
        assert_eq!(q.waiting(), 0);
    }
}
