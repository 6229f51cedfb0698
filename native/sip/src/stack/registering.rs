//! Our registrations on the wire: the sans-IO `Registrations` decides, this module writes each
//! REGISTER (Request-URI `sip:registrar`, address-of-record `sip:user@registrar`, Contact
//! `sip:user@us`, one Call-ID per registration as RFC 3261 §10.2 asks), runs it as an rsipstack
//! client transaction, and reduces the final answer to what the state machine reads.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use rsipstack::sip::headers::{Authorization, CallId, ProxyAuthorization};
use rsipstack::sip::{typed, Contact, Expires, Header, Method, SipMessage, Uri};
use rsipstack::transaction::endpoint::EndpointInnerRef;
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transaction::make_tag;
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transport::SipAddr;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::driver::{local_for, BoundAddr};
use super::uri;
use crate::call::types::Registrant;
use crate::config::{EngineConfig, Transport};
use crate::digest::hex;
use crate::events::EventQueue;
use crate::registration::client::ANSWER_TIMEOUT;
use crate::registration::{AuthHeader, Binding, RegId, Registrations, Request, Response, Step};

/// Where one registration's REGISTERs go and what they say about us.
struct Target {
    registrar: SocketAddr,
    transport: Transport,
    /// Our signalling address towards the registrar (Via and Contact).
    local: SocketAddr,
    call_id: String,
}

impl Target {
    fn new(registrar: SocketAddr, transport: Transport, bound: &[BoundAddr]) -> Self {
        Self {
            registrar,
            transport,
            local: local_for(bound, registrar, transport),
            call_id: format!("{}@ccengine", hex(&rand::random::<[u8; 12]>())),
        }
    }

    /// `sip:registrar`: where REGISTERs go, and the `uri` their digest answers sign.
    fn request_uri(&self) -> Uri {
        uri::user_at("", self.registrar, self.transport)
    }
}

/// How a REGISTER transaction ended.
pub(crate) enum Reply {
    Final(Response),
    /// No final answer (timeout, transport error) to the REGISTER with this CSeq.
    Lost {
        cseq: u32,
    },
}

pub(crate) type Replies = UnboundedReceiver<(RegId, Reply)>;

pub(crate) struct Registering {
    set: Registrations,
    targets: Vec<Target>,
    endpoint: EndpointInnerRef,
    events: Arc<EventQueue>,
    replies: UnboundedSender<(RegId, Reply)>,
}

impl Registering {
    /// The configured trunks that register, then the phone accounts; first REGISTERs are spread
    /// from `now` on (`registration::START_SPACING`).
    pub(crate) fn new(
        config: &EngineConfig,
        bound: &[BoundAddr],
        endpoint: EndpointInnerRef,
        events: Arc<EventQueue>,
        now: Instant,
    ) -> (Self, Replies) {
        let (replies, replies_rx) = mpsc::unbounded_channel();
        let mut registering = Self {
            set: Registrations::new(),
            targets: Vec::new(),
            endpoint,
            events,
            replies,
        };
        for trunk in config.trunks.iter().filter(|t| t.register) {
            let target = Target::new(trunk.address, trunk.transport, bound);
            let binding = Binding {
                user: trunk.registered_user().unwrap_or_default().to_string(),
                credentials: trunk.username.clone().zip(trunk.password.clone()),
                request_uri: target.request_uri().to_string(),
                expires: trunk.register_expires,
            };
            registering.add(&trunk.name, Registrant::Trunk, binding, target, now);
        }
        for account in &config.accounts {
            let target = Target::new(account.registrar, account.transport, bound);
            let binding = Binding {
                user: account.user.clone(),
                credentials: Some((account.user.clone(), account.password.clone())),
                request_uri: target.request_uri().to_string(),
                expires: account.expires,
            };
            registering.add(&account.user, Registrant::Account, binding, target, now);
        }
        (registering, replies_rx)
    }

    fn add(
        &mut self,
        name: &str,
        kind: Registrant,
        binding: Binding,
        target: Target,
        now: Instant,
    ) {
        self.set.add(name, kind, binding, now);
        self.targets.push(target);
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.set.next_deadline()
    }

    pub(crate) fn is_done(&self) -> bool {
        self.set.all_done()
    }

    pub(crate) fn expire(&mut self, now: Instant) {
        let steps = self.set.expire(now);
        self.run(steps);
    }

    /// Remove our bindings (shutdown); `is_done` turns true once every registrar answered.
    pub(crate) fn stop(&mut self, now: Instant) {
        let steps = self.set.stop(now);
        self.run(steps);
    }

    pub(crate) fn on_reply(&mut self, id: RegId, reply: Reply, now: Instant) {
        let steps = match reply {
            Reply::Final(response) => self.set.on_response(id, &response, now),
            Reply::Lost { cseq } => self.set.no_response(id, cseq, now),
        };
        self.run(steps);
    }

    fn run(&self, steps: Vec<Step>) {
        for step in steps {
            match step {
                Step::Send(id, request) => self.send(id, request),
                Step::Emit(event) => self.events.push(event),
            }
        }
    }

    fn send(&self, id: RegId, request: Request) {
        let (Some(binding), Some(target)) = (self.set.binding(id), self.targets.get(id.0)) else {
            return;
        };
        let cseq = request.cseq;
        let replies = self.replies.clone();
        let message = build(&self.endpoint, binding, target, request);
        let endpoint = self.endpoint.clone();
        let destination = SipAddr {
            r#type: Some(uri::stack_transport(target.transport)),
            addr: target.registrar.into(),
        };
        let contact = uri::user_at(&binding.user, target.local, target.transport);
        tokio::spawn(async move {
            let reply = match message {
                Some(message) => transact(endpoint, message, destination, &contact, cseq).await,
                None => None,
            };
            let _ = replies.send((id, reply.map_or(Reply::Lost { cseq }, Reply::Final)));
        });
    }
}

fn build(
    endpoint: &EndpointInnerRef,
    binding: &Binding,
    target: &Target,
    request: Request,
) -> Option<rsipstack::sip::Request> {
    let ours = SipAddr {
        r#type: Some(uri::stack_transport(target.transport)),
        addr: target.local.into(),
    };
    let via = endpoint.get_via(Some(ours), None).ok()?;
    let aor = uri::user_at(&binding.user, target.registrar, target.transport);
    let from = typed::From {
        display_name: None,
        uri: aor.clone(),
        params: vec![],
    }
    .with_tag(make_tag());
    let to = typed::To {
        display_name: None,
        uri: aor,
        params: vec![],
    };
    let request_uri = target.request_uri();
    let call_id = CallId::from(target.call_id.as_str());
    let mut message = endpoint.make_request(
        Method::Register,
        request_uri,
        via,
        from,
        to,
        request.cseq,
        Some(call_id),
    );
    let contact = uri::user_at(&binding.user, target.local, target.transport);
    message
        .headers
        .push(Contact::new(format!("<{contact}>")).into());
    message
        .headers
        .push(Expires::new(request.expires.to_string()).into());
    match request.authorization {
        Some((AuthHeader::Authorization, value)) => message
            .headers
            .push(Header::Authorization(Authorization::new(value))),
        Some((AuthHeader::ProxyAuthorization, value)) => message
            .headers
            .push(Header::ProxyAuthorization(ProxyAuthorization::new(value))),
        None => {}
    }
    Some(message)
}

/// Send one REGISTER and wait for its final answer (None: none came).
async fn transact(
    endpoint: EndpointInnerRef,
    message: rsipstack::sip::Request,
    destination: SipAddr,
    contact: &Uri,
    cseq: u32,
) -> Option<Response> {
    let key = TransactionKey::from_request(&message, TransactionRole::Client).ok()?;
    let mut tx = Transaction::new_client(key, message, endpoint, None);
    tx.destination = Some(destination);
    tx.send().await.ok()?;
    let answer = async {
        while let Some(message) = tx.receive().await {
            if let SipMessage::Response(response) = message {
                if response.status_code.code() >= 200 {
                    return Some(response);
                }
            }
        }
        None
    };
    let response = tokio::time::timeout(ANSWER_TIMEOUT, answer).await.ok()??;
    let values = |name: &str| -> Vec<String> {
        response
            .headers
            .iter()
            .filter(|h| h.name().eq_ignore_ascii_case(name))
            .map(|h| h.value().to_string())
            .collect()
    };
    let status = response.status_code.code();
    let challenge_header = if status == 407 {
        "Proxy-Authenticate"
    } else {
        "WWW-Authenticate"
    };
    let expires_header = values("Expires");
    Some(Response {
        cseq,
        status,
        challenges: values(challenge_header),
        granted: granted(
            &values("Contact"),
            contact,
            expires_header.first().map(String::as_str),
        ),
        min_expires: values("Min-Expires")
            .first()
            .and_then(|v| v.trim().parse().ok()),
    })
}

/// The registration time a 2xx grants our Contact: the `expires` parameter of the Contact that
/// is ours (a registrar lists every binding of the address-of-record), else the Expires header.
fn granted(contacts: &[String], ours: &Uri, expires_header: Option<&str>) -> Option<u32> {
    let same = |candidate: &Uri| {
        let user = |u: &Uri| u.auth.as_ref().map(|a| a.user.clone());
        user(candidate) == user(ours) && candidate.host_with_port == ours.host_with_port
    };
    let from_contact = contacts
        .iter()
        .flat_map(|value| split_contacts(value))
        .find(|entry| uri::parse(uri::addr_spec(entry)).is_some_and(|u| same(&u)))
        .and_then(|entry| {
            let params = entry.rsplit_once('>').map_or(entry, |(_, p)| p);
            params
                .split(';')
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("expires"))
                .and_then(|(_, v)| v.trim().parse().ok())
        });
    from_contact.or_else(|| expires_header.and_then(|v| v.trim().parse().ok()))
}

/// The entries of a Contact header value (`<a>;expires=1, <b>`), commas inside `<>` kept.
fn split_contacts(value: &str) -> Vec<&str> {
    let mut entries = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in value.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth == 0 => {
                entries.push(value[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    entries.push(value[start..].trim());
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_granted_time_is_our_contacts() {
        let ours = uri::parse("sip:2001@127.0.0.1:5070").unwrap();
        let listed = vec![
            "<sip:2001@10.0.0.9:5060>;expires=30, <sip:2001@127.0.0.1:5070>;expires=120"
                .to_string(),
        ];
        assert_eq!(granted(&listed, &ours, Some("3600")), Some(120));
        let others = vec!["<sip:2001@10.0.0.9:5060>;expires=30".to_string()];
        assert_eq!(granted(&others, &ours, Some("90")), Some(90));
        assert_eq!(granted(&others, &ours, None), None);
        let bare = vec!["sip:2001@127.0.0.1:5070;expires=45".to_string()];
        assert_eq!(granted(&bare, &ours, None), Some(45));
        let junk = vec!["<<<,;expires=x".to_string(), String::new()];
        assert_eq!(granted(&junk, &ours, Some("junk")), None);
    }

    #[test]
    fn contact_lists_split_outside_brackets() {
        assert_eq!(
            split_contacts("<sip:a@h;x=1,2>;q=1, <sip:b@h>"),
            vec!["<sip:a@h;x=1,2>;q=1", "<sip:b@h>"]
        );
    }
}
