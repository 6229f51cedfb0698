//! One registration as a client (RFC 3261 §10.2): keep one binding alive at a registrar. It asks
//! for a binding, answers digest challenges, refreshes at half the granted time, retries failures
//! with a growing delay, and removes the binding (`Expires: 0`) when stopped. Sans-IO: it takes
//! the registrar's answers and `now`, and says which REGISTER to send and what to report.

use std::time::{Duration, Instant};

use crate::digest::{authorization, Challenge};

/// First retry delay after a failure; it doubles with each failure in a row, up to the cap.
pub const RETRY_FIRST: Duration = Duration::from_secs(5);
pub const RETRY_CAP: Duration = Duration::from_secs(300);
/// How long a REGISTER may wait for its final answer before we count it lost (the stack's own
/// non-INVITE timeout, Timer F, is 32 s).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(40);
/// Challenges answered in one attempt before giving up (a stale nonce may be challenged again).
const MAX_CHALLENGES: u8 = 3;

/// What a registration is and how it authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The user of the address-of-record (`sip:user@registrar`) and of our Contact.
    pub user: String,
    /// Digest username and password; `None` registers without credentials.
    pub credentials: Option<(String, String)>,
    /// The Request-URI we send REGISTERs to, as written (the digest `uri`).
    pub request_uri: String,
    /// The registration time asked for, seconds.
    pub expires: u32,
}

/// Which authorization header an answer goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthHeader {
    /// Answering a registrar's 401.
    Authorization,
    /// Answering a proxy's 407.
    ProxyAuthorization,
}

/// A REGISTER to send now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub cseq: u32,
    /// 0 removes the binding.
    pub expires: u32,
    pub authorization: Option<(AuthHeader, String)>,
}

/// The final answer to a REGISTER, reduced to what a client acts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    pub cseq: u32,
    pub status: u16,
    /// `WWW-Authenticate` (401) or `Proxy-Authenticate` (407) values, in order.
    pub challenges: Vec<String>,
    /// The time granted to our Contact (its `expires` parameter, else the Expires header).
    pub granted: Option<u32>,
    /// `Min-Expires` of a 423.
    pub min_expires: Option<u32>,
}

/// Why a registration is not (or no longer) in place; stable names, part of the public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The registrar refused our credentials (a second challenge, or 403, after our answer).
    WrongCredentials,
    /// The registrar asked for credentials we were not given.
    NoCredentials,
    /// A challenge we cannot answer (algorithm, qop) or cannot read.
    UnsupportedChallenge,
    /// Any other final status (404, 423 we cannot meet, 5xx …).
    Rejected,
    /// No final answer at all (timeout, transport error).
    NoResponse,
}

impl Failure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WrongCredentials => "wrong-credentials",
            Self::NoCredentials => "no-credentials",
            Self::UnsupportedChallenge => "unsupported-challenge",
            Self::Rejected => "rejected",
            Self::NoResponse => "no-response",
        }
    }
}

/// What happened, to report to the engine's user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Bound for `expires` seconds (first time or refreshed).
    Registered { expires: u32 },
    /// The binding was removed on our request.
    Unregistered,
    /// `status` is the SIP final status (0 when none came).
    Failed { failure: Failure, status: u16 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Send(Request),
    Report(Outcome),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing in flight: send a fresh REGISTER at `at` (first time, refresh or retry).
    Waiting { at: Instant },
    /// A REGISTER `cseq` is in flight; `answered` challenges were answered in this attempt.
    Sent {
        cseq: u32,
        answered: u8,
        deadline: Instant,
    },
    /// Stopped: nothing more to send.
    Done,
}

#[derive(Debug)]
pub struct Registration {
    binding: Binding,
    state: State,
    cseq: u32,
    /// The expiry the attempt in flight asks for: the configured one, raised by a 423, or 0.
    asking: u32,
    /// Failures in a row, for the retry delay.
    failures: u32,
    /// Until when the registrar may hold a binding of ours (to decide whether to remove it).
    bound_until: Option<Instant>,
    stopping: bool,
}

impl Registration {
    /// A registration whose first REGISTER goes out at `start`.
    pub fn new(binding: Binding, start: Instant) -> Self {
        let asking = binding.expires;
        Self {
            binding,
            state: State::Waiting { at: start },
            cseq: 0,
            asking,
            failures: 0,
            bound_until: None,
            stopping: false,
        }
    }

    pub fn binding(&self) -> &Binding {
        &self.binding
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        match self.state {
            State::Waiting { at } => Some(at),
            State::Sent { deadline, .. } => Some(deadline),
            State::Done => None,
        }
    }

    fn send(
        &mut self,
        answered: u8,
        authorization: Option<(AuthHeader, String)>,
        now: Instant,
    ) -> Action {
        self.cseq = self.cseq.wrapping_add(1);
        self.state = State::Sent {
            cseq: self.cseq,
            answered,
            deadline: now + ANSWER_TIMEOUT,
        };
        Action::Send(Request {
            cseq: self.cseq,
            expires: self.asking,
            authorization,
        })
    }

    /// Send what is due: the first REGISTER, a refresh, a retry; or count a lost answer.
    pub fn expire(&mut self, now: Instant) -> Vec<Action> {
        match self.state {
            State::Waiting { at } if at <= now => vec![self.send(0, None, now)],
            State::Sent { cseq, deadline, .. } if deadline <= now => self.no_response(cseq, now),
            _ => Vec::new(),
        }
    }

    /// The REGISTER `cseq` got no final answer (timeout or transport error).
    pub fn no_response(&mut self, cseq: u32, now: Instant) -> Vec<Action> {
        match self.state {
            State::Sent { cseq: sent, .. } if sent == cseq => {
                self.fail(Failure::NoResponse, 0, now)
            }
            _ => Vec::new(),
        }
    }

    pub fn on_response(&mut self, response: &Response, now: Instant) -> Vec<Action> {
        let State::Sent { cseq, answered, .. } = self.state else {
            return Vec::new();
        };
        if response.cseq != cseq || response.status < 200 {
            return Vec::new();
        }
        match response.status {
            200..=299 => self.succeeded(response.granted, response.status, now),
            401 | 407 => self.challenged(response, answered, now),
            423 => match response.min_expires {
                Some(min) if self.asking != 0 && min > self.asking => {
                    self.asking = min;
                    vec![self.send(0, None, now)]
                }
                _ => self.fail(Failure::Rejected, 423, now),
            },
            403 if answered > 0 => self.fail(Failure::WrongCredentials, 403, now),
            status => self.fail(Failure::Rejected, status, now),
        }
    }

    fn succeeded(&mut self, granted: Option<u32>, status: u16, now: Instant) -> Vec<Action> {
        if self.asking == 0 {
            self.bound_until = None;
            self.state = State::Done;
            return vec![Action::Report(Outcome::Unregistered)];
        }
        let granted = granted.unwrap_or(self.asking);
        if granted == 0 {
            return self.fail(Failure::Rejected, status, now);
        }
        self.failures = 0;
        let lifetime = Duration::from_secs(granted.into());
        self.bound_until = Some(now + lifetime);
        // Refresh at half the granted time: a lost refresh still leaves room for retries.
        self.state = State::Waiting {
            at: now + (lifetime / 2).max(Duration::from_secs(1)),
        };
        vec![Action::Report(Outcome::Registered { expires: granted })]
    }

    fn challenged(&mut self, response: &Response, answered: u8, now: Instant) -> Vec<Action> {
        let status = response.status;
        let Some((user, password)) = self.binding.credentials.clone() else {
            return self.fail(Failure::NoCredentials, status, now);
        };
        let challenge = match Challenge::pick(response.challenges.iter().map(String::as_str)) {
            Ok(challenge) => challenge,
            Err(_) => return self.fail(Failure::UnsupportedChallenge, status, now),
        };
        // Challenged again after our answer: the password is wrong, unless the nonce only aged.
        if answered >= MAX_CHALLENGES || (answered > 0 && !challenge.stale) {
            return self.fail(Failure::WrongCredentials, status, now);
        }
        let header = if status == 407 {
            AuthHeader::ProxyAuthorization
        } else {
            AuthHeader::Authorization
        };
        let cnonce = crate::digest::hex(&rand::random::<[u8; 8]>());
        let value = authorization(
            &challenge,
            &user,
            &password,
            "REGISTER",
            &self.binding.request_uri,
            &cnonce,
        );
        vec![self.send(answered + 1, Some((header, value)), now)]
    }

    fn fail(&mut self, failure: Failure, status: u16, now: Instant) -> Vec<Action> {
        let report = Action::Report(Outcome::Failed { failure, status });
        if self.stopping {
            self.state = State::Done;
            return vec![report];
        }
        self.failures += 1;
        let doublings = self.failures.saturating_sub(1).min(16);
        let delay = RETRY_FIRST.saturating_mul(1 << doublings).min(RETRY_CAP);
        self.asking = self.binding.expires;
        self.state = State::Waiting { at: now + delay };
        vec![report]
    }

    /// Stop: remove the binding if the registrar may hold one (or a REGISTER is in flight),
    /// else end at once.
    pub fn stop(&mut self, now: Instant) -> Vec<Action> {
        if self.stopping || self.state == State::Done {
            return Vec::new();
        }
        self.stopping = true;
        let bound = self.bound_until.is_some_and(|until| until > now);
        if bound || matches!(self.state, State::Sent { .. }) {
            self.asking = 0;
            vec![self.send(0, None, now)]
        } else {
            self.state = State::Done;
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests;
