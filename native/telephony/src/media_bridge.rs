//! `MediaBridge`: the SIP engine's media plane on the media engine. Each SIP leg opens one media
//! leg; a SIP bridge is a mixing room holding both legs, the trunk side as `customer` and the
//! agent's phone as `agent`, so supervisors, prompts, recordings and detection can join the call
//! through the room. The map from SIP legs to media legs and rooms lives here, behind one lock.
//!
//! An agent's session leg outlives its calls (DESIGN.md): when a call is unbridged the customer
//! leaves the room and the agent stays in it, with its supervisors, until its next bridge moves
//! it to the new call's room, and persistent listeners follow it there. A supervisor's takeover
//! detaches the agent instead: the agent moves to a room of its own and the customer keeps the
//! call's room with the supervisors.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};

use ccengine_media::{Engine, LegId as MediaLegId, MediaError, Mode, Role, RoomId};
use ccengine_sip::{Codec, LegId, LegKind, MediaPlane, Negotiated, Result, SipError};

use crate::codec::to_media;

/// A SIP leg's leg in the media engine: its id there, and the RTP address our SDP gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLeg {
    pub id: MediaLegId,
    pub local: SocketAddr,
}

struct Entry {
    media: MediaLegId,
    local: SocketAddr,
    kind: LegKind,
    /// The room the leg is in, and its role there.
    room: Option<(RoomId, Role)>,
}

#[derive(Default)]
struct Legs {
    by_sip: HashMap<LegId, Entry>,
    by_media: HashMap<MediaLegId, LegId>,
}

impl Legs {
    /// The room `a` and `b` are both in (their call's), with `a`'s role there.
    fn shared_room(&self, a: LegId, b: LegId) -> Option<(RoomId, Role)> {
        let room_of = |leg: LegId| self.by_sip.get(&leg).and_then(|e| e.room);
        let (room, role) = room_of(a)?;
        (room_of(b)?.0 == room).then_some((room, role))
    }
}

pub struct MediaBridge {
    engine: Arc<Engine>,
    legs: Mutex<Legs>,
}

/// The media error as the SIP side reports it (slug `media-failed`), keeping the media slug.
fn failed(error: MediaError) -> SipError {
    SipError::Media(format!("{} ({})", error, error.slug()))
}

/// Room roles for the two legs of a bridge. A customer and an agent take their own places. Two
/// legs of one kind (a caller relayed to a carrier, one agent put through to another) would not
/// hear each other as two customers or two agents, so `a` takes the customer's place and `b`
/// the agent's.
fn roles(a: LegKind, b: LegKind) -> (Role, Role) {
    match (a, b) {
        (LegKind::Agent, LegKind::Customer) => (Role::Agent, Role::Customer),
        _ => (Role::Customer, Role::Agent),
    }
}

/// The RTP address our SDP gives for a leg bound at `local`, the call's signalling being on
/// `ip`. An engine bound to the wildcard address is reached on the signalling address, which
/// must then be of the same family (an IPv4 socket cannot take an IPv6 peer's packets).
fn advertised(local: SocketAddr, ip: IpAddr) -> Result<SocketAddr> {
    if !local.ip().is_unspecified() {
        return Ok(local);
    }
    if local.is_ipv4() != ip.is_ipv4() {
        return Err(SipError::Media(format!(
            "the media engine listens on {}, which cannot carry a call signalled on {ip}",
            local.ip()
        )));
    }
    Ok(SocketAddr::new(ip, local.port()))
}

impl MediaBridge {
    pub fn new(engine: Arc<Engine>) -> Self {
        Self {
            engine,
            legs: Mutex::default(),
        }
    }

    /// The media engine underneath, for what the SIP side has no words for (supervisor legs,
    /// prompts, recordings, detection, statistics).
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// The media leg carrying a SIP leg's audio, while the leg is open.
    pub fn media_leg(&self, leg: LegId) -> Option<MediaLeg> {
        self.lock().by_sip.get(&leg).map(|e| MediaLeg {
            id: e.media,
            local: e.local,
        })
    }

    /// The SIP leg of a media leg: how media events (RFC 4733 digits, detection decisions) find
    /// their call.
    pub fn sip_leg(&self, media: MediaLegId) -> Option<LegId> {
        self.lock().by_media.get(&media).copied()
    }

    /// The room a SIP leg is in: a bridged call's room, where supervisors join and what is
    /// recorded; for an agent's leg between calls, the room of its last call.
    pub fn room(&self, leg: LegId) -> Option<RoomId> {
        self.lock()
            .by_sip
            .get(&leg)
            .and_then(|e| e.room)
            .map(|(room, _)| room)
    }

    pub fn open_legs(&self) -> usize {
        self.lock().by_sip.len()
    }

    fn lock(&self) -> MutexGuard<'_, Legs> {
        self.legs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts a leg in `room` as `role`. An agent coming from the room of its last call is moved,
    /// so that call's persistent listeners follow it; that room then closes.
    fn join(
        &self,
        legs: &mut Legs,
        leg: LegId,
        room: RoomId,
        role: Role,
    ) -> std::result::Result<(), MediaError> {
        let entry = &legs.by_sip[&leg];
        let media = entry.media;
        match entry.room {
            Some((previous, Role::Agent)) if role == Role::Agent => {
                self.engine.move_leg(media, room)?;
                self.close_room(legs, previous);
            }
            Some((previous, _)) => {
                self.close_room(legs, previous);
                self.engine.add_to_room(room, media, role, Mode::Listen)?;
            }
            None => self.engine.add_to_room(room, media, role, Mode::Listen)?,
        }
        if let Some(entry) = legs.by_sip.get_mut(&leg) {
            entry.room = Some((room, role));
        }
        Ok(())
    }

    /// Closes a room (ending its recording); its legs stay open, in no room.
    fn close_room(&self, legs: &mut Legs, room: RoomId) {
        for entry in legs.by_sip.values_mut() {
            if entry.room.is_some_and(|(r, _)| r == room) {
                entry.room = None;
            }
        }
        // Only fails when the engine has stopped, and then the room is gone with it.
        let _ = self.engine.close_room(room);
    }
}

impl MediaPlane for MediaBridge {
    fn open(&self, leg: LegId, kind: LegKind, ip: IpAddr, codecs: &[Codec]) -> Result<SocketAddr> {
        // The leg starts on our preferred codec; `connect` switches it to the negotiated one.
        let codec = to_media(codecs.first().copied().unwrap_or(Codec::Pcmu));
        let (media, local) = self.engine.open_leg(codec).map_err(failed)?;
        let advertised = match advertised(local, ip) {
            Ok(addr) => addr,
            Err(error) => {
                let _ = self.engine.close_leg(media);
                return Err(error);
            }
        };
        let mut legs = self.lock();
        legs.by_media.insert(media, leg);
        if let Some(stale) = legs.by_sip.insert(
            leg,
            Entry {
                media,
                local: advertised,
                kind,
                room: None,
            },
        ) {
            legs.by_media.remove(&stale.media);
            let _ = self.engine.close_leg(stale.media);
        }
        Ok(advertised)
    }

    fn connect(&self, leg: LegId, negotiated: &Negotiated) -> Result<()> {
        let media = self.media_leg(leg).ok_or(SipError::UnknownLeg(leg.0))?.id;
        // A peer naming telephone-event with a static payload type breaks RFC 4733; the media leg
        // then listens for events on its default type rather than refusing the call.
        let events = negotiated
            .telephone_event
            .filter(|pt| (96..=127).contains(pt));
        self.engine
            .set_remote(
                media,
                negotiated.remote,
                to_media(negotiated.codec).payload_type(),
                events,
            )
            .map_err(failed)
    }

    fn bridge(&self, a: LegId, b: LegId) -> Result<()> {
        let mut legs = self.lock();
        for leg in [a, b] {
            let entry = legs.by_sip.get(&leg).ok_or(SipError::UnknownLeg(leg.0))?;
            // A leg may come from a room of its own (an agent between calls), not from a call.
            if let Some((room, _)) = entry.room {
                let shared = legs
                    .by_sip
                    .iter()
                    .any(|(other, e)| *other != leg && e.room.is_some_and(|(r, _)| r == room));
                if shared {
                    return Err(SipError::Media(format!("leg {} is already bridged", leg.0)));
                }
            }
        }
        let (role_a, role_b) = roles(legs.by_sip[&a].kind, legs.by_sip[&b].kind);
        let room = self.engine.create_room().map_err(failed)?;
        for (leg, role) in [(a, role_a), (b, role_b)] {
            if let Err(error) = self.join(&mut legs, leg, room, role) {
                self.close_room(&mut legs, room);
                return Err(failed(error));
            }
        }
        Ok(())
    }

    fn unbridge(&self, a: LegId, b: LegId) -> Result<()> {
        let mut legs = self.lock();
        let Some((room, role_a)) = legs.shared_room(a, b) else {
            return Ok(());
        };
        // The call's recording ends with it; the agent side stays, the customer side leaves.
        let _ = self.engine.stop_record(room);
        let leaving = if role_a == Role::Agent { b } else { a };
        if let Some(entry) = legs.by_sip.get_mut(&leaving) {
            entry.room = None;
            let _ = self.engine.remove_from_room(entry.media);
        }
        Ok(())
    }

    /// The leaving leg moves to a room of its own, keeping its role, so an agent released from
    /// a call takes its persistent listeners along and its next bridge finds it between calls.
    /// The staying leg keeps the call's room, its supervisors and its recording.
    fn detach(&self, leaving: LegId, staying: LegId) -> Result<()> {
        let mut legs = self.lock();
        let Some((_, role)) = legs.shared_room(leaving, staying) else {
            return Ok(());
        };
        let own = self.engine.create_room().map_err(failed)?;
        let media = legs.by_sip[&leaving].media;
        if let Err(error) = self.engine.move_leg(media, own) {
            let _ = self.engine.close_room(own);
            return Err(failed(error));
        }
        if let Some(entry) = legs.by_sip.get_mut(&leaving) {
            entry.room = Some((own, role));
        }
        Ok(())
    }

    fn close(&self, leg: LegId) {
        let mut legs = self.lock();
        let Some(entry) = legs.by_sip.remove(&leg) else {
            return;
        };
        legs.by_media.remove(&entry.media);
        if let Some((room, _)) = entry.room {
            self.close_room(&mut legs, room);
        }
        let _ = self.engine.close_leg(entry.media);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_bound_leg_is_advertised_on_the_signalling_address_of_its_family() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let addr = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(
            advertised(addr("127.0.0.2:4000"), ip("::1")).unwrap(),
            addr("127.0.0.2:4000"),
            "a bound address is where the socket is"
        );
        assert_eq!(
            advertised(addr("0.0.0.0:4000"), ip("192.0.2.7")).unwrap(),
            addr("192.0.2.7:4000")
        );
        assert_eq!(
            advertised(addr("[::]:4000"), ip("::1")).unwrap(),
            addr("[::1]:4000")
        );
        assert_eq!(
            advertised(addr("0.0.0.0:4000"), ip("::1"))
                .unwrap_err()
                .slug(),
            "media-failed"
        );
    }

    #[test]
    fn a_customer_and_an_agent_keep_their_places_whatever_the_order() {
        use LegKind::{Agent, Customer};
        assert_eq!(roles(Customer, Agent), (Role::Customer, Role::Agent));
        assert_eq!(roles(Agent, Customer), (Role::Agent, Role::Customer));
        assert_eq!(roles(Customer, Customer), (Role::Customer, Role::Agent));
        assert_eq!(roles(Agent, Agent), (Role::Customer, Role::Agent));
    }
}
