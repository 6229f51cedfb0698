//! Whatever the bytes, `parse_message` returns a value or an error; it never panics.
#![no_main]

use ccengine_sip::config::Limits;
use ccengine_sip::parse_message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_message(data, &Limits::default());
});
