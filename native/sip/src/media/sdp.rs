//! SDP offer/answer (RFC 3264) for one audio stream: PCMU, PCMA and telephone-event (RFC 4733).
//! Parsing goes through the `sdp` crate; what we send is short and written out here.

use std::io::Cursor;
use std::net::{IpAddr, SocketAddr};

use crate::error::{Result, SipError};

/// The codecs the engine speaks. Static payload types (RFC 3551).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    Pcmu,
    Pcma,
}

impl Codec {
    pub fn payload_type(self) -> u8 {
        match self {
            Self::Pcmu => 0,
            Self::Pcma => 8,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Pcmu => "PCMU",
            Self::Pcma => "PCMA",
        }
    }

    fn from_format(pt: u8, rtpmap: Option<&str>) -> Option<Self> {
        match rtpmap.map(|m| m.split('/').next().unwrap_or("").to_ascii_uppercase()) {
            Some(name) if name == "PCMU" => Some(Self::Pcmu),
            Some(name) if name == "PCMA" => Some(Self::Pcma),
            Some(_) => None,
            None => [Self::Pcmu, Self::Pcma]
                .into_iter()
                .find(|c| c.payload_type() == pt),
        }
    }
}

/// The payload type we offer for telephone-event.
pub const TELEPHONE_EVENT_PT: u8 = 101;

/// RFC 3264 §6.1 stream direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    fn attribute(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    /// The direction an answer takes for this offered direction.
    pub fn answer_to(self) -> Self {
        match self {
            Self::SendOnly => Self::RecvOnly,
            Self::RecvOnly => Self::SendOnly,
            other => other,
        }
    }

    /// Whether the peer holds the call (it stops sending to us or stops everything).
    pub fn is_hold(self) -> bool {
        matches!(self, Self::SendOnly | Self::Inactive)
    }
}

/// What the peer's SDP says about its audio stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSdp {
    pub addr: SocketAddr,
    /// Codecs the peer lists, in its order of preference.
    pub codecs: Vec<Codec>,
    pub telephone_event: Option<u8>,
    pub direction: Direction,
}

/// The media parameters both sides agreed on for a leg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    pub remote: SocketAddr,
    pub codec: Codec,
    pub telephone_event: Option<u8>,
    pub direction: Direction,
}

pub fn parse(body: &[u8]) -> Result<RemoteSdp> {
    let session = sdp::SessionDescription::unmarshal(&mut Cursor::new(body))
        .map_err(|e| SipError::BadSdp(e.to_string()))?;
    let audio = session
        .media_descriptions
        .iter()
        .find(|m| m.media_name.media == "audio" && m.media_name.port.value > 0)
        .ok_or_else(|| SipError::BadSdp("no active audio stream".into()))?;
    let connection = audio
        .connection_information
        .as_ref()
        .or(session.connection_information.as_ref())
        .and_then(|c| c.address.as_ref())
        .ok_or_else(|| SipError::BadSdp("no connection address".into()))?;
    let ip: IpAddr = connection.address.parse().map_err(|_| {
        SipError::BadSdp(format!(
            "connection address {:?} is not an IP",
            connection.address
        ))
    })?;
    let port = u16::try_from(audio.media_name.port.value)
        .map_err(|_| SipError::BadSdp("audio port out of range".into()))?;
    let rtpmap = |pt: u8| {
        audio.attributes.iter().find_map(|a| {
            let value = a.value.as_deref()?;
            let (num, rest) = value.split_once(' ')?;
            (a.key == "rtpmap" && num.parse() == Ok(pt)).then(|| rest.trim().to_string())
        })
    };
    let mut codecs = Vec::new();
    let mut telephone_event = None;
    for format in &audio.media_name.formats {
        let Ok(pt) = format.parse::<u8>() else {
            continue;
        };
        let map = rtpmap(pt);
        if map
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().starts_with("telephone-event/8000"))
        {
            telephone_event.get_or_insert(pt);
        } else if let Some(codec) = Codec::from_format(pt, map.as_deref()) {
            codecs.push(codec);
        }
    }
    let direction_of = |attrs: &[sdp::description::common::Attribute]| {
        attrs.iter().find_map(|a| match a.key.as_str() {
            "sendrecv" => Some(Direction::SendRecv),
            "sendonly" => Some(Direction::SendOnly),
            "recvonly" => Some(Direction::RecvOnly),
            "inactive" => Some(Direction::Inactive),
            _ => None,
        })
    };
    let direction = direction_of(&audio.attributes)
        .or_else(|| direction_of(&session.attributes))
        .unwrap_or(Direction::SendRecv);
    Ok(RemoteSdp {
        addr: SocketAddr::new(ip, port),
        codecs,
        telephone_event,
        direction,
    })
}

/// Pick the first of the peer's codecs we support (the offerer's preference wins, RFC 3264 §6.1).
pub fn negotiate(offer: &RemoteSdp, ours: &[Codec]) -> Result<Negotiated> {
    let codec = offer
        .codecs
        .iter()
        .copied()
        .find(|c| ours.contains(c))
        .ok_or(SipError::NoCommonCodec)?;
    Ok(Negotiated {
        remote: offer.addr,
        codec,
        telephone_event: offer.telephone_event,
        direction: offer.direction.answer_to(),
    })
}

/// Our SDP for a leg: an offer lists every codec we accept, an answer only the chosen one.
pub fn write(
    local: SocketAddr,
    codecs: &[Codec],
    telephone_event: Option<u8>,
    direction: Direction,
    version: u64,
) -> String {
    let (net, ip) = match local.ip() {
        IpAddr::V4(ip) => ("IP4", ip.to_string()),
        IpAddr::V6(ip) => ("IP6", ip.to_string()),
    };
    let session_id = local.port() as u64 * 1000 + 1;
    let mut formats: Vec<String> = codecs
        .iter()
        .map(|c| c.payload_type().to_string())
        .collect();
    let mut attributes: Vec<String> = codecs
        .iter()
        .map(|c| format!("a=rtpmap:{} {}/8000\r\n", c.payload_type(), c.name()))
        .collect();
    if let Some(pt) = telephone_event {
        formats.push(pt.to_string());
        attributes.push(format!(
            "a=rtpmap:{pt} telephone-event/8000\r\na=fmtp:{pt} 0-16\r\n"
        ));
    }
    format!(
        "v=0\r\no=ccengine {session_id} {version} IN {net} {ip}\r\ns=ccengine\r\nc=IN {net} {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP {formats}\r\n{attributes}a=ptime:20\r\na={direction}\r\n",
        port = local.port(),
        formats = formats.join(" "),
        attributes = attributes.concat(),
        direction = direction.attribute(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PJSUA_OFFER: &str = "v=0\r\no=- 3913 3913 IN IP4 127.0.0.1\r\ns=pjmedia\r\nb=AS:84\r\nt=0 0\r\n\
        a=X-nat:0\r\nm=audio 4000 RTP/AVP 8 0 96\r\nc=IN IP4 127.0.0.1\r\nb=TIAS:64000\r\n\
        a=rtcp:4001 IN IP4 127.0.0.1\r\na=sendrecv\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n\
        a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16\r\n";

    #[test]
    fn parses_a_real_offer_and_answers_with_the_offerers_first_codec() {
        let offer = parse(PJSUA_OFFER.as_bytes()).unwrap();
        assert_eq!(offer.addr, "127.0.0.1:4000".parse().unwrap());
        assert_eq!(offer.codecs, vec![Codec::Pcma, Codec::Pcmu]);
        assert_eq!(offer.telephone_event, Some(96));
        let chosen = negotiate(&offer, &[Codec::Pcmu, Codec::Pcma]).unwrap();
        assert_eq!(chosen.codec, Codec::Pcma);
        assert_eq!(negotiate(&offer, &[]).unwrap_err(), SipError::NoCommonCodec);
    }

    #[test]
    fn our_sdp_round_trips_through_the_parser_for_ipv4_and_ipv6() {
        for local in ["127.0.0.1:30000", "[::1]:30002"] {
            let local: SocketAddr = local.parse().unwrap();
            let text = write(
                local,
                &[Codec::Pcmu, Codec::Pcma],
                Some(TELEPHONE_EVENT_PT),
                Direction::SendOnly,
                2,
            );
            let back = parse(text.as_bytes()).unwrap();
            assert_eq!(back.addr, local);
            assert_eq!(back.codecs, vec![Codec::Pcmu, Codec::Pcma]);
            assert_eq!(back.telephone_event, Some(TELEPHONE_EVENT_PT));
            assert_eq!(back.direction, Direction::SendOnly);
            assert!(back.direction.is_hold());
        }
    }

    #[test]
    fn broken_sdp_is_an_error_not_a_panic() {
        for body in [
            "",
            "v=0\r\n",
            "garbage\0\0",
            "v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n",
        ] {
            assert_eq!(
                parse(body.as_bytes()).unwrap_err().slug(),
                "bad-sdp",
                "{body:?}"
            );
        }
    }
}
