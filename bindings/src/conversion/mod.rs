//! Conversions between Python values and the native crates' types.

mod columns;
mod names;

pub use columns::{column, BatchBuffers};
pub use names::{dimension, indicator, period, window};
pub mod pacing;
