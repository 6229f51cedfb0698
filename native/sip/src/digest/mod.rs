//! Digest authentication (RFC 3261 §22, RFC 7616 hashing, RFC 8760 SHA-256 for SIP), both ways:
//! `server` challenges agents' phones and checks their answers; `client` answers the challenges
//! of registrars and carriers we register with. Sans-IO: callers give the time and the nonces.
//! What both sides share lives here: the hash algorithms and the header's parameter syntax.

mod client;
mod server;

pub use client::{authorization, Challenge, ChallengeError};
pub use server::{DigestFailure, DigestServer};

use md5::{Digest as _, Md5};
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub enum Algorithm {
    #[serde(rename = "MD5")]
    Md5,
    #[serde(rename = "SHA-256")]
    Sha256,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha256 => "SHA-256",
        }
    }

    /// The algorithm a header names; absent means MD5 (RFC 2617). `SHA256` is what rsipstack
    /// 0.7.14 renames challenges to on their way in (`stack/digest_names.rs`), so it is read too.
    pub fn from_name(name: Option<&str>) -> Option<Self> {
        match name.map(str::to_ascii_uppercase).as_deref() {
            None | Some("MD5") => Some(Self::Md5),
            Some("SHA-256" | "SHA256") => Some(Self::Sha256),
            Some(_) => None,
        }
    }

    pub(crate) fn hash(self, data: &str) -> String {
        match self {
            Self::Md5 => hex(&Md5::digest(data.as_bytes())),
            Self::Sha256 => hex(&Sha256::digest(data.as_bytes())),
        }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a digest answer hashes (RFC 7616 §3.4.1, `qop=auth` or none), one credential set.
pub(crate) struct Credentials<'a> {
    pub user: &'a str,
    pub realm: &'a str,
    pub password: &'a str,
}

/// The `response` value for `method` on `uri`; `counted` is `(nc, cnonce)` under `qop=auth`.
pub(crate) fn response(
    algorithm: Algorithm,
    credentials: &Credentials<'_>,
    method: &str,
    uri: &str,
    nonce: &str,
    counted: Option<(&str, &str)>,
) -> String {
    let Credentials {
        user,
        realm,
        password,
    } = credentials;
    let ha1 = algorithm.hash(&format!("{user}:{realm}:{password}"));
    let ha2 = algorithm.hash(&format!("{method}:{uri}"));
    match counted {
        None => algorithm.hash(&format!("{ha1}:{nonce}:{ha2}")),
        Some((nc, cnonce)) => algorithm.hash(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")),
    }
}

/// The `key=value` parameters of a `Digest …` header (challenge or answer), keys lower-cased and
/// quotes removed. `None` when the scheme is not Digest or a quoted value is unterminated.
pub(crate) fn params(header: &str) -> Option<Vec<(String, String)>> {
    let rest = header.trim_start();
    let (scheme, mut rest) = rest.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut found = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        if rest.is_empty() {
            break;
        }
        let (key, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        found.push((key.trim().to_ascii_lowercase(), value.to_string()));
        rest = next;
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_and_bare_parameters() {
        let found = params(
            "Digest realm=\"a, b\", nonce=\"n\", algorithm=SHA-256, qop=\"auth,auth-int\", stale=TRUE",
        )
        .unwrap();
        let get = |k: &str| {
            found
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("realm"), Some("a, b"));
        assert_eq!(get("algorithm"), Some("SHA-256"));
        assert_eq!(get("qop"), Some("auth,auth-int"));
        assert_eq!(get("stale"), Some("TRUE"));
        assert!(params("Basic abc").is_none());
        assert!(params("Digest realm=\"open").is_none());
    }

    #[test]
    fn algorithm_names() {
        assert_eq!(Algorithm::from_name(None), Some(Algorithm::Md5));
        assert_eq!(Algorithm::from_name(Some("md5")), Some(Algorithm::Md5));
        assert_eq!(
            Algorithm::from_name(Some("SHA256")),
            Some(Algorithm::Sha256)
        );
        assert_eq!(
            Algorithm::from_name(Some("sha-256")),
            Some(Algorithm::Sha256)
        );
        assert_eq!(Algorithm::from_name(Some("SHA-512-256")), None);
    }
}
