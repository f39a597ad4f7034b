//! The sealed contents of a verifier snapshot (SPEC §8): only what the checks need, as json.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What a verifier snapshot holds (SPEC §8): only what the checks need.
#[derive(Serialize, Deserialize)]
pub struct Payload {
    /// The pepper, hex.
    pub pepper: String,
    pub keys: Vec<PayloadEntry>,
    /// The highest usage-log sequence number of each node that the store had imported when
    /// this snapshot was exported: later records are uses the snapshot does not count yet.
    #[serde(default)]
    pub usage_marks: std::collections::BTreeMap<String, i64>,
}

/// One key as a format-2 block holds it: read borrowing from the decrypted block (no string
/// is copied that the key set does not keep), and written with the fields at their default
/// (not revoked, no expiry, no owner, no limits…) left out, so that a snapshot stays smaller
/// than the store it comes from.
#[derive(Clone, Serialize, Deserialize)]
pub struct EntryView<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow)]
    pub prefix: Cow<'a, str>,
    /// The keyed hash, hex.
    #[serde(borrow)]
    pub hash: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revoked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    pub allowed_ips: Vec<Text<'a>>,
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<Text<'a>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "no_meta")]
    pub meta: Cow<'a, BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<i64>,
    #[serde(default, borrow, skip_serializing_if = "Vec::is_empty")]
    pub rates: Vec<Text<'a>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub refill: Option<Cow<'a, str>>,
    /// Only a refill counts from it, so it is written only with one.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refill_period: i64,
    /// The key whose limit state this key draws from: its rotation chain's newest key (SPEC §3
    /// "Rotation budgets"); absent for a key that draws from its own.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Cow<'a, str>>,
}

/// A string of a list, borrowed from the block where it has no escapes.
#[derive(Clone, Serialize, Deserialize)]
pub struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl Text<'_> {
    /// A list of strings, borrowed.
    pub fn list(v: &[String]) -> Vec<Text<'_>> {
        v.iter().map(|s| Text(Cow::Borrowed(s.as_str()))).collect()
    }
}

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn no_meta(m: &BTreeMap<String, String>) -> bool {
    m.is_empty()
}

impl<'a> From<&'a PayloadEntry> for EntryView<'a> {
    fn from(e: &'a PayloadEntry) -> Self {
        EntryView {
            id: Cow::Borrowed(&e.id),
            name: Cow::Borrowed(&e.name),
            prefix: Cow::Borrowed(&e.prefix),
            hash: Cow::Borrowed(&e.hash),
            revoked: e.revoked,
            expires_at: e.expires_at,
            allowed_ips: Text::list(&e.allowed_ips),
            scopes: Text::list(&e.scopes),
            owner: e.owner.as_deref().map(Cow::Borrowed),
            meta: Cow::Borrowed(&e.meta),
            remaining: e.remaining,
            rates: Text::list(&e.rates),
            refill: e.refill.as_deref().map(Cow::Borrowed),
            created_at: e.refill.as_ref().map_or(0, |_| e.created_at),
            refill_period: e.refill_period,
            budget: e.budget.as_deref().map(Cow::Borrowed),
        }
    }
}

impl From<&EntryView<'_>> for PayloadEntry {
    fn from(e: &EntryView<'_>) -> Self {
        let strs = |v: &[Text<'_>]| v.iter().map(|s| s.0.to_string()).collect();
        PayloadEntry {
            id: e.id.to_string(),
            name: e.name.to_string(),
            prefix: e.prefix.to_string(),
            hash: e.hash.to_string(),
            revoked: e.revoked,
            expires_at: e.expires_at,
            allowed_ips: strs(&e.allowed_ips),
            scopes: strs(&e.scopes),
            owner: e.owner.as_ref().map(ToString::to_string),
            meta: e.meta.clone().into_owned(),
            remaining: e.remaining,
            rates: strs(&e.rates),
            refill: e.refill.as_ref().map(ToString::to_string),
            created_at: e.created_at,
            refill_period: e.refill_period,
            budget: e.budget.as_ref().map(ToString::to_string),
        }
    }
}

/// One key in a verifier snapshot.
#[derive(Serialize, Deserialize)]
pub struct PayloadEntry {
    pub id: String,
    pub name: String,
    pub prefix: String,
    /// The keyed hash, hex.
    pub hash: String,
    #[serde(default)]
    pub revoked: bool,
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub allowed_ips: Vec<String>,
    /// Effective scopes (groups resolved).
    #[serde(default)]
    pub scopes: Vec<String>,
    pub owner: Option<String>,
    #[serde(default)]
    pub meta: std::collections::BTreeMap<String, String>,
    pub remaining: Option<i64>,
    /// Rate limits, "N/DUR" (SPEC §10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rates: Vec<String>,
    /// The refill, "N/DUR".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refill: Option<String>,
    /// Unix seconds of the key's creation: refill periods count from it.
    #[serde(default)]
    pub created_at: i64,
    /// The refill period `remaining` belongs to.
    #[serde(default)]
    pub refill_period: i64,
    /// The key whose limit state this one draws from (its rotation chain's newest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
}

impl Drop for Payload {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.pepper);
    }
}
