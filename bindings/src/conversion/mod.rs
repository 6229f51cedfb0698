//! Conversions between Python values and the native crates' types.

mod columns;
mod contacts;
mod names;

pub use columns::{column, BatchBuffers};
pub use contacts::{delimiter, phone_column, strings, zone_entries};
pub use names::{dimension, indicator, period, window};
pub mod pacing;
