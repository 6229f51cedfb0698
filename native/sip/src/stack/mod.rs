//! Everything that names rsipstack lives here: transports, the endpoint and its transactions,
//! dialogs, the incoming-request handler and the driver that runs the call core against them.

mod digest_names;
pub mod driver;
pub mod engine;
mod incoming;
mod keepalive;
mod leg_task;
pub mod limits;
mod registering;
mod uri;
