//! The seam between signalling and media. The SIP engine never touches RTP: it asks a
//! `MediaPlane` for each leg's local RTP address and tells it what was negotiated. The media core
//! (`native/media`) implements it through an adapter; `UdpRelay` is a small real one.

use std::net::{IpAddr, SocketAddr};

use super::sdp::{Codec, Negotiated};
use crate::call::types::LegId;
use crate::error::Result;

/// Who is at the far end of a leg, as signalling knows it: a media plane that mixes (the media
/// core's rooms) gives each kind its own place in the who-hears-whom table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegKind {
    /// A call through a carrier trunk, or one that came in from anyone but a registered agent.
    Customer,
    /// An agent's softphone: a call to a registered agent, or one an agent placed to us.
    Agent,
}

pub trait MediaPlane: Send + Sync {
    /// Reserve the leg's local RTP address on `ip` (the signalling address family) for `codecs`.
    fn open(&self, leg: LegId, kind: LegKind, ip: IpAddr, codecs: &[Codec]) -> Result<SocketAddr>;
    /// The peer's address and payload types, once offer/answer is done (again after a re-INVITE).
    fn connect(&self, leg: LegId, negotiated: &Negotiated) -> Result<()>;
    /// From now on what each leg receives is sent to the other.
    fn bridge(&self, a: LegId, b: LegId) -> Result<()>;
    fn unbridge(&self, a: LegId, b: LegId) -> Result<()>;
    /// The legs stop hearing each other; `staying` keeps the call (with whatever else a mixing
    /// plane has joined to it) and `leaving` goes on alone. A plane without rooms just unbridges.
    fn detach(&self, leaving: LegId, staying: LegId) -> Result<()> {
        self.unbridge(leaving, staying)
    }
    /// The leg is over; closing an unknown leg does nothing.
    fn close(&self, leg: LegId);
}
