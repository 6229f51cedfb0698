//! `SipEngine`: the handle the rest of ccengine holds. It starts a thread running the SIP stack
//! and the driver on a single-threaded tokio runtime; commands cross over a channel and are
//! answered synchronously, events come back through the `EventQueue` and its descriptor.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::os::fd::RawFd;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::transport::tcp_listener::TcpListenerConnection;
use rsipstack::transport::udp::UdpConnection;
use rsipstack::transport::TransportLayer;
use rsipstack::EndpointBuilder;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::digest_names::DigestAlgorithmNames;
use super::driver::{BoundAddr, Driver};
use super::limits::LimitInspector;
use super::registering::Registering;
use super::{incoming, keepalive};
use crate::call::core::CallCore;
use crate::call::types::{Command, Event, HangupCause, LegId, Originate};
use crate::config::{EngineConfig, Transport};
use crate::digest::DigestServer;
use crate::error::{Result, SipError};
use crate::events::EventQueue;
use crate::media::plane::MediaPlane;
use crate::registrar::Registrar;

/// How long shutdown waits for BYEs and CANCELs to be answered.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

enum Request {
    Originate(Originate, oneshot::Sender<Result<LegId>>),
    Command(Command, oneshot::Sender<Result<()>>),
    Contact(String, oneshot::Sender<Option<String>>),
    Legs(oneshot::Sender<usize>),
    Shutdown(oneshot::Sender<()>),
}

pub struct SipEngine {
    requests: mpsc::UnboundedSender<Request>,
    events: Arc<EventQueue>,
    bound: Vec<BoundAddr>,
    /// Taken by the first `shutdown`. Behind a lock so that shutting down needs only `&self`:
    /// commands racing with it get `Stopped` instead of contending for the engine itself.
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl SipEngine {
    /// Bind the configured addresses and start serving. Fails if any address cannot be bound.
    pub fn start(config: EngineConfig, media: Arc<dyn MediaPlane>) -> Result<Self> {
        config.validate()?;
        let events = Arc::new(EventQueue::new()?);
        let (requests, requests_rx) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let queue = events.clone();
        let thread = std::thread::Builder::new()
            .name("ccengine-sip".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(SipError::Stack(e.to_string())));
                        return;
                    }
                };
                runtime.block_on(serve(config, media, queue, requests_rx, ready_tx));
            })
            .map_err(|e| SipError::Stack(e.to_string()))?;
        match ready_rx.recv() {
            Ok(Ok(bound)) => Ok(Self {
                requests,
                events,
                bound,
                thread: Mutex::new(Some(thread)),
            }),
            Ok(Err(error)) => {
                let _ = thread.join();
                Err(error)
            }
            Err(_) => {
                let _ = thread.join();
                Err(SipError::Stopped)
            }
        }
    }

    pub fn local_addrs(&self) -> &[BoundAddr] {
        &self.bound
    }

    /// The first bound address of a transport and family, for tests and tools.
    pub fn local_addr(&self, transport: Transport, ipv6: bool) -> Option<SocketAddr> {
        self.bound
            .iter()
            .find(|b| b.transport == transport && b.addr.is_ipv6() == ipv6)
            .map(|b| b.addr)
    }

    fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Request) -> Result<T> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(make(reply))
            .map_err(|_| SipError::Stopped)?;
        answer.blocking_recv().map_err(|_| SipError::Stopped)
    }

    /// Start a call; its progress arrives as events for the returned leg.
    pub fn originate(&self, originate: Originate) -> Result<LegId> {
        self.ask(|reply| Request::Originate(originate, reply))?
    }

    pub fn command(&self, command: Command) -> Result<()> {
        self.ask(|reply| Request::Command(command, reply))?
    }

    /// Where an agent's phone is registered now, if it is.
    pub fn agent_contact(&self, user: &str) -> Result<Option<String>> {
        self.ask(|reply| Request::Contact(user.to_string(), reply))
    }

    /// Legs the engine is handling now.
    pub fn leg_count(&self) -> Result<usize> {
        self.ask(Request::Legs)
    }

    pub fn drain_events(&self, max: usize) -> Vec<Event> {
        self.events.drain(max)
    }

    /// Block until an event is waiting or `timeout` passes.
    pub fn wait_events(&self, timeout: Duration) -> bool {
        self.events.wait(timeout)
    }

    /// Readable while events wait (for `trio.lowlevel.wait_readable` and the like).
    pub fn wake_fd(&self) -> RawFd {
        self.events.wake_fd()
    }

    /// Hang up every leg (BYE or CANCEL), give the peers a moment to answer, stop. Idempotent.
    pub fn shutdown(&self) {
        let taken = self
            .thread
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        let Some(thread) = taken else {
            return;
        };
        let _ = self.ask(Request::Shutdown);
        let _ = thread.join();
    }
}

impl Drop for SipEngine {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn bind(
    config: &EngineConfig,
    layer: &TransportLayer,
    stop: &CancellationToken,
) -> Result<Vec<BoundAddr>> {
    let mut bound = Vec::new();
    for listen in &config.listen {
        let fail = |e: &dyn std::fmt::Display| SipError::Bind {
            addr: listen.address.to_string(),
            reason: e.to_string(),
        };
        let addr = match listen.transport {
            Transport::Udp => {
                let connection = UdpConnection::create_connection(
                    listen.address,
                    None,
                    Some(stop.child_token()),
                )
                .await
                .map_err(|e| fail(&e))?;
                let addr = connection
                    .get_addr()
                    .get_socketaddr()
                    .map_err(|e| fail(&e))?;
                layer.add_transport(connection.into());
                addr
            }
            Transport::Tcp => {
                // The stack binds its listener later and only logs a failure: probe it first.
                drop(std::net::TcpListener::bind(listen.address).map_err(|e| fail(&e))?);
                let listener = TcpListenerConnection::new(listen.address, None)
                    .await
                    .map_err(|e| fail(&e))?;
                layer.add_transport(listener.into());
                listen.address
            }
        };
        bound.push(BoundAddr {
            transport: listen.transport,
            addr,
        });
    }
    Ok(bound)
}

async fn serve(
    config: EngineConfig,
    media: Arc<dyn MediaPlane>,
    events: Arc<EventQueue>,
    mut requests: mpsc::UnboundedReceiver<Request>,
    ready: std::sync::mpsc::Sender<Result<Vec<BoundAddr>>>,
) {
    let stop = CancellationToken::new();
    let layer = TransportLayer::new(stop.child_token());
    let bound = match bind(&config, &layer, &stop).await {
        Ok(bound) => bound,
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    let endpoint = EndpointBuilder::new()
        .with_cancel_token(stop.child_token())
        .with_transport_layer(layer)
        .with_user_agent("ccengine")
        .with_transport_inspector(Box::new(LimitInspector(config.limits)))
        .with_inspector(Box::new(DigestAlgorithmNames))
        .build();
    let mut transactions = match endpoint.incoming_transactions() {
        Ok(rx) => rx,
        Err(e) => {
            let _ = ready.send(Err(SipError::Stack(e.to_string())));
            return;
        }
    };
    let serving = endpoint.inner.clone();
    tokio::spawn(async move {
        let _ = serving.serve().await;
    });
    let (reports, mut reports_rx) = mpsc::unbounded_channel();
    let config = Arc::new(config);
    let mut driver = Driver {
        core: CallCore::new(),
        config: config.clone(),
        media,
        dialogs: Arc::new(DialogLayer::new(endpoint.inner.clone())),
        legs: HashMap::new(),
        registrar: Registrar::new(config.max_expires),
        digest: DigestServer::new(config.realm.clone(), &config.digest_algorithms),
        events: events.clone(),
        reports,
        bound: bound.clone(),
    };
    for trunk in &config.trunks {
        if let Some(every) = trunk.keepalive() {
            let local = driver.local_for(trunk.address, trunk.transport);
            let task = keepalive::run(
                endpoint.inner.clone(),
                trunk.clone(),
                local,
                every,
                events.clone(),
                stop.child_token(),
            );
            tokio::spawn(task);
        }
    }
    let (mut registering, mut replies) = Registering::new(
        &config,
        &bound,
        endpoint.inner.clone(),
        events.clone(),
        std::time::Instant::now(),
    );
    let _ = ready.send(Ok(bound));

    let mut purge = tokio::time::interval(Duration::from_secs(15));
    let done = loop {
        let deadline = [driver.core.next_deadline(), registering.next_deadline()]
            .into_iter()
            .flatten()
            .min();
        let timer = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            request = requests.recv() => match request {
                Some(Request::Originate(originate, reply)) => { let _ = reply.send(driver.originate(originate)); }
                Some(Request::Command(command, reply)) => {
                    let result = driver.core.command(command, std::time::Instant::now()).map(|actions| driver.run(actions));
                    let _ = reply.send(result);
                }
                Some(Request::Contact(user, reply)) => {
                    let contact = driver.registrar.lookup(&user, std::time::Instant::now()).map(|b| b.contact.clone());
                    let _ = reply.send(contact);
                }
                Some(Request::Legs(reply)) => { let _ = reply.send(driver.core.len()); }
                Some(Request::Shutdown(reply)) => break Some(reply),
                None => break None,
            },
            Some((leg, report)) = reports_rx.recv() => driver.on_report(leg, report),
            Some(tx) = transactions.recv() => incoming::handle(&mut driver, tx).await,
            Some((id, reply)) = replies.recv() => registering.on_reply(id, reply, std::time::Instant::now()),
            _ = timer => {
                let now = std::time::Instant::now();
                let actions = driver.core.expire(now);
                driver.run(actions);
                registering.expire(now);
            }
            _ = purge.tick() => incoming::purge_registrations(&mut driver),
        }
    };
    // Hang up what is still up and remove our registrations, then let the legs' tasks finish
    // their BYE/CANCEL transactions and the registrars answer.
    registering.stop(std::time::Instant::now());
    for leg in driver.core.leg_ids() {
        if let Ok(actions) = driver.core.command(
            Command::Hangup {
                leg,
                cause: HangupCause::Normal,
            },
            std::time::Instant::now(),
        ) {
            driver.run(actions);
        }
    }
    let grace = tokio::time::sleep(SHUTDOWN_GRACE);
    tokio::pin!(grace);
    while !(driver.core.is_empty() && registering.is_done()) {
        tokio::select! {
            _ = &mut grace => break,
            Some((leg, report)) = reports_rx.recv() => driver.on_report(leg, report),
            Some((id, reply)) = replies.recv() => registering.on_reply(id, reply, std::time::Instant::now()),
        }
    }
    drop(driver);
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.cancel();
    endpoint.shutdown();
    if let Some(reply) = done {
        let _ = reply.send(());
    }
}
