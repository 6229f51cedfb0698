//! The media thread: owns every leg's socket, the rooms and the 20 ms clock. Each tick it
//! drains the sockets (recvmmsg), pops one frame per leg from its jitter buffer, mixes each
//! room, adds prompts, writes recordings, feeds detectors, then sends one datagram per leg
//! (sendmmsg). Commands are applied as they arrive between ticks.

use std::collections::HashMap;
use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::batch_io::{RecvBatch, SendBatch};
use super::command::Command;
use super::event::{MediaEvent, RoomId};
use super::notify::EventQueue;
use super::{Directory, EngineStats};
use crate::amd::Detector;
use crate::frame::{Frame, FRAME_MS, SILENCE};
use crate::leg::{Leg, Received};
use crate::prompt::Prompt;
use crate::recorder::Recorder;
use crate::room::{LegId, Mode, Role, Room};
use crate::telephone_event::digit_char;

const TICK: Duration = Duration::from_millis(FRAME_MS);
/// Datagrams read per recvmmsg call; a leg normally has one or two waiting per tick.
const RECV_BATCH: usize = 16;
const SEND_BATCH: usize = 4;
/// Further behind than this, the clock skips ahead instead of running ticks back to back.
const MAX_CATCH_UP: u32 = 5;

struct LegSlot {
    id: LegId,
    socket: UdpSocket,
    leg: Leg,
    room: Option<RoomId>,
    input: Frame,
    output: Frame,
    prompt: Option<(Prompt, bool)>,
    detector: Option<Detector>,
    failed: bool,
}

struct RoomSlot {
    room: Room,
    inputs: Vec<Frame>,
    outputs: Vec<Frame>,
    recorder: Option<Recorder>,
    recording_since: u64,
}

impl RoomSlot {
    fn resize(&mut self) {
        self.inputs.resize(self.room.len(), SILENCE);
        self.outputs.resize(self.room.len(), SILENCE);
    }
}

pub struct MediaThread {
    commands: Receiver<Command>,
    queue: Arc<EventQueue>,
    directory: Arc<Mutex<Directory>>,
    legs: Vec<LegSlot>,
    index: HashMap<LegId, usize>,
    rooms: HashMap<RoomId, RoomSlot>,
    recv: RecvBatch,
    send: SendBatch,
    events: Vec<MediaEvent>,
    origin: Instant,
    stats: EngineStats,
}

fn ntp_now() -> u64 {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs() + 2_208_988_800; // 1900 → 1970
    (secs << 32) | ((u64::from(d.subsec_nanos()) << 32) / 1_000_000_000)
}

impl MediaThread {
    pub fn new(
        commands: Receiver<Command>,
        queue: Arc<EventQueue>,
        directory: Arc<Mutex<Directory>>,
    ) -> Self {
        Self {
            commands,
            queue,
            directory,
            legs: Vec::new(),
            index: HashMap::new(),
            rooms: HashMap::new(),
            recv: RecvBatch::new(RECV_BATCH),
            send: SendBatch::new(SEND_BATCH),
            events: Vec::new(),
            origin: Instant::now(),
            stats: EngineStats::default(),
        }
    }

    fn at_ms(&self) -> u64 {
        self.origin.elapsed().as_millis() as u64
    }

    pub fn run(mut self) {
        let mut next_tick = Instant::now() + TICK;
        loop {
            let now = Instant::now();
            if now >= next_tick {
                let started = Instant::now();
                self.tick(started);
                self.stats.ticks += 1;
                self.stats.busy_ns += started.elapsed().as_nanos() as u64;
                next_tick += TICK;
                if Instant::now() > next_tick + TICK * MAX_CATCH_UP {
                    self.stats.late_ticks += 1;
                    next_tick = Instant::now() + TICK;
                }
                self.queue.push_all(&mut self.events);
                continue;
            }
            match self.commands.recv_timeout(next_tick - now) {
                Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(command) => {
                    self.apply(command);
                    self.queue.push_all(&mut self.events);
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
        let ids: Vec<RoomId> = self.rooms.keys().copied().collect();
        for room in ids {
            self.stop_recording(room);
        }
        self.queue.push_all(&mut self.events);
    }

    fn slot(&mut self, leg: LegId) -> Option<&mut LegSlot> {
        let i = *self.index.get(&leg)?;
        Some(&mut self.legs[i])
    }

    fn apply(&mut self, command: Command) {
        let at_ms = self.at_ms();
        match command {
            Command::OpenLeg {
                leg,
                socket,
                settings,
            } => {
                let seed = super::random_seed(leg);
                self.index.insert(leg, self.legs.len());
                self.legs.push(LegSlot {
                    id: leg,
                    socket,
                    leg: Leg::new(settings, seed, Instant::now()),
                    room: None,
                    input: SILENCE,
                    output: SILENCE,
                    prompt: None,
                    detector: None,
                    failed: false,
                });
            }
            Command::SetRemote {
                leg,
                remote,
                codec,
                event_payload_type,
            } => {
                if let Some(s) = self.slot(leg) {
                    s.leg.set_remote(remote, codec, event_payload_type);
                }
            }
            Command::CreateRoom { room } => {
                let slot = RoomSlot {
                    room: Room::new(),
                    inputs: Vec::new(),
                    outputs: Vec::new(),
                    recorder: None,
                    recording_since: 0,
                };
                self.rooms.insert(room, slot);
            }
            Command::AddToRoom {
                room,
                leg,
                role,
                mode,
            } => self.add_to_room(room, leg, role, mode),
            Command::SetMode { leg, mode } => {
                let room = self.slot(leg).and_then(|s| s.room);
                if let Some(r) = room.and_then(|r| self.rooms.get_mut(&r)) {
                    // Checked by the directory: the leg is a supervisor in this room.
                    let _ = r.room.set_mode(leg, mode);
                }
            }
            Command::MoveLeg { leg, room } => self.move_leg(leg, room, at_ms),
            Command::RemoveFromRoom { leg } => {
                self.remove_from_room(leg);
            }
            Command::CloseLeg { leg } => self.close_leg(leg, at_ms),
            Command::CloseRoom { room } => {
                self.stop_recording(room);
                if let Some(r) = self.rooms.remove(&room) {
                    for leg in r.room.legs() {
                        if let Some(s) = self.slot(*leg) {
                            s.room = None;
                        }
                    }
                }
            }
            Command::Play { leg, audio, looped } => {
                if let Some(s) = self.slot(leg) {
                    let replaced = s
                        .prompt
                        .replace((Prompt::new(audio, looped), false))
                        .is_some();
                    if replaced {
                        self.events.push(MediaEvent::PromptEnded {
                            leg,
                            completed: false,
                            at_ms,
                        });
                    }
                }
            }
            Command::StopPlay { leg } => {
                if let Some(s) = self.slot(leg) {
                    if s.prompt.take().is_some() {
                        self.events.push(MediaEvent::PromptEnded {
                            leg,
                            completed: false,
                            at_ms,
                        });
                    }
                }
            }
            Command::Record { room, recorder } => {
                self.stop_recording(room);
                if let Some(r) = self.rooms.get_mut(&room) {
                    let path = recorder.path().to_path_buf();
                    r.recorder = Some(recorder);
                    r.recording_since = at_ms;
                    self.events
                        .push(MediaEvent::RecordingStarted { room, path, at_ms });
                }
            }
            Command::StopRecord { room } => self.stop_recording(room),
            Command::Detect { leg, settings } => {
                if let Some(s) = self.slot(leg) {
                    s.detector = Some(Detector::new(settings));
                }
            }
            Command::SendDigits { leg, events } => {
                if let Some(s) = self.slot(leg) {
                    for (event, ms) in events {
                        s.leg.send_event(event, ms);
                    }
                }
            }
            Command::LegStats { leg, reply } => {
                let stats = self.slot(leg).map(|s| s.leg.stats());
                let _ = reply.send(stats);
            }
            Command::EngineStats { reply } => {
                let mut stats = self.stats;
                stats.legs = self.legs.len() as u64;
                stats.rooms = self.rooms.len() as u64;
                stats.cpu_ns = super::thread_cpu_ns();
                let _ = reply.send(stats);
            }
            Command::Stop => {}
        }
    }

    fn add_to_room(&mut self, room: RoomId, leg: LegId, role: Role, mode: Mode) {
        let Some(r) = self.rooms.get_mut(&room) else {
            return;
        };
        let Some(&i) = self.index.get(&leg) else {
            return;
        };
        r.room.add(leg, role, mode);
        r.resize();
        self.legs[i].room = Some(room);
    }

    fn remove_from_room(&mut self, leg: LegId) -> Option<(RoomId, crate::room::Member)> {
        let slot = self.slot(leg)?;
        let room = slot.room.take()?;
        let r = self.rooms.get_mut(&room)?;
        let member = r.room.remove(leg)?;
        r.resize();
        Some((room, member))
    }

    /// Moves a leg; when it is an agent, supervisors listening persistently follow it.
    fn move_leg(&mut self, leg: LegId, to: RoomId, at_ms: u64) {
        let followers: Vec<LegId> = match self.slot(leg).and_then(|s| s.room) {
            Some(from)
                if self
                    .rooms
                    .get(&from)
                    .and_then(|r| r.room.member(leg))
                    .is_some_and(|m| m.role == Role::Agent) =>
            {
                let r = &self.rooms[&from].room;
                r.legs()
                    .iter()
                    .copied()
                    .filter(|&l| {
                        r.member(l).is_some_and(|m| {
                            m.role == Role::Supervisor && m.mode == Mode::PersistentListen
                        })
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        for l in std::iter::once(leg).chain(followers.iter().copied()) {
            if let Some((_, member)) = self.remove_from_room(l) {
                self.add_to_room(to, l, member.role, member.mode);
            }
        }
        if !followers.is_empty() {
            let mut dir = self.directory.lock().unwrap_or_else(|p| p.into_inner());
            for &l in &followers {
                dir.follow(l, to);
                self.events.push(MediaEvent::LegMoved {
                    leg: l,
                    room: to,
                    at_ms,
                });
            }
        }
    }

    fn close_leg(&mut self, leg: LegId, at_ms: u64) {
        self.remove_from_room(leg);
        let Some(i) = self.index.remove(&leg) else {
            return;
        };
        let mut slot = self.legs.swap_remove(i);
        if let Some(moved) = self.legs.get(i) {
            self.index.insert(moved.id, i);
        }
        if slot.prompt.take().is_some() {
            self.events.push(MediaEvent::PromptEnded {
                leg,
                completed: false,
                at_ms,
            });
        }
        self.events.push(MediaEvent::LegClosed {
            leg,
            stats: slot.leg.stats(),
            at_ms,
        });
    }

    fn stop_recording(&mut self, room: RoomId) {
        let at_ms = self.at_ms();
        let Some(r) = self.rooms.get_mut(&room) else {
            return;
        };
        let Some(recorder) = r.recorder.take() else {
            return;
        };
        let path = recorder.path().to_path_buf();
        let (duration_ms, error) = match recorder.finish() {
            Ok(ms) => (ms, None),
            Err(e) => (0, Some(e.to_string())),
        };
        self.events.push(MediaEvent::RecordingEnded {
            room,
            path,
            duration_ms,
            error,
            at_ms,
        });
    }

    fn tick(&mut self, now: Instant) {
        let at_ms = now.duration_since(self.origin).as_millis() as u64;
        self.receive_all(now, at_ms);
        for s in self.legs.iter_mut() {
            s.leg.input(&mut s.input);
            s.output = SILENCE;
            if let Some(decision) = s.detector.as_mut().and_then(|d| d.feed(&s.input)) {
                s.detector = None;
                self.events.push(MediaEvent::Detection {
                    leg: s.id,
                    decision,
                    at_ms,
                });
            }
        }
        self.mix_rooms();
        self.play_prompts(at_ms);
        self.record_rooms(at_ms);
        self.send_all(now);
    }

    /// Reads every leg's socket. A datagram's arrival time is the kernel's stamp, carried over
    /// to the monotonic clock, so the jitter estimate does not see the 20 ms tick.
    fn receive_all(&mut self, now: Instant, at_ms: u64) {
        let wall = SystemTime::now();
        for s in self.legs.iter_mut().filter(|s| !s.failed) {
            loop {
                let n = match self.recv.recv(s.socket.as_raw_fd()) {
                    Ok(n) => n,
                    Err(e) => {
                        s.failed = true;
                        self.events.push(MediaEvent::SocketError {
                            leg: s.id,
                            error: e.to_string(),
                            at_ms,
                        });
                        break;
                    }
                };
                for i in 0..n {
                    let Some((data, from)) = self.recv.get(i) else {
                        continue;
                    };
                    let age = self
                        .recv
                        .arrival(i)
                        .and_then(|t| wall.duration_since(t).ok());
                    let arrival = age.and_then(|a| now.checked_sub(a)).unwrap_or(now);
                    match s.leg.receive(data, from, arrival) {
                        Received::Nothing => {}
                        Received::Latched(remote) => self.events.push(MediaEvent::RemoteLatched {
                            leg: s.id,
                            remote,
                            at_ms,
                        }),
                        Received::Event(e) => self.events.push(MediaEvent::TelephoneEvent {
                            leg: s.id,
                            event: e.event,
                            digit: digit_char(e.event),
                            duration_ms: e.duration_ms,
                            at_ms,
                        }),
                    }
                }
                if n < RECV_BATCH {
                    break;
                }
            }
        }
    }

    fn mix_rooms(&mut self) {
        for r in self.rooms.values_mut() {
            for (k, leg) in r.room.legs().iter().enumerate() {
                r.inputs[k] = self.legs[self.index[leg]].input;
            }
            r.room.mix(&r.inputs, &mut r.outputs);
            for (k, leg) in r.room.legs().iter().enumerate() {
                self.legs[self.index[leg]].output = r.outputs[k];
            }
        }
    }

    fn play_prompts(&mut self, at_ms: u64) {
        let mut frame = SILENCE;
        for s in self.legs.iter_mut() {
            let Some((prompt, started)) = s.prompt.as_mut() else {
                continue;
            };
            if !prompt.next_frame(&mut frame) {
                s.prompt = None;
                self.events.push(MediaEvent::PromptEnded {
                    leg: s.id,
                    completed: true,
                    at_ms,
                });
                continue;
            }
            if !*started {
                *started = true;
                self.events
                    .push(MediaEvent::PromptStarted { leg: s.id, at_ms });
            }
            for (o, p) in s.output.iter_mut().zip(frame.iter()) {
                *o = o.saturating_add(*p);
            }
        }
    }

    fn record_rooms(&mut self, at_ms: u64) {
        let mut failed = Vec::new();
        for (&id, r) in self.rooms.iter_mut() {
            let Some(recorder) = r.recorder.as_mut() else {
                continue;
            };
            let customer = r
                .room
                .legs()
                .iter()
                .find(|&&l| r.room.member(l).is_some_and(|m| m.role == Role::Customer));
            let (said, heard) = match customer {
                Some(c) => {
                    let s = &self.legs[self.index[c]];
                    (s.input, s.output)
                }
                // No customer (yet): the engine side is what the first leg says.
                None => (
                    SILENCE,
                    r.room
                        .legs()
                        .first()
                        .map_or(SILENCE, |l| self.legs[self.index[l]].input),
                ),
            };
            if let Err(e) = recorder.write(&said, &heard) {
                failed.push((id, e.to_string()));
            }
        }
        for (room, error) in failed {
            if let Some(recorder) = self.rooms.get_mut(&room).and_then(|r| r.recorder.take()) {
                let path = recorder.path().to_path_buf();
                let duration_ms = recorder.finish().unwrap_or(0);
                self.events.push(MediaEvent::RecordingEnded {
                    room,
                    path,
                    duration_ms,
                    error: Some(error),
                    at_ms,
                });
            }
        }
    }

    fn send_all(&mut self, now: Instant) {
        let ntp = ntp_now();
        for s in self.legs.iter_mut().filter(|s| !s.failed) {
            if let Some((len, to)) = s.leg.output(&s.output, self.send.slot()) {
                self.send.commit(len, to);
            }
            if let Some((len, to)) = s.leg.rtcp(now, ntp, self.send.slot()) {
                self.send.commit(len, to);
            }
            if !self.send.is_empty() {
                // A failed send (peer gone, buffer full) loses this packet only.
                if self.send.flush(s.socket.as_raw_fd()).is_err() {
                    self.stats.send_errors += 1;
                }
            }
        }
    }
}
