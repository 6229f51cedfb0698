//! A minimal real `MediaPlane`: each leg gets a UDP socket, and bridged legs relay each other's
//! packets unchanged (both legs must have negotiated the same codec). It stands in for the
//! media core until its adapter lands, and serves tests and `ccengine serve`. One tokio task per
//! leg on a runtime thread of its own, so relaying never waits behind SIP work.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::UdpSocket;
use tokio_util::sync::CancellationToken;

use super::plane::{LegKind, MediaPlane};
use super::sdp::{Codec, Negotiated};
use crate::call::types::LegId;
use crate::error::{Result, SipError};

struct RelayLeg {
    socket: Arc<UdpSocket>,
    remote: Option<SocketAddr>,
    partner: Option<LegId>,
    stop: CancellationToken,
    received: Arc<AtomicU64>,
}

type Legs = Arc<Mutex<HashMap<LegId, RelayLeg>>>;

pub struct UdpRelay {
    runtime: tokio::runtime::Handle,
    legs: Legs,
    shutdown: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl UdpRelay {
    pub fn start() -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .map_err(|e| SipError::Media(e.to_string()))?;
        let handle = runtime.handle().clone();
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        let thread = std::thread::Builder::new()
            .name("ccengine-rtp-relay".into())
            .spawn(move || runtime.block_on(stop.cancelled()))
            .map_err(|e| SipError::Media(e.to_string()))?;
        Ok(Self {
            runtime: handle,
            legs: Arc::default(),
            shutdown,
            thread: Some(thread),
        })
    }

    /// RTP packets received on a leg's socket so far (None for unknown legs).
    pub fn packets_received(&self, leg: LegId) -> Option<u64> {
        self.lock()
            .get(&leg)
            .map(|l| l.received.load(Ordering::Relaxed))
    }

    pub fn open_legs(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<LegId, RelayLeg>> {
        self.legs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

async fn relay(
    leg: LegId,
    socket: Arc<UdpSocket>,
    legs: Legs,
    stop: CancellationToken,
    received: Arc<AtomicU64>,
) {
    let mut buf = vec![0u8; 2048];
    loop {
        let len = tokio::select! {
            _ = stop.cancelled() => return,
            r = socket.recv_from(&mut buf) => match r {
                Ok((len, _)) => len,
                // ICMP port unreachable and the like: the peer may come back.
                Err(_) => continue,
            },
        };
        received.fetch_add(1, Ordering::Relaxed);
        let target = {
            let legs = legs.lock().unwrap_or_else(|p| p.into_inner());
            legs.get(&leg)
                .and_then(|l| l.partner)
                .and_then(|p| legs.get(&p))
                .and_then(|p| Some((p.socket.clone(), p.remote?)))
        };
        if let Some((out, remote)) = target {
            // A lost datagram is what RTP expects; nothing to report.
            let _ = out.send_to(&buf[..len], remote).await;
        }
    }
}

impl MediaPlane for UdpRelay {
    fn open(
        &self,
        leg: LegId,
        _kind: LegKind,
        ip: IpAddr,
        _codecs: &[Codec],
    ) -> Result<SocketAddr> {
        let std_socket = std::net::UdpSocket::bind(SocketAddr::new(ip, 0))
            .map_err(|e| SipError::Media(e.to_string()))?;
        std_socket
            .set_nonblocking(true)
            .map_err(|e| SipError::Media(e.to_string()))?;
        let local = std_socket
            .local_addr()
            .map_err(|e| SipError::Media(e.to_string()))?;
        let socket = {
            let _context = self.runtime.enter();
            Arc::new(UdpSocket::from_std(std_socket).map_err(|e| SipError::Media(e.to_string()))?)
        };
        let stop = self.shutdown.child_token();
        let received = Arc::new(AtomicU64::new(0));
        self.lock().insert(
            leg,
            RelayLeg {
                socket: socket.clone(),
                remote: None,
                partner: None,
                stop: stop.clone(),
                received: received.clone(),
            },
        );
        self.runtime
            .spawn(relay(leg, socket, self.legs.clone(), stop, received));
        Ok(local)
    }

    fn connect(&self, leg: LegId, negotiated: &Negotiated) -> Result<()> {
        let mut legs = self.lock();
        let l = legs.get_mut(&leg).ok_or(SipError::UnknownLeg(leg.0))?;
        l.remote = Some(negotiated.remote);
        Ok(())
    }

    fn bridge(&self, a: LegId, b: LegId) -> Result<()> {
        let mut legs = self.lock();
        for leg in [a, b] {
            if !legs.contains_key(&leg) {
                return Err(SipError::UnknownLeg(leg.0));
            }
        }
        legs.get_mut(&a).expect("checked").partner = Some(b);
        legs.get_mut(&b).expect("checked").partner = Some(a);
        Ok(())
    }

    fn unbridge(&self, a: LegId, b: LegId) -> Result<()> {
        let mut legs = self.lock();
        for (leg, other) in [(a, b), (b, a)] {
            if let Some(l) = legs.get_mut(&leg) {
                if l.partner == Some(other) {
                    l.partner = None;
                }
            }
        }
        Ok(())
    }

    fn close(&self, leg: LegId) {
        if let Some(l) = self.lock().remove(&leg) {
            l.stop.cancel();
        }
    }
}

impl Drop for UdpRelay {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::sdp::Direction;
    use std::time::Duration;

    #[test]
    fn bridged_legs_relay_packets_both_ways() {
        let relay = UdpRelay::start().unwrap();
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let (a, b) = (LegId(1), LegId(2));
        let addr_a = relay
            .open(a, LegKind::Customer, ip, &[Codec::Pcmu])
            .unwrap();
        let addr_b = relay.open(b, LegKind::Agent, ip, &[Codec::Pcmu]).unwrap();
        let peer_a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let peer_b = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        peer_b
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let negotiated = |remote| Negotiated {
            remote,
            codec: Codec::Pcmu,
            telephone_event: None,
            direction: Direction::SendRecv,
        };
        relay
            .connect(a, &negotiated(peer_a.local_addr().unwrap()))
            .unwrap();
        relay
            .connect(b, &negotiated(peer_b.local_addr().unwrap()))
            .unwrap();
        relay.bridge(a, b).unwrap();
        peer_a.send_to(b"rtp-from-a", addr_a).unwrap();
        let mut buf = [0u8; 64];
        let (len, from) = peer_b.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"rtp-from-a");
        assert_eq!(from, addr_b);
        assert_eq!(relay.packets_received(a), Some(1));
        relay.close(a);
        relay.close(b);
        assert_eq!(relay.open_legs(), 0);
        assert_eq!(relay.bridge(a, b).unwrap_err().slug(), "unknown-leg");
    }
}
