//! Our own registrations with registrars: trunks that must REGISTER with their carrier, and phone
//! accounts (a bank of simulated agents' phones registering with an engine under test). Sans-IO:
//! `client` is one registration's state machine, `Registrations` runs many of them and turns
//! their outcomes into engine events; the stack (`stack/registering.rs`) sends the REGISTERs.

pub mod client;

use std::time::{Duration, Instant};

pub use client::{AuthHeader, Binding, Failure, Outcome, Request, Response};

use crate::call::types::{Event, PeerEvent, Registrant};
use client::{Action, Registration};

/// Spacing between the first REGISTERs of many registrations, so hundreds of phones do not hit
/// their registrar (and its socket buffer) in the same instant; their refreshes stay spread.
pub const START_SPACING: Duration = Duration::from_millis(4);

/// One registration among the engine's, by its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RegId(pub usize);

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Send(RegId, Request),
    Emit(Event),
}

#[derive(Debug)]
struct Entry {
    name: String,
    kind: Registrant,
    registration: Registration,
}

#[derive(Debug, Default)]
pub struct Registrations {
    entries: Vec<Entry>,
}

impl Registrations {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a registration; its first REGISTER is due after those added before it.
    pub fn add(&mut self, name: &str, kind: Registrant, binding: Binding, now: Instant) -> RegId {
        let id = RegId(self.entries.len());
        let start = now + START_SPACING.saturating_mul(id.0.try_into().unwrap_or(u32::MAX));
        self.entries.push(Entry {
            name: name.to_string(),
            kind,
            registration: Registration::new(binding, start),
        });
        id
    }

    pub fn binding(&self, id: RegId) -> Option<&Binding> {
        self.entries.get(id.0).map(|e| e.registration.binding())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn all_done(&self) -> bool {
        self.entries.iter().all(|e| e.registration.is_done())
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.entries
            .iter()
            .filter_map(|e| e.registration.next_deadline())
            .min()
    }

    fn steps(&self, id: RegId, actions: Vec<Action>) -> Vec<Step> {
        let entry = &self.entries[id.0];
        actions
            .into_iter()
            .map(|action| match action {
                Action::Send(request) => Step::Send(id, request),
                Action::Report(outcome) => Step::Emit(Event::Peer(status(entry, outcome))),
            })
            .collect()
    }

    fn each(&mut self, mut act: impl FnMut(&mut Registration) -> Vec<Action>) -> Vec<Step> {
        let mut steps = Vec::new();
        for index in 0..self.entries.len() {
            let actions = act(&mut self.entries[index].registration);
            steps.extend(self.steps(RegId(index), actions));
        }
        steps
    }

    /// REGISTERs due now (first ones, refreshes, retries) and answers given up on.
    pub fn expire(&mut self, now: Instant) -> Vec<Step> {
        self.each(|r| r.expire(now))
    }

    /// Remove every binding we may hold; `all_done` tells when that is over.
    pub fn stop(&mut self, now: Instant) -> Vec<Step> {
        self.each(|r| r.stop(now))
    }

    pub fn on_response(&mut self, id: RegId, response: &Response, now: Instant) -> Vec<Step> {
        let Some(entry) = self.entries.get_mut(id.0) else {
            return Vec::new();
        };
        let actions = entry.registration.on_response(response, now);
        self.steps(id, actions)
    }

    pub fn no_response(&mut self, id: RegId, cseq: u32, now: Instant) -> Vec<Step> {
        let Some(entry) = self.entries.get_mut(id.0) else {
            return Vec::new();
        };
        let actions = entry.registration.no_response(cseq, now);
        self.steps(id, actions)
    }
}

fn status(entry: &Entry, outcome: Outcome) -> PeerEvent {
    let (ok, expires, reason, status) = match outcome {
        Outcome::Registered { expires } => (true, expires, "registered", 200),
        Outcome::Unregistered => (true, 0, "unregistered", 200),
        Outcome::Failed { failure, status } => (false, 0, failure.as_str(), status),
    };
    PeerEvent::RegisterStatus {
        name: entry.name.clone(),
        kind: entry.kind,
        ok,
        expires,
        reason,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(user: &str) -> Binding {
        Binding {
            user: user.into(),
            credentials: None,
            request_uri: "sip:127.0.0.1".into(),
            expires: 60,
        }
    }

    #[test]
    fn starts_are_spread_and_outcomes_become_named_events() {
        let t0 = Instant::now();
        let mut set = Registrations::new();
        let trunk = set.add("carrier", Registrant::Trunk, binding("acct"), t0);
        let phone = set.add("1001", Registrant::Account, binding("1001"), t0);
        assert_eq!(set.len(), 2);
        assert_eq!(set.binding(phone).unwrap().user, "1001");
        assert_eq!(set.next_deadline(), Some(t0));
        let first = set.expire(t0);
        assert!(matches!(first.as_slice(), [Step::Send(id, _)] if *id == trunk));
        let second = set.expire(t0 + START_SPACING);
        let [Step::Send(id, request)] = second.as_slice() else {
            panic!("{second:?}")
        };
        assert_eq!(*id, phone);
        let answer = Response {
            cseq: request.cseq,
            status: 200,
            granted: Some(60),
            ..Response::default()
        };
        assert_eq!(
            set.on_response(phone, &answer, t0),
            vec![Step::Emit(Event::Peer(PeerEvent::RegisterStatus {
                name: "1001".into(),
                kind: Registrant::Account,
                ok: true,
                expires: 60,
                reason: "registered",
                status: 200,
            }))]
        );
        assert!(set.on_response(RegId(9), &answer, t0).is_empty());
        assert!(set.no_response(RegId(9), 1, t0).is_empty());

        let stopping = set.stop(t0);
        assert_eq!(stopping.len(), 2, "both may hold a binding: {stopping:?}");
        assert!(!set.all_done());
        let lost = set.no_response(trunk, 2, t0);
        let [Step::Emit(Event::Peer(PeerEvent::RegisterStatus { ok, reason, .. }))] =
            lost.as_slice()
        else {
            panic!("{lost:?}")
        };
        assert_eq!((*ok, *reason), (false, "no-response"));
        let removed = Response {
            cseq: 2,
            status: 200,
            ..Response::default()
        };
        let gone = set.on_response(phone, &removed, t0);
        assert!(matches!(
            gone.as_slice(),
            [Step::Emit(Event::Peer(PeerEvent::RegisterStatus {
                reason: "unregistered",
                expires: 0,
                ..
            }))]
        ));
        assert!(set.all_done());
        assert_eq!(set.next_deadline(), None);
    }
}
