//! What the engine handle asks of the media thread. Commands are checked against the directory
//! before they are sent, so the media thread applies them without failing.

use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc::SyncSender;

use super::event::RoomId;
use super::EngineStats;
use crate::amd::AmdSettings;
use crate::codec::Codec;
use crate::leg::{LegSettings, LegStats};
use crate::prompt::Audio;
use crate::recorder::Recorder;
use crate::room::{LegId, Mode, Role};

pub enum Command {
    OpenLeg {
        leg: LegId,
        socket: UdpSocket,
        settings: LegSettings,
    },
    SetRemote {
        leg: LegId,
        remote: SocketAddr,
        codec: Codec,
        event_payload_type: u8,
    },
    CreateRoom {
        room: RoomId,
    },
    AddToRoom {
        room: RoomId,
        leg: LegId,
        role: Role,
        mode: Mode,
    },
    SetMode {
        leg: LegId,
        mode: Mode,
    },
    MoveLeg {
        leg: LegId,
        room: RoomId,
    },
    RemoveFromRoom {
        leg: LegId,
    },
    CloseLeg {
        leg: LegId,
    },
    CloseRoom {
        room: RoomId,
    },
    Play {
        leg: LegId,
        audio: Audio,
        looped: bool,
    },
    StopPlay {
        leg: LegId,
    },
    Record {
        room: RoomId,
        recorder: Recorder,
    },
    StopRecord {
        room: RoomId,
    },
    Detect {
        leg: LegId,
        settings: AmdSettings,
    },
    SendDigits {
        leg: LegId,
        events: Vec<(u8, u32)>,
    },
    LegStats {
        leg: LegId,
        reply: SyncSender<Option<LegStats>>,
    },
    EngineStats {
        reply: SyncSender<EngineStats>,
    },
    Stop,
}
