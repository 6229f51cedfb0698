//! Where each agent stands: its state since its last state event, the tenant, team and campaign
//! its time is credited to, and how far that time has been credited.

use crate::event::{AgentState, Event, NONE};

#[derive(Debug, Clone, Copy)]
pub struct AgentRecord {
    pub state: AgentState,
    /// Time of the last accepted state event (later ones may not be earlier).
    pub last_event: i64,
    /// Time up to which the current state's seconds are in the buckets.
    pub credited_to: i64,
    pub tenant: u32,
    pub team: u32,
    pub campaign: u32,
}

impl Default for AgentRecord {
    fn default() -> Self {
        Self { state: AgentState::LoggedOut, last_event: i64::MIN, credited_to: i64::MIN, tenant: NONE, team: NONE, campaign: NONE }
    }
}

impl AgentRecord {
    /// The record with the attribution of `e` (ids it leaves `NONE` carry over).
    pub fn attributed(&self, e: &Event) -> AgentRecord {
        let pick = |new: u32, old: u32| if new == NONE { old } else { new };
        AgentRecord {
            tenant: pick(e.tenant, self.tenant),
            team: pick(e.team, self.team),
            campaign: pick(e.campaign, self.campaign),
            ..*self
        }
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
        Self { records: vec![AgentRecord::default(); agents], logged_in: Vec::new(), position: vec![NONE; agents] }
    }

    pub fn resize(&mut self, agents: usize) {
        for gone in agents..self.records.len() {
            self.set_logged_in(gone as u32, false);
        }
        self.records.resize(agents, AgentRecord::default());
        self.position.resize(agents, NONE);
    }

    #[inline]
    pub fn get(&self, agent: u32) -> &AgentRecord {
        &self.records[agent as usize]
    }

    pub fn set(&mut self, agent: u32, record: AgentRecord) {
        self.set_logged_in(agent, record.state != AgentState::LoggedOut);
        self.records[agent as usize] = record;
    }

    pub fn logged_in(&self) -> &[u32] {
        &self.logged_in
    }

    pub fn credit_to(&mut self, agent: u32, t: i64) {
        self.records[agent as usize].credited_to = t;
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

    #[test]
    fn logged_in_list_follows_states() {
        let mut book = AgentBook::new(3);
        let on = AgentRecord { state: AgentState::Available, ..AgentRecord::default() };
        book.set(0, on);
        book.set(2, AgentRecord { state: AgentState::Paused, ..on });
        assert_eq!(book.logged_in(), &[0, 2]);
        book.set(0, AgentRecord::default());
        assert_eq!(book.logged_in(), &[2]);
        assert_eq!(book.state_counts(), [2, 0, 0, 0, 1]);
        book.resize(2);
        assert!(book.logged_in().is_empty());
    }
}
