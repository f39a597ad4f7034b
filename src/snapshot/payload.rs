//! The sealed contents of a verifier snapshot (SPEC §8): only what the checks need, as json.

use serde::{Deserialize, Serialize};

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

/// One key as a format-2 block stores it: the fields of [`PayloadEntry`], with those at
/// their default (not revoked, no expiry, no owner, no limits…) left out, so that a snapshot
/// stays smaller than the store it comes from.
#[derive(Serialize)]
pub struct CompactEntry<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub prefix: &'a str,
    pub hash: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub revoked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub allowed_ips: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub scopes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<&'a str>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub meta: &'a std::collections::BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<i64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub rates: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refill: Option<&'a str>,
    /// Only a refill counts from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    #[serde(skip_serializing_if = "is_zero")]
    pub refill_period: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl<'a> From<&'a PayloadEntry> for CompactEntry<'a> {
    fn from(e: &'a PayloadEntry) -> Self {
        CompactEntry {
            id: &e.id,
            name: &e.name,
            prefix: &e.prefix,
            hash: &e.hash,
            revoked: e.revoked,
            expires_at: e.expires_at,
            allowed_ips: &e.allowed_ips,
            scopes: &e.scopes,
            owner: e.owner.as_deref(),
            meta: &e.meta,
            remaining: e.remaining,
            rates: &e.rates,
            refill: e.refill.as_deref(),
            created_at: e.refill.as_ref().map(|_| e.created_at),
            refill_period: e.refill_period,
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
}

impl Drop for Payload {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.pepper);
    }
}
