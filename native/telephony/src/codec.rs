//! The one place the SIP core's codec names meet the media core's: both speak G.711 in its two
//! laws, each crate with its own type so neither depends on the other.

use ccengine_media::codec::Codec as MediaCodec;
use ccengine_sip::Codec as SipCodec;

pub fn to_media(codec: SipCodec) -> MediaCodec {
    match codec {
        SipCodec::Pcmu => MediaCodec::Pcmu,
        SipCodec::Pcma => MediaCodec::Pcma,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_codec_keeps_its_name_and_static_payload_type() {
        for codec in [SipCodec::Pcmu, SipCodec::Pcma] {
            let media = to_media(codec);
            assert_eq!(media.name(), codec.name());
            assert_eq!(media.payload_type(), codec.payload_type());
        }
    }
}
