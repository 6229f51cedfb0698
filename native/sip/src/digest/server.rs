//! Digest authentication as a server: challenges for agents' phones and the check of their
//! answers. Nonces are stateless (a timestamp signed with a per-process secret), so any number of
//! phones can be challenged without keeping state per challenge.

use super::{hex, params, response, Algorithm, Credentials};

/// Why an Authorization header was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestFailure {
    /// Not a parseable Digest header, or a parameter is missing.
    Malformed,
    /// Another realm, an unknown algorithm or qop.
    Unsupported,
    UnknownUser,
    /// A nonce we did not issue.
    BadNonce,
    /// Our nonce, but too old: challenge again with `stale=true` (the phone retries silently).
    Stale,
    WrongPassword,
}

#[derive(Debug, Clone)]
pub struct DigestServer {
    realm: String,
    /// Offered in this order: a phone picks the first it supports (RFC 8760 §2.4).
    algorithms: Vec<Algorithm>,
    secret: String,
    nonce_lifetime_secs: u64,
}

/// The parameters of a Digest Authorization header we use.
#[derive(Debug, Default)]
struct Answer {
    username: String,
    realm: String,
    nonce: String,
    uri: String,
    response: String,
    algorithm: Option<String>,
    qop: Option<String>,
    nc: Option<String>,
    cnonce: Option<String>,
}

fn parse_answer(header: &str) -> Option<Answer> {
    let mut answer = Answer::default();
    for (key, value) in params(header)? {
        match key.as_str() {
            "username" => answer.username = value,
            "realm" => answer.realm = value,
            "nonce" => answer.nonce = value,
            "uri" => answer.uri = value,
            "response" => answer.response = value,
            "algorithm" => answer.algorithm = Some(value),
            "qop" => answer.qop = Some(value),
            "nc" => answer.nc = Some(value),
            "cnonce" => answer.cnonce = Some(value),
            _ => {}
        }
    }
    let complete = [
        &answer.username,
        &answer.nonce,
        &answer.uri,
        &answer.response,
    ]
    .iter()
    .all(|v| !v.is_empty());
    complete.then_some(answer)
}

impl DigestServer {
    pub fn new(realm: impl Into<String>, algorithms: &[Algorithm]) -> Self {
        let secret = hex(&rand::random::<[u8; 16]>());
        Self {
            realm: realm.into(),
            algorithms: algorithms.to_vec(),
            secret,
            nonce_lifetime_secs: 300,
        }
    }

    pub fn realm(&self) -> &str {
        &self.realm
    }

    fn nonce(&self, issued: u64) -> String {
        let signature = Algorithm::Sha256.hash(&format!("{}:{issued}", self.secret));
        format!("{issued:x}.{}", &signature[..32])
    }

    /// `WWW-Authenticate` values to send with a 401, one per configured algorithm.
    pub fn challenges(&self, now_secs: u64, stale: bool) -> Vec<String> {
        let nonce = self.nonce(now_secs);
        let stale = if stale { ", stale=true" } else { "" };
        self.algorithms
            .iter()
            .map(|a| {
                format!(
                    "Digest realm=\"{}\", nonce=\"{nonce}\", algorithm={}, qop=\"auth\"{stale}",
                    self.realm,
                    a.name()
                )
            })
            .collect()
    }

    /// Check an `Authorization` header of a request with `method`. `password` looks users up.
    /// Returns the authenticated user.
    pub fn verify<'p>(
        &self,
        header: &str,
        method: &str,
        now_secs: u64,
        password: impl Fn(&str) -> Option<&'p str>,
    ) -> Result<String, DigestFailure> {
        let answer = parse_answer(header).ok_or(DigestFailure::Malformed)?;
        let algorithm =
            Algorithm::from_name(answer.algorithm.as_deref()).ok_or(DigestFailure::Unsupported)?;
        if !self.algorithms.contains(&algorithm) {
            return Err(DigestFailure::Unsupported);
        }
        if answer.realm != self.realm {
            return Err(DigestFailure::Unsupported);
        }
        let issued = answer
            .nonce
            .split_once('.')
            .and_then(|(ts, _)| u64::from_str_radix(ts, 16).ok())
            .filter(|ts| self.nonce(*ts) == answer.nonce)
            .ok_or(DigestFailure::BadNonce)?;
        if now_secs.saturating_sub(issued) > self.nonce_lifetime_secs {
            return Err(DigestFailure::Stale);
        }
        let secret = password(&answer.username).ok_or(DigestFailure::UnknownUser)?;
        let counted = match answer.qop.as_deref() {
            None => None,
            Some("auth") => Some(
                answer
                    .nc
                    .as_deref()
                    .zip(answer.cnonce.as_deref())
                    .ok_or(DigestFailure::Malformed)?,
            ),
            Some(_) => return Err(DigestFailure::Unsupported),
        };
        let credentials = Credentials {
            user: &answer.username,
            realm: &self.realm,
            password: secret,
        };
        let expected = response(
            algorithm,
            &credentials,
            method,
            &answer.uri,
            &answer.nonce,
            counted,
        );
        if expected.eq_ignore_ascii_case(&answer.response) {
            Ok(answer.username)
        } else {
            Err(DigestFailure::WrongPassword)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a phone computes, written out independently of `verify`.
    fn phone_answer(
        algorithm: Algorithm,
        user: &str,
        password: &str,
        realm: &str,
        nonce: &str,
    ) -> String {
        let ha1 = algorithm.hash(&format!("{user}:{realm}:{password}"));
        let ha2 = algorithm.hash("REGISTER:sip:127.0.0.1");
        let response = algorithm.hash(&format!("{ha1}:{nonce}:00000001:abc:auth:{ha2}"));
        format!(
            "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"sip:127.0.0.1\", \
             response=\"{response}\", algorithm={}, qop=auth, nc=00000001, cnonce=\"abc\"",
            algorithm.name()
        )
    }

    fn nonce_of(challenge: &str) -> String {
        challenge
            .split("nonce=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    }

    #[test]
    fn accepts_md5_and_sha256_answers_and_refuses_wrong_ones() {
        let server = DigestServer::new("cc", &[Algorithm::Sha256, Algorithm::Md5]);
        let challenges = server.challenges(1000, false);
        assert!(challenges[0].contains("algorithm=SHA-256"));
        assert!(challenges[1].contains("algorithm=MD5"));
        let nonce = nonce_of(&challenges[0]);
        let lookup = |u: &str| (u == "1001").then_some("s3cret");
        for algorithm in [Algorithm::Md5, Algorithm::Sha256] {
            let good = phone_answer(algorithm, "1001", "s3cret", "cc", &nonce);
            assert_eq!(
                server.verify(&good, "REGISTER", 1010, lookup),
                Ok("1001".into())
            );
            let wrong = phone_answer(algorithm, "1001", "guess", "cc", &nonce);
            assert_eq!(
                server.verify(&wrong, "REGISTER", 1010, lookup),
                Err(DigestFailure::WrongPassword)
            );
        }
        let stranger = phone_answer(Algorithm::Md5, "2002", "x", "cc", &nonce);
        assert_eq!(
            server.verify(&stranger, "REGISTER", 1010, lookup),
            Err(DigestFailure::UnknownUser)
        );
        let good = phone_answer(Algorithm::Md5, "1001", "s3cret", "cc", &nonce);
        assert_eq!(
            server.verify(&good, "REGISTER", 1400, lookup),
            Err(DigestFailure::Stale)
        );
        let forged = phone_answer(Algorithm::Md5, "1001", "s3cret", "cc", "3e8.0000");
        assert_eq!(
            server.verify(&forged, "REGISTER", 1010, lookup),
            Err(DigestFailure::BadNonce)
        );
    }

    #[test]
    fn garbage_headers_are_malformed_not_panics() {
        let server = DigestServer::new("cc", &[Algorithm::Sha256, Algorithm::Md5]);
        for header in [
            "",
            "Basic abc",
            "Digest",
            "Digest username=\"unterminated",
            "Digest ===,,,\"",
            "Digest \0\0",
        ] {
            assert_eq!(
                server.verify(header, "REGISTER", 0, |_| Some("x")),
                Err(DigestFailure::Malformed),
                "{header:?}"
            );
        }
    }
}
