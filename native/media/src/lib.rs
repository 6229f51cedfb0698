//! The media core of ccengine: RTP legs speaking G.711 with RFC 4733 events, an adaptive jitter
//! buffer, mixing rooms for listen / whisper / barge / takeover, prompts, recording and
//! answering-machine detection. Everything but `driver` is sans-IO: it takes bytes, frames and
//! `now` and owns no socket, thread or clock. `driver` owns the sockets, the media thread and
//! the 20 ms clock. docs/media.md describes the whole.

pub mod amd;
pub mod codec;
pub mod driver;
pub mod error;
pub mod frame;
pub mod jitter;
pub mod leg;
pub mod prompt;
pub mod recorder;
pub mod room;
pub mod rtp;
pub mod telephone_event;

pub use driver::{Engine, EngineStats, MediaEvent, RoomId};
pub use error::{Malformed, MediaError, Result};
pub use room::{LegId, Mode, Role};
