//! Building and reading SIP URIs, and the workaround for rsipstack 0.7.14 escaping twice: it keeps
//! a parsed user part escaped (`%2B1415`) and escapes it again when writing (`%252B1415`). Every
//! URI that enters the stack goes through `unescape_user`, so the user part is stored decoded and
//! written once; `+` is legal unescaped in a SIP user part (RFC 3261 §25.1 user-unreserved).

use std::net::SocketAddr;

use rsipstack::sip::{Auth, Param, Scheme, Uri};

use crate::config::Transport;

pub(crate) fn stack_transport(transport: Transport) -> rsipstack::sip::Transport {
    match transport {
        Transport::Udp => rsipstack::sip::Transport::Udp,
        Transport::Tcp => rsipstack::sip::Transport::Tcp,
    }
}

/// Decode `%XX` escapes; malformed escapes are kept as they are.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn unescape_user(uri: &mut Uri) {
    if let Some(auth) = uri.auth.as_mut() {
        auth.user = percent_decode(&auth.user);
    }
}

/// Parse a URI from the wire or the config, with the user part decoded.
pub(crate) fn parse(text: &str) -> Option<Uri> {
    let mut uri = Uri::try_from(text).ok()?;
    unescape_user(&mut uri);
    Some(uri)
}

pub(crate) fn user_at(user: &str, addr: SocketAddr, transport: Transport) -> Uri {
    let params = match transport {
        Transport::Udp => vec![],
        Transport::Tcp => vec![Param::Transport(rsipstack::sip::Transport::Tcp)],
    };
    Uri {
        scheme: Some(Scheme::Sip),
        auth: (!user.is_empty()).then(|| Auth {
            user: user.to_string(),
            password: None,
        }),
        host_with_port: addr.into(),
        params,
        headers: vec![],
    }
}

/// The URI inside a name-addr (`"Bob" <sip:b@h>;tag=1`) or a bare addr-spec (`sip:b@h;tag=1`).
pub(crate) fn addr_spec(value: &str) -> &str {
    match (value.find('<'), value.find('>')) {
        (Some(start), Some(end)) if start < end => &value[start + 1..end],
        _ => value.split(';').next().unwrap_or("").trim(),
    }
}

/// The decoded user part of a From/To/Contact value.
pub(crate) fn user_of(value: &str) -> Option<String> {
    parse(addr_spec(value)).and_then(|u| u.auth.map(|a| a.user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_escaped_plus_is_written_back_once() {
        // What rsipstack alone does: the bug this module works around.
        let raw = Uri::try_from("sip:%2B14155550100@127.0.0.1:5090").unwrap();
        assert_eq!(raw.to_string(), "sip:%252B14155550100@127.0.0.1:5090");
        let fixed = parse("sip:%2B14155550100@127.0.0.1:5090").unwrap();
        assert_eq!(fixed.to_string(), "sip:+14155550100@127.0.0.1:5090");
        let built = user_at(
            "+14155550100",
            "127.0.0.1:5090".parse().unwrap(),
            Transport::Udp,
        );
        assert_eq!(built.to_string(), "sip:+14155550100@127.0.0.1:5090");
    }

    #[test]
    fn reads_users_out_of_header_values() {
        assert_eq!(
            user_of("\"Agent\" <sip:1001@127.0.0.1:5000;ob>;tag=x").as_deref(),
            Some("1001")
        );
        assert_eq!(user_of("sip:%2B33142@h;tag=1").as_deref(), Some("+33142"));
        assert_eq!(user_of("garbage"), None);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn tcp_uris_carry_the_transport() {
        let uri = user_at("engine", "[::1]:5080".parse().unwrap(), Transport::Tcp);
        assert_eq!(
            uri.to_string().to_ascii_lowercase(),
            "sip:engine@[::1]:5080;transport=tcp"
        );
    }
}
