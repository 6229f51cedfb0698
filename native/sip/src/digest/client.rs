//! Digest authentication as a client: read a registrar's or carrier's challenge
//! (`WWW-Authenticate` / `Proxy-Authenticate`) and write our answer (`Authorization` /
//! `Proxy-Authorization`). The caller gives the client nonce, so answers are reproducible.

use super::{params, response, Algorithm, Credentials};

/// Why no challenge of a response could be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeError {
    /// No challenge at all, or none that parses (missing realm or nonce).
    Malformed,
    /// Challenges we parse but cannot answer: another algorithm or qop (named in the message).
    Unsupported(String),
}

impl std::fmt::Display for ChallengeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed => f.write_str("no well-formed Digest challenge"),
            Self::Unsupported(what) => write!(f, "unsupported Digest challenge: {what}"),
        }
    }
}

/// One Digest challenge we can answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    pub algorithm: Algorithm,
    /// The server offered `qop=auth` (we then answer with it); without qop, RFC 2069 style.
    pub qop_auth: bool,
    /// The server says our last answer was right but its nonce had expired (RFC 7616 §3.3).
    pub stale: bool,
}

impl Challenge {
    pub fn parse(header: &str) -> Result<Self, ChallengeError> {
        let found = params(header).ok_or(ChallengeError::Malformed)?;
        let get = |key: &str| {
            found
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let (Some(realm), Some(nonce)) = (get("realm"), get("nonce")) else {
            return Err(ChallengeError::Malformed);
        };
        let named = get("algorithm");
        let algorithm = Algorithm::from_name(named).ok_or_else(|| {
            ChallengeError::Unsupported(format!("algorithm {}", named.unwrap_or_default()))
        })?;
        let qop_auth = match get("qop") {
            None => false,
            Some(offered) if offered.split(',').any(|q| q.trim() == "auth") => true,
            Some(offered) => return Err(ChallengeError::Unsupported(format!("qop {offered}"))),
        };
        Ok(Self {
            realm: realm.to_string(),
            nonce: nonce.to_string(),
            opaque: get("opaque").map(str::to_string),
            algorithm,
            qop_auth,
            stale: get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true")),
        })
    }

    /// The first challenge of a response we can answer: servers list them in their order of
    /// preference and a client takes the topmost it supports (RFC 8760 §2.4).
    pub fn pick<'a>(headers: impl IntoIterator<Item = &'a str>) -> Result<Self, ChallengeError> {
        let mut first_error = ChallengeError::Malformed;
        for header in headers {
            match Self::parse(header) {
                Ok(challenge) => return Ok(challenge),
                Err(error @ ChallengeError::Unsupported(_)) => first_error = error,
                Err(ChallengeError::Malformed) => {}
            }
        }
        Err(first_error)
    }
}

/// Our answer to `challenge` for a request `method` on `uri` (the Request-URI as sent), with
/// nonce count 1: every answer here follows a fresh challenge.
pub fn authorization(
    challenge: &Challenge,
    user: &str,
    password: &str,
    method: &str,
    uri: &str,
    cnonce: &str,
) -> String {
    let credentials = Credentials {
        user,
        realm: &challenge.realm,
        password,
    };
    let nc = "00000001";
    let counted = challenge.qop_auth.then_some((nc, cnonce));
    let digest = response(
        challenge.algorithm,
        &credentials,
        method,
        uri,
        &challenge.nonce,
        counted,
    );
    let mut header = format!(
        "Digest username=\"{user}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", response=\"{digest}\", algorithm={}",
        challenge.realm,
        challenge.nonce,
        challenge.algorithm.name()
    );
    if challenge.qop_auth {
        header.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
    }
    if let Some(opaque) = &challenge.opaque {
        header.push_str(&format!(", opaque=\"{opaque}\""));
    }
    header
}

#[cfg(test)]
mod tests {
    use super::super::DigestServer;
    use super::*;

    #[test]
    fn rfc_2617_example_answer() {
        // RFC 2617 §3.5 (MD5, qop=auth): the published response for Mufasa.
        let challenge = Challenge::parse(
            "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        )
        .unwrap();
        let header = authorization(
            &challenge,
            "Mufasa",
            "Circle Of Life",
            "GET",
            "/dir/index.html",
            "0a4f113b",
        );
        assert!(
            header.contains("response=\"6629fae49393a05397450978507c4ef1\""),
            "{header}"
        );
        assert!(header.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
    }

    #[test]
    fn our_answers_pass_our_own_server_for_each_algorithm() {
        for offered in [
            [Algorithm::Sha256, Algorithm::Md5],
            [Algorithm::Md5, Algorithm::Sha256],
        ] {
            let server = DigestServer::new("cc", &offered);
            let challenges = server.challenges(1000, false);
            let challenge = Challenge::pick(challenges.iter().map(String::as_str)).unwrap();
            assert_eq!(challenge.algorithm, offered[0], "the topmost one is taken");
            let header = authorization(&challenge, "1001", "s3cret", "REGISTER", "sip:h", "c1");
            let lookup = |u: &str| (u == "1001").then_some("s3cret");
            assert_eq!(
                server.verify(&header, "REGISTER", 1001, lookup),
                Ok("1001".into())
            );
            let wrong = authorization(&challenge, "1001", "guess", "REGISTER", "sip:h", "c1");
            assert!(server.verify(&wrong, "REGISTER", 1001, lookup).is_err());
        }
    }

    #[test]
    fn unanswerable_challenges_say_why() {
        assert_eq!(
            Challenge::pick(["Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256"]),
            Err(ChallengeError::Unsupported("algorithm SHA-512-256".into()))
        );
        assert_eq!(
            Challenge::pick(["Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""]),
            Err(ChallengeError::Unsupported("qop auth-int".into()))
        );
        assert_eq!(
            Challenge::pick(["Basic realm=\"r\"", "Digest nonce=\"n\"", "Digest \"\0"]),
            Err(ChallengeError::Malformed)
        );
        assert_eq!(Challenge::pick([]), Err(ChallengeError::Malformed));
        let picked = Challenge::pick([
            "Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5",
            "Digest realm=\"r\", nonce=\"m\", algorithm=SHA256, stale=true",
        ])
        .unwrap();
        assert_eq!((picked.algorithm, picked.stale), (Algorithm::Sha256, true));
        assert!(!picked.qop_auth);
    }
}
