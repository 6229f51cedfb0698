//! The other parsers fed by peers: SDP bodies and Authorization headers.
#![no_main]

use ccengine_sip::digest::{Algorithm, DigestServer};
use ccengine_sip::media::sdp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(remote) = sdp::parse(data) {
        let _ = sdp::negotiate(&remote, &[sdp::Codec::Pcmu, sdp::Codec::Pcma]);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let server = DigestServer::new("fuzz", &[Algorithm::Sha256, Algorithm::Md5]);
        let _ = server.verify(text, "REGISTER", 0, |_| Some("secret"));
    }
});
