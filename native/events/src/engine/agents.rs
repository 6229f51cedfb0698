//! Where each agent stands: its state since its last state event, and the tenant, team and
//! campaign its time is credited to.
//!
//! An agent's time is credited to the buckets when its next state event ends the stretch (see
//! `credit.rs`); until then a query adds the stretch `[since, now)` itself, so nothing has to
//! run for logged-in agents as the clock moves.

use crate::counters::{state_seconds, Counter};
use crate::entities::{EntityIndex, EntityList};
use crate::event::{AgentState, Event, NONE};

#[derive(Debug, Clone, Copy)]
pub struct AgentRecord {
    pub state: AgentState,
    /// Time of the last accepted state event: later ones may not be earlier, and the time of
    /// the current state from here on is not in the buckets yet.
    pub since: i64,
    pub tenant: u32,
    pub team: u32,
    pub campaign: u32,
}

impl Default for AgentRecord {
    fn default() -> Self {
        Self {
            state: AgentState::LoggedOut,
            since: i64::MIN,
            tenant: NONE,
            team: NONE,
            campaign: NONE,
        }
    }
}

impl AgentRecord {
    /// The record with the attribution of `e` (ids it leaves `NONE` carry over).
    #[inline]
    pub fn attributed(&self, e: &Event) -> AgentRecord {
        let pick = |new: u32, old: u32| if new == NONE { old } else { new };
        AgentRecord {
            tenant: pick(e.tenant, self.tenant),
            team: pick(e.team, self.team),
            campaign: pick(e.campaign, self.campaign),
            ..*self
        }
    }

    /// The entities `agent`'s time is credited to under this record.
    #[inline]
    pub fn entities(&self, agent: u32, index: &EntityIndex) -> EntityList {
        index.of_agent(agent, self.tenant, self.team, self.campaign)
    }
}

/// Every agent's record and the list of those logged in (whose time accrues).
#[derive(Debug, Clone, Default)]
pub struct AgentBook {
    records: Vec<AgentRecord>,
    logged_in: Vec<u32>,
    position: Vec<u32>,
}

impl AgentBook {
    pub fn new(agents: usize) -> Self {
        Self {
            records: vec![AgentRecord::default(); agents],
            logged_in: Vec::new(),
            position: vec![NONE; agents],
        }
    }

    /// Follows a resize of the dimensions: agents past `sizes.agent` go, and attributions to
    /// ids that no longer exist are dropped (their time would land on another entity).
    pub fn resize(&mut self, index: &EntityIndex) {
        let sizes = index.sizes();
        let agents = sizes.agent as usize;
        for gone in agents..self.records.len() {
            self.set_logged_in(gone as u32, false);
        }
        self.records.resize(agents, AgentRecord::default());
        self.position.resize(agents, NONE);
        let known = |id: u32, size: u32| if id < size { id } else { NONE };
        for r in &mut self.records {
            r.tenant = known(r.tenant, sizes.tenant);
            r.team = known(r.team, sizes.team);
            r.campaign = known(r.campaign, sizes.campaign);
        }
    }

    #[inline]
    pub fn get(&self, agent: u32) -> &AgentRecord {
        &self.records[agent as usize]
    }

    #[inline]
    pub fn set(&mut self, agent: u32, record: AgentRecord) {
        let was_in = self.records[agent as usize].state != AgentState::LoggedOut;
        let is_in = record.state != AgentState::LoggedOut;
        if was_in != is_in {
            self.set_logged_in(agent, is_in);
        }
        self.records[agent as usize] = record;
    }

    /// Each logged-in agent whose state earns time: (agent, record, the counter it earns).
    pub fn earning(&self) -> impl Iterator<Item = (u32, &AgentRecord, Counter)> + '_ {
        self.logged_in.iter().filter_map(|&a| {
            let record = &self.records[a as usize];
            Some((a, record, state_seconds(record.state)?))
        })
    }

    fn set_logged_in(&mut self, agent: u32, yes: bool) {
        let pos = self.position[agent as usize];
        if yes && pos == NONE {
            self.position[agent as usize] = self.logged_in.len() as u32;
            self.logged_in.push(agent);
        } else if !yes && pos != NONE {
            self.logged_in.swap_remove(pos as usize);
            if let Some(&moved) = self.logged_in.get(pos as usize) {
                self.position[moved as usize] = pos;
            }
            self.position[agent as usize] = NONE;
        }
    }

    /// Every agent's record, by agent id.
    pub fn records(&self) -> &[AgentRecord] {
        &self.records
    }

    /// The logged-in agents, in the order their time is summed.
    pub fn logged_in(&self) -> &[u32] {
        &self.logged_in
    }

    /// The book a checkpoint held: `logged_in` must list, once each, exactly the agents whose
    /// record is not logged out (else `None`).
    pub fn from_parts(records: Vec<AgentRecord>, logged_in: &[u32]) -> Option<Self> {
        let mut book = Self::new(records.len());
        for &agent in logged_in {
            let record = *records.get(agent as usize)?;
            if record.state == AgentState::LoggedOut
                || book.records[agent as usize].state != AgentState::LoggedOut
            {
                return None;
            }
            book.set(agent, record);
        }
        let in_count = records
            .iter()
            .filter(|r| r.state != AgentState::LoggedOut)
            .count();
        book.records = records;
        (in_count == book.logged_in.len()).then_some(book)
    }

    /// Number of agents in each state, indexed by `AgentState as usize`.
    pub fn state_counts(&self) -> [u32; 5] {
        let mut counts = [0u32; 5];
        counts[0] = (self.records.len() - self.logged_in.len()) as u32;
        for &a in &self.logged_in {
            counts[self.records[a as usize].state as usize] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Sizes;

    #[test]
    fn logged_in_list_follows_states() {
        let mut book = AgentBook::new(3);
        let on = AgentRecord {
            state: AgentState::Available,
            ..AgentRecord::default()
        };
        book.set(0, on);
        book.set(
            2,
            AgentRecord {
                state: AgentState::Paused,
                ..on
            },
        );
        assert_eq!(book.state_counts(), [1, 1, 0, 0, 1]);
        book.set(0, AgentRecord::default());
        let earning: Vec<u32> = book.earning().map(|(a, _, _)| a).collect();
        assert_eq!(earning, [2]);
        assert_eq!(book.state_counts(), [2, 0, 0, 0, 1]);
        book.resize(&EntityIndex::new(Sizes {
            agent: 2,
            ..Sizes::default()
        }));
        assert_eq!(book.earning().count(), 0);
        assert_eq!(book.state_counts(), [2, 0, 0, 0, 0]);
    }

    #[test]
    fn a_resize_drops_attributions_to_ids_that_are_gone() {
        let mut book = AgentBook::new(2);
        book.set(
            1,
            AgentRecord {
                state: AgentState::Available,
                tenant: 0,
                team: 4,
                campaign: 1,
                since: 0,
            },
        );
        book.resize(&EntityIndex::new(Sizes {
            tenant: 1,
            agent: 2,
            team: 3,
            campaign: 2,
            ..Sizes::default()
        }));
        let r = book.get(1);
        assert_eq!((r.tenant, r.team, r.campaign), (0, NONE, 1));
    }
}
