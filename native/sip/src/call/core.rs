//! Sans-IO B2BUA call control: the state of every leg and what to do about each command,
//! stack report and deadline. It owns no socket, task or clock: callers pass `now` and carry
//! out the returned actions, which is what makes it deterministic to test.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::types::{Command, Event, HangupCause, LegEvent, LegId, Originate, Side};
use crate::error::{Result, SipError};
use crate::outcome::DialOutcome;

/// How long a CANCEL may wait for the INVITE's final answer before we give the leg up
/// (RFC 3261 Timer B, 64·T1).
const CANCEL_GRACE: Duration = Duration::from_secs(32);

/// What the SIP stack reports about a leg (the driver translates the stack's own events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackReport {
    Provisional {
        status: u16,
        with_sdp: bool,
    },
    Answered,
    Failed {
        status: u16,
    },
    /// No answer at all from the network (transaction timeout, transport error).
    Unreachable,
    /// The peer sent BYE (answered legs) or CANCEL (inbound legs still offered).
    RemoteHangup,
    Hold {
        on: bool,
    },
    Dtmf {
        digit: char,
        duration_ms: u32,
    },
}

/// What the driver must do for the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Invite {
        leg: LegId,
        originate: Originate,
    },
    Cancel(LegId),
    Bye {
        leg: LegId,
        cause: HangupCause,
    },
    Accept(LegId),
    /// 180 Ringing on an offered leg.
    Ring(LegId),
    Reject {
        leg: LegId,
        status: u16,
    },
    Reinvite {
        leg: LegId,
        hold: bool,
    },
    Bridge(LegId, LegId),
    Unbridge(LegId, LegId),
    /// `leaving` goes to a room of its own, `staying` keeps the call's.
    Detach {
        leaving: LegId,
        staying: LegId,
    },
    /// The leg is over: free its media and dialog handle.
    Release(LegId),
    Emit(Event),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// INVITE sent, nothing back yet.
    Dialing,
    Ringing,
    Early,
    /// Inbound, not answered yet.
    Offered,
    Answered,
    /// We sent CANCEL; waiting for the INVITE's final answer, reported with `outcome`.
    Cancelling {
        outcome: DialOutcome,
    },
}

impl State {
    fn name(self) -> &'static str {
        match self {
            Self::Dialing => "dialing",
            Self::Ringing => "ringing",
            Self::Early => "early",
            Self::Offered => "offered",
            Self::Answered => "answered",
            Self::Cancelling { .. } => "cancelling",
        }
    }

    fn is_outbound_pending(self) -> bool {
        matches!(self, Self::Dialing | Self::Ringing | Self::Early)
    }
}

#[derive(Debug)]
struct Leg {
    state: State,
    deadline: Option<Instant>,
    partner: Option<LegId>,
    trying_sent: bool,
}

#[derive(Debug, Default)]
pub struct CallCore {
    legs: HashMap<LegId, Leg>,
    next_id: u64,
}

fn emit(leg: LegId, event: LegEvent) -> Action {
    Action::Emit(Event::Leg { leg, event })
}

impl CallCore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.legs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.legs.is_empty()
    }

    pub fn leg_ids(&self) -> Vec<LegId> {
        self.legs.keys().copied().collect()
    }

    fn new_leg(&mut self, state: State, deadline: Option<Instant>) -> LegId {
        self.next_id += 1;
        let id = LegId(self.next_id);
        self.legs.insert(
            id,
            Leg {
                state,
                deadline,
                partner: None,
                trying_sent: false,
            },
        );
        id
    }

    pub fn originate(&mut self, originate: Originate, now: Instant) -> (LegId, Vec<Action>) {
        let leg = self.new_leg(State::Dialing, Some(now + originate.timeout));
        (leg, vec![Action::Invite { leg, originate }])
    }

    /// A new inbound leg: `agent` when a registered agent calls, `account` when the call is for
    /// one of our phone accounts.
    pub fn incoming(
        &mut self,
        from: String,
        to: String,
        agent: Option<String>,
        account: Option<String>,
    ) -> (LegId, Vec<Action>) {
        let leg = self.new_leg(State::Offered, None);
        let event = LegEvent::Incoming {
            from,
            to,
            agent,
            account,
        };
        (leg, vec![emit(leg, event)])
    }

    fn leg(&self, id: LegId) -> Result<&Leg> {
        self.legs.get(&id).ok_or(SipError::UnknownLeg(id.0))
    }

    fn wrong_state(&self, leg: LegId, action: &'static str) -> SipError {
        let state = self.legs.get(&leg).map_or("gone", |l| l.state.name());
        SipError::WrongState {
            leg: leg.0,
            action,
            state,
        }
    }

    pub fn command(&mut self, command: Command, now: Instant) -> Result<Vec<Action>> {
        match command {
            Command::Answer(leg) => {
                if self.leg(leg)?.state != State::Offered {
                    return Err(self.wrong_state(leg, "answer"));
                }
                self.set_state(leg, State::Answered);
                Ok(vec![Action::Accept(leg), emit(leg, LegEvent::Answered)])
            }
            Command::Ring(leg) => {
                if self.leg(leg)?.state != State::Offered {
                    return Err(self.wrong_state(leg, "ring"));
                }
                Ok(vec![Action::Ring(leg)])
            }
            Command::Reject { leg, status } => {
                if self.leg(leg)?.state != State::Offered {
                    return Err(self.wrong_state(leg, "reject"));
                }
                if !(300..=699).contains(&status) {
                    return Err(SipError::BadConfig(format!(
                        "reject status {status} is not 3xx-6xx"
                    )));
                }
                let mut actions = vec![Action::Reject { leg, status }];
                self.end(leg, Side::Local, "rejected", &mut actions);
                Ok(actions)
            }
            Command::Hangup { leg, cause } => self.hangup(leg, cause, now),
            Command::Bridge(a, b) => self.bridge(a, b),
            Command::Unbridge(a, b) => {
                self.leg(a)?;
                self.leg(b)?;
                if self.legs[&a].partner != Some(b) {
                    return Err(self.wrong_state(a, "unbridge"));
                }
                let mut actions = Vec::new();
                self.unbridge(a, &mut actions);
                Ok(actions)
            }
            Command::Detach(leg) => {
                if self.leg(leg)?.partner.is_none() {
                    return Err(self.wrong_state(leg, "detach (not bridged)"));
                }
                let mut actions = Vec::new();
                self.part(leg, &mut actions, |leaving, staying| Action::Detach {
                    leaving,
                    staying,
                });
                Ok(actions)
            }
            Command::Hold { leg, on } => {
                if self.leg(leg)?.state != State::Answered {
                    return Err(self.wrong_state(leg, "hold"));
                }
                Ok(vec![Action::Reinvite { leg, hold: on }])
            }
        }
    }

    fn hangup(&mut self, leg: LegId, cause: HangupCause, now: Instant) -> Result<Vec<Action>> {
        let state = self.leg(leg)?.state;
        let mut actions = Vec::new();
        match state {
            s if s.is_outbound_pending() => {
                let outcome = match cause {
                    HangupCause::NoAnswer => DialOutcome::NoAnswer,
                    _ => DialOutcome::Cancelled,
                };
                self.cancel(leg, outcome, now, &mut actions);
            }
            State::Offered => {
                let status = match cause {
                    HangupCause::Busy => 486,
                    HangupCause::Rejected => 603,
                    _ => 480,
                };
                actions.push(Action::Reject { leg, status });
                self.end(leg, Side::Local, cause.as_str(), &mut actions);
            }
            State::Answered => {
                actions.push(Action::Bye { leg, cause });
                self.end(leg, Side::Local, cause.as_str(), &mut actions);
            }
            _ => return Err(self.wrong_state(leg, "hang up")),
        }
        Ok(actions)
    }

    fn cancel(
        &mut self,
        leg: LegId,
        outcome: DialOutcome,
        now: Instant,
        actions: &mut Vec<Action>,
    ) {
        if let Some(l) = self.legs.get_mut(&leg) {
            l.state = State::Cancelling { outcome };
            l.deadline = Some(now + CANCEL_GRACE);
        }
        actions.push(Action::Cancel(leg));
    }

    fn bridge(&mut self, a: LegId, b: LegId) -> Result<Vec<Action>> {
        if a == b {
            return Err(self.wrong_state(a, "bridge to itself"));
        }
        for leg in [a, b] {
            let l = self.leg(leg)?;
            if l.state != State::Answered || l.partner.is_some() {
                return Err(self.wrong_state(leg, "bridge"));
            }
        }
        self.legs.get_mut(&a).expect("checked").partner = Some(b);
        self.legs.get_mut(&b).expect("checked").partner = Some(a);
        Ok(vec![
            Action::Bridge(a, b),
            emit(a, LegEvent::Bridged { with: b }),
            emit(b, LegEvent::Bridged { with: a }),
        ])
    }

    fn unbridge(&mut self, leg: LegId, actions: &mut Vec<Action>) {
        self.part(leg, actions, Action::Unbridge);
    }

    /// Ends a leg's partnership, if it has one: `media(leg, partner)` is what the media plane
    /// is told, then both legs report that they are unbridged.
    fn part(
        &mut self,
        leg: LegId,
        actions: &mut Vec<Action>,
        media: impl FnOnce(LegId, LegId) -> Action,
    ) {
        let Some(other) = self.legs.get_mut(&leg).and_then(|l| l.partner.take()) else {
            return;
        };
        if let Some(o) = self.legs.get_mut(&other) {
            o.partner = None;
        }
        actions.push(media(leg, other));
        actions.push(emit(leg, LegEvent::Unbridged { with: other }));
        actions.push(emit(other, LegEvent::Unbridged { with: leg }));
    }

    /// Report the end of a leg, unbridge its partner (who stays up: Python decides its fate) and
    /// forget it.
    fn end(&mut self, leg: LegId, by: Side, cause: &str, actions: &mut Vec<Action>) {
        self.unbridge(leg, actions);
        actions.push(emit(
            leg,
            LegEvent::HungUp {
                by,
                cause: cause.to_string(),
            },
        ));
        self.release(leg, actions);
    }

    fn fail(&mut self, leg: LegId, outcome: DialOutcome, status: u16, actions: &mut Vec<Action>) {
        actions.push(emit(leg, LegEvent::Failed { outcome, status }));
        self.release(leg, actions);
    }

    fn release(&mut self, leg: LegId, actions: &mut Vec<Action>) {
        self.legs.remove(&leg);
        actions.push(Action::Release(leg));
    }

    fn set_state(&mut self, leg: LegId, state: State) {
        if let Some(l) = self.legs.get_mut(&leg) {
            l.state = state;
        }
    }

    /// A report from the SIP stack. Reports about legs already released (late retransmissions,
    /// a BYE crossing ours) are ignored.
    pub fn report(&mut self, leg: LegId, report: StackReport) -> Vec<Action> {
        let Some(state) = self.legs.get(&leg).map(|l| l.state) else {
            return Vec::new();
        };
        let mut actions = Vec::new();
        match (state, report) {
            (s, StackReport::Provisional { status, with_sdp }) if s.is_outbound_pending() => {
                let l = self.legs.get_mut(&leg).expect("present");
                if status == 100 || !l.trying_sent {
                    if !l.trying_sent {
                        l.trying_sent = true;
                        actions.push(emit(leg, LegEvent::Trying));
                    }
                    if status == 100 {
                        return actions;
                    }
                }
                let next = if with_sdp || status == 183 {
                    State::Early
                } else {
                    State::Ringing
                };
                if next != s && s != State::Early {
                    l.state = next;
                    let event = if next == State::Early {
                        LegEvent::EarlyMedia
                    } else {
                        LegEvent::Ringing
                    };
                    actions.push(emit(leg, event));
                }
            }
            (s, StackReport::Answered) if s.is_outbound_pending() => {
                let l = self.legs.get_mut(&leg).expect("present");
                l.state = State::Answered;
                l.deadline = None;
                actions.push(emit(leg, LegEvent::Answered));
            }
            // A 2xx crossing our CANCEL: the stack BYEs it; the attempt still ends as cancelled.
            (State::Cancelling { outcome }, StackReport::Answered) => {
                self.fail(leg, outcome, 200, &mut actions)
            }
            (State::Cancelling { outcome }, StackReport::Failed { status }) => {
                self.fail(leg, outcome, status, &mut actions)
            }
            (State::Cancelling { outcome }, StackReport::Unreachable) => {
                self.fail(leg, outcome, 408, &mut actions)
            }
            (s, StackReport::Failed { status }) if s.is_outbound_pending() => {
                self.fail(leg, DialOutcome::from_status(status), status, &mut actions)
            }
            (s, StackReport::Unreachable) if s.is_outbound_pending() => {
                self.fail(leg, DialOutcome::Unreachable, 408, &mut actions)
            }
            (State::Answered, StackReport::RemoteHangup) => {
                self.end(leg, Side::Remote, "bye", &mut actions)
            }
            (State::Offered, StackReport::RemoteHangup) => {
                self.end(leg, Side::Remote, "cancel", &mut actions)
            }
            (State::Answered, StackReport::Unreachable) => {
                self.end(leg, Side::Remote, "timeout", &mut actions)
            }
            (State::Answered, StackReport::Hold { on }) => actions.push(emit(
                leg,
                if on {
                    LegEvent::Held
                } else {
                    LegEvent::Resumed
                },
            )),
            (_, StackReport::Dtmf { digit, duration_ms }) => {
                actions.push(emit(leg, LegEvent::Dtmf { digit, duration_ms }))
            }
            _ => {}
        }
        actions
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.legs.values().filter_map(|l| l.deadline).min()
    }

    /// Ring timeouts become CANCELs; CANCELs never answered give the leg up.
    pub fn expire(&mut self, now: Instant) -> Vec<Action> {
        let due: Vec<(LegId, State)> = self
            .legs
            .iter()
            .filter(|(_, l)| l.deadline.is_some_and(|d| d <= now))
            .map(|(id, l)| (*id, l.state))
            .collect();
        let mut actions = Vec::new();
        for (leg, state) in due {
            match state {
                State::Cancelling { outcome } => self.fail(leg, outcome, 408, &mut actions),
                _ => self.cancel(leg, DialOutcome::NoAnswer, now, &mut actions),
            }
        }
        actions
    }
}

#[cfg(test)]
mod tests;
