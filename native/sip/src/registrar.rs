//! Sans-IO registrar (RFC 3261 §10): where each agent's phone can be reached, until when.
//! One binding per agent: a phone that registers again replaces its previous contact.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::config::Transport;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The Contact URI the phone registered.
    pub contact: String,
    /// Where its REGISTER came from: where we send its calls (it may sit behind NAT).
    pub source: SocketAddr,
    pub transport: Transport,
    pub expires_at: Instant,
}

#[derive(Debug)]
pub struct Registrar {
    bindings: HashMap<String, Binding>,
    max_expires: u32,
}

/// Shortest registration we grant, so phones do not hammer us (RFC 3261 §10.3 step 7 allows 423).
pub const MIN_EXPIRES: u32 = 60;

impl Registrar {
    pub fn new(max_expires: u32) -> Self {
        Self {
            bindings: HashMap::new(),
            max_expires: max_expires.max(MIN_EXPIRES),
        }
    }

    /// Store or refresh a binding; returns the expiry granted. `expires == 0` removes it.
    pub fn register(&mut self, user: &str, binding: Binding, expires: u32, now: Instant) -> u32 {
        if expires == 0 {
            self.bindings.remove(user);
            return 0;
        }
        let granted = expires.clamp(MIN_EXPIRES, self.max_expires);
        self.bindings.insert(
            user.to_string(),
            Binding {
                expires_at: now + Duration::from_secs(granted.into()),
                ..binding
            },
        );
        granted
    }

    pub fn lookup(&self, user: &str, now: Instant) -> Option<&Binding> {
        self.bindings.get(user).filter(|b| b.expires_at > now)
    }

    /// Drop bindings that ran out; returns their users.
    pub fn purge(&mut self, now: Instant) -> Vec<String> {
        let expired: Vec<String> = self
            .bindings
            .iter()
            .filter(|(_, b)| b.expires_at <= now)
            .map(|(u, _)| u.clone())
            .collect();
        for user in &expired {
            self.bindings.remove(user);
        }
        expired
    }

    pub fn len(&self) -> usize {
        self.bindings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(port: u16) -> Binding {
        Binding {
            contact: format!("sip:1001@127.0.0.1:{port}"),
            source: SocketAddr::from(([127, 0, 0, 1], port)),
            transport: Transport::Udp,
            expires_at: Instant::now(),
        }
    }

    #[test]
    fn bindings_expire_and_are_replaced() {
        let now = Instant::now();
        let mut r = Registrar::new(3600);
        assert_eq!(r.register("1001", binding(5000), 7200, now), 3600);
        assert_eq!(r.register("1001", binding(5001), 10, now), MIN_EXPIRES);
        assert_eq!(r.lookup("1001", now).unwrap().source.port(), 5001);
        assert!(r.lookup("1001", now + Duration::from_secs(61)).is_none());
        assert!(r.purge(now + Duration::from_secs(30)).is_empty());
        assert_eq!(
            r.purge(now + Duration::from_secs(61)),
            vec!["1001".to_string()]
        );
        assert!(r.is_empty());
    }

    #[test]
    fn expires_zero_unregisters() {
        let now = Instant::now();
        let mut r = Registrar::new(3600);
        r.register("1001", binding(5000), 600, now);
        assert_eq!(r.register("1001", binding(5000), 0, now), 0);
        assert!(r.lookup("1001", now).is_none());
    }
}
