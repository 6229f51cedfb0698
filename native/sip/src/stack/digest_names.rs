//! Workaround for rsipstack 0.7.14 naming SHA-256 digests `SHA256`: it only parses
//! `algorithm=SHA256` in a challenge and writes that name back, while RFC 7616 and RFC 8760 (and
//! carriers) say `SHA-256`. A trunk's SHA-256 challenge was left unanswered. The hash it computes
//! is the right one, so we rename on the way in (challenges we receive) and on the way out (our
//! answers); nothing else is touched.

use rsipstack::sip::{Header, SipMessage};
use rsipstack::transaction::endpoint::MessageInspector;
use rsipstack::transport::SipAddr;

/// `algorithm=<from>` becomes `algorithm=<to>` whatever the case and quoting.
fn rename(value: &str, from: &str, to: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let key = "algorithm=";
    let at = lower.find(key)? + key.len();
    let quoted = lower[at..].starts_with('"');
    let start = at + usize::from(quoted);
    if !lower[start..].starts_with(&from.to_ascii_lowercase()) {
        return None;
    }
    let end = start + from.len();
    let tail = &lower[end..];
    if !(tail.is_empty() || tail.starts_with([',', '"', ' '])) {
        return None;
    }
    Some(format!("{}{to}{}", &value[..start], &value[end..]))
}

pub(crate) struct DigestAlgorithmNames;

impl MessageInspector for DigestAlgorithmNames {
    fn before_send(&self, mut message: SipMessage, _: Option<&SipAddr>) -> SipMessage {
        if let SipMessage::Request(request) = &mut message {
            for header in request.headers.iter_mut() {
                match header {
                    Header::Authorization(h) => {
                        if let Some(v) = rename(h.value(), "SHA256", "SHA-256") {
                            h.replace(v);
                        }
                    }
                    Header::ProxyAuthorization(h) => {
                        if let Some(v) = rename(h.value(), "SHA256", "SHA-256") {
                            h.replace(v);
                        }
                    }
                    _ => {}
                }
            }
        }
        message
    }

    fn after_received(&self, mut message: SipMessage, _: Option<&SipAddr>) -> SipMessage {
        if let SipMessage::Response(response) = &mut message {
            for header in response.headers.iter_mut() {
                match header {
                    Header::WwwAuthenticate(h) => {
                        if let Some(v) = rename(h.value(), "SHA-256", "SHA256") {
                            h.replace(v);
                        }
                    }
                    Header::ProxyAuthenticate(h) => {
                        if let Some(v) = rename(h.value(), "SHA-256", "SHA256") {
                            h.replace(v);
                        }
                    }
                    _ => {}
                }
            }
        }
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_only_the_algorithm_token() {
        let challenge = "Digest realm=\"c\", nonce=\"n\", algorithm=SHA-256, qop=\"auth\"";
        assert_eq!(
            rename(challenge, "SHA-256", "SHA256").as_deref(),
            Some("Digest realm=\"c\", nonce=\"n\", algorithm=SHA256, qop=\"auth\"")
        );
        assert_eq!(
            rename("Digest algorithm=\"sha-256\"", "SHA-256", "SHA256").as_deref(),
            Some("Digest algorithm=\"SHA256\"")
        );
        assert_eq!(
            rename("Digest algorithm=SHA-256-sess", "SHA-256", "SHA256"),
            None
        );
        assert_eq!(rename("Digest algorithm=MD5", "SHA-256", "SHA256"), None);
        assert_eq!(rename("Digest realm=\"x\"", "SHA-256", "SHA256"), None);
    }
}
