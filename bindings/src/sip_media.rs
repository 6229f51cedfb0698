//! What carries a `SipEngine`'s audio, chosen in this one place: the media engine (through
//! `ccengine_telephony::MediaBridge`) when one is given, else the plain UDP relay for SIP-only
//! use and tests.

use std::sync::Arc;

use ccengine_media::Engine;
use ccengine_sip::{LegId, MediaPlane, SipError, UdpRelay};
use ccengine_telephony::{MediaBridge, MediaLeg};

pub enum SipMedia {
    Relay(Arc<UdpRelay>),
    Engine(Arc<MediaBridge>),
}

impl SipMedia {
    pub fn start(engine: Option<Arc<Engine>>) -> Result<Self, SipError> {
        Ok(match engine {
            Some(engine) => Self::Engine(Arc::new(MediaBridge::new(engine))),
            None => Self::Relay(Arc::new(UdpRelay::start()?)),
        })
    }

    pub fn plane(&self) -> Arc<dyn MediaPlane> {
        match self {
            Self::Relay(relay) => relay.clone(),
            Self::Engine(bridge) => bridge.clone(),
        }
    }

    /// RTP packets received on a leg so far (None for unknown or closed legs). Asking the media
    /// engine waits for its thread, at most one 20 ms tick.
    pub fn rtp_packets(&self, leg: LegId) -> Option<u64> {
        match self {
            Self::Relay(relay) => relay.packets_received(leg),
            Self::Engine(bridge) => {
                let media = bridge.media_leg(leg)?;
                bridge
                    .engine()
                    .leg_stats(media.id)
                    .ok()
                    .map(|s| s.packets_received)
            }
        }
    }

    fn bridge(&self) -> Option<&MediaBridge> {
        match self {
            Self::Relay(_) => None,
            Self::Engine(bridge) => Some(bridge),
        }
    }

    /// The media engine's leg for a SIP leg (None on the relay).
    pub fn media_leg(&self, leg: LegId) -> Option<MediaLeg> {
        self.bridge()?.media_leg(leg)
    }

    /// The SIP leg of a media engine's leg (None on the relay).
    pub fn sip_leg(&self, media: u64) -> Option<u64> {
        Some(self.bridge()?.sip_leg(media)?.0)
    }

    /// The media engine's room of a bridged SIP leg (None on the relay).
    pub fn room(&self, leg: LegId) -> Option<u64> {
        self.bridge()?.room(leg)
    }
}
