//! What the media engine tells its owner, in order, through the event queue.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::amd::Decision;
use crate::leg::LegStats;
use crate::room::LegId;

pub type RoomId = u64;

#[derive(Debug, Clone)]
pub enum MediaEvent {
    /// Symmetric RTP moved the leg's destination to where the peer sends from.
    RemoteLatched {
        leg: LegId,
        remote: SocketAddr,
        at_ms: u64,
    },
    /// An RFC 4733 event finished (a DTMF digit when `digit` is set).
    TelephoneEvent {
        leg: LegId,
        event: u8,
        digit: Option<char>,
        duration_ms: u32,
        at_ms: u64,
    },
    /// The first frame of a prompt left for the peer.
    PromptStarted { leg: LegId, at_ms: u64 },
    /// A prompt played to its end (`completed`) or was stopped or replaced.
    PromptEnded {
        leg: LegId,
        completed: bool,
        at_ms: u64,
    },
    RecordingStarted {
        room: RoomId,
        path: PathBuf,
        at_ms: u64,
    },
    RecordingEnded {
        room: RoomId,
        path: PathBuf,
        duration_ms: u64,
        error: Option<String>,
        at_ms: u64,
    },
    /// Answering-machine detection decided; `decision.after_ms` is the audio it took.
    Detection {
        leg: LegId,
        decision: Decision,
        at_ms: u64,
    },
    /// A leg changed rooms on its own: a persistent listener following the agent.
    LegMoved {
        leg: LegId,
        room: RoomId,
        at_ms: u64,
    },
    LegClosed {
        leg: LegId,
        stats: LegStats,
        at_ms: u64,
    },
    /// The socket of a leg failed; the leg keeps its place but sends and receives nothing.
    SocketError {
        leg: LegId,
        error: String,
        at_ms: u64,
    },
}
