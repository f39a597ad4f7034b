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

/// One key in a verifier snapshot.
#[derive(Serialize, Deserialize)]
pub struct PayloadEntry {
    pub id: String,
    pub name: String,
    pub prefix: String,
    /// The keyed hash, hex.
    pub hash: String,
    pub revoked: bool,
    pub expires_at: Option<i64>,
    pub allowed_ips: Vec<String>,
    /// Effective scopes (groups resolved).
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
