//! ccengine's indicator engine: typed contact-center events aggregated live into the figures
//! operators watch, by day, week, month, hour and rolling window, for every agent, team,
//! campaign, contact list, queue, channel, tenant and the whole center.
//!
//! Pure Rust, no I/O and no clock: callers pass event times and the query's `now`.

pub mod calendar;
pub mod entities;
pub mod error;
pub mod event;

pub use error::{EventsError, Result};
pub mod counters;
pub mod engine;

pub use engine::{Aggregator, Config, IngestReport};
pub mod query;

pub use calendar::{Calendar, WeekStart};
pub use entities::{Dimension, Sizes};
pub use event::{Event, EventColumns, EventKind, OwnedColumns, NONE};
pub use query::{Indicator, Period, Window};
pub mod report;
pub mod synth;
