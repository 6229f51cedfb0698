//! The other parsers fed by peers: SDP bodies, Authorization headers (we are the server) and
//! WWW-/Proxy-Authenticate challenges (we register as a client).
#![no_main]

use ccengine_sip::digest::{authorization, Algorithm, Challenge, DigestServer};
use ccengine_sip::media::sdp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(remote) = sdp::parse(data) {
        let _ = sdp::negotiate(&remote, &[sdp::Codec::Pcmu, sdp::Codec::Pcma]);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let server = DigestServer::new("fuzz", &[Algorithm::Sha256, Algorithm::Md5]);
        let _ = server.verify(text, "REGISTER", 0, |_| Some("secret"));
        if let Ok(challenge) = Challenge::parse(text) {
            let _ = authorization(&challenge, "u", "p", "REGISTER", "sip:h", "c");
        }
    }
});
