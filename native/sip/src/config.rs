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
            [[sip.agent]]
            user = "1001"
            password = "s3cret"
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
}
