//! The media engine: the handle the SIP core and Python use. Calls are checked against a small
//! directory of legs and rooms (so mistakes fail at once, with a slug), then sent as commands
//! to the media thread, which owns sockets, rooms and the clock. Events come back through a
//! queue whose file descriptor becomes readable when events wait.

pub mod batch_io;
pub mod command;
pub mod event;
pub mod media_thread;
pub mod notify;

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::amd::AmdSettings;
use crate::codec::Codec;
use crate::error::{MediaError, Result};
use crate::leg::{LegSettings, LegStats};
use crate::prompt::Audio;
use crate::recorder::Recorder;
use crate::room::{LegId, Mode, Role};
use crate::telephone_event::digit_event;
use command::Command;
pub use event::{MediaEvent, RoomId};
use notify::EventQueue;

/// Counters of the media thread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineStats {
    pub ticks: u64,
    /// Times the clock fell more than five ticks behind and skipped ahead.
    pub late_ticks: u64,
    /// Wall time spent working in ticks (the rest is sleeping or applying commands).
    pub busy_ns: u64,
    /// CPU time the media thread has used, ticks and commands included: unlike `busy_ns`, not
    /// inflated when other processes take the core.
    pub cpu_ns: u64,
    pub send_errors: u64,
    pub legs: u64,
    pub rooms: u64,
}

/// A random value per leg for SSRC and initial sequence (RFC 3550 §5.1 wants them
/// unpredictable); std's hasher keys are random per process.
/// CPU time used so far by the calling thread.
pub(crate) fn thread_cpu_ns() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

pub(crate) fn random_seed(leg: LegId) -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(leg);
    h.finish()
}

/// Which legs and rooms exist and where each leg is: enough to reject a bad call at once.
#[derive(Default)]
pub struct Directory {
    /// Leg → (room, role) when in a room.
    legs: HashMap<LegId, Option<(RoomId, Role)>>,
    rooms: HashMap<RoomId, ()>,
}

impl Directory {
    fn leg(&self, leg: LegId) -> Result<Option<(RoomId, Role)>> {
        self.legs.get(&leg).copied().ok_or(MediaError::UnknownId {
            kind: "leg",
            id: leg,
        })
    }

    fn room(&self, room: RoomId) -> Result<()> {
        self.rooms.get(&room).copied().ok_or(MediaError::UnknownId {
            kind: "room",
            id: room,
        })
    }

    /// A persistent listener moved with its agent (called by the media thread).
    fn follow(&mut self, leg: LegId, room: RoomId) {
        if let Some(entry) = self.legs.get_mut(&leg) {
            *entry = Some((room, Role::Supervisor));
        }
    }
}

pub struct Engine {
    commands: Sender<Command>,
    queue: Arc<EventQueue>,
    directory: Arc<Mutex<Directory>>,
    next_id: AtomicU64,
    bind: IpAddr,
    /// Behind a lock so `stop` takes `&self`: the engine is shared (`Arc`) by the SIP core's
    /// adapter and the Python bindings, and either may be the one to stop it.
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Engine {
    /// Starts the media thread. Legs bind their RTP sockets on `bind` (port chosen by the
    /// system).
    pub fn start(bind: IpAddr) -> Result<Self> {
        let (commands, receiver) = channel();
        let queue = Arc::new(EventQueue::new().map_err(|e| MediaError::io("eventfd", e))?);
        let directory = Arc::new(Mutex::new(Directory::default()));
        let thread = media_thread::MediaThread::new(receiver, queue.clone(), directory.clone());
        let thread = std::thread::Builder::new()
            .name("ccengine-media".into())
            .spawn(move || thread.run())
            .map_err(|e| MediaError::io("spawning the media thread", e))?;
        Ok(Self {
            commands,
            queue,
            directory,
            next_id: AtomicU64::new(1),
            bind,
            thread: Mutex::new(Some(thread)),
        })
    }

    fn send(&self, command: Command) -> Result<()> {
        self.commands.send(command).map_err(|_| MediaError::Stopped)
    }

    fn dir(&self) -> std::sync::MutexGuard<'_, Directory> {
        self.directory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// File descriptor that is readable while events wait to be drained.
    pub fn event_fd(&self) -> RawFd {
        self.queue.fd()
    }

    pub fn drain_events(&self, max: usize) -> Vec<MediaEvent> {
        self.queue.drain(max)
    }

    /// Opens a leg speaking `codec`; returns its id and the local RTP address to put in SDP.
    pub fn open_leg(&self, codec: Codec) -> Result<(LegId, SocketAddr)> {
        let socket = UdpSocket::bind((self.bind, 0))
            .map_err(|e| MediaError::io("binding an RTP socket", e))?;
        socket
            .set_nonblocking(true)
            .map_err(|e| MediaError::io("RTP socket", e))?;
        batch_io::enable_timestamps(socket.as_raw_fd())
            .map_err(|e| MediaError::io("RTP socket timestamps", e))?;
        let local = socket
            .local_addr()
            .map_err(|e| MediaError::io("RTP socket", e))?;
        let leg = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.dir().legs.insert(leg, None);
        self.send(Command::OpenLeg {
            leg,
            socket,
            settings: LegSettings::new(codec),
        })?;
        Ok((leg, local))
    }

    /// The peer's RTP address and payload types from its SDP. `payload_type` must be PCMU (0)
    /// or PCMA (8); `event_payload_type` is the peer's telephone-event type (101 if absent).
    pub fn set_remote(
        &self,
        leg: LegId,
        remote: SocketAddr,
        payload_type: u8,
        event_payload_type: Option<u8>,
    ) -> Result<()> {
        self.dir().leg(leg)?;
        let codec = Codec::from_payload_type(payload_type)?;
        let event_payload_type =
            event_payload_type.unwrap_or(crate::telephone_event::DEFAULT_PAYLOAD_TYPE);
        if !(96..=127).contains(&event_payload_type) {
            return Err(MediaError::BadSetting {
                field: "event_payload_type",
                reason: format!("{event_payload_type} is not a dynamic payload type (96-127)"),
            });
        }
        self.send(Command::SetRemote {
            leg,
            remote,
            codec,
            event_payload_type,
        })
    }

    pub fn create_room(&self) -> Result<RoomId> {
        let room = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.dir().rooms.insert(room, ());
        self.send(Command::CreateRoom { room })?;
        Ok(room)
    }

    /// Puts a leg in a room with its role; supervisors start in `mode`.
    pub fn add_to_room(&self, room: RoomId, leg: LegId, role: Role, mode: Mode) -> Result<()> {
        let mut dir = self.dir();
        dir.room(room)?;
        if let Some((current, _)) = dir.leg(leg)? {
            return Err(MediaError::LegInRoom { leg, room: current });
        }
        dir.legs.insert(leg, Some((room, role)));
        drop(dir);
        self.send(Command::AddToRoom {
            room,
            leg,
            role,
            mode,
        })
    }

    /// Switches a supervisor's mode; takes effect on the next frame, faded over 20 ms.
    pub fn set_mode(&self, leg: LegId, mode: Mode) -> Result<()> {
        match self.dir().leg(leg)? {
            Some((_, Role::Supervisor)) => self.send(Command::SetMode { leg, mode }),
            Some((_, role)) => Err(MediaError::BadSetting {
                field: "mode",
                reason: format!(
                    "leg {leg} is a {}, only supervisors have a mode",
                    role.name()
                ),
            }),
            None => Err(MediaError::UnknownId {
                kind: "leg in a room",
                id: leg,
            }),
        }
    }

    /// Moves a leg to another room keeping its role and mode; an agent's persistent listeners
    /// follow (reported as `LegMoved`).
    pub fn move_leg(&self, leg: LegId, room: RoomId) -> Result<()> {
        let mut dir = self.dir();
        dir.room(room)?;
        let Some((_, role)) = dir.leg(leg)? else {
            return Err(MediaError::UnknownId {
                kind: "leg in a room",
                id: leg,
            });
        };
        dir.legs.insert(leg, Some((room, role)));
        drop(dir);
        self.send(Command::MoveLeg { leg, room })
    }

    pub fn remove_from_room(&self, leg: LegId) -> Result<()> {
        let mut dir = self.dir();
        if dir.leg(leg)?.is_none() {
            return Ok(());
        }
        dir.legs.insert(leg, None);
        drop(dir);
        self.send(Command::RemoveFromRoom { leg })
    }

    /// Closes a leg: its socket is released and `LegClosed` carries its final statistics.
    pub fn close_leg(&self, leg: LegId) -> Result<()> {
        let mut dir = self.dir();
        dir.leg(leg)?;
        dir.legs.remove(&leg);
        drop(dir);
        self.send(Command::CloseLeg { leg })
    }

    /// Closes a room (stopping its recording); its legs stay open, in no room.
    pub fn close_room(&self, room: RoomId) -> Result<()> {
        let mut dir = self.dir();
        dir.room(room)?;
        dir.rooms.remove(&room);
        for entry in dir.legs.values_mut() {
            if entry.is_some_and(|(r, _)| r == room) {
                *entry = None;
            }
        }
        drop(dir);
        self.send(Command::CloseRoom { room })
    }

    /// Plays a WAV file into a leg (on top of what the room gives it), once or in a loop. The
    /// file is read here, not on the media thread; `PromptStarted` marks the first frame sent.
    pub fn play(&self, leg: LegId, path: &Path, looped: bool) -> Result<()> {
        self.dir().leg(leg)?;
        let audio = Audio::load(path)?;
        self.send(Command::Play { leg, audio, looped })
    }

    pub fn stop_play(&self, leg: LegId) -> Result<()> {
        self.dir().leg(leg)?;
        self.send(Command::StopPlay { leg })
    }

    /// Records a room to a two-channel WAV (customer, engine side), replacing any recording
    /// in progress.
    pub fn record(&self, room: RoomId, path: &Path) -> Result<()> {
        self.dir().room(room)?;
        let recorder = Recorder::create(path)?;
        self.send(Command::Record { room, recorder })
    }

    pub fn stop_record(&self, room: RoomId) -> Result<()> {
        self.dir().room(room)?;
        self.send(Command::StopRecord { room })
    }

    /// Starts answering-machine detection on what the leg's peer says from now on.
    pub fn detect(&self, leg: LegId, settings: AmdSettings) -> Result<()> {
        self.dir().leg(leg)?;
        self.send(Command::Detect { leg, settings })
    }

    /// Sends DTMF digits (0-9 * # A-D) as RFC 4733 events, each lasting `duration_ms`.
    pub fn send_digits(&self, leg: LegId, digits: &str, duration_ms: u32) -> Result<()> {
        self.dir().leg(leg)?;
        let events = digits
            .chars()
            .map(|c| {
                digit_event(c)
                    .map(|e| (e, duration_ms))
                    .ok_or_else(|| MediaError::BadSetting {
                        field: "digits",
                        reason: format!("{c:?} is not a DTMF digit"),
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        self.send(Command::SendDigits { leg, events })
    }

    /// A leg's counters; waits for the media thread (at most one tick).
    pub fn leg_stats(&self, leg: LegId) -> Result<LegStats> {
        self.dir().leg(leg)?;
        let (reply, answer) = sync_channel(1);
        self.send(Command::LegStats { leg, reply })?;
        answer
            .recv()
            .map_err(|_| MediaError::Stopped)?
            .ok_or(MediaError::UnknownId {
                kind: "leg",
                id: leg,
            })
    }

    pub fn stats(&self) -> Result<EngineStats> {
        let (reply, answer) = sync_channel(1);
        self.send(Command::EngineStats { reply })?;
        answer.recv().map_err(|_| MediaError::Stopped)
    }

    /// Stops the media thread, finishing recordings; idempotent.
    pub fn stop(&self) {
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(thread) = thread {
            let _ = self.commands.send(Command::Stop);
            let _ = thread.join();
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SIP core's adapter and the Python bindings share one engine across threads.
    #[test]
    fn the_engine_handle_is_shareable_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Engine>();
    }

    #[test]
    fn calls_after_stop_fail_with_stopped() {
        let engine = Engine::start(IpAddr::from([127, 0, 0, 1])).unwrap();
        let (leg, _) = engine.open_leg(Codec::Pcma).unwrap();
        engine.stop();
        assert_eq!(engine.create_room().unwrap_err().slug(), "stopped");
        assert_eq!(engine.leg_stats(leg).unwrap_err().slug(), "stopped");
        engine.stop();
    }
}
