//! Expiry, duration and --since parsing never panic; accepted expiries are in the future.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let now = 1_790_000_000;
    if let Ok(apikeys::policy::Expiry::At(t)) = apikeys::policy::parse_expiry(s, now) {
        assert!(t > now);
    }
    if let Ok(d) = apikeys::policy::parse_duration(s) {
        assert!(d >= 0);
    }
    let _ = apikeys::policy::parse_since(s, now);
});
