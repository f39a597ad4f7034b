//! Unit tests of the compact key set: fields read back, shared lists kept once, an unreadable network denies.

use super::*;
use crate::engine::{Code, Request};
use std::borrow::Cow;

use super::fixtures::{set, view};

#[test]
fn every_field_reads_back_as_given() {
    let mut v = view("AAAAAAAAAAAA", &["read", "write"], &["10.0.0.0/8"]);
    v.name = Cow::Borrowed("ünïcode name");
    v.prefix = Cow::Borrowed("corp");
    v.owner = Some(Cow::Borrowed("team-a"));
    v.revoked = true;
    v.expires_at = Some(1_800_000_000);
    v.remaining = Some(5);
    v.meta = Cow::Owned(BTreeMap::from([("env".to_string(), "prod".to_string())]));
    let s = set(&[v, view("BBBBBBBBBBBB", &[], &[])]);
    let k = s.get("AAAAAAAAAAAA").unwrap();
    assert_eq!(
        (k.id(), k.name(), k.prefix(), k.owner()),
        ("AAAAAAAAAAAA", "ünïcode name", "corp", Some("team-a"))
    );
    assert!(k.revoked());
    assert_eq!(k.expires_at(), Some(1_800_000_000));
    assert_eq!(k.remaining(), Some(5));
    assert!(k.limited());
    assert_eq!(k.meta().unwrap()["env"], "prod");
    assert_eq!(s.scopes_of(k), ["read", "write"]);
    assert_eq!(s.nets_of(k).0.len(), 1);
    let plain = s.get("BBBBBBBBBBBB").unwrap();
    assert_eq!(
        (plain.owner(), plain.expires_at(), plain.meta()),
        (None, None, None)
    );
    assert!(!plain.limited() && s.scopes_of(plain).is_empty());
    assert!(s.get("CCCCCCCCCCCC").is_none());
}

#[test]
fn an_entry_stays_small() {
    // What a million keys cost in serve (SPEC §8 "Scale"): the entry, its strings and
    // about 10 bytes of table.
    assert!(
        std::mem::size_of::<Entry>() <= 88,
        "{}",
        std::mem::size_of::<Entry>()
    );
}

#[test]
fn a_second_key_of_the_same_id_takes_the_first_ones_place() {
    let mut second = view("AAAAAAAAAAAA", &[], &[]);
    second.name = Cow::Borrowed("second");
    let s = set(&[view("AAAAAAAAAAAA", &[], &[]), second]);
    assert_eq!(s.len(), 1);
    assert_eq!(s.get("AAAAAAAAAAAA").unwrap().name(), "second");
}

#[test]
fn lists_shared_by_many_keys_are_kept_once() {
    let ids: Vec<String> = (0..1000).map(|i| format!("{i:012}")).collect();
    let views: Vec<EntryView<'_>> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| view(id, &["read", ["a", "b"][i % 2]], &["10.0.0.0/8"]))
        .collect();
    let s = set(&views);
    assert_eq!(s.len(), 1000);
    // The empty list, and two of scopes; the empty list and one of networks.
    assert_eq!((s.scope_lists.len(), s.net_lists.len()), (3, 2));
    // Same items in another split are another list.
    let s = set(&[
        view("AAAAAAAAAAAA", &["ab"], &[]),
        view("BBBBBBBBBBBB", &["a", "b"], &[]),
    ]);
    assert_eq!(s.scope_lists.len(), 3);
}

#[test]
fn a_network_that_cannot_be_read_allows_no_address() {
    let t = crate::token::generate("ak").unwrap();
    let parsed = crate::token::parse(t.token.expose_secret()).unwrap();
    let pepper = Key32::from_bytes([0x11; 32]);
    let hash = crate::secret::secret_hash(&pepper, &t.id, parsed.expose_secret());
    let check = |nets: &[&str], ip: &str| {
        let mut v = view(&t.id, &[], nets);
        v.hash = Cow::Owned(crate::hex::encode(&hash));
        let req = Request {
            ip: Some(ip.parse().unwrap()),
            ..Request::default()
        };
        set(&[v]).check(t.token.expose_secret(), &req, 0).code
    };
    assert_eq!(check(&["10.0.0.0/8"], "10.1.2.3"), Code::Valid);
    assert_eq!(check(&["10.0.0.0/8"], "192.0.2.1"), Code::IpDenied);
    assert_eq!(
        check(&["10.0.0.0/8", "not-a-network"], "10.1.2.3"),
        Code::IpDenied
    );
    assert_eq!(check(&["not-a-network"], "192.0.2.1"), Code::IpDenied);
}

#[test]
fn a_write_back_brings_up_to_date_the_keys_of_its_budget_and_no_other() {
    let mut a = view("AAAAAAAAAAAA", &[], &[]);
    a.remaining = Some(5);
    // In the grace period of a rotation: it takes from A's budget.
    let mut old = view("BBBBBBBBBBBB", &[], &[]);
    old.remaining = Some(9);
    old.budget = Some(Cow::Borrowed("AAAAAAAAAAAA"));
    let mut other = view("DDDDDDDDDDDD", &[], &[]);
    other.remaining = Some(3);
    let s = set(&[a, old, view("CCCCCCCCCCCC", &[], &[]), other]);
    s.counts_written(&HashMap::from([("AAAAAAAAAAAA".to_string(), (Some(2), 4))]));
    let figures = |id: &str| {
        let k = s.get(id).unwrap();
        (k.remaining(), k.refill_period())
    };
    assert_eq!(figures("AAAAAAAAAAAA"), (Some(2), 4));
    assert_eq!(figures("BBBBBBBBBBBB"), (Some(2), 4));
    assert_eq!(figures("CCCCCCCCCCCC"), (None, 0));
    assert_eq!(figures("DDDDDDDDDDDD"), (Some(3), 0));
}
