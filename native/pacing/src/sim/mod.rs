//! The traffic simulator: a seeded discrete-event simulation of an outbound campaign day,
//! driving any [`crate::Policy`] through the same snapshot API the engine uses. [`Draws`] gives
//! a live simulated run (the carrier and agents of `ccengine.sim`) the same fates.

mod agents;
mod dist;
mod draws;
mod engine;
mod laws;
mod pauses;
mod record;
mod result;
mod scenario;

pub use draws::{CallFate, Draws};
pub use engine::simulate;
pub use laws::{Outcome, AMD_SECONDS, VOICEMAIL_SECONDS};
pub use result::{MinuteBin, RunResult};
pub use scenario::{Drift, Duration, Outcomes, Pauses, Ring, Scenario, Staffing};
