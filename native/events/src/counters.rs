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
    /// One counter changed by `v`.
    #[inline]
    pub fn single(c: Counter, v: f64) -> Self {
        let mut items = [(c, v); 4];
        items[1..].fill((c, 0.0));
        Self { items, len: 1 }
    }

    #[inline]
    pub fn as_slice(&self) -> &[(Counter, f64)] {
        &self.items[..self.len as usize]
    }

    /// The counters `e` adds; `sl_seconds` is the queue service-level threshold.
    #[inline]
    pub fn of(kind: EventKind, e: &Event, sl_seconds: f64) -> Self {
        let k = kind as usize;
        let recipe = &RECIPES[k][usize::from(e.flags & SWITCHES[k] != 0)];
        let v = e.value;
        let bit = |b: bool| f64::from(u8::from(b));
        // Every amount a recipe may ask for, in `Amount` order: cheaper to work out than to
        // branch on the kind.
        let amounts = [
            1.0,
            v,
            f64::from(e.aux),
            bit(e.flags & flag::ARGUED != 0),
            bit(e.flags & flag::POSITIVE != 0),
            bit(v >= 9.0),
            bit(v <= 6.0),
            bit(v <= sl_seconds),
        ];
        let mut items = [(Counter::Attempts, 0.0); 4];
        for (item, &(c, amount)) in items.iter_mut().zip(&recipe.items) {
            *item = (c, amounts[amount as usize]);
        }
        Self {
            items,
            len: recipe.len,
        }
    }
}

/// Where the amount an event adds to one counter comes from.
#[derive(Debug, Clone, Copy)]
#[repr(u8)]
enum Amount {
    One,
    Value,
    Aux,
    Argued,
    Positive,
    /// An NPS score of 9 or 10.
    Promoter,
    /// An NPS score of 6 or less.
    Detractor,
    /// A queue wait within the service-level threshold.
    WithinServiceLevel,
}

/// The counters an event adds to, with the amount each gets (docs/metrics.md, the "counts"
/// column of the kinds table).
#[derive(Debug, Clone, Copy)]
struct Recipe {
    items: [(Counter, Amount); 4],
    len: u8,
}

impl Recipe {
    const NOTHING: Recipe = Recipe {
        items: [(Counter::Attempts, Amount::One); 4],
        len: 0,
    };

    const fn with(mut self, c: Counter, amount: Amount) -> Self {
        self.items[self.len as usize] = (c, amount);
        self.len += 1;
        self
    }
}

/// The flag that changes which counters a kind adds to, if any.
const fn switch(kind: EventKind) -> u16 {
    match kind {
        EventKind::Hangup => flag::HANDLED,
        EventKind::CallbackScheduled => flag::SHARED,
        EventKind::MessageAnswered => flag::FIRST_RESPONSE,
        _ => 0,
    }
}

/// What an event of `kind` adds, its switch flag set (`switched`) or not.
const fn recipe(kind: EventKind, switched: bool) -> Recipe {
    use Amount::*;
    let r = Recipe::NOTHING;
    match kind {
        EventKind::DialAttempt => r.with(Counter::Attempts, One),
        EventKind::Ringing => r.with(Counter::Ringing, One),
        EventKind::AnsweredHuman => r.with(Counter::HumanAnswers, One),
        EventKind::AnsweredMachine => r.with(Counter::MachineAnswers, One),
        EventKind::NoAnswer => r.with(Counter::NoAnswers, One),
        EventKind::Busy => r.with(Counter::Busy, One),
        EventKind::InvalidNumber => r.with(Counter::InvalidNumbers, One),
        EventKind::Connected => r.with(Counter::Connects, One),
        EventKind::Abandoned => r.with(Counter::Abandons, One),
        EventKind::Hangup if switched => r
            .with(Counter::Hangups, One)
            .with(Counter::Conversations, One)
            .with(Counter::TalkSeconds, Value),
        EventKind::Hangup => r.with(Counter::Hangups, One),
        EventKind::WrapupStart => r,
        EventKind::WrapupEnd => r
            .with(Counter::Wrapups, One)
            .with(Counter::WrapupSeconds, Value),
        EventKind::Disposition => r
            .with(Counter::Dispositions, One)
            .with(Counter::Argued, Argued)
            .with(Counter::Positive, Positive),
        EventKind::AgentLogin => r.with(Counter::Logins, One),
        EventKind::AgentLogout | EventKind::AgentResume => r,
        EventKind::AgentPause => r.with(Counter::Pauses, One),
        EventKind::CallbackScheduled if switched => r.with(Counter::CallbacksShared, One),
        EventKind::CallbackScheduled => r.with(Counter::CallbacksPersonal, One),
        EventKind::CallbackDone => r.with(Counter::CallbacksDone, One),
        EventKind::CsatScored => r
            .with(Counter::CsatCount, One)
            .with(Counter::CsatSum, Value),
        EventKind::NpsScored => r
            .with(Counter::NpsCount, One)
            .with(Counter::Promoters, Promoter)
            .with(Counter::Detractors, Detractor),
        EventKind::Sale => r
            .with(Counter::Sales, One)
            .with(Counter::Revenue, Value)
            .with(Counter::Transactions, Aux),
        EventKind::MessageAnswered if switched => r
            .with(Counter::Responses, One)
            .with(Counter::ResponseSeconds, Value)
            .with(Counter::FirstResponses, One)
            .with(Counter::FirstResponseSeconds, Value),
        EventKind::MessageAnswered => r
            .with(Counter::Responses, One)
            .with(Counter::ResponseSeconds, Value),
        EventKind::QueueEntered => r.with(Counter::QueueEntered, One),
        EventKind::QueueAnswered => r
            .with(Counter::QueueAnswered, One)
            .with(Counter::QueueWaitSeconds, Value)
            .with(Counter::QueueAnsweredInSl, WithinServiceLevel),
        EventKind::QueueAbandoned => r
            .with(Counter::QueueAbandoned, One)
            .with(Counter::QueueAbandonWaitSeconds, Value),
        EventKind::CampaignActivated
        | EventKind::CampaignDeactivated
        | EventKind::ListActivated
        | EventKind::ListDeactivated => r,
    }
}

const KINDS: usize = EventKind::ALL.len();

/// `RECIPES[kind][switched]` and `SWITCHES[kind]`, worked out at compile time: adding an
/// event's counters reads a table instead of branching on its kind.
static RECIPES: [[Recipe; 2]; KINDS] = {
    let mut table = [[Recipe::NOTHING; 2]; KINDS];
    let mut i = 0;
    while i < KINDS {
        let kind = EventKind::ALL[i];
        assert!((kind as usize) < KINDS, "kind codes are dense");
        table[kind as usize] = [recipe(kind, false), recipe(kind, true)];
        i += 1;
    }
    table
};

static SWITCHES: [u16; KINDS] = {
    let mut table = [0; KINDS];
    let mut i = 0;
    while i < KINDS {
        table[EventKind::ALL[i] as usize] = switch(EventKind::ALL[i]);
        i += 1;
    }
    table
};

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

#[cfg(test)]
mod tests {
    use super::*;

    fn added(kind: EventKind, flags: u16, value: f64, aux: u32) -> Vec<(&'static str, f64)> {
        let mut e = Event::new(0, kind as u8);
        (e.flags, e.value, e.aux) = (flags, value, aux);
        Delta::of(kind, &e, 20.0)
            .as_slice()
            .iter()
            .map(|&(c, v)| (c.name(), v))
            .collect()
    }

    #[test]
    fn each_kind_adds_what_the_contract_says() {
        assert_eq!(
            added(EventKind::DialAttempt, 0, 0.0, 0),
            [("attempts", 1.0)]
        );
        assert_eq!(added(EventKind::Hangup, 0, 30.0, 0), [("hangups", 1.0)]);
        assert_eq!(
            added(EventKind::Hangup, flag::HANDLED, 30.0, 0),
            [
                ("hangups", 1.0),
                ("conversations", 1.0),
                ("talk_seconds", 30.0)
            ]
        );
        assert_eq!(added(EventKind::WrapupStart, 0, 0.0, 0), []);
        assert_eq!(
            added(EventKind::Disposition, flag::POSITIVE, 0.0, 7),
            [("dispositions", 1.0), ("argued", 0.0), ("positive", 1.0)]
        );
        assert_eq!(
            added(EventKind::CallbackScheduled, flag::SHARED, 0.0, 0),
            [("callbacks_shared", 1.0)]
        );
        assert_eq!(
            added(EventKind::CallbackScheduled, 0, 0.0, 0),
            [("callbacks_personal", 1.0)]
        );
        assert_eq!(
            added(EventKind::NpsScored, 0, 9.0, 0),
            [("nps_count", 1.0), ("promoters", 1.0), ("detractors", 0.0)]
        );
        assert_eq!(
            added(EventKind::NpsScored, 0, 6.0, 0),
            [("nps_count", 1.0), ("promoters", 0.0), ("detractors", 1.0)]
        );
        assert_eq!(
            added(EventKind::Sale, 0, 12.5, 3),
            [("sales", 1.0), ("revenue", 12.5), ("transactions", 3.0)]
        );
        assert_eq!(
            added(EventKind::MessageAnswered, flag::FIRST_RESPONSE, 4.0, 0),
            [
                ("responses", 1.0),
                ("response_seconds", 4.0),
                ("first_responses", 1.0),
                ("first_response_seconds", 4.0)
            ]
        );
        assert_eq!(
            added(EventKind::QueueAnswered, 0, 20.0, 0),
            [
                ("queue_answered", 1.0),
                ("queue_wait_seconds", 20.0),
                ("queue_answered_in_sl", 1.0)
            ]
        );
        assert_eq!(
            added(EventKind::QueueAnswered, 0, 20.5, 0),
            [
                ("queue_answered", 1.0),
                ("queue_wait_seconds", 20.5),
                ("queue_answered_in_sl", 0.0)
            ]
        );
        assert_eq!(added(EventKind::ListActivated, flag::HANDLED, 1.0, 1), []);
    }
}
