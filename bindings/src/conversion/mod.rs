//! Conversions between Python values and the native crates' types.

mod columns;
mod contacts;
mod names;

pub use columns::{column, BatchBuffers};
pub use contacts::{delimiter, numbers, phone_column, zone_entries};
pub use names::{dimension, indicator, period, window};
pub mod media;
pub mod pacing;
pub mod sip;
