//! The SIP face's configuration: where to listen, which carrier trunks to dial through, which
//! agents may register. Read from the TOML file `ccengine serve` takes (docs/sip.md).

use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;

use crate::digest::Algorithm;
use crate::error::{Result, SipError};
use crate::media::sdp::Codec;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Udp,
    Tcp,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listen {
    pub transport: Transport,
    /// IP literal and port (`127.0.0.1:5080`, `[::1]:5080`). Port 0 picks a free one (UDP only).
    pub address: SocketAddr,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trunk {
    pub name: String,
    /// The carrier's signalling address (an IP literal: no DNS lookups on the call path).
    pub address: SocketAddr,
    #[serde(default = "udp")]
    pub transport: Transport,
    /// Credentials for the carrier's 401/407 challenges.
    pub username: Option<String>,
    pub password: Option<String>,
    /// Send OPTIONS every this many seconds and report the trunk up or down.
    pub keepalive_seconds: Option<u64>,
    /// REGISTER with the carrier (at `address`) and keep the registration alive.
    #[serde(default)]
    pub register: bool,
    /// Registration time asked for, seconds.
    #[serde(default = "default_register_expires")]
    pub register_expires: u32,
    /// User of the registered address-of-record and Contact; `username` when absent.
    pub register_user: Option<String>,
}

/// A phone account: the engine registers with `registrar` as this user, like a softphone, and
/// INVITEs to this user arrive as `Incoming` legs naming the account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub user: String,
    pub password: String,
    /// IP literal and port of the registrar.
    pub registrar: SocketAddr,
    #[serde(default = "udp")]
    pub transport: Transport,
    /// Registration time asked for, seconds.
    #[serde(default = "default_register_expires")]
    pub expires: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    pub user: String,
    pub password: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest SIP message accepted, in bytes (UDP datagrams are also capped by the stack).
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: usize,
    /// Most header fields accepted in one message.
    #[serde(default = "default_max_headers")]
    pub max_headers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_bytes: default_max_message_bytes(),
            max_headers: default_max_headers(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    pub listen: Vec<Listen>,
    #[serde(default, rename = "trunk")]
    pub trunks: Vec<Trunk>,
    #[serde(default, rename = "agent")]
    pub agents: Vec<Agent>,
    #[serde(default, rename = "account")]
    pub accounts: Vec<Account>,
    /// Digest realm of the registrar.
    #[serde(default = "default_realm")]
    pub realm: String,
    #[serde(default)]
    pub limits: Limits,
    /// Longest registration granted, seconds.
    #[serde(default = "default_max_expires")]
    pub max_expires: u32,
    /// Digest algorithms offered to phones, in order of preference.
    #[serde(default = "default_digest_algorithms")]
    pub digest_algorithms: Vec<Algorithm>,
}

fn udp() -> Transport {
    Transport::Udp
}
fn default_max_message_bytes() -> usize {
    16 * 1024
}
fn default_max_headers() -> usize {
    64
}
fn default_realm() -> String {
    "ccengine".into()
}
fn default_max_expires() -> u32 {
    3600
}
fn default_digest_algorithms() -> Vec<Algorithm> {
    vec![Algorithm::Sha256, Algorithm::Md5]
}
fn default_register_expires() -> u32 {
    3600
}

impl EngineConfig {
    /// Read the `[sip]` table of a `ccengine serve` configuration file; other tables belong to
    /// other services and are left alone.
    pub fn from_toml(text: &str) -> Result<Self> {
        let document: toml::Table =
            toml::from_str(text).map_err(|e| SipError::BadConfig(e.to_string()))?;
        let sip = document
            .get("sip")
            .cloned()
            .ok_or_else(|| SipError::BadConfig("no [sip] table".into()))?;
        let config: Self = sip
            .try_into()
            .map_err(|e: toml::de::Error| SipError::BadConfig(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// A configuration listening on one address, for tests and embedding.
    pub fn listening(transport: Transport, address: SocketAddr) -> Self {
        Self {
            listen: vec![Listen { transport, address }],
            trunks: Vec::new(),
            agents: Vec::new(),
            accounts: Vec::new(),
            realm: default_realm(),
            limits: Limits::default(),
            max_expires: default_max_expires(),
            digest_algorithms: default_digest_algorithms(),
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.listen.is_empty() {
            return Err(SipError::BadConfig(
                "at least one [[listen]] address is needed".into(),
            ));
        }
        for l in &self.listen {
            if l.transport == Transport::Tcp && l.address.port() == 0 {
                return Err(SipError::BadConfig(format!(
                    "TCP listen address {} needs a port",
                    l.address
                )));
            }
        }
        let mut names: Vec<&str> = self.trunks.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(SipError::BadConfig(format!(
                "trunk {:?} is defined twice",
                w[0]
            )));
        }
        if let Some(t) = self
            .trunks
            .iter()
            .find(|t| t.username.is_some() != t.password.is_some())
        {
            return Err(SipError::BadConfig(format!(
                "trunk {:?} needs both username and password",
                t.name
            )));
        }
        self.validate_registrations()?;
        if self.digest_algorithms.is_empty() {
            return Err(SipError::BadConfig(
                "digest_algorithms must name MD5, SHA-256 or both".into(),
            ));
        }
        if self.limits.max_headers == 0 || self.limits.max_message_bytes < 512 {
            return Err(SipError::BadConfig(
                "limits are too small to carry a SIP message".into(),
            ));
        }
        Ok(())
    }

    /// Trunks that register and accounts: each needs a user, a registration time, and a TCP
    /// listener when it registers over TCP (the Contact must be reachable); account users are
    /// unique (an INVITE finds its account by the Request-URI user).
    fn validate_registrations(&self) -> Result<()> {
        let bad = |what: String| Err(SipError::BadConfig(what));
        let listens_tcp = self.listen.iter().any(|l| l.transport == Transport::Tcp);
        for trunk in self.trunks.iter().filter(|t| t.register) {
            if trunk.registered_user().is_none() {
                return bad(format!(
                    "trunk {:?} registers but has no register_user or username",
                    trunk.name
                ));
            }
            if trunk.register_expires == 0 {
                return bad(format!(
                    "trunk {:?}: register_expires must be > 0",
                    trunk.name
                ));
            }
            if trunk.transport == Transport::Tcp && !listens_tcp {
                return bad(format!(
                    "trunk {:?} registers over TCP: add a TCP [[sip.listen]] address",
                    trunk.name
                ));
            }
        }
        let mut users: Vec<&str> = Vec::with_capacity(self.accounts.len());
        for account in &self.accounts {
            let user = account.user.as_str();
            if user.is_empty() || user.contains(['@', '<', '>', ' ', ';', ':', '"', '\0']) {
                return bad(format!("account user {user:?} is not a SIP user part"));
            }
            if account.expires == 0 {
                return bad(format!("account {user:?}: expires must be > 0"));
            }
            if account.transport == Transport::Tcp && !listens_tcp {
                return bad(format!(
                    "account {user:?} registers over TCP: add a TCP [[sip.listen]] address"
                ));
            }
            users.push(user);
        }
        users.sort_unstable();
        if let Some(w) = users.windows(2).find(|w| w[0] == w[1]) {
            return bad(format!("account {:?} is defined twice", w[0]));
        }
        Ok(())
    }

    /// The phone account an INVITE's Request-URI user names, if any.
    pub fn account(&self, user: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.user == user)
    }

    pub fn trunk(&self, name: &str) -> Result<&Trunk> {
        self.trunks
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| SipError::UnknownTrunk(name.into()))
    }

    pub fn agent_password(&self, user: &str) -> Option<&str> {
        self.agents
            .iter()
            .find(|a| a.user == user)
            .map(|a| a.password.as_str())
    }

    /// The codecs we offer and accept, in our order of preference.
    pub fn codecs(&self) -> &'static [Codec] {
        &[Codec::Pcmu, Codec::Pcma]
    }
}

impl Trunk {
    /// The user a registering trunk registers as.
    pub fn registered_user(&self) -> Option<&str> {
        self.register_user.as_deref().or(self.username.as_deref())
    }

    pub fn keepalive(&self) -> Option<Duration> {
        self.keepalive_seconds
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_full_config() {
        let config = EngineConfig::from_toml(
            r#"
            [api]
            listen = "somebody else's"
            [sip]
            realm = "cc.example"
            digest_algorithms = ["MD5"]
            [[sip.listen]]
            transport = "udp"
            address = "127.0.0.1:5080"
            [[sip.listen]]
            transport = "tcp"
            address = "[::1]:5080"
            [[sip.trunk]]
            name = "carrier"
            address = "127.0.0.1:5090"
            username = "acct"
            password = "pw"
            keepalive_seconds = 30
            register = true
            [[sip.trunk]]
            name = "backup"
            address = "127.0.0.1:5091"
            register = true
            register_user = "main-line"
            register_expires = 600
            [[sip.agent]]
            user = "1001"
            password = "s3cret"
            [[sip.account]]
            user = "2001"
            password = "pw"
            registrar = "127.0.0.1:5060"
            [[sip.account]]
            user = "2002"
            password = "pw"
            registrar = "[::1]:5060"
            transport = "tcp"
            expires = 120
            [sip.limits]
            max_headers = 40
            "#,
        )
        .unwrap();
        assert_eq!(config.listen.len(), 2);
        assert_eq!(
            config.trunk("carrier").unwrap().keepalive(),
            Some(Duration::from_secs(30))
        );
        assert_eq!(config.agent_password("1001"), Some("s3cret"));
        assert_eq!(config.limits.max_headers, 40);
        assert_eq!(config.digest_algorithms, vec![Algorithm::Md5]);
        assert_eq!(config.limits.max_message_bytes, 16 * 1024);
        assert_eq!(config.trunk("nope").unwrap_err().slug(), "unknown-trunk");
        let carrier = config.trunk("carrier").unwrap();
        assert!(carrier.register);
        assert_eq!(
            (carrier.registered_user(), carrier.register_expires),
            (Some("acct"), 3600)
        );
        let backup = config.trunk("backup").unwrap();
        assert_eq!(
            (backup.registered_user(), backup.register_expires),
            (Some("main-line"), 600)
        );
        assert_eq!(config.account("2001").unwrap().expires, 3600);
        assert_eq!(config.account("2001").unwrap().transport, Transport::Udp);
        assert_eq!(config.account("2002").unwrap().transport, Transport::Tcp);
        assert!(config.account("1001").is_none());
    }

    #[test]
    fn rejects_bad_configs_with_a_reason() {
        for text in [
            "[api]",
            "[sip]\nlisten = []",
            "[[sip.listen]]\ntransport = \"sctp\"\naddress = \"127.0.0.1:1\"",
            "[[sip.listen]]\ntransport = \"tcp\"\naddress = \"127.0.0.1:0\"",
            "[[sip.listen]]\ntransport = \"udp\"\naddress = \"127.0.0.1:0\"\n[[sip.trunk]]\nname = \"a\"\naddress = \"127.0.0.1:1\"\nusername = \"u\"",
            "[sip]\nnot_a_setting = 1\n[[sip.listen]]\ntransport = \"udp\"\naddress = \"127.0.0.1:0\"",
        ] {
            assert_eq!(EngineConfig::from_toml(text).unwrap_err().slug(), "bad-config", "{text}");
        }
    }

    #[test]
    fn rejects_registrations_it_could_not_carry_out() {
        let udp = "[[sip.listen]]\ntransport = \"udp\"\naddress = \"127.0.0.1:0\"\n";
        let account = |extra: &str| {
            format!("[[sip.account]]\nuser = \"2001\"\npassword = \"p\"\nregistrar = \"127.0.0.1:5060\"\n{extra}")
        };
        let trunk = |extra: &str| {
            format!("[[sip.trunk]]\nname = \"c\"\naddress = \"127.0.0.1:5060\"\nregister = true\n{extra}")
        };
        for (tables, why) in [
            (trunk(""), "has no register_user or username"),
            (
                trunk("register_user = \"u\"\nregister_expires = 0"),
                "register_expires must be > 0",
            ),
            (
                trunk("register_user = \"u\"\ntransport = \"tcp\""),
                "add a TCP",
            ),
            (account("expires = 0"), "expires must be > 0"),
            (account("transport = \"tcp\""), "add a TCP"),
            (account("") + &account(""), "defined twice"),
            (account("").replace("2001", "20 01"), "not a SIP user part"),
            (account("realm = \"x\""), "unknown field"),
        ] {
            let error = EngineConfig::from_toml(&format!("{udp}{tables}")).unwrap_err();
            assert_eq!(error.slug(), "bad-config");
            assert!(error.to_string().contains(why), "{error} (wanted {why:?})");
        }
    }
}
