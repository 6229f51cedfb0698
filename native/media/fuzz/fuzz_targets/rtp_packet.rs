//! Any bytes into the RTP, RTCP and telephone-event parsers and into a leg: nothing may panic.
#![no_main]

use std::net::SocketAddr;
use std::time::Instant;

use ccengine_media::codec::Codec;
use ccengine_media::leg::{Leg, LegSettings};
use ccengine_media::rtp::rtcp::Report;
use ccengine_media::rtp::RtpPacket;
use ccengine_media::telephone_event::EventPayload;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = RtpPacket::parse(data);
    let _ = Report::parse_compound(data, |_| {});
    let _ = EventPayload::parse(data);
    let now = Instant::now();
    let mut leg = Leg::new(LegSettings::new(Codec::Pcmu), 1, now);
    let from = SocketAddr::from(([127, 0, 0, 1], 9));
    leg.receive(data, from, now);
    let mut frame = [0i16; 160];
    leg.input(&mut frame);
});
