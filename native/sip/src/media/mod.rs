//! Media as seen from signalling: SDP offer/answer and the `MediaPlane` seam.

pub mod plane;
pub mod sdp;
pub mod udp_relay;
