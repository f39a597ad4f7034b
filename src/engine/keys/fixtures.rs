//! Key sets for unit tests, here and in the front ends' tests: one key view with defaults,
//! and a key set of views.

use super::*;
use crate::snapshot::payload::Text;
use std::borrow::Cow;

/// A key view with id `id`, these scopes and networks, and defaults for the rest.
pub fn view<'a>(id: &'a str, scopes: &[&'a str], nets: &[&'a str]) -> EntryView<'a> {
    let texts = |v: &[&'a str]| v.iter().map(|s| Text(Cow::Borrowed(*s))).collect();
    EntryView {
        id: Cow::Borrowed(id),
        name: Cow::Borrowed("name"),
        prefix: Cow::Borrowed("ak"),
        hash: Cow::Owned("00".repeat(32)),
        revoked: false,
        expires_at: None,
        allowed_ips: texts(nets),
        scopes: texts(scopes),
        owner: None,
        meta: Cow::Owned(BTreeMap::new()),
        remaining: None,
        rates: vec![],
        refill: None,
        created_at: 0,
        refill_period: 0,
        budget: None,
    }
}

/// A key set of these views (loaded as of unix second 1,700,000,000).
pub fn set(views: &[EntryView<'_>]) -> KeySet {
    let mut keys = KeySet::building(views.len());
    for v in views {
        keys.add_view(v, 1_700_000_000).unwrap();
    }
    KeySet::from_parts(&"11".repeat(32), &BTreeMap::new(), keys).unwrap()
}
