//! Events as they arrive: kinds, flags, one event, a columnar batch, and validation.

mod batch;
mod kind;
mod validate;

pub use batch::{Event, EventColumns, OwnedColumns, NONE};
pub use kind::{flag, AgentState, EventKind};
pub(crate) use validate::{check_fields, fields_pass};
