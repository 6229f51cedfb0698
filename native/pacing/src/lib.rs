//! Dial pacing for ccengine: how many calls an outbound campaign places now (preview,
//! progressive, power, predictive under an abandon cap), and a seeded traffic simulator that
//! drives any pacing policy through the same decision API. Sans-IO: no clock, no thread, no
//! socket; `now` is passed in. The model is described in docs/pacing.md.

pub mod baseline;
pub mod config;
pub mod error;
pub mod ledger;
pub mod odds;
pub mod overflow;
pub mod pacer;
pub mod sim;
pub mod snapshot;
pub mod survival;
pub mod tables;

pub use config::{ComplianceWindow, Mode, PacingConfig};
pub use error::{PacingError, Result};
pub use pacer::{Decision, Pacer, Reason};
pub use snapshot::{Counts, Snapshot, Tally};

/// Anything that answers "how many calls now?" from a snapshot: the pacer, the baselines.
pub trait Policy {
    fn decide(&mut self, snapshot: &Snapshot) -> Result<u32>;
}

impl Policy for Pacer {
    fn decide(&mut self, snapshot: &Snapshot) -> Result<u32> {
        Pacer::decide(self, snapshot).map(|d| d.place)
    }
}
