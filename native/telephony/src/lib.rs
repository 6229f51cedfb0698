//! Joins ccengine's two telephony cores: `MediaBridge` is the SIP engine's `MediaPlane` built on
//! the media engine, so every SIP leg gets a media leg (RTP, G.711, RFC 4733) and every bridged
//! call a mixing room. The SIP side keeps speaking its own leg ids; this crate keeps the map to
//! the media side's legs and rooms, so the dialer can add supervisors, play prompts, record and
//! run answering-machine detection on a call it knows by its SIP legs. docs/sip.md and
//! docs/media.md describe the join.

pub mod codec;
pub mod media_bridge;

pub use media_bridge::{MediaBridge, MediaLeg};
