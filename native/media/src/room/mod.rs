//! Mixing rooms: a room holds the legs of one call and gives each listener the saturated sum of
//! the legs `mode::hears` allows. When the matrix changes (a mode switch, a leg joining), each
//! changed path fades in or out linearly over the next 20 ms frame, so a switch makes neither a
//! click nor a gap.

pub mod mode;

use crate::error::{MediaError, Result};
use crate::frame::{Frame, FRAME_SAMPLES};
pub use mode::{hears, Member, Mode, Role};

pub type LegId = u64;

#[derive(Debug, Default)]
pub struct Room {
    legs: Vec<LegId>,
    members: Vec<Member>,
    /// `heard[l][s]`: listener l hears source s, per the current modes.
    heard: Vec<Vec<bool>>,
    /// The matrix the last mixed frame ended on; the next frame ramps from it to `heard`.
    played: Vec<Vec<bool>>,
}

impl Room {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn legs(&self) -> &[LegId] {
        &self.legs
    }

    pub fn len(&self) -> usize {
        self.legs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.legs.is_empty()
    }

    pub fn member(&self, leg: LegId) -> Option<Member> {
        self.index(leg).map(|i| self.members[i])
    }

    fn index(&self, leg: LegId) -> Option<usize> {
        self.legs.iter().position(|&l| l == leg)
    }

    /// Adds a leg. Supervisors join in `Listen` mode unless given another.
    pub fn add(&mut self, leg: LegId, role: Role, mode: Mode) {
        if self.index(leg).is_some() {
            return;
        }
        self.legs.push(leg);
        self.members.push(Member { role, mode });
        // A newcomer is heard and hears from silence: its paths fade in.
        for row in self.played.iter_mut() {
            row.push(false);
        }
        self.played.push(vec![false; self.legs.len()]);
        self.recompute();
    }

    /// Removes a leg, returning its role and mode.
    pub fn remove(&mut self, leg: LegId) -> Option<Member> {
        let i = self.index(leg)?;
        self.legs.remove(i);
        let member = self.members.remove(i);
        self.played.remove(i);
        for row in self.played.iter_mut() {
            row.remove(i);
        }
        self.recompute();
        Some(member)
    }

    pub fn set_mode(&mut self, leg: LegId, mode: Mode) -> Result<()> {
        let i = self.index(leg).ok_or(MediaError::UnknownId {
            kind: "leg in room",
            id: leg,
        })?;
        if self.members[i].role != Role::Supervisor {
            return Err(MediaError::BadSetting {
                field: "mode",
                reason: format!(
                    "leg {leg} is a {}, only supervisors have a mode",
                    self.members[i].role.name()
                ),
            });
        }
        self.members[i].mode = mode;
        self.recompute();
        Ok(())
    }

    fn recompute(&mut self) {
        let members = &self.members;
        self.heard = members
            .iter()
            .map(|&l| members.iter().map(|&s| hears(l, s, members)).collect())
            .collect();
        // A leg never hears itself, whatever its role.
        for (i, row) in self.heard.iter_mut().enumerate() {
            row[i] = false;
        }
    }

    /// Whether the listener at `listener` currently hears the source at `source` (indices in
    /// `legs()` order).
    pub fn hears_index(&self, listener: usize, source: usize) -> bool {
        self.heard[listener][source]
    }

    /// Mixes one frame: `inputs[i]` is what leg `legs()[i]` said, `outputs[i]` receives what it
    /// hears. Both slices are in `legs()` order.
    pub fn mix(&mut self, inputs: &[Frame], outputs: &mut [Frame]) {
        let mut acc = [0i32; FRAME_SAMPLES];
        let rows = self.played.iter().zip(self.heard.iter());
        for ((played, heard), output) in rows.zip(outputs.iter_mut()) {
            acc.fill(0);
            for ((&from, &to), input) in played.iter().zip(heard.iter()).zip(inputs) {
                match (from, to) {
                    (false, false) => {}
                    (true, true) => {
                        for (a, &x) in acc.iter_mut().zip(input.iter()) {
                            *a += i32::from(x);
                        }
                    }
                    (false, true) => {
                        for (i, (a, &x)) in acc.iter_mut().zip(input.iter()).enumerate() {
                            *a += i32::from(x) * (i as i32 + 1) / FRAME_SAMPLES as i32;
                        }
                    }
                    (true, false) => {
                        for (i, (a, &x)) in acc.iter_mut().zip(input.iter()).enumerate() {
                            *a += i32::from(x) * (FRAME_SAMPLES - 1 - i) as i32
                                / FRAME_SAMPLES as i32;
                        }
                    }
                }
            }
            for (o, a) in output.iter_mut().zip(acc.iter()) {
                *o = (*a).clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
            }
        }
        for (played, heard) in self.played.iter_mut().zip(self.heard.iter()) {
            played.copy_from_slice(heard);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::SILENCE;

    const CUSTOMER: LegId = 1;
    const AGENT: LegId = 2;
    const SUPERVISOR: LegId = 3;
    /// Constant levels whose sums are unambiguous: any subset adds to a distinct value.
    const LEVEL: [i16; 3] = [100, 1000, 10000];

    fn room(mode: Mode) -> Room {
        let mut r = Room::new();
        r.add(CUSTOMER, Role::Customer, Mode::Listen);
        r.add(AGENT, Role::Agent, Mode::Listen);
        r.add(SUPERVISOR, Role::Supervisor, mode);
        r
    }

    fn inputs() -> Vec<Frame> {
        LEVEL.iter().map(|&v| [v; FRAME_SAMPLES]).collect()
    }

    fn mix(r: &mut Room) -> Vec<Frame> {
        let mut out = vec![SILENCE; r.len()];
        r.mix(&inputs(), &mut out);
        out
    }

    /// What listener `l` hears in steady state under `mode`: the sum of the allowed levels.
    fn expected(mode: Mode, l: usize) -> i32 {
        let r = room(mode);
        (0..3)
            .filter(|&s| r.hears_index(l, s))
            .map(|s| i32::from(LEVEL[s]))
            .sum()
    }

    #[test]
    fn steady_state_mix_is_the_sum_of_the_sources_the_mode_allows() {
        for mode in Mode::ALL {
            let mut r = room(mode);
            mix(&mut r); // fade-in frame
            let out = mix(&mut r);
            for (l, frame) in out.iter().enumerate() {
                assert!(
                    frame.iter().all(|&x| i32::from(x) == expected(mode, l)),
                    "{mode:?} listener {l}"
                );
            }
        }
    }

    #[test]
    fn every_switch_between_modes_ramps_without_click_or_gap() {
        for from in Mode::ALL {
            for to in Mode::ALL {
                let mut r = room(from);
                mix(&mut r);
                mix(&mut r);
                r.set_mode(SUPERVISOR, to).unwrap();
                let ramp = mix(&mut r);
                let after = mix(&mut r);
                for l in 0..3 {
                    let (a, b) = (expected(from, l), expected(to, l));
                    let frame = &ramp[l];
                    // Starts next to the old mix, ends on the new one: no gap, no jump.
                    let max_step = (a - b).abs() / FRAME_SAMPLES as i32 + 2;
                    assert!(
                        (i32::from(frame[0]) - a).abs() <= max_step,
                        "{from:?}->{to:?} l{l} start {}",
                        frame[0]
                    );
                    assert!(
                        (i32::from(frame[FRAME_SAMPLES - 1]) - b).abs() <= max_step,
                        "{from:?}->{to:?} l{l} end"
                    );
                    for w in frame.windows(2) {
                        assert!(
                            (i32::from(w[1]) - i32::from(w[0])).abs() <= max_step,
                            "{from:?}->{to:?} l{l} step"
                        );
                    }
                    // Sources heard both before and after never dip.
                    let kept: i32 = (0..3)
                        .filter(|&s| room(from).hears_index(l, s) && room(to).hears_index(l, s))
                        .map(|s| i32::from(LEVEL[s]))
                        .sum();
                    assert!(
                        frame.iter().all(|&x| i32::from(x) >= kept),
                        "{from:?}->{to:?} l{l} gap"
                    );
                    assert!(
                        after[l].iter().all(|&x| i32::from(x) == b),
                        "{from:?}->{to:?} l{l} settled"
                    );
                }
            }
        }
    }

    #[test]
    fn the_sum_saturates_instead_of_wrapping() {
        let mut r = Room::new();
        r.add(CUSTOMER, Role::Customer, Mode::Listen);
        r.add(AGENT, Role::Agent, Mode::Listen);
        r.add(SUPERVISOR, Role::Supervisor, Mode::Barge);
        let loud = vec![
            [30000i16; FRAME_SAMPLES],
            [30000; FRAME_SAMPLES],
            [30000; FRAME_SAMPLES],
        ];
        let mut out = vec![SILENCE; 3];
        r.mix(&loud, &mut out);
        r.mix(&loud, &mut out);
        assert!(out[0].iter().all(|&x| x == i16::MAX));
        let quiet = vec![[-30000i16; FRAME_SAMPLES]; 3];
        r.mix(&quiet, &mut out);
        assert!(out[1].iter().all(|&x| x == i16::MIN));
    }

    #[test]
    fn a_leg_leaving_and_joining_another_room_is_heard_there() {
        let mut first = room(Mode::Listen);
        let mut second = Room::new();
        second.add(10, Role::Customer, Mode::Listen);
        mix(&mut first);
        let agent = first.remove(AGENT).unwrap();
        second.add(AGENT, agent.role, agent.mode);
        assert_eq!(first.legs(), &[CUSTOMER, SUPERVISOR]);
        let ins = vec![[500i16; FRAME_SAMPLES], [700; FRAME_SAMPLES]];
        let mut out = vec![SILENCE; 2];
        second.mix(&ins, &mut out);
        second.mix(&ins, &mut out);
        assert!(
            out[1].iter().all(|&x| x == 500),
            "the agent hears the new customer"
        );
        assert!(
            out[0].iter().all(|&x| x == 700),
            "the new customer hears the agent"
        );
    }

    #[test]
    fn only_supervisors_take_a_mode() {
        let mut r = room(Mode::Listen);
        assert_eq!(
            r.set_mode(AGENT, Mode::Barge).unwrap_err().slug(),
            "bad-setting"
        );
        assert_eq!(
            r.set_mode(99, Mode::Barge).unwrap_err().slug(),
            "unknown-id"
        );
    }
}
