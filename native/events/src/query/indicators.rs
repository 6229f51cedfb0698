//! Every indicator: its name, how a week or month combines days, and its formula on counters
//! (docs/metrics.md, "Indicators").

use crate::counters::{Counter as C, Counters};

/// How an indicator's week or month value is made from the period's counters or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// A cumulative figure: the formula on summed counters; trends compare it to date.
    Sum,
    /// A ratio of summed counters; trends compare with the whole previous period.
    Pooled,
    /// Seed 002: days' values weighted by their conversations.
    Weighted,
    /// Number of distinct lists or campaigns active during the period.
    Distinct,
}

macro_rules! indicators {
    ($($variant:ident => $name:literal, $combine:ident;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum Indicator { $($variant,)* }

        impl Indicator {
            pub const ALL: &'static [Indicator] = &[$(Indicator::$variant,)*];
            pub fn name(self) -> &'static str {
                match self { $(Indicator::$variant => $name,)* }
            }
            pub fn combine(self) -> Combine {
                match self { $(Indicator::$variant => Combine::$combine,)* }
            }
        }
    };
}

indicators! {
    Attempts => "attempts", Sum;
    HumanAnswers => "human_answers", Sum;
    MachineAnswers => "machine_answers", Sum;
    NoAnswers => "no_answers", Sum;
    Busy => "busy", Sum;
    InvalidNumbers => "invalid_numbers", Sum;
    Connects => "connects", Sum;
    Abandons => "abandons", Sum;
    Hangups => "hangups", Sum;
    ContactRate => "contact_rate", Pooled;
    AbandonRate => "abandon_rate", Pooled;
    ArguedCalls => "argued_calls", Sum;
    ArguedShare => "argued_share", Pooled;
    ProcessedRecords => "processed_records", Sum;
    PositiveContacts => "positive_contacts", Sum;
    PositiveShare => "positive_share", Pooled;
    CallbacksShared => "callbacks_shared", Sum;
    CallbacksPersonal => "callbacks_personal", Sum;
    Conversations => "conversations", Sum;
    TalkSeconds => "talk_seconds", Sum;
    WrapupSeconds => "wrapup_seconds", Sum;
    AhtSeconds => "aht_seconds", Weighted;
    ResponseSeconds => "response_seconds", Weighted;
    FirstResponseSeconds => "first_response_seconds", Weighted;
    Csat => "csat", Weighted;
    Nps => "nps", Weighted;
    Revenue => "revenue", Sum;
    Transactions => "transactions", Sum;
    AverageBasket => "average_basket", Weighted;
    ConversionRate => "conversion_rate", Weighted;
    SecondsAvailable => "seconds_available", Sum;
    SecondsOnCall => "seconds_on_call", Sum;
    SecondsWrapup => "seconds_wrapup", Sum;
    SecondsPaused => "seconds_paused", Sum;
    LoggedHours => "logged_hours", Sum;
    ProductionHours => "production_hours", Sum;
    PauseHours => "pause_hours", Sum;
    Occupancy => "occupancy", Pooled;
    ConnectsPerAgentHour => "connects_per_agent_hour", Pooled;
    QueueEntered => "queue_entered", Sum;
    QueueAnswered => "queue_answered", Sum;
    MissedCalls => "missed_calls", Sum;
    AsaSeconds => "asa_seconds", Pooled;
    ServiceLevel => "service_level", Pooled;
    AverageAbandonWaitSeconds => "average_abandon_wait_seconds", Pooled;
    ActiveLists => "active_lists", Distinct;
    ActiveCampaignsInPeriod => "active_campaigns_in_period", Distinct;
}

pub const INDICATORS: usize = Indicator::ALL.len();

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den != 0.0).then(|| num / den)
}

impl Indicator {
    /// The indicator's value on counters summed over a period or window. `Distinct`
    /// indicators are not counters and give `None` here.
    pub fn of(self, c: &Counters) -> Option<f64> {
        let g = |x: C| c.get(x);
        let production = g(C::SecondsAvailable) + g(C::SecondsOnCall) + g(C::SecondsWrapup);
        Some(match self {
            Self::Attempts => g(C::Attempts),
            Self::HumanAnswers => g(C::HumanAnswers),
            Self::MachineAnswers => g(C::MachineAnswers),
            Self::NoAnswers => g(C::NoAnswers),
            Self::Busy => g(C::Busy),
            Self::InvalidNumbers => g(C::InvalidNumbers),
            Self::Connects => g(C::Connects),
            Self::Abandons => g(C::Abandons),
            Self::Hangups => g(C::Hangups),
            Self::ContactRate => return ratio(g(C::HumanAnswers), g(C::Attempts)),
            Self::AbandonRate => return ratio(g(C::Abandons), g(C::HumanAnswers)),
            Self::ArguedCalls => g(C::Argued),
            Self::ArguedShare => return ratio(g(C::Argued), g(C::Attempts)),
            Self::ProcessedRecords => g(C::Dispositions),
            Self::PositiveContacts => g(C::Positive),
            Self::PositiveShare => return ratio(g(C::Positive), g(C::Dispositions)),
            Self::CallbacksShared => g(C::CallbacksShared),
            Self::CallbacksPersonal => g(C::CallbacksPersonal),
            Self::Conversations => g(C::Conversations),
            Self::TalkSeconds => g(C::TalkSeconds),
            Self::WrapupSeconds => g(C::WrapupSeconds),
            Self::AhtSeconds => {
                return ratio(g(C::TalkSeconds) + g(C::WrapupSeconds), g(C::Conversations))
            }
            Self::ResponseSeconds => return ratio(g(C::ResponseSeconds), g(C::Responses)),
            Self::FirstResponseSeconds => {
                return ratio(g(C::FirstResponseSeconds), g(C::FirstResponses))
            }
            Self::Csat => return ratio(g(C::CsatSum), g(C::CsatCount)),
            Self::Nps => {
                return ratio(100.0 * (g(C::Promoters) - g(C::Detractors)), g(C::NpsCount))
            }
            Self::Revenue => g(C::Revenue),
            Self::Transactions => g(C::Transactions),
            Self::AverageBasket => return ratio(g(C::Revenue), g(C::Transactions)),
            Self::ConversionRate => return ratio(g(C::Sales), g(C::Conversations)),
            Self::SecondsAvailable => g(C::SecondsAvailable),
            Self::SecondsOnCall => g(C::SecondsOnCall),
            Self::SecondsWrapup => g(C::SecondsWrapup),
            Self::SecondsPaused => g(C::SecondsPaused),
            Self::LoggedHours => (production + g(C::SecondsPaused)) / 3600.0,
            Self::ProductionHours => production / 3600.0,
            Self::PauseHours => g(C::SecondsPaused) / 3600.0,
            Self::Occupancy => return ratio(g(C::SecondsOnCall) + g(C::SecondsWrapup), production),
            Self::ConnectsPerAgentHour => return ratio(g(C::Connects), production / 3600.0),
            Self::QueueEntered => g(C::QueueEntered),
            Self::QueueAnswered => g(C::QueueAnswered),
            Self::MissedCalls => g(C::QueueAbandoned),
            Self::AsaSeconds => return ratio(g(C::QueueWaitSeconds), g(C::QueueAnswered)),
            Self::ServiceLevel => {
                return ratio(
                    g(C::QueueAnsweredInSl),
                    g(C::QueueAnswered) + g(C::QueueAbandoned),
                )
            }
            Self::AverageAbandonWaitSeconds => {
                return ratio(g(C::QueueAbandonWaitSeconds), g(C::QueueAbandoned))
            }
            Self::ActiveLists | Self::ActiveCampaignsInPeriod => return None,
        })
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|i| i.name() == name)
    }
}

/// Running sums for a seed-002 weighted average over days.
#[derive(Debug, Clone, Copy)]
pub struct WeightedDays {
    num: [f64; INDICATORS],
    den: [f64; INDICATORS],
}

impl Default for WeightedDays {
    fn default() -> Self {
        Self {
            num: [0.0; INDICATORS],
            den: [0.0; INDICATORS],
        }
    }
}

impl WeightedDays {
    /// Adds one day's counters.
    pub fn add_day(&mut self, day: &Counters) {
        let conversations = day.get(C::Conversations);
        if conversations <= 0.0 {
            return;
        }
        for &ind in Indicator::ALL {
            if ind.combine() == Combine::Weighted {
                if let Some(x) = ind.of(day) {
                    self.num[ind as usize] += conversations * x;
                    self.den[ind as usize] += conversations;
                }
            }
        }
    }

    pub fn value(&self, ind: Indicator) -> Option<f64> {
        ratio(self.num[ind as usize], self.den[ind as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_without_denominator_have_no_value() {
        let c = Counters::default();
        assert_eq!(Indicator::AbandonRate.of(&c), None);
        assert_eq!(Indicator::Attempts.of(&c), Some(0.0));
    }

    #[test]
    fn weighted_week_differs_from_pooled() {
        let mut monday = Counters::default();
        monday.add(C::Conversations, 10.0);
        monday.add(C::CsatCount, 1.0);
        monday.add(C::CsatSum, 5.0);
        let mut tuesday = Counters::default();
        tuesday.add(C::Conversations, 30.0);
        tuesday.add(C::CsatCount, 3.0);
        tuesday.add(C::CsatSum, 3.0);
        let mut w = WeightedDays::default();
        w.add_day(&monday);
        w.add_day(&tuesday);
        // (10 × 5 + 30 × 1) / 40 = 2, while pooled would be 8 / 4 = 2 as well — change weights:
        assert_eq!(w.value(Indicator::Csat), Some(2.0));
        let mut pooled = monday;
        pooled.merge(&tuesday);
        assert_eq!(Indicator::Csat.of(&pooled), Some(2.0));
        let mut wednesday = Counters::default();
        wednesday.add(C::Conversations, 60.0);
        wednesday.add(C::CsatCount, 1.0);
        wednesday.add(C::CsatSum, 4.0);
        w.add_day(&wednesday);
        pooled.merge(&wednesday);
        assert_eq!(
            w.value(Indicator::Csat),
            Some((50.0 + 30.0 + 240.0) / 100.0)
        );
        assert_eq!(Indicator::Csat.of(&pooled), Some(12.0 / 5.0));
    }
}
