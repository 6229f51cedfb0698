//! Requests outside any dialog: INVITE (a new inbound leg), REGISTER (the registrar, behind
//! digest auth), OPTIONS (answered: trunks and phones use it as a keep-alive), the rest refused.
//! In-dialog requests go to their dialog.

use std::net::SocketAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::{Allow, Contact, Expires, Header, Method, StatusCode, WwwAuthenticate};
use rsipstack::transaction::transaction::Transaction;

use super::driver::Driver;
use super::leg_task;
use super::uri;
use crate::config::Transport;
use crate::digest::DigestFailure;
use crate::media::plane::LegKind;
use crate::media::sdp;
use crate::registrar::Binding;

const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER";

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn source_of(tx: &Transaction) -> Option<(SocketAddr, Transport)> {
    let connection = tx.connection.as_ref()?;
    let transport = match connection.transport() {
        rsipstack::sip::Transport::Udp => Transport::Udp,
        rsipstack::sip::Transport::Tcp => Transport::Tcp,
        _ => return None,
    };
    let addr = connection.get_remote_addr()?.get_socketaddr().ok()?;
    Some((addr, transport))
}

pub(crate) async fn handle(driver: &mut Driver, mut tx: Transaction) {
    let in_dialog = tx
        .original
        .to_header()
        .ok()
        .and_then(|to| to.tag().ok().flatten())
        .is_some();
    if in_dialog {
        match driver.dialogs.match_dialog(&tx) {
            Some(mut dialog) => {
                tokio::spawn(async move {
                    let _ = dialog.handle(&mut tx).await;
                });
            }
            None if tx.original.method == Method::Ack => {}
            None => {
                let _ = tx.reply(StatusCode::CallTransactionDoesNotExist).await;
            }
        }
        return;
    }
    match tx.original.method {
        Method::Invite => invite(driver, tx).await,
        Method::Register => register(driver, tx).await,
        Method::Options => {
            let _ = tx
                .reply_with(StatusCode::OK, vec![Allow::new(ALLOW).into()], None)
                .await;
        }
        // A stray ACK (to a non-2xx we sent) is absorbed by its transaction; nothing to answer.
        Method::Ack => {}
        _ => {
            let _ = tx
                .reply_with(
                    StatusCode::MethodNotAllowed,
                    vec![Allow::new(ALLOW).into()],
                    None,
                )
                .await;
        }
    }
}

async fn invite(driver: &mut Driver, mut tx: Transaction) {
    let Some((source, _)) = source_of(&tx) else {
        let _ = tx.reply(StatusCode::ServerInternalError).await;
        return;
    };
    // We need the caller's offer (no late-offer INVITEs) with a codec we speak.
    let negotiated = sdp::parse(&tx.original.body)
        .and_then(|offer| sdp::negotiate(&offer, driver.config.codecs()));
    let negotiated = match negotiated {
        Ok(n) => n,
        Err(_) => {
            let _ = tx.reply(StatusCode::NotAcceptableHere).await;
            return;
        }
    };
    let from = tx.original.header_value("From").unwrap_or_default();
    let to = tx.original.header_value("To").unwrap_or_default();
    let agent = uri::user_of(&from).filter(|user| driver.config.agent_password(user).is_some());
    // A call for one of our phone accounts names it in the Request-URI (the Contact it registered).
    let account = tx
        .original
        .uri
        .auth
        .as_ref()
        .map(|auth| uri::percent_decode(&auth.user))
        .filter(|user| driver.config.account(user).is_some());
    let local = driver.local_for(source, Transport::Udp);
    let contact = uri::user_at(
        "ccengine",
        local,
        source_of(&tx).map_or(Transport::Udp, |s| s.1),
    );
    let (state_tx, states) = driver.dialogs.new_dialog_state_channel();
    let dialog =
        match driver
            .dialogs
            .get_or_create_server_invite(&tx, state_tx, None, Some(contact))
        {
            Ok(dialog) => dialog,
            Err(_) => {
                let _ = tx.reply(StatusCode::CallTransactionDoesNotExist).await;
                return;
            }
        };
    let kind = if agent.is_some() {
        LegKind::Agent
    } else {
        LegKind::Customer
    };
    let (leg, actions) = driver.core.incoming(
        uri::addr_spec(&from).to_string(),
        uri::addr_spec(&to).to_string(),
        agent,
        account,
    );
    let local_media = match driver.media.open(
        leg,
        kind,
        driver.media_ip_for(source),
        driver.config.codecs(),
    ) {
        Ok(addr) => addr,
        Err(_) => {
            let _ = dialog.reject(Some(StatusCode::ServiceUnavailable), None);
            let actions = driver
                .core
                .report(leg, crate::call::core::StackReport::RemoteHangup);
            driver.run(actions);
            return;
        }
    };
    let ops = driver.adopt_inbound(leg, local_media, negotiated);
    let mut server_dialog = dialog.clone();
    tokio::spawn(async move {
        let _ = server_dialog.handle(&mut tx).await;
    });
    tokio::spawn(leg_task::inbound(
        driver.dialogs.clone(),
        dialog,
        states,
        leg,
        driver.reports.clone(),
        ops,
    ));
    driver.run(actions);
}

/// Expiry a REGISTER asks for: the Contact's `expires` parameter, else the Expires header.
fn requested_expires(contact: &str, expires_header: Option<&str>) -> u32 {
    let from_param = contact
        .split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("expires"))
        .and_then(|(_, v)| v.trim().parse().ok());
    from_param
        .or_else(|| expires_header.and_then(|v| v.trim().parse().ok()))
        .unwrap_or(3600)
}

async fn register(driver: &mut Driver, mut tx: Transaction) {
    let now = unix_now();
    let challenge = |driver: &Driver, stale: bool| -> Vec<Header> {
        driver
            .digest
            .challenges(now, stale)
            .into_iter()
            .map(|c| WwwAuthenticate::new(c).into())
            .collect()
    };
    let Some(authorization) = tx.original.header_value("Authorization") else {
        let headers = challenge(driver, false);
        let _ = tx.reply_with(StatusCode::Unauthorized, headers, None).await;
        return;
    };
    let config = driver.config.clone();
    let user = match driver.digest.verify(&authorization, "REGISTER", now, |u| {
        config.agent_password(u)
    }) {
        Ok(user) => user,
        Err(
            failure @ (DigestFailure::Stale | DigestFailure::BadNonce | DigestFailure::Unsupported),
        ) => {
            let headers = challenge(driver, failure == DigestFailure::Stale);
            let _ = tx.reply_with(StatusCode::Unauthorized, headers, None).await;
            return;
        }
        Err(DigestFailure::Malformed) => {
            let _ = tx.reply(StatusCode::BadRequest).await;
            return;
        }
        Err(DigestFailure::UnknownUser | DigestFailure::WrongPassword) => {
            let _ = tx.reply(StatusCode::Forbidden).await;
            return;
        }
    };
    // The credentials must be the address-of-record's own (RFC 3261 §10.3 step 6).
    let to_user = tx
        .original
        .header_value("To")
        .as_deref()
        .and_then(uri::user_of);
    if to_user.as_deref() != Some(user.as_str()) {
        let _ = tx.reply(StatusCode::Forbidden).await;
        return;
    }
    let expires_header = tx.original.header_value("Expires");
    let Some(contact) = tx.original.header_value("Contact") else {
        // A query: answer with the current binding, if any.
        let headers = driver
            .registrar
            .lookup(&user, Instant::now())
            .map(|b| vec![Contact::new(format!("<{}>", b.contact)).into()])
            .unwrap_or_default();
        let _ = tx.reply_with(StatusCode::OK, headers, None).await;
        return;
    };
    let Some((source, transport)) = source_of(&tx) else {
        let _ = tx.reply(StatusCode::ServerInternalError).await;
        return;
    };
    let expires = if contact.trim() == "*" {
        0
    } else {
        requested_expires(&contact, expires_header.as_deref())
    };
    let contact_uri = uri::addr_spec(&contact).to_string();
    if expires > 0 && uri::parse(&contact_uri).is_none() {
        let _ = tx.reply(StatusCode::BadRequest).await;
        return;
    }
    let binding = Binding {
        contact: contact_uri.clone(),
        source,
        transport,
        expires_at: Instant::now(),
    };
    let granted = driver
        .registrar
        .register(&user, binding, expires, Instant::now());
    let mut headers: Vec<Header> = vec![Expires::new(granted.to_string()).into()];
    if granted > 0 {
        headers.push(Contact::new(format!("<{contact_uri}>;expires={granted}")).into());
    }
    let _ = tx.reply_with(StatusCode::OK, headers, None).await;
    driver.on_registration(&user, &contact_uri, granted);
}

/// Drop registrations that ran out, reporting each.
pub(crate) fn purge_registrations(driver: &mut Driver) {
    for user in driver.registrar.purge(Instant::now()) {
        driver.on_registration(&user, "", 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_comes_from_the_contact_then_the_header() {
        assert_eq!(requested_expires("<sip:a@h>;expires=120", Some("60")), 120);
        assert_eq!(requested_expires("<sip:a@h>", Some("60")), 60);
        assert_eq!(requested_expires("<sip:a@h>", None), 3600);
        assert_eq!(
            requested_expires("<sip:a@h>;expires=junk", Some("junk")),
            3600
        );
    }
}
