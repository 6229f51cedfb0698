//! The counters every bucket holds for every entity, and what one event adds to them.

use crate::event::{flag, AgentState, Event, EventKind};

macro_rules! counters {
    ($($variant:ident => $name:literal,)*) => {
        /// One counter of a bucket. Counts and sums alike are kept as `f64` (exact for counts
        /// below 2^53), so folding a bucket into another is one vector add.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum Counter { $($variant,)* }

        impl Counter {
            pub const ALL: &'static [Counter] = &[$(Counter::$variant,)*];
            pub fn name(self) -> &'static str {
                match self { $(Counter::$variant => $name,)* }
            }
        }
    };
}

counters! {
    Attempts => "attempts",
    Ringing => "ringing",
    HumanAnswers => "human_answers",
    MachineAnswers => "machine_answers",
    NoAnswers => "no_answers",
    Busy => "busy",
    InvalidNumbers => "invalid_numbers",
    Connects => "connects",
    Abandons => "abandons",
    Hangups => "hangups",
    Conversations => "conversations",
    TalkSeconds => "talk_seconds",
    Wrapups => "wrapups",
    WrapupSeconds => "wrapup_seconds",
    Dispositions => "dispositions",
    Argued => "argued",
    Positive => "positive",
    Logins => "logins",
    Pauses => "pauses",
    CallbacksShared => "callbacks_shared",
    CallbacksPersonal => "callbacks_personal",
    CallbacksDone => "callbacks_done",
    CsatCount => "csat_count",
    CsatSum => "csat_sum",
    NpsCount => "nps_count",
    Promoters => "promoters",
    Detractors => "detractors",
    Sales => "sales",
    Revenue => "revenue",
    Transactions => "transactions",
    Responses => "responses",
    ResponseSeconds => "response_seconds",
    FirstResponses => "first_responses",
    FirstResponseSeconds => "first_response_seconds",
    QueueEntered => "queue_entered",
    QueueAnswered => "queue_answered",
    QueueAnsweredInSl => "queue_answered_in_sl",
    QueueWaitSeconds => "queue_wait_seconds",
    QueueAbandoned => "queue_abandoned",
    QueueAbandonWaitSeconds => "queue_abandon_wait_seconds",
    SecondsAvailable => "seconds_available",
    SecondsOnCall => "seconds_on_call",
    SecondsWrapup => "seconds_wrapup",
    SecondsPaused => "seconds_paused",
}

pub const COUNTERS: usize = Counter::ALL.len();

/// All counters of one entity in one bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(transparent)]
pub struct Counters(pub [f64; COUNTERS]);

/// `n` zeroed cells, allocated zeroed (the OS maps pages lazily, so a large ring that is
/// mostly never written costs nothing until it is).
pub fn zeroed_cells(n: usize) -> Vec<Counters> {
    let mut raw = std::mem::ManuallyDrop::new(vec![[0.0f64; COUNTERS]; n]);
    let (ptr, len, cap) = (raw.as_mut_ptr(), raw.len(), raw.capacity());
    // SAFETY: `Counters` is `repr(transparent)` over `[f64; COUNTERS]`: same size, alignment
    // and validity, so the allocation can change element type.
    unsafe { Vec::from_raw_parts(ptr.cast::<Counters>(), len, cap) }
}

impl Default for Counters {
    fn default() -> Self {
        Self([0.0; COUNTERS])
    }
}

impl Counters {
    #[inline]
    pub fn get(&self, c: Counter) -> f64 {
        self.0[c as usize]
    }

    #[inline]
    pub fn add(&mut self, c: Counter, v: f64) {
        self.0[c as usize] += v;
    }

    #[inline]
    pub fn merge(&mut self, other: &Counters) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|v| *v == 0.0)
    }

    #[inline]
    pub fn apply(&mut self, delta: &Delta) {
        for &(c, v) in delta.as_slice() {
            self.0[c as usize] += v;
        }
    }
}

/// What one event adds: at most four counters, so it is computed once and added to each
/// entity the event names.
#[derive(Debug, Clone, Copy)]
pub struct Delta {
    items: [(Counter, f64); 4],
    len: u8,
}

impl Delta {
    fn new() -> Self {
        Self { items: [(Counter::Attempts, 0.0); 4], len: 0 }
    }

    #[inline]
    fn with(mut self, c: Counter, v: f64) -> Self {
        self.items[self.len as usize] = (c, v);
        self.len += 1;
        self
    }

    /// One counter changed by `v`.
    pub fn single(c: Counter, v: f64) -> Self {
        Self::new().with(c, v)
    }

    #[inline]
    pub fn as_slice(&self) -> &[(Counter, f64)] {
        &self.items[..self.len as usize]
    }

    /// The counters `e` adds; `sl_seconds` is the queue service-level threshold.
    #[inline]
    pub fn of(kind: EventKind, e: &Event, sl_seconds: f64) -> Self {
        let d = Self::new();
        let has = |bit: u16| e.flags & bit != 0;
        let one = |bit: bool| if bit { 1.0 } else { 0.0 };
        match kind {
            EventKind::DialAttempt => d.with(Counter::Attempts, 1.0),
            EventKind::Ringing => d.with(Counter::Ringing, 1.0),
            EventKind::AnsweredHuman => d.with(Counter::HumanAnswers, 1.0),
            EventKind::AnsweredMachine => d.with(Counter::MachineAnswers, 1.0),
            EventKind::NoAnswer => d.with(Counter::NoAnswers, 1.0),
            EventKind::Busy => d.with(Counter::Busy, 1.0),
            EventKind::InvalidNumber => d.with(Counter::InvalidNumbers, 1.0),
            EventKind::Connected => d.with(Counter::Connects, 1.0),
            EventKind::Abandoned => d.with(Counter::Abandons, 1.0),
            EventKind::Hangup if has(flag::HANDLED) => d
                .with(Counter::Hangups, 1.0)
                .with(Counter::Conversations, 1.0)
                .with(Counter::TalkSeconds, e.value),
            EventKind::Hangup => d.with(Counter::Hangups, 1.0),
            EventKind::WrapupStart => d,
            EventKind::WrapupEnd => d.with(Counter::Wrapups, 1.0).with(Counter::WrapupSeconds, e.value),
            EventKind::Disposition => d
                .with(Counter::Dispositions, 1.0)
                .with(Counter::Argued, one(has(flag::ARGUED)))
                .with(Counter::Positive, one(has(flag::POSITIVE))),
            EventKind::AgentLogin => d.with(Counter::Logins, 1.0),
            EventKind::AgentLogout | EventKind::AgentResume => d,
            EventKind::AgentPause => d.with(Counter::Pauses, 1.0),
            EventKind::CallbackScheduled if has(flag::SHARED) => d.with(Counter::CallbacksShared, 1.0),
            EventKind::CallbackScheduled => d.with(Counter::CallbacksPersonal, 1.0),
            EventKind::CallbackDone => d.with(Counter::CallbacksDone, 1.0),
            EventKind::CsatScored => d.with(Counter::CsatCount, 1.0).with(Counter::CsatSum, e.value),
            EventKind::NpsScored => d
                .with(Counter::NpsCount, 1.0)
                .with(Counter::Promoters, one(e.value >= 9.0))
                .with(Counter::Detractors, one(e.value <= 6.0)),
            EventKind::Sale => d
                .with(Counter::Sales, 1.0)
                .with(Counter::Revenue, e.value)
                .with(Counter::Transactions, f64::from(e.aux)),
            EventKind::MessageAnswered if has(flag::FIRST_RESPONSE) => d
                .with(Counter::Responses, 1.0)
                .with(Counter::ResponseSeconds, e.value)
                .with(Counter::FirstResponses, 1.0)
                .with(Counter::FirstResponseSeconds, e.value),
            EventKind::MessageAnswered => {
                d.with(Counter::Responses, 1.0).with(Counter::ResponseSeconds, e.value)
            }
            EventKind::QueueEntered => d.with(Counter::QueueEntered, 1.0),
            EventKind::QueueAnswered => d
                .with(Counter::QueueAnswered, 1.0)
                .with(Counter::QueueWaitSeconds, e.value)
                .with(Counter::QueueAnsweredInSl, one(e.value <= sl_seconds)),
            EventKind::QueueAbandoned => {
                d.with(Counter::QueueAbandoned, 1.0).with(Counter::QueueAbandonWaitSeconds, e.value)
            }
            EventKind::CampaignActivated
            | EventKind::CampaignDeactivated
            | EventKind::ListActivated
            | EventKind::ListDeactivated => d,
        }
    }
}

/// The counter that accumulates time spent in `state` (none for logged out).
pub fn state_seconds(state: AgentState) -> Option<Counter> {
    match state {
        AgentState::LoggedOut => None,
        AgentState::Available => Some(Counter::SecondsAvailable),
        AgentState::OnCall => Some(Counter::SecondsOnCall),
        AgentState::Wrapup => Some(Counter::SecondsWrapup),
        AgentState::Paused => Some(Counter::SecondsPaused),
    }
}
