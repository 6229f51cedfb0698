//! The seam between signalling and media. The SIP engine never touches RTP: it asks a
//! `MediaPlane` for each leg's local RTP address and tells it what was negotiated. The media core
//! (`native/media`) implements it through an adapter; `UdpRelay` is a small real one.

use std::net::{IpAddr, SocketAddr};

use super::sdp::{Codec, Negotiated};
use crate::call::types::LegId;
use crate::error::Result;

pub trait MediaPlane: Send + Sync {
    /// Reserve the leg's local RTP address on `ip` (the signalling address family) for `codecs`.
    fn open(&self, leg: LegId, ip: IpAddr, codecs: &[Codec]) -> Result<SocketAddr>;
    /// The peer's address and payload types, once offer/answer is done (again after a re-INVITE).
    fn connect(&self, leg: LegId, negotiated: &Negotiated) -> Result<()>;
    /// From now on what each leg receives is sent to the other.
    fn bridge(&self, a: LegId, b: LegId) -> Result<()>;
    fn unbridge(&self, a: LegId, b: LegId) -> Result<()>;
    /// The leg is over; closing an unknown leg does nothing.
    fn close(&self, leg: LegId);
}
