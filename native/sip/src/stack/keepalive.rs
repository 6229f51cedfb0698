//! OPTIONS keep-alive towards trunks: one out-of-dialog OPTIONS every interval, and a trunk
//! event each time the answer changes from answered to not (any response counts as alive).

use std::time::Duration;

use rsipstack::sip::{typed, Method, SipMessage};
use rsipstack::transaction::endpoint::EndpointInnerRef;
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transaction::make_tag;
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transport::SipAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

use super::uri;
use crate::call::types::{Event, PeerEvent};
use crate::config::Trunk;
use crate::events::EventQueue;

async fn ping(
    endpoint: &EndpointInnerRef,
    trunk: &Trunk,
    local: std::net::SocketAddr,
    seq: u32,
) -> bool {
    let target = uri::user_at("", trunk.address, trunk.transport);
    let ours = uri::user_at("ccengine", local, trunk.transport);
    let Ok(via) = endpoint.get_via(None, None) else {
        return false;
    };
    let from = typed::From {
        display_name: None,
        uri: ours,
        params: vec![],
    }
    .with_tag(make_tag());
    let to = typed::To {
        display_name: None,
        uri: target.clone(),
        params: vec![],
    };
    let request = endpoint.make_request(Method::Options, target, via, from, to, seq, None);
    let Ok(key) = TransactionKey::from_request(&request, TransactionRole::Client) else {
        return false;
    };
    let mut tx = Transaction::new_client(key, request, endpoint.clone(), None);
    tx.destination = Some(SipAddr {
        r#type: Some(uri::stack_transport(trunk.transport)),
        addr: trunk.address.into(),
    });
    if tx.send().await.is_err() {
        return false;
    }
    // The transaction itself times out (Timer F, 64·T1); bound the wait anyway.
    let answer = tokio::time::timeout(Duration::from_secs(33), async {
        while let Some(message) = tx.receive().await {
            if let SipMessage::Response(response) = message {
                if response.status_code.code() >= 200 {
                    return true;
                }
            }
        }
        false
    });
    answer.await.unwrap_or(false)
}

pub(crate) async fn run(
    endpoint: EndpointInnerRef,
    trunk: Trunk,
    local: std::net::SocketAddr,
    every: Duration,
    events: Arc<EventQueue>,
    stop: CancellationToken,
) {
    let mut up = None;
    let mut seq = 0u32;
    loop {
        seq = seq.wrapping_add(1);
        let alive = tokio::select! {
            _ = stop.cancelled() => return,
            alive = ping(&endpoint, &trunk, local, seq) => alive,
        };
        if up != Some(alive) {
            up = Some(alive);
            events.push(Event::Peer(PeerEvent::Trunk {
                trunk: trunk.name.clone(),
                up: alive,
            }));
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
