//! The traffic simulator: a seeded discrete-event simulation of an outbound campaign day,
//! driving any [`crate::Policy`] through the same snapshot API the engine uses.

mod agents;
mod dist;
mod engine;
mod record;
mod result;
mod scenario;

pub use engine::simulate;
pub use result::{MinuteBin, RunResult};
pub use scenario::{Drift, Duration, Outcomes, Pauses, Ring, Scenario, Staffing};
