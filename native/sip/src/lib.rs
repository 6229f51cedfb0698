//! ccengine's SIP face: a B2BUA that originates calls to carrier trunks, takes calls and
//! registrations from agents' phones, and bridges legs. The SIP stack underneath (rsipstack,
//! pinned) is only named in `stack/`; the rest of the engine sees the types re-exported here.

pub mod call;
pub mod error;
pub mod media;
pub mod outcome;

pub use call::types::{
    Command, Event, HangupCause, LegEvent, LegId, Originate, PeerEvent, Registrant, Side, Target,
};
pub use error::{Result, SipError};
pub use media::plane::{LegKind, MediaPlane};
pub use media::sdp::{Codec, Direction, Negotiated};
pub use media::udp_relay::UdpRelay;
pub use outcome::DialOutcome;

pub mod config;
pub mod digest;
pub mod registrar;
pub mod registration;

pub use config::{EngineConfig, Transport};
pub mod events;
pub mod stack;

pub use stack::driver::BoundAddr;
pub use stack::engine::SipEngine;
pub use stack::limits::{parse_message, MessageSummary};
