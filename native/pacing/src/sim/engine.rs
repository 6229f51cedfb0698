//! The event loop of the simulator. Calls are placed by the policy at each decision tick;
//! their outcome is drawn when placed and resolves after its ring time; people answering are
//! connected to the agent idle the longest or wait up to the connect limit, then are abandoned.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::agents::{Agents, State};
use super::laws::{Laws, Outcome, AMD_SECONDS};
use super::pauses::PauseDraws;
use super::record::Fate;
use super::result::{MinuteBin, RunResult};
use super::scenario::Scenario;
use crate::config::ComplianceWindow;
use crate::error::Result;
use crate::ledger::AbandonLedger;
use crate::snapshot::{Counts, Snapshot};
use crate::Policy;

#[derive(Debug, Clone, Copy)]
enum Ev {
    /// A call stops ringing (answered, rang out, failed).
    Resolve(u32),
    /// A person who answered has waited the connect limit.
    GiveUp(u32),
    /// An agent ends the talk of a call (agent, call).
    TalkEnd(usize, u32),
    WrapEnd(usize),
    PauseEnd(usize),
    Staffing(usize),
    Drift(usize),
}

#[derive(Debug, Clone, Copy)]
struct Item {
    at: f64,
    seq: u64,
    ev: Ev,
}

impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        self.seq == o.seq
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.at.total_cmp(&o.at).then(self.seq.cmp(&o.seq))
    }
}

#[derive(Debug, Clone, Copy)]
struct Call {
    placed: f64,
    outcome: Outcome,
    fate: Fate,
    ring_slot: u32,
    /// Still waiting for an agent after answering.
    waiting: bool,
}

/// A bounded list of the most recent durations.
struct Recent {
    values: Vec<f64>,
    next: usize,
}

impl Recent {
    const SIZE: usize = 256;
    fn new() -> Self {
        Self {
            values: Vec::with_capacity(Self::SIZE),
            next: 0,
        }
    }
    fn push(&mut self, v: f64) {
        if self.values.len() < Self::SIZE {
            self.values.push(v);
        } else {
            self.values[self.next] = v;
            self.next = (self.next + 1) % Self::SIZE;
        }
    }
}

struct Sim<'a> {
    sc: &'a Scenario,
    seed: u64,
    /// One stream per agent (its pauses), in the order agents join: the same for every policy.
    pauses: Vec<PauseDraws>,
    heap: BinaryHeap<Reverse<Item>>,
    seq: u64,
    agents: Agents,
    calls: Vec<Call>,
    ringing: Vec<(u32, f64)>,
    waiting: VecDeque<(u32, f64)>,
    counts: Counts,
    ledger: AbandonLedger,
    talk: Recent,
    wrap: Recent,
    answer: Recent,
    bins: Vec<MinuteBin>,
    laws: Laws,
    records_left: Option<i64>,
    exhausted_at: Option<f64>,
    machines: u64,
    no_answers: u64,
}

impl Sim<'_> {
    fn at(&mut self, at: f64, ev: Ev) {
        self.seq += 1;
        self.heap.push(Reverse(Item {
            at,
            seq: self.seq,
            ev,
        }));
    }

    fn bin(&mut self, now: f64) -> Option<&mut MinuteBin> {
        self.bins.get_mut((now / 60.0) as usize)
    }

    /// Draws agent `agent`'s next pause time.
    fn next_pause(&mut self, agent: usize, now: f64) -> f64 {
        now + self.pause_draws(agent).gap()
    }

    /// The agent's pause stream, created on first use.
    fn pause_draws(&mut self, agent: usize) -> &mut PauseDraws {
        while self.pauses.len() <= agent {
            let rank = self.pauses.len() as u64;
            self.pauses
                .push(PauseDraws::new(self.seed, rank, &self.sc.pauses));
        }
        &mut self.pauses[agent]
    }

    fn place(&mut self, now: f64, delay: f64) {
        let fate = Fate::of(self.seed, self.counts.attempts as u64);
        let (outcome, ring) = self.laws.outcome(&fate, self.sc.ring.timeout);
        // Answering-machine detection needs a few seconds of the greeting.
        let after = if outcome == Outcome::Machine {
            ring + AMD_SECONDS
        } else {
            ring
        };
        let id = self.calls.len() as u32;
        let placed = now + delay;
        self.calls.push(Call {
            placed,
            outcome,
            fate,
            ring_slot: self.ringing.len() as u32,
            waiting: false,
        });
        self.ringing.push((id, placed));
        self.at(placed + after, Ev::Resolve(id));
        self.counts.attempts += 1;
        if let Some(b) = self.bin(now) {
            b.attempts += 1;
        }
        if let Some(left) = self.records_left.as_mut() {
            *left -= 1;
            if *left == 0 {
                self.exhausted_at = Some(now);
            }
        }
    }

    fn stop_ringing(&mut self, id: u32) {
        let slot = self.calls[id as usize].ring_slot as usize;
        self.ringing.swap_remove(slot);
        if let Some(&(moved, _)) = self.ringing.get(slot) {
            self.calls[moved as usize].ring_slot = slot as u32;
        }
    }

    fn connect(&mut self, agent: usize, call: u32, now: f64, waited: f64) {
        self.agents.set(agent, State::Talking, now, &mut self.bins);
        let talk = self.laws.talk(&self.calls[call as usize].fate);
        self.at(now + talk, Ev::TalkEnd(agent, call));
        self.counts.connects += 1;
        if let Some(b) = self.bin(now) {
            b.connects += 1;
            b.wait += waited;
        }
    }

    /// An agent is free at `now`: leaves, pauses, takes a waiting person, or waits.
    fn free(&mut self, agent: usize, now: f64) {
        let a = self.agents.list[agent];
        if a.leaving {
            self.agents.set(agent, State::Gone, now, &mut self.bins);
            return;
        }
        if now >= a.next_pause {
            self.agents.set(agent, State::Paused, now, &mut self.bins);
            let length = self.pause_draws(agent).length();
            self.agents.list[agent].next_pause = f64::INFINITY;
            self.at(now + length, Ev::PauseEnd(agent));
            return;
        }
        while let Some((id, answered)) = self.waiting.pop_front() {
            if self.calls[id as usize].waiting {
                self.calls[id as usize].waiting = false;
                self.connect(agent, id, now, now - answered);
                return;
            }
        }
        self.agents.set(agent, State::Idle, now, &mut self.bins);
    }

    fn handle(&mut self, now: f64, ev: Ev) {
        match ev {
            Ev::Resolve(id) => {
                self.stop_ringing(id);
                let call = self.calls[id as usize];
                match call.outcome {
                    Outcome::Human => {
                        self.counts.human += 1;
                        self.answer.push(now - call.placed);
                        self.ledger.record(now, 1, 0);
                        if let Some(b) = self.bin(now) {
                            b.humans += 1;
                        }
                        if let Some(agent) = self.agents.pop_idle() {
                            self.connect(agent, id, now, 0.0);
                        } else {
                            self.calls[id as usize].waiting = true;
                            self.waiting.push_back((id, now));
                            self.at(now + self.sc.connect_limit, Ev::GiveUp(id));
                        }
                    }
                    Outcome::Machine => {
                        self.counts.machine += 1;
                        self.machines += 1;
                    }
                    Outcome::NoAnswer => {
                        self.counts.no_answer += 1;
                        self.no_answers += 1;
                    }
                    Outcome::Busy | Outcome::Invalid => {}
                }
            }
            Ev::GiveUp(id) => {
                if self.calls[id as usize].waiting {
                    self.calls[id as usize].waiting = false;
                    self.counts.abandons += 1;
                    self.ledger.record(now, 0, 1);
                    if let Some(b) = self.bin(now) {
                        b.abandons += 1;
                    }
                }
            }
            Ev::TalkEnd(agent, call) => {
                let since = self.agents.list[agent].since;
                self.talk.push(now - since);
                self.agents.set(agent, State::Wrapping, now, &mut self.bins);
                let wrap = self.laws.wrap(&self.calls[call as usize].fate);
                self.at(now + wrap, Ev::WrapEnd(agent));
            }
            Ev::WrapEnd(agent) => {
                let since = self.agents.list[agent].since;
                self.wrap.push(now - since);
                self.free(agent, now);
            }
            Ev::PauseEnd(agent) => {
                let next = self.next_pause(agent, now);
                self.agents.list[agent].next_pause = next;
                self.free(agent, now);
            }
            Ev::Staffing(i) => {
                let change = self.sc.staffing[i];
                for _ in 0..change.join {
                    let agent = self.agents.join(now, f64::INFINITY, false);
                    self.agents.list[agent].next_pause = self.next_pause(agent, now);
                    self.free(agent, now);
                }
                self.leave(change.leave, now);
            }
            Ev::Drift(i) => self.laws.drift(self.sc, &self.sc.drift[i]),
        }
    }

    /// `count` agents log out: idle and paused ones at once, the others after their call.
    fn leave(&mut self, mut count: u32, now: f64) {
        for want in [State::Idle, State::Paused, State::Wrapping, State::Talking] {
            for i in 0..self.agents.list.len() {
                if count == 0 {
                    return;
                }
                let a = self.agents.list[i];
                if a.state != want || a.leaving {
                    continue;
                }
                count -= 1;
                if matches!(want, State::Idle | State::Paused) {
                    self.agents.set(i, State::Gone, now, &mut self.bins);
                } else {
                    self.agents.list[i].leaving = true;
                }
            }
        }
    }
}

/// Runs one simulated day of `scenario` with `policy` deciding, from random seed `seed`.
pub fn simulate(
    scenario: &Scenario,
    policy: &mut dyn Policy,
    seed: u64,
    preview: bool,
) -> Result<RunResult> {
    let sc = scenario;
    let end = sc.hours * 3600.0;
    let mut sim = Sim {
        sc,
        seed,
        pauses: Vec::new(),
        heap: BinaryHeap::new(),
        seq: 0,
        agents: Agents::default(),
        calls: Vec::new(),
        ringing: Vec::new(),
        waiting: VecDeque::new(),
        counts: Counts::default(),
        ledger: AbandonLedger::new(ComplianceWindow::Lifetime),
        talk: Recent::new(),
        wrap: Recent::new(),
        answer: Recent::new(),
        bins: vec![MinuteBin::default(); (end / 60.0).ceil() as usize],
        laws: Laws::new(sc),
        records_left: sc.records.map(|r| r as i64),
        exhausted_at: None,
        machines: 0,
        no_answers: 0,
    };
    for _ in 0..sc.agents {
        let agent = sim.agents.join(0.0, f64::INFINITY, true);
        sim.agents.list[agent].next_pause = sim.next_pause(agent, 0.0);
    }
    for (i, s) in sc.staffing.iter().enumerate() {
        sim.at(s.at_hours * 3600.0, Ev::Staffing(i));
    }
    for (i, d) in sc.drift.iter().enumerate() {
        sim.at(d.at_hours * 3600.0, Ev::Drift(i));
    }
    let delay = if preview { sc.preview_seconds } else { 0.0 };
    let (mut talking, mut wrapping, mut ring) = (Vec::new(), Vec::new(), Vec::new());
    let mut decisions = 0u64;
    let mut tick = 0u64;
    loop {
        let now = tick as f64 * sc.decision_interval;
        if now >= end {
            break;
        }
        while let Some(Reverse(item)) = sim.heap.peek() {
            if item.at > now {
                break;
            }
            let Reverse(item) = sim.heap.pop().unwrap_or_else(|| unreachable!());
            sim.handle(item.at, item.ev);
        }
        if sim.records_left != Some(0) {
            talking.clear();
            wrapping.clear();
            ring.clear();
            let (mut idle, mut paused, mut agents) = (0, 0, 0);
            for a in &sim.agents.list {
                // An agent who asked to log out or to pause after the call takes no more calls:
                // the engine reports it as paused (as a real dialer knows of the request).
                let done = a.leaving || now >= a.next_pause;
                match a.state {
                    State::Idle => idle += 1,
                    State::Paused => paused += 1,
                    State::Talking | State::Wrapping if done => paused += 1,
                    State::Talking => talking.push(now - a.since),
                    State::Wrapping => wrapping.push(now - a.since),
                    State::Gone => continue,
                }
                agents += 1;
            }
            ring.extend(
                sim.ringing
                    .iter()
                    .map(|&(_, placed)| (now - placed).max(0.0)),
            );
            let snapshot = Snapshot {
                now,
                agents,
                idle,
                paused,
                talking: &talking,
                wrapping: &wrapping,
                ringing: &ring,
                counts: sim.counts,
                window: sim.ledger.window(now),
                last_hour: sim.ledger.last_hour(now),
                recent_talk: &sim.talk.values,
                recent_wrap: &sim.wrap.values,
                recent_answer: &sim.answer.values,
                records_left: sim.records_left,
                time_left: Some(end - now),
            };
            let mut n = policy.decide(&snapshot)? as i64;
            decisions += 1;
            if let Some(lines) = sc.lines {
                n = n.min(lines as i64 - sim.ringing.len() as i64);
            }
            if let Some(left) = sim.records_left {
                n = n.min(left);
            }
            for _ in 0..n.max(0) {
                sim.place(now, delay);
            }
        }
        tick += 1;
    }
    sim.agents.close(end, &mut sim.bins);
    Ok(RunResult {
        seconds: end,
        minutes: sim.bins,
        machines: sim.machines,
        no_answers: sim.no_answers,
        decisions,
        list_exhausted_at: sim.exhausted_at,
    })
}
