//! The engine's own vocabulary for calls: what the rest of ccengine sends (commands) and
//! receives (events). Nothing here names the SIP stack underneath.

use std::time::Duration;

use crate::outcome::DialOutcome;

/// One SIP call leg (one dialog) handled by the engine. A B2BUA call is two legs bridged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LegId(pub u64);

/// Where an originated leg goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A number through a configured carrier trunk.
    Trunk { trunk: String, number: String },
    /// An agent's softphone, at the contact it registered.
    Agent { user: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Originate {
    pub target: Target,
    /// The number or user shown to the callee (From user part).
    pub caller_id: String,
    /// How long to let it ring before cancelling it as no answer.
    pub timeout: Duration,
}

/// Why we hang up; sent as a `Reason: Q.850` header and reported back in `HungUp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HangupCause {
    Normal,
    Busy,
    NoAnswer,
    Rejected,
    /// A human answered but no agent was free in time.
    Abandoned,
    /// The peer's media or signalling failed.
    Failure,
}

impl HangupCause {
    pub fn q850(self) -> u16 {
        match self {
            Self::Normal | Self::Abandoned => 16,
            Self::Busy => 17,
            Self::NoAnswer => 19,
            Self::Rejected => 21,
            Self::Failure => 41,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Busy => "busy",
            Self::NoAnswer => "no-answer",
            Self::Rejected => "rejected",
            Self::Abandoned => "abandoned",
            Self::Failure => "failure",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Normal,
            Self::Busy,
            Self::NoAnswer,
            Self::Rejected,
            Self::Abandoned,
            Self::Failure,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// Commands the engine accepts for legs it already knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Answer(LegId),
    /// Refuse an inbound leg with a SIP status (486 busy, 603 decline …).
    Reject {
        leg: LegId,
        status: u16,
    },
    Hangup {
        leg: LegId,
        cause: HangupCause,
    },
    Bridge(LegId, LegId),
    Unbridge(LegId, LegId),
    /// Take a bridged leg out of its call: its partner keeps the call (its media room, with
    /// supervisors and recording) and the leg goes to a room of its own. A supervisor's
    /// takeover releases the agent's session leg this way (DESIGN.md).
    Detach(LegId),
    /// Tell the caller of an offered leg that it rings (180 Ringing).
    Ring(LegId),
    /// Put the peer on hold (re-INVITE sendonly) or take it off hold.
    Hold {
        leg: LegId,
        on: bool,
    },
}

/// Which end ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// We did (a hang-up command, a ring timeout, shutdown).
    Local,
    /// The peer did (BYE, CANCEL).
    Remote,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Remote => "remote",
        }
    }
}

/// Something that happened to a leg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegEvent {
    /// A peer called in (inbound legs only). `agent` is set when it is a registered agent,
    /// `account` when the Request-URI names one of our phone accounts (`[[sip.account]]`).
    Incoming {
        from: String,
        to: String,
        agent: Option<String>,
        account: Option<String>,
    },
    Trying,
    Ringing,
    /// 183 (or 180) with SDP: the carrier plays tones or announcements.
    EarlyMedia,
    Answered,
    Failed {
        outcome: DialOutcome,
        status: u16,
    },
    HungUp {
        by: Side,
        cause: String,
    },
    Held,
    Resumed,
    Dtmf {
        digit: char,
        duration_ms: u32,
    },
    Bridged {
        with: LegId,
    },
    Unbridged {
        with: LegId,
    },
}

/// Who registers with a registrar: a trunk (`[[sip.trunk]]` with `register = true`) or a phone
/// account (`[[sip.account]]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registrant {
    Trunk,
    Account,
}

impl Registrant {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trunk => "trunk",
            Self::Account => "account",
        }
    }
}

/// Something that happened to a trunk or an agent registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerEvent {
    /// A keep-alive OPTIONS got an answer (`up`) or went unanswered (`!up`).
    Trunk { trunk: String, up: bool },
    /// An agent's phone registered (`expires > 0`) or unregistered.
    Registration {
        user: String,
        contact: String,
        expires: u32,
    },
    /// One of our own registrations changed: `ok` with `expires > 0` when bound (first time or
    /// refreshed), `ok` with 0 when removed on shutdown, `!ok` when it failed (`reason` is the
    /// failure's stable name, `status` the registrar's final status, 0 without one).
    RegisterStatus {
        name: String,
        kind: Registrant,
        ok: bool,
        expires: u32,
        reason: &'static str,
        status: u16,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Leg { leg: LegId, event: LegEvent },
    Peer(PeerEvent),
}
