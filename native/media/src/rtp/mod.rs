//! RTP and RTCP: packets, sequence tracking, receiver statistics, sender state.

pub mod packet;
pub mod rtcp;
pub mod stats;

pub use packet::{write_packet, RtpHeader, RtpPacket, HEADER_LEN};
