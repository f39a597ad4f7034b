//! Token parsing never panics, and what parses re-checks and masks consistently.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = apikeys::token::parse(s) {
        let body = &s[..s.len() - apikeys::token::CHECK_LEN];
        assert_eq!(apikeys::token::checksum(body), t.check);
        let masked = apikeys::token::mask(t.prefix, t.id, t.check);
        assert!(!masked.contains(t.expose_secret()));
    }
});
