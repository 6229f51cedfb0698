//! The simulated agents: their states, the queue of idle agents (longest idle first), and the
//! crediting of each state's time to the minutes of the day.

use std::collections::VecDeque;

use super::result::MinuteBin;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Idle,
    Talking,
    Wrapping,
    Paused,
    Gone,
}

#[derive(Debug, Clone, Copy)]
pub struct Agent {
    pub state: State,
    pub since: f64,
    /// Leaves at the end of the current call instead of taking the next one.
    pub leaving: bool,
    /// Takes a pause the first time it is free after this time.
    pub next_pause: f64,
}

#[derive(Debug, Default)]
pub struct Agents {
    pub list: Vec<Agent>,
    idle: VecDeque<usize>,
}

/// Adds `to - from` seconds of `state` to the minutes they fall in.
fn credit(bins: &mut [MinuteBin], state: State, mut from: f64, to: f64) {
    if state == State::Gone {
        return;
    }
    while from < to {
        let minute = (from / 60.0) as usize;
        let Some(bin) = bins.get_mut(minute) else {
            return;
        };
        let end = to.min((minute + 1) as f64 * 60.0);
        let d = end - from;
        match state {
            State::Idle => bin.idle += d,
            State::Talking => bin.talk += d,
            State::Wrapping => bin.wrap += d,
            State::Paused => bin.paused += d,
            State::Gone => {}
        }
        if state != State::Paused {
            bin.staffed += d;
        }
        from = end;
    }
}

impl Agents {
    /// A new agent, idle at `now`, or logged out until the caller frees it (`idle` false).
    pub fn join(&mut self, now: f64, next_pause: f64, idle: bool) -> usize {
        let state = if idle { State::Idle } else { State::Gone };
        self.list.push(Agent {
            state,
            since: now,
            leaving: false,
            next_pause,
        });
        let i = self.list.len() - 1;
        if idle {
            self.idle.push_back(i);
        }
        i
    }

    /// Moves agent `i` to `state` at `now`, crediting the time spent in the previous one.
    pub fn set(&mut self, i: usize, state: State, now: f64, bins: &mut [MinuteBin]) {
        let a = &mut self.list[i];
        credit(bins, a.state, a.since, now);
        a.state = state;
        a.since = now;
        if state == State::Idle {
            self.idle.push_back(i);
        }
    }

    /// The agent idle the longest, taken out of the idle queue.
    pub fn pop_idle(&mut self) -> Option<usize> {
        while let Some(i) = self.idle.pop_front() {
            if self.list[i].state == State::Idle {
                return Some(i);
            }
        }
        None
    }

    /// Credits every agent's current state up to `now` (end of the day).
    pub fn close(&mut self, now: f64, bins: &mut [MinuteBin]) {
        for a in &mut self.list {
            credit(bins, a.state, a.since, now);
            a.since = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_split_across_minutes() {
        let mut bins = vec![MinuteBin::default(); 3];
        let mut agents = Agents::default();
        agents.join(30.0, f64::INFINITY, true);
        agents.set(0, State::Talking, 90.0, &mut bins);
        agents.close(150.0, &mut bins);
        assert_eq!(bins[0].idle, 30.0);
        assert_eq!(bins[1].idle, 30.0);
        assert_eq!(bins[1].talk, 30.0);
        assert_eq!(bins[2].talk, 30.0);
        assert_eq!(bins[2].staffed, 30.0);
    }
}
