//! The driver: the one task that owns the call core, the registrar and the legs' handles. It
//! feeds the core commands, stack reports and the time, and carries out what the core decides.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::dialog::invitation::InviteOption;
use rsipstack::sip::{ContentType, Header, StatusCode};
use rsipstack::transport::SipAddr;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::leg_task::{self, LegOp, LegReport, Reports};
use super::uri;
use crate::call::core::{Action, CallCore, StackReport};
use crate::call::types::{Event, LegId, Originate, PeerEvent, Target};
use crate::config::{EngineConfig, Transport};
use crate::digest::DigestServer;
use crate::error::{Result, SipError};
use crate::events::EventQueue;
use crate::media::plane::{LegKind, MediaPlane};
use crate::media::sdp::{self, Direction, Negotiated, TELEPHONE_EVENT_PT};
use crate::registrar::Registrar;

/// Our signalling addresses, as bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundAddr {
    pub transport: Transport,
    pub addr: SocketAddr,
}

/// Our signalling address for talking to `peer` over `transport` (same family when we can).
/// `bound` is never empty: the configuration needs a listen address.
pub(crate) fn local_for(bound: &[BoundAddr], peer: SocketAddr, transport: Transport) -> SocketAddr {
    let same = |b: &&BoundAddr| b.transport == transport && b.addr.is_ipv4() == peer.is_ipv4();
    let any = |b: &&BoundAddr| b.addr.is_ipv4() == peer.is_ipv4();
    bound
        .iter()
        .find(same)
        .or_else(|| bound.iter().find(any))
        .unwrap_or(&bound[0])
        .addr
}

pub(crate) struct LegHandle {
    ops: UnboundedSender<LegOp>,
    local_media: SocketAddr,
    negotiated: Option<Negotiated>,
    sdp_version: u64,
}

pub(crate) struct Driver {
    pub(crate) core: CallCore,
    pub(crate) config: Arc<EngineConfig>,
    pub(crate) media: Arc<dyn MediaPlane>,
    pub(crate) dialogs: Arc<DialogLayer>,
    pub(crate) legs: HashMap<LegId, LegHandle>,
    pub(crate) registrar: Registrar,
    pub(crate) digest: DigestServer,
    pub(crate) events: Arc<EventQueue>,
    pub(crate) reports: Reports,
    pub(crate) bound: Vec<BoundAddr>,
}

impl Driver {
    /// Our signalling address for talking to `peer` over `transport` (same family when we can).
    pub(crate) fn local_for(&self, peer: SocketAddr, transport: Transport) -> SocketAddr {
        local_for(&self.bound, peer, transport)
    }

    pub(crate) fn emit(&self, event: Event) {
        self.events.push(event);
    }

    pub(crate) fn run(&mut self, actions: Vec<Action>) {
        for action in actions {
            self.execute(action);
        }
    }

    fn send_op(&self, leg: LegId, op: LegOp) {
        if let Some(handle) = self.legs.get(&leg) {
            let _ = handle.ops.send(op);
        }
    }

    fn execute(&mut self, action: Action) {
        match action {
            Action::Invite { leg, originate } => {
                // `originate` checked the target; what can still fail here is the media plane.
                if self.start_invite(leg, &originate).is_err() {
                    let actions = self.core.report(leg, StackReport::Unreachable);
                    self.run(actions);
                }
            }
            Action::Cancel(leg) => self.send_op(leg, LegOp::Cancel),
            Action::Bye { leg, cause } => self.send_op(leg, LegOp::Bye(cause)),
            Action::Reject { leg, status } => self.send_op(leg, LegOp::Reject(status)),
            Action::Ring(leg) => self.send_op(leg, LegOp::Ring),
            Action::Accept(leg) => {
                let answer = self.legs.get_mut(&leg).and_then(|h| {
                    let negotiated = h.negotiated.clone()?;
                    h.sdp_version += 1;
                    Some(sdp::write(
                        h.local_media,
                        &[negotiated.codec],
                        negotiated.telephone_event,
                        negotiated.direction,
                        h.sdp_version,
                    ))
                });
                if let Some(answer) = answer {
                    self.send_op(leg, LegOp::Accept(answer.into_bytes()));
                }
            }
            Action::Reinvite { leg, hold } => {
                let offer = self.legs.get_mut(&leg).and_then(|h| {
                    let negotiated = h.negotiated.as_ref()?;
                    h.sdp_version += 1;
                    let direction = if hold {
                        Direction::SendOnly
                    } else {
                        Direction::SendRecv
                    };
                    Some(sdp::write(
                        h.local_media,
                        &[negotiated.codec],
                        negotiated.telephone_event,
                        direction,
                        h.sdp_version,
                    ))
                });
                if let Some(offer) = offer {
                    self.send_op(leg, LegOp::Reinvite(offer.into_bytes()));
                    let actions = self.core.report(leg, StackReport::Hold { on: hold });
                    self.run(actions);
                }
            }
            Action::Bridge(a, b) => {
                let _ = self.media.bridge(a, b);
            }
            Action::Unbridge(a, b) => {
                let _ = self.media.unbridge(a, b);
            }
            Action::Detach { leaving, staying } => {
                let _ = self.media.detach(leaving, staying);
            }
            Action::Release(leg) => {
                // Dropping the handle closes the ops channel once queued ops ran.
                self.legs.remove(&leg);
                self.media.close(leg);
            }
            Action::Emit(event) => self.emit(event),
        }
    }

    /// Where a target is reached: Request-URI, destination, transport and trunk credentials.
    fn resolve(
        &self,
        target: &Target,
    ) -> Result<(
        rsipstack::sip::Uri,
        SocketAddr,
        Transport,
        Option<Credential>,
    )> {
        match target {
            Target::Trunk { trunk, number } => {
                let trunk = self.config.trunk(trunk)?;
                let number = uri::percent_decode(number);
                if number.is_empty() || number.contains(['@', '<', '>', ' ', ';', ':', '\0']) {
                    return Err(SipError::BadTarget(number));
                }
                let credential = trunk.username.clone().zip(trunk.password.clone()).map(
                    |(username, password)| Credential {
                        username,
                        password,
                        realm: None,
                        auth_username: None,
                    },
                );
                Ok((
                    uri::user_at(&number, trunk.address, trunk.transport),
                    trunk.address,
                    trunk.transport,
                    credential,
                ))
            }
            Target::Agent { user } => {
                let binding = self.registrar.lookup(user, Instant::now()).ok_or_else(|| {
                    SipError::BadTarget(format!("agent {user} is not registered"))
                })?;
                let contact = uri::parse(&binding.contact)
                    .ok_or_else(|| SipError::BadTarget(binding.contact.clone()))?;
                // Calls go to the registered Contact (RFC 3261 §16.5); a Contact naming a host we
                // would have to resolve falls back to where the REGISTER came from.
                let destination = SipAddr {
                    r#type: None,
                    addr: contact.host_with_port.clone(),
                }
                .get_socketaddr()
                .unwrap_or(binding.source);
                Ok((contact, destination, binding.transport, None))
            }
        }
    }

    fn start_invite(&mut self, leg: LegId, originate: &Originate) -> Result<()> {
        let (request_uri, destination, transport, credential) = self.resolve(&originate.target)?;
        let local = self.local_for(destination, transport);
        let kind = match originate.target {
            Target::Trunk { .. } => LegKind::Customer,
            Target::Agent { .. } => LegKind::Agent,
        };
        let local_media = self
            .media
            .open(leg, kind, local.ip(), self.config.codecs())?;
        let offer = sdp::write(
            local_media,
            self.config.codecs(),
            Some(TELEPHONE_EVENT_PT),
            Direction::SendRecv,
            1,
        );
        let option = InviteOption {
            caller: uri::user_at(&originate.caller_id, local, transport),
            callee: request_uri,
            destination: Some(SipAddr {
                r#type: Some(uri::stack_transport(transport)),
                addr: destination.into(),
            }),
            content_type: Some("application/sdp".into()),
            offer: Some(offer.into_bytes()),
            contact: uri::user_at("ccengine", local, transport),
            credential,
            ..Default::default()
        };
        let (ops, ops_rx) = mpsc::unbounded_channel();
        self.legs.insert(
            leg,
            LegHandle {
                ops,
                local_media,
                negotiated: None,
                sdp_version: 1,
            },
        );
        tokio::spawn(leg_task::outbound(
            self.dialogs.clone(),
            option,
            leg,
            self.reports.clone(),
            ops_rx,
        ));
        Ok(())
    }

    pub(crate) fn originate(&mut self, originate: Originate) -> Result<LegId> {
        self.resolve(&originate.target)?;
        if originate.caller_id.contains(['@', '<', '>', ' ', ';', ':']) {
            return Err(SipError::BadTarget(originate.caller_id));
        }
        let (leg, actions) = self.core.originate(originate, Instant::now());
        self.run(actions);
        Ok(leg)
    }

    /// Take an inbound leg the incoming-request handler accepted into the core; the caller spawns
    /// its task with the returned operations receiver.
    pub(crate) fn adopt_inbound(
        &mut self,
        leg: LegId,
        local_media: SocketAddr,
        negotiated: Negotiated,
    ) -> UnboundedReceiver<LegOp> {
        let (ops, ops_rx) = mpsc::unbounded_channel();
        let _ = self.media.connect(leg, &negotiated);
        self.legs.insert(
            leg,
            LegHandle {
                ops,
                local_media,
                negotiated: Some(negotiated),
                sdp_version: 1,
            },
        );
        ops_rx
    }

    pub(crate) fn on_report(&mut self, leg: LegId, report: LegReport) {
        match report {
            LegReport::Stack(report) => {
                let actions = self.core.report(leg, report);
                self.run(actions);
            }
            LegReport::Sdp(body) => {
                let Some(handle) = self.legs.get_mut(&leg) else {
                    return;
                };
                if let Ok(remote) = sdp::parse(&body) {
                    if let Ok(negotiated) = sdp::negotiate(&remote, self.config.codecs()) {
                        let _ = self.media.connect(leg, &negotiated);
                        handle.negotiated = Some(negotiated);
                    }
                }
            }
            LegReport::Reinvited { body, reply } => self.answer_reinvite(leg, body, reply),
        }
    }

    fn answer_reinvite(
        &mut self,
        leg: LegId,
        body: Vec<u8>,
        reply: rsipstack::dialog::dialog::TransactionHandle,
    ) {
        let answer = self.legs.get_mut(&leg).and_then(|handle| {
            // A re-INVITE without SDP asks for our offer (RFC 3264 §8): send our current session.
            let remote = if body.is_empty() {
                None
            } else {
                Some(sdp::parse(&body).ok()?)
            };
            let negotiated = match &remote {
                Some(remote) => sdp::negotiate(remote, self.config.codecs()).ok()?,
                None => handle.negotiated.clone()?,
            };
            let _ = self.media.connect(leg, &negotiated);
            handle.sdp_version += 1;
            let text = sdp::write(
                handle.local_media,
                &[negotiated.codec],
                negotiated.telephone_event,
                negotiated.direction,
                handle.sdp_version,
            );
            handle.negotiated = Some(negotiated);
            Some((text, remote.map(|r| r.direction.is_hold())))
        });
        match answer {
            Some((text, hold)) => {
                tokio::spawn(async move {
                    let headers = Some(vec![Header::ContentType(ContentType::new(
                        "application/sdp",
                    ))]);
                    let _ = reply
                        .respond(StatusCode::OK, headers, Some(text.into_bytes()))
                        .await;
                });
                if let Some(on) = hold {
                    let actions = self.core.report(leg, StackReport::Hold { on });
                    self.run(actions);
                }
            }
            None => {
                tokio::spawn(async move {
                    let _ = reply.reply(StatusCode::NotAcceptableHere).await;
                });
            }
        }
    }

    pub(crate) fn on_registration(&self, user: &str, contact: &str, expires: u32) {
        self.emit(Event::Peer(PeerEvent::Registration {
            user: user.into(),
            contact: contact.into(),
            expires,
        }));
    }

    pub(crate) fn media_ip_for(&self, peer: SocketAddr) -> IpAddr {
        self.local_for(peer, Transport::Udp).ip()
    }
}
