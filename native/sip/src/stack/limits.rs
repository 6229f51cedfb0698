//! Message limits, enforced on every message before the stack acts on it, and `parse_message`,
//! our parsing entry point (what the fuzz target drives).

use async_trait::async_trait;
use rsipstack::sip::{HasHeaders, SipMessage};
use rsipstack::transaction::endpoint::TransportEventInspector;
use rsipstack::transport::TransportEvent;

use crate::config::Limits;
use crate::error::{Result, SipError};

/// What a parsed message is, without the stack's types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSummary {
    /// `INVITE`, `OPTIONS` … for requests, `None` for responses.
    pub method: Option<String>,
    pub status: Option<u16>,
    pub headers: usize,
    pub body_bytes: usize,
}

fn check_parsed(message: &SipMessage, limits: &Limits) -> Result<()> {
    let headers = message.headers().iter().count();
    if headers > limits.max_headers {
        return Err(SipError::TooLarge(format!(
            "{headers} header fields (limit {})",
            limits.max_headers
        )));
    }
    let body = match message {
        SipMessage::Request(r) => r.body.len(),
        SipMessage::Response(r) => r.body.len(),
    };
    if body > limits.max_message_bytes {
        return Err(SipError::TooLarge(format!(
            "{body}-byte body (limit {})",
            limits.max_message_bytes
        )));
    }
    Ok(())
}

/// Parse one SIP message from bytes under `limits`. Never panics, whatever the bytes.
pub fn parse_message(bytes: &[u8], limits: &Limits) -> Result<MessageSummary> {
    if bytes.len() > limits.max_message_bytes {
        return Err(SipError::TooLarge(format!(
            "{} bytes (limit {})",
            bytes.len(),
            limits.max_message_bytes
        )));
    }
    let head_end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(bytes.len());
    if bytes[..head_end].contains(&0) {
        return Err(SipError::Malformed("NUL byte in the header section".into()));
    }
    let lines = bytes[..head_end].split(|b| *b == b'\n').count();
    if lines > limits.max_headers + 1 {
        return Err(SipError::TooLarge(format!(
            "{} header lines (limit {})",
            lines - 1,
            limits.max_headers
        )));
    }
    let message = SipMessage::try_from(bytes).map_err(|e| SipError::Malformed(e.to_string()))?;
    check_parsed(&message, limits)?;
    Ok(match &message {
        SipMessage::Request(r) => MessageSummary {
            method: Some(r.method.to_string()),
            status: None,
            headers: r.headers.iter().count(),
            body_bytes: r.body.len(),
        },
        SipMessage::Response(r) => MessageSummary {
            method: None,
            status: Some(r.status_code.code()),
            headers: r.headers.iter().count(),
            body_bytes: r.body.len(),
        },
    })
}

/// Drops incoming messages over the limits before any transaction sees them.
pub(crate) struct LimitInspector(pub Limits);

#[async_trait]
impl TransportEventInspector for LimitInspector {
    async fn handle(&self, event: TransportEvent) -> Option<TransportEvent> {
        if let TransportEvent::Incoming(message, _, _) = &event {
            if check_parsed(message, &self.0).is_err() {
                return None;
            }
        }
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &str = "OPTIONS sip:engine@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK1\r\n\
        From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:engine@127.0.0.1>\r\nCall-ID: a@b\r\nCSeq: 1 OPTIONS\r\n\
        Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";

    #[test]
    fn parses_a_valid_request() {
        let summary = parse_message(OPTIONS.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(summary.method.as_deref(), Some("OPTIONS"));
        // Content-Length is consumed by the parser; the seven others stay.
        assert_eq!(summary.headers, 7);
        assert_eq!(summary.body_bytes, 0);
    }

    #[test]
    fn enforces_size_header_count_and_nul_limits() {
        let limits = Limits {
            max_message_bytes: 1024,
            max_headers: 10,
        };
        let flood = OPTIONS.replace("Content-Length: 0\r\n", &"X-Flood: 1\r\n".repeat(20));
        assert_eq!(
            parse_message(flood.as_bytes(), &limits).unwrap_err().slug(),
            "message-too-large"
        );
        let big = format!("{OPTIONS}{}", "x".repeat(2000));
        assert_eq!(
            parse_message(big.as_bytes(), &limits).unwrap_err().slug(),
            "message-too-large"
        );
        let nul = OPTIONS.replace("Call-ID: a@b", "Call-ID: a\0b");
        assert_eq!(
            parse_message(nul.as_bytes(), &limits).unwrap_err().slug(),
            "malformed-message"
        );
        assert_eq!(
            parse_message(b"\xff\xfe garbage", &limits)
                .unwrap_err()
                .slug(),
            "malformed-message"
        );
    }
}
