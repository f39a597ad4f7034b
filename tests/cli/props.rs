//! Issue 5: property tests (proptest) over the token format, expiry parsing, IP matching,
//! name validation and the store codec.

use apikeys::model;
use apikeys::policy::{self, Expiry, Policy};
use apikeys::store::Store;
use apikeys::store::unlock::UnlockOptions;
use apikeys::token;
use proptest::prelude::*;

fn prefix() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,15}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tokens_round_trip_through_parse_and_mask(p in prefix()) {
        let t = token::generate(&p).unwrap();
        let s = t.token.expose_secret();
        let parsed = token::parse(s).unwrap();
        prop_assert_eq!(parsed.prefix, p.as_str());
        prop_assert_eq!(parsed.id, t.id.as_str());
        prop_assert_eq!(parsed.check, t.check.as_str());
        let masked = token::mask(parsed.prefix, parsed.id, parsed.check);
        prop_assert!(s.starts_with(masked.split('…').next().unwrap()));
        prop_assert!(s.ends_with(masked.split('…').nth(1).unwrap()));
        prop_assert!(!masked.contains(parsed.expose_secret()));
    }

    #[test]
    fn every_single_character_change_is_rejected(p in prefix(), pos in any::<prop::sample::Index>(), c in any::<char>()) {
        let t = token::generate(&p).unwrap();
        let s = t.token.expose_secret();
        let chars: Vec<char> = s.chars().collect();
        let i = pos.index(chars.len());
        prop_assume!(chars[i] != c);
        let mut changed = chars.clone();
        changed[i] = c;
        let changed: String = changed.into_iter().collect();
        // CRC32 catches every single-character substitution (a burst shorter than 32 bits).
        prop_assert!(token::parse(&changed).is_err(), "accepted {} changed at {}", changed, i);
    }

    #[test]
    fn durations_parse_to_their_seconds(n in 1i64..100_000, unit in prop::sample::select(vec![("s", 1i64), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800), ("y", 31_536_000)])) {
        let text = format!("{n}{}", unit.0);
        match policy::parse_duration(&text) {
            Ok(secs) => prop_assert_eq!(secs, n * unit.1),
            Err(_) => prop_assert!(n * unit.1 > 1000 * 31_536_000, "refused {}", text),
        }
        let now = 1_800_000_000;
        if let Ok(Expiry::At(t)) = policy::parse_expiry(&text, now) {
            prop_assert_eq!(t, now + n * unit.1);
        }
    }

    #[test]
    fn dates_parse_to_midnight_utc(y in 2030i32..2200, m in 1u32..=12, d in 1u32..=28) {
        let now = 1_800_000_000;
        let Expiry::At(t) = policy::parse_expiry(&format!("{y:04}-{m:02}-{d:02}"), now).unwrap() else { panic!("never?") };
        prop_assert_eq!(t % 86_400, 0);
        let rfc = policy::parse_expiry(&format!("{y:04}-{m:02}-{d:02}T00:00:00Z"), now).unwrap();
        prop_assert_eq!(rfc, Expiry::At(t));
    }

    #[test]
    fn policy_limits_hold_at_the_boundary(created in 0i64..4_000_000_000, max in 1i64..100_000_000) {
        let p = Policy { max_lifetime: Some(max), default_lifetime: max };
        prop_assert!(p.check(created, Expiry::At(created + max)).is_ok());
        prop_assert_eq!(p.check(created, Expiry::At(created + max + 1)).unwrap_err().exit_code(), 7);
        prop_assert_eq!(p.check(created, Expiry::Never).unwrap_err().exit_code(), 7);
    }

    #[test]
    fn garbage_expiries_are_usage_errors(s in "\\PC{0,20}") {
        if let Err(e) = policy::parse_expiry(&s, 1_800_000_000) {
            prop_assert_eq!(e.exit_code(), 2);
        }
    }

    #[test]
    fn ipv4_matching_agrees_with_ipnet(net in any::<[u8; 4]>(), len in 0u8..=32, ip in any::<[u8; 4]>()) {
        let net = ipnet::IpNet::V4(ipnet::Ipv4Net::new(net.into(), len).unwrap().trunc());
        let parsed = model::parse_net(&net.to_string()).unwrap();
        prop_assert_eq!(parsed, net);
        let ip = std::net::IpAddr::from(ip);
        prop_assert_eq!(model::ip_allowed(&[parsed], ip), net.contains(&ip));
    }

    #[test]
    fn ipv6_matching_agrees_with_ipnet(net in any::<[u8; 16]>(), len in 0u8..=128, ip in any::<[u8; 16]>()) {
        let net = ipnet::IpNet::V6(ipnet::Ipv6Net::new(net.into(), len).unwrap().trunc());
        let parsed = model::parse_net(&net.to_string()).unwrap();
        let ip6 = std::net::Ipv6Addr::from(ip);
        prop_assume!(ip6.to_ipv4_mapped().is_none());
        let ip = std::net::IpAddr::V6(ip6);
        prop_assert_eq!(model::ip_allowed(&[parsed], ip), net.contains(&ip));
    }

    #[test]
    fn names_are_printable_and_bounded(name in "\\PC{1,64}") {
        prop_assume!(!name.trim().is_empty() && name.trim() == name);
        prop_assume!(!name.chars().any(model::is_invisible));
        prop_assert!(model::check_name("key", &name).is_ok());
    }

    #[test]
    fn names_with_control_characters_are_refused(a in "\\PC{0,10}", c in prop::char::range('\u{0}', '\u{1f}'), b in "\\PC{0,10}") {
        let name = format!("{a}{c}{b}");
        prop_assert_eq!(model::check_name("key", &name).unwrap_err().exit_code(), 2);
    }
}

/// A real store with one key, its bytes, and how to unlock it.
fn sample_store() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    UnlockOptions,
    Vec<u8>,
) {
    let env = crate::harness::TestEnv::new();
    env.create("ci", &["--scope", "x"]);
    let bytes = env.store_bytes();
    let unlock = UnlockOptions {
        key_file: Some(env.key_file.clone()),
        ..Default::default()
    };
    let path = env.path("fuzzed.store");
    (env.dir, path, unlock, bytes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_bytes_open_as_a_store_or_are_refused_with_4(data in prop::collection::vec(any::<u8>(), 0..4096)) {
        thread_local!(static S: (tempfile::TempDir, std::path::PathBuf, UnlockOptions, Vec<u8>) = sample_store());
        S.with(|(_, path, unlock, _)| {
            std::fs::write(path, &data).unwrap();
            match Store::open(path, unlock) {
                Ok(_) => Ok(()),
                Err(e) => {
                    prop_assert_eq!(e.exit_code(), 4, "{}", e);
                    Ok(())
                }
            }
        })?;
    }

    #[test]
    fn mutated_stores_are_refused_with_4(edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4), cut in any::<Option<prop::sample::Index>>()) {
        thread_local!(static S: (tempfile::TempDir, std::path::PathBuf, UnlockOptions, Vec<u8>) = sample_store());
        S.with(|(_, path, unlock, good)| {
            let mut b = good.clone();
            let mut seen = std::collections::HashSet::new();
            for (i, v) in &edits {
                let i = i.index(b.len());
                // Each byte at most once: two edits of one byte could cancel out.
                if seen.insert(i) {
                    b[i] ^= v | 1;
                }
            }
            if let Some(c) = cut {
                b.truncate(c.index(b.len()));
            }
            std::fs::write(path, &b).unwrap();
            let err = Store::open(path, unlock).err();
            prop_assert!(err.is_some(), "a changed store was accepted");
            prop_assert_eq!(err.unwrap().exit_code(), 4);
            Ok(())
        })?;
    }
}
