//! Shared pieces of the interop tests: SIPp as a real peer over loopback, and waiting for the
//! engine's events. SIPp is installed by `./dev setup`; a missing `sipp` fails the tests.

#![allow(dead_code)] // each test binary uses its own subset

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command as Process, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ccengine_sip::config::Trunk;
use ccengine_sip::{
    Command, EngineConfig, Event, HangupCause, LegEvent, LegId, Originate, SipEngine, Target,
    Transport, UdpRelay,
};

pub fn scenario(name: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "scenarios", name]
        .iter()
        .collect();
    path.to_string_lossy().into_owned()
}

pub fn free_port(ip: &str, transport: Transport) -> u16 {
    let addr: SocketAddr = format!("{}:0", bracket(ip)).parse().unwrap();
    match transport {
        Transport::Udp => UdpSocket::bind(addr).unwrap().local_addr().unwrap().port(),
        Transport::Tcp => TcpListener::bind(addr)
            .unwrap()
            .local_addr()
            .unwrap()
            .port(),
    }
}

fn bracket(ip: &str) -> String {
    if ip.contains(':') {
        format!("[{ip}]")
    } else {
        ip.to_string()
    }
}

/// A scratch directory per SIPp run (its logs, filled-in scenarios), removed when it ends.
fn workdir(port: u16) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ccengine-sipp-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of a scenario with `[name]` placeholders replaced. SIPp checks status codes when it
/// loads a scenario, so those cannot be `-key` keywords.
pub fn fill(scenario_name: &str, port: u16, fills: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(scenario(scenario_name)).unwrap();
    for (name, value) in fills {
        text = text.replace(&format!("[{name}]"), value);
    }
    let file = workdir(port).join(scenario_name);
    std::fs::write(&file, text).unwrap();
    file.to_string_lossy().into_owned()
}

pub struct Sipp {
    child: Child,
    pub addr: SocketAddr,
    workdir: PathBuf,
}

impl Sipp {
    /// SIPp running `args` (scenario, target …) bound to `ip:port`, for at most `calls` calls.
    pub fn spawn(ip: &str, port: u16, transport: Transport, calls: u32, args: &[&str]) -> Sipp {
        let workdir = workdir(port);
        let mode = match transport {
            Transport::Udp => "u1",
            Transport::Tcp => "t1",
        };
        let child = Process::new("sipp")
            .args([
                "-i",
                ip,
                "-p",
                &port.to_string(),
                "-t",
                mode,
                "-m",
                &calls.to_string(),
            ])
            .args([
                "-nostdin",
                "-timeout",
                "30s",
                "-timeout_error",
                "-trace_err",
            ])
            .args(args)
            .current_dir(&workdir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sipp must be installed (./dev setup installs Debian's sip-tester)");
        let addr = format!("{}:{port}", bracket(ip)).parse().unwrap();
        let sipp = Sipp {
            child,
            addr,
            workdir,
        };
        sipp.wait_bound(transport);
        sipp
    }

    /// A carrier: SIPp as UAS running one of our scenarios, placeholders filled in (`fill`).
    pub fn carrier(
        ip: &str,
        transport: Transport,
        scenario_name: &str,
        fills: &[(&str, &str)],
    ) -> Sipp {
        let port = free_port(ip, transport);
        let file = fill(scenario_name, port, fills);
        Sipp::spawn(ip, port, transport, 1, &["-sf", &file])
    }

    fn wait_bound(&self, transport: Transport) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let taken = match transport {
                Transport::Udp => UdpSocket::bind(self.addr).is_err(),
                Transport::Tcp => std::net::TcpStream::connect(self.addr).is_ok(),
            };
            if taken {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("sipp did not bind {}", self.addr);
    }

    /// Wait for SIPp to end; panics with its errors unless every call succeeded (exit 0).
    pub fn finish(mut self) {
        let deadline = Instant::now() + Duration::from_secs(40);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("sipp did not finish");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if !status.success() {
            let mut errors = String::new();
            if let Ok(dir) = std::fs::read_dir(&self.workdir) {
                for entry in dir.flatten() {
                    errors.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
                }
            }
            let mut stderr = String::new();
            use std::io::Read;
            if let Some(mut s) = self.child.stderr.take() {
                let _ = s.read_to_string(&mut stderr);
            }
            panic!("sipp failed ({status}): {stderr}\n{errors}");
        }
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.workdir);
    }
}

pub struct TestEngine {
    pub engine: SipEngine,
    pub media: Arc<UdpRelay>,
    seen: Vec<Event>,
}

impl TestEngine {
    pub fn start(config: EngineConfig) -> TestEngine {
        let media = Arc::new(UdpRelay::start().unwrap());
        let engine = SipEngine::start(config, media.clone()).unwrap();
        TestEngine {
            engine,
            media,
            seen: Vec::new(),
        }
    }

    /// Wait until `leg` reports an event matching `done`; returns the leg's events so far.
    pub fn wait_leg(&mut self, leg: LegId, done: impl Fn(&LegEvent) -> bool) -> Vec<LegEvent> {
        self.wait(|e| matches!(e, Event::Leg { leg: l, event } if *l == leg && done(event)));
        self.leg_events(leg)
    }

    pub fn wait(&mut self, done: impl Fn(&Event) -> bool) -> Event {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut checked = 0;
        loop {
            if let Some(e) = self.seen[checked..].iter().find(|e| done(e)) {
                return e.clone();
            }
            checked = self.seen.len();
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out; events so far: {:#?}",
                self.seen
            );
            self.engine
                .wait_events(left.min(Duration::from_millis(200)));
            self.seen.extend(self.engine.drain_events(1000));
        }
    }

    /// Originate to `target` (caller id "100").
    pub fn dial(&self, target: Target, timeout: Duration) -> LegId {
        let originate = Originate {
            target,
            caller_id: "100".into(),
            timeout,
        };
        self.engine.originate(originate).unwrap()
    }

    /// Originate to `target` and wait until it is answered.
    pub fn dial_answered(&mut self, target: Target) -> LegId {
        let leg = self.dial(target, Duration::from_secs(5));
        self.wait_leg(leg, |e| matches!(e, LegEvent::Answered));
        leg
    }

    /// Hang `leg` up and wait for its end; returns the leg's events.
    pub fn hang_up(&mut self, leg: LegId) -> Vec<LegEvent> {
        self.engine
            .command(Command::Hangup {
                leg,
                cause: HangupCause::Normal,
            })
            .unwrap();
        self.wait_leg(leg, |e| matches!(e, LegEvent::HungUp { .. }))
    }

    pub fn leg_events(&self, leg: LegId) -> Vec<LegEvent> {
        self.seen
            .iter()
            .filter_map(|e| match e {
                Event::Leg { leg: l, event } if *l == leg => Some(event.clone()),
                _ => None,
            })
            .collect()
    }
}

/// A number through the trunk every test configuration calls "carrier".
pub fn via_carrier(number: &str) -> Target {
    Target::Trunk {
        trunk: "carrier".into(),
        number: number.into(),
    }
}

pub fn config_with_trunk(ip: &str, transport: Transport, carrier: SocketAddr) -> EngineConfig {
    let port = if transport == Transport::Tcp {
        free_port(ip, Transport::Tcp)
    } else {
        0
    };
    let mut config = EngineConfig::listening(
        transport,
        format!("{}:{port}", bracket(ip)).parse().unwrap(),
    );
    config.trunks.push(Trunk {
        name: "carrier".into(),
        address: carrier,
        transport,
        username: Some("acct".into()),
        password: Some("trunkpw".into()),
        keepalive_seconds: None,
        register: false,
        register_expires: 3600,
        register_user: None,
    });
    config
}
