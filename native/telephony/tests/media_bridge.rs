//! `MediaBridge` on a real media engine: its bookkeeping of legs and rooms, and audio crossing a
//! bridge between two RTP peers on loopback speaking different G.711 laws.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ccengine_media::codec::Codec as MediaCodec;
use ccengine_media::frame::{mean_abs, Frame, FRAME_SAMPLES};
use ccengine_media::{Engine, MediaEvent, Mode, Role};
use ccengine_sip::{Codec, Direction, LegId, LegKind, MediaPlane, Negotiated};
use ccengine_telephony::MediaBridge;

const LOOPBACK: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

fn bridge_on_engine() -> MediaBridge {
    MediaBridge::new(Arc::new(Engine::start(LOOPBACK).unwrap()))
}

/// Opens a SIP leg on loopback offering both G.711 laws; returns the address for its SDP.
fn open(plane: &MediaBridge, leg: LegId, kind: LegKind) -> SocketAddr {
    plane
        .open(leg, kind, LOOPBACK, &[Codec::Pcmu, Codec::Pcma])
        .unwrap()
}

fn negotiated(remote: SocketAddr, codec: Codec) -> Negotiated {
    Negotiated {
        remote,
        codec,
        telephone_event: Some(101),
        direction: Direction::SendRecv,
    }
}

#[test]
fn legs_and_rooms_follow_open_bridge_unbridge_and_close() {
    let plane = bridge_on_engine();
    let (customer, agent) = (LegId(7), LegId(8));
    let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();

    let local = open(&plane, customer, LegKind::Customer);
    assert_eq!(local.ip(), LOOPBACK);
    assert_ne!(local.port(), 0);
    open(&plane, agent, LegKind::Agent);
    assert_eq!(plane.open_legs(), 2);
    let media = plane.media_leg(customer).unwrap();
    assert_eq!(media.local, local, "the address given to SIP");
    let media_customer = media.id;
    assert_eq!(plane.sip_leg(media_customer), Some(customer));
    assert_ne!(plane.media_leg(agent).unwrap().id, media_customer);
    plane
        .connect(customer, &negotiated(peer, Codec::Pcma))
        .unwrap();
    plane
        .connect(agent, &negotiated(peer, Codec::Pcmu))
        .unwrap();
    assert_eq!(plane.room(customer), None);

    plane.bridge(agent, customer).unwrap();
    let room = plane.room(customer).unwrap();
    assert_eq!(plane.room(agent), Some(room));
    // The room is the media engine's own: the dialer records it and adds supervisors to it.
    let engine = plane.engine();
    let recording =
        std::env::temp_dir().join(format!("ccengine-bridge-{}.wav", std::process::id()));
    engine.record(room, &recording).unwrap();
    let supervise = |mode: Mode| {
        let (leg, _) = engine.open_leg(MediaCodec::Pcmu).unwrap();
        engine
            .add_to_room(room, leg, Role::Supervisor, mode)
            .unwrap();
        leg
    };
    let (coach, shadow) = (supervise(Mode::Whisper), supervise(Mode::PersistentListen));
    assert_eq!(
        plane.bridge(customer, agent).unwrap_err().slug(),
        "media-failed",
        "a leg is in one bridge at a time"
    );

    // The customer leaves; the agent's session leg stays in the room until its next call.
    plane.unbridge(customer, agent).unwrap();
    assert_eq!(plane.room(customer), None);
    assert_eq!(plane.room(agent), Some(room));
    let next = LegId(9);
    open(&plane, next, LegKind::Customer);
    plane.bridge(next, agent).unwrap();
    let second = plane.room(agent).unwrap();
    assert_ne!(second, room);
    assert_eq!(plane.room(next), Some(second));
    assert_eq!(
        engine.record(room, &recording).unwrap_err().slug(),
        "unknown-id",
        "the last call's room is closed"
    );
    // The call's recording ended at the unbridge; the persistent listener followed the agent.
    let (mut recording_ended, mut followed) = (false, false);
    let start = Instant::now();
    while !(recording_ended && followed) && start.elapsed() < Duration::from_secs(2) {
        for event in engine.drain_events(100) {
            match event {
                MediaEvent::RecordingEnded { room: r, .. } if r == room => recording_ended = true,
                MediaEvent::LegMoved { leg, room: r, .. } if leg == shadow && r == second => {
                    followed = true
                }
                _ => {}
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(recording_ended && followed, "{recording_ended} {followed}");
    engine.set_mode(shadow, Mode::Barge).unwrap();
    assert_eq!(
        engine.set_mode(coach, Mode::Barge).unwrap_err().slug(),
        "unknown-id",
        "a one-call supervisor stays behind, in no room"
    );

    // A bridged leg that ends takes its room with it; its partner stays open, in no room.
    plane.close(next);
    assert_eq!(plane.room(agent), None);
    assert_eq!(plane.media_leg(next), None);
    assert_eq!(plane.open_legs(), 2);
    plane.close(customer);
    plane.close(agent);
    plane.close(agent);
    assert_eq!(plane.open_legs(), 0);
    assert_eq!(plane.sip_leg(media_customer), None);
    assert_eq!(
        engine.leg_stats(media_customer).unwrap_err().slug(),
        "unknown-id"
    );
    let _ = std::fs::remove_file(recording);
}

#[test]
fn unknown_legs_are_refused_with_the_sip_slug() {
    let plane = bridge_on_engine();
    let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let ghost = LegId(404);
    assert_eq!(
        plane
            .connect(ghost, &negotiated(peer, Codec::Pcmu))
            .unwrap_err()
            .slug(),
        "unknown-leg"
    );
    open(&plane, LegId(1), LegKind::Customer);
    // Opened again, a leg keeps one media leg: the first one is closed, not leaked.
    let first = plane.media_leg(LegId(1)).unwrap().id;
    plane
        .open(LegId(1), LegKind::Customer, LOOPBACK, &[Codec::Pcma])
        .unwrap();
    assert_ne!(plane.media_leg(LegId(1)).unwrap().id, first);
    assert_eq!(plane.sip_leg(first), None);
    assert_eq!(
        plane.engine().leg_stats(first).unwrap_err().slug(),
        "unknown-id"
    );
    assert_eq!(
        plane.bridge(LegId(1), ghost).unwrap_err().slug(),
        "unknown-leg"
    );
    assert_eq!(plane.room(LegId(1)), None, "a failed bridge leaves no room");
    plane.unbridge(LegId(1), ghost).unwrap();
    plane.close(ghost);
    assert_eq!(plane.open_legs(), 1);
}

#[test]
fn a_stopped_engine_fails_open_with_the_media_slug() {
    let plane = bridge_on_engine();
    plane.engine().stop();
    assert_eq!(
        plane
            .open(LegId(1), LegKind::Agent, LOOPBACK, &[Codec::Pcmu])
            .unwrap_err()
            .slug(),
        "media-failed"
    );
}

/// One peer sending a 1 kHz-ish tone as RTP in `codec`, 20 ms apart, and keeping what it gets.
struct Peer {
    socket: UdpSocket,
    codec: MediaCodec,
    seq: u16,
}

impl Peer {
    fn new(codec: MediaCodec) -> Self {
        let socket = UdpSocket::bind((LOOPBACK, 0)).unwrap();
        socket.set_nonblocking(true).unwrap();
        Self {
            socket,
            codec,
            seq: 0,
        }
    }

    fn send_tone(&mut self, to: SocketAddr) {
        let mut frame: Frame = [0; FRAME_SAMPLES];
        for (i, s) in frame.iter_mut().enumerate() {
            // 1 kHz at 8 kHz: a period of 8 samples.
            *s = (8000.0 * (i as f64 * std::f64::consts::TAU / 8.0).sin()) as i16;
        }
        let mut packet = vec![0x80, self.codec.payload_type()];
        packet.extend_from_slice(&self.seq.to_be_bytes());
        packet.extend_from_slice(&(u32::from(self.seq) * 160).to_be_bytes());
        packet.extend_from_slice(&0x1234_5678u32.to_be_bytes());
        let mut payload = [0u8; FRAME_SAMPLES];
        self.codec.encode(&frame, &mut payload);
        packet.extend_from_slice(&payload);
        self.socket.send_to(&packet, to).unwrap();
        self.seq = self.seq.wrapping_add(1);
    }

    /// Loudest frame received so far (mean absolute amplitude), decoding in the peer's codec.
    fn loudest_received(&self, loudest: &mut u32) {
        let mut buf = [0u8; 2048];
        while let Ok(len) = self.socket.recv(&mut buf) {
            if len < 12 + FRAME_SAMPLES || buf[1] & 0x7f != self.codec.payload_type() {
                continue;
            }
            let mut frame: Frame = [0; FRAME_SAMPLES];
            self.codec.decode(&buf[12..len], &mut frame);
            *loudest = (*loudest).max(mean_abs(&frame));
        }
    }
}

#[test]
fn a_bridge_carries_audio_both_ways_across_the_two_g711_laws() {
    let plane = bridge_on_engine();
    let (customer, agent) = (LegId(1), LegId(2));
    let mut carrier = Peer::new(MediaCodec::Pcma);
    let mut phone = Peer::new(MediaCodec::Pcmu);
    let carrier_side = open(&plane, customer, LegKind::Customer);
    let phone_side = open(&plane, agent, LegKind::Agent);
    plane
        .connect(
            customer,
            &negotiated(carrier.socket.local_addr().unwrap(), Codec::Pcma),
        )
        .unwrap();
    plane
        .connect(
            agent,
            &negotiated(phone.socket.local_addr().unwrap(), Codec::Pcmu),
        )
        .unwrap();
    plane.bridge(customer, agent).unwrap();

    let (mut heard_by_phone, mut heard_by_carrier) = (0, 0);
    let start = Instant::now();
    // Two seconds at most; a tone crosses the jitter buffer in well under one.
    while start.elapsed() < Duration::from_secs(2)
        && (heard_by_phone < 2000 || heard_by_carrier < 2000)
    {
        carrier.send_tone(carrier_side);
        phone.send_tone(phone_side);
        std::thread::sleep(Duration::from_millis(20));
        phone.loudest_received(&mut heard_by_phone);
        carrier.loudest_received(&mut heard_by_carrier);
    }
    // The tone's mean absolute amplitude is about 5000; G.711 and mixing keep it near that.
    assert!(heard_by_phone > 2000, "agent heard {heard_by_phone}");
    assert!(heard_by_carrier > 2000, "customer heard {heard_by_carrier}");
    plane.close(customer);
    plane.close(agent);
}
