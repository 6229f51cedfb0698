//! Event kinds and flag bits: the codes are part of the stored event log's format.

use crate::error::{EventsError, Result};

macro_rules! event_kinds {
    ($($variant:ident = $code:literal => $name:literal,)*) => {
        /// What happened. The code is the `kind` column of a batch.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum EventKind { $($variant = $code,)* }

        impl EventKind {
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant,)*];

            pub fn from_code(code: u8) -> Result<Self> {
                match code {
                    $($code => Ok(EventKind::$variant),)*
                    other => Err(EventsError::UnknownKind(other)),
                }
            }

            /// The upper-case name used in docs and in Python's `EventKind`.
            pub fn name(self) -> &'static str {
                match self { $(EventKind::$variant => $name,)* }
            }
        }
    };
}

event_kinds! {
    DialAttempt = 0 => "DIAL_ATTEMPT",
    Ringing = 1 => "RINGING",
    AnsweredHuman = 2 => "ANSWERED_HUMAN",
    AnsweredMachine = 3 => "ANSWERED_MACHINE",
    NoAnswer = 4 => "NO_ANSWER",
    Busy = 5 => "BUSY",
    InvalidNumber = 6 => "INVALID_NUMBER",
    Connected = 7 => "CONNECTED",
    Abandoned = 8 => "ABANDONED",
    Hangup = 9 => "HANGUP",
    WrapupStart = 10 => "WRAPUP_START",
    WrapupEnd = 11 => "WRAPUP_END",
    Disposition = 12 => "DISPOSITION",
    AgentLogin = 13 => "AGENT_LOGIN",
    AgentLogout = 14 => "AGENT_LOGOUT",
    AgentPause = 15 => "AGENT_PAUSE",
    AgentResume = 16 => "AGENT_RESUME",
    CallbackScheduled = 17 => "CALLBACK_SCHEDULED",
    CallbackDone = 18 => "CALLBACK_DONE",
    CsatScored = 19 => "CSAT_SCORED",
    NpsScored = 20 => "NPS_SCORED",
    Sale = 21 => "SALE",
    MessageAnswered = 22 => "MESSAGE_ANSWERED",
    QueueEntered = 23 => "QUEUE_ENTERED",
    QueueAnswered = 24 => "QUEUE_ANSWERED",
    QueueAbandoned = 25 => "QUEUE_ABANDONED",
    CampaignActivated = 26 => "CAMPAIGN_ACTIVATED",
    CampaignDeactivated = 27 => "CAMPAIGN_DEACTIVATED",
    ListActivated = 28 => "LIST_ACTIVATED",
    ListDeactivated = 29 => "LIST_DEACTIVATED",
}

/// Bits of the `flags` column.
pub mod flag {
    pub const POSITIVE: u16 = 1;
    pub const ARGUED: u16 = 2;
    pub const SHARED: u16 = 4;
    pub const FIRST_RESPONSE: u16 = 8;
    pub const HANDLED: u16 = 16;
    pub const ALL: &[(&str, u16)] = &[
        ("POSITIVE", POSITIVE),
        ("ARGUED", ARGUED),
        ("SHARED", SHARED),
        ("FIRST_RESPONSE", FIRST_RESPONSE),
        ("HANDLED", HANDLED),
    ];
}

/// The state an agent is in after an event of this kind, for the kinds that set one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum AgentState {
    LoggedOut = 0,
    Available = 1,
    OnCall = 2,
    Wrapup = 3,
    Paused = 4,
}

impl AgentState {
    pub const ALL: [AgentState; 5] = [
        Self::LoggedOut,
        Self::Available,
        Self::OnCall,
        Self::Wrapup,
        Self::Paused,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::LoggedOut => "logged_out",
            Self::Available => "available",
            Self::OnCall => "on_call",
            Self::Wrapup => "wrapup",
            Self::Paused => "paused",
        }
    }
}

impl EventKind {
    /// `Some(state)` when this kind moves the agent it names into `state`.
    pub fn agent_state(self) -> Option<AgentState> {
        match self {
            Self::AgentLogin | Self::AgentResume | Self::Hangup | Self::WrapupEnd => {
                Some(AgentState::Available)
            }
            Self::AgentLogout => Some(AgentState::LoggedOut),
            Self::AgentPause => Some(AgentState::Paused),
            Self::Connected => Some(AgentState::OnCall),
            Self::WrapupStart => Some(AgentState::Wrapup),
            _ => None,
        }
    }

    /// Kinds that must name an agent (a `Hangup` may be agentless).
    pub fn requires_agent(self) -> bool {
        matches!(
            self,
            Self::Connected
                | Self::AgentLogin
                | Self::AgentLogout
                | Self::AgentPause
                | Self::AgentResume
                | Self::WrapupStart
                | Self::WrapupEnd
        )
    }

    pub fn is_queue(self) -> bool {
        matches!(
            self,
            Self::QueueEntered | Self::QueueAnswered | Self::QueueAbandoned
        )
    }

    /// Kinds whose value is a duration, wait, delay or revenue, so never below 0.
    pub fn has_non_negative_value(self) -> bool {
        matches!(
            self,
            Self::Hangup
                | Self::WrapupEnd
                | Self::Sale
                | Self::MessageAnswered
                | Self::QueueAnswered
                | Self::QueueAbandoned
        )
    }

    /// Campaign and list activations and deactivations.
    pub fn is_activation(self) -> bool {
        matches!(
            self,
            Self::CampaignActivated
                | Self::CampaignDeactivated
                | Self::ListActivated
                | Self::ListDeactivated
        )
    }

    /// Kinds that change a live figure other than agent states: activity, queue waiters,
    /// pending callbacks.
    pub fn changes_gauges(self) -> bool {
        self.is_activation()
            || self.is_queue()
            || matches!(self, Self::CallbackScheduled | Self::CallbackDone)
    }
}
