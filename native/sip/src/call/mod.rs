//! Call control: our vocabulary (`types`) and the sans-IO B2BUA core (`core`).

pub mod core;
pub mod types;
