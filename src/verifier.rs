//! The one verification engine: the checks of a token (format, checksum, existence, hash,
//! status, expiry, IP, scopes) over an in-memory snapshot of the keys. CLI `verify`, `--batch`
//! and `serve` are thin front ends on it, so the order of checks and the answers cannot drift.

use crate::error::Result;
use crate::output::ser_opt_time;
use crate::secret::Key32;
use crate::store::{crypto, queries};
use crate::token;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use subtle::ConstantTimeEq;

/// The answer for one token (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Valid,
    Malformed,
    Unknown,
    Inactive,
    Expired,
    IpDenied,
    ScopeDenied,
    UsageExceeded,
}

impl Code {
    /// Every code, in the order of the checks.
    pub const ALL: [Code; 8] = [
        Code::Valid,
        Code::Malformed,
        Code::Unknown,
        Code::Inactive,
        Code::Expired,
        Code::IpDenied,
        Code::ScopeDenied,
        Code::UsageExceeded,
    ];

    /// The exit code of SPEC §4.
    pub fn exit_code(self) -> i32 {
        match self {
            Code::Valid => 0,
            Code::Malformed => 10,
            Code::Unknown => 11,
            Code::Inactive => 12,
            Code::Expired => 13,
            Code::IpDenied => 14,
            Code::ScopeDenied => 15,
            Code::UsageExceeded => 16,
        }
    }

    /// The word used in json, headers and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Valid => "valid",
            Code::Malformed => "malformed",
            Code::Unknown => "unknown",
            Code::Inactive => "inactive",
            Code::Expired => "expired",
            Code::IpDenied => "ip_denied",
            Code::ScopeDenied => "scope_denied",
            Code::UsageExceeded => "usage_exceeded",
        }
    }
}

/// Why a token was not even looked up. Never carries the token itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paste {
    /// Nothing was given.
    Empty,
    /// `Bearer ak_…`: the header's scheme came along.
    Bearer,
    /// `"ak_…"`: quotes came along.
    Quoted,
    /// The token itself is malformed.
    Token(token::Malformed),
}

impl std::fmt::Display for Paste {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Paste::Empty => f.write_str("no token on stdin (or in the request)"),
            Paste::Bearer => f.write_str(
                "the token starts with \"Bearer \": pass the token alone, without the header's scheme",
            ),
            Paste::Quoted => {
                f.write_str("the token is quoted: pass it without the quotes around it")
            }
            Paste::Token(m) => m.fmt(f),
        }
    }
}

/// Parses a token as given, naming the common paste mistakes; nothing is stripped silently.
pub fn parse(text: &str) -> std::result::Result<token::ParsedToken<'_>, Paste> {
    if text.is_empty() {
        return Err(Paste::Empty);
    }
    if text.len() > 7 && text[..7].eq_ignore_ascii_case("bearer ") {
        return Err(Paste::Bearer);
    }
    if text.starts_with(['"', '\'']) || text.ends_with(['"', '\'']) {
        return Err(Paste::Quoted);
    }
    token::parse(text).map_err(Paste::Token)
}

/// What the checks need of one key: no SQLite on the request path.
pub struct Entry {
    pub id: String,
    pub name: String,
    prefix: String,
    hash: [u8; 32],
    revoked: bool,
    expires_at: Option<i64>,
    nets: Vec<ipnet::IpNet>,
    /// Effective scopes: the key's own, then its groups'.
    pub scopes: Vec<String>,
    /// The last use as stored, for throttling the CLI's write-back.
    pub last_used_at: Option<i64>,
    pub owner: Option<String>,
    pub meta: std::collections::BTreeMap<String, String>,
    /// Uses left as of the load; `None` for no limit.
    pub remaining: Option<i64>,
}

/// The keyed hash stays out of `Debug`: it is not a token, but it is not for logs either.
impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Hashes key ids for the snapshot's map. Ids are minted from the CSPRNG, so no one can
/// choose ids that collide, and a lookup by a caller's id only probes what is there: the map
/// needs no keyed (SipHash) hash, which cost 5% of a 100k-key batch.
#[derive(Clone, Copy, Default)]
struct IdHash;

impl std::hash::BuildHasher for IdHash {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

/// FxHash's word mixing, then murmur3's finaliser so that every bit reaches the low bits
/// the table indexes by.
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

type Keys = HashMap<String, Entry, IdHash>;

/// The keys of one store as of one load, indexed by id.
pub struct Snapshot {
    pepper: Key32,
    keys: Keys,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

/// The context of one check: the client's address and the scopes it needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    pub ip: Option<IpAddr>,
    pub scopes: &'a [String],
}

/// Why a check failed, for the one line people read; never computed into text unless printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    None,
    Malformed(Paste),
    NoIp,
    Ip(IpAddr),
    Scope(String),
}

/// The json result of SPEC §4; id and name only once the secret matched.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub valid: bool,
    pub code: Code,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<std::collections::BTreeMap<String, String>>,
    #[serde(serialize_with = "ser_opt_time")]
    pub expires_at: Option<i64>,
    /// Uses left after this one, for a key with a limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<i64>,
    pub scopes: Vec<String>,
    #[serde(skip)]
    pub reason: Reason,
}

impl Outcome {
    fn bare(code: Code, reason: Reason) -> Self {
        Outcome {
            valid: false,
            code,
            key_id: None,
            name: None,
            owner: None,
            meta: None,
            expires_at: None,
            remaining: None,
            scopes: vec![],
            reason,
        }
    }

    /// This (valid) answer turned into `usage_exceeded`: the limited key has no use left.
    pub fn exhausted(mut self) -> Self {
        self.valid = false;
        self.code = Code::UsageExceeded;
        self.remaining = Some(0);
        self
    }

    /// A malformed token's answer.
    pub fn malformed(why: Paste) -> Self {
        Outcome::bare(Code::Malformed, Reason::Malformed(why))
    }

    /// The one line for people.
    pub fn line(&self) -> String {
        let name = self
            .name
            .as_deref()
            .map(crate::output::sanitize)
            .unwrap_or_default();
        match (self.code, &self.reason) {
            (Code::Valid, _) => {
                let exp = self.expires_at.map_or("never expires".into(), |e| {
                    format!("expires {}", crate::output::time(e))
                });
                format!("valid: {name} ({exp})")
            }
            (Code::Malformed, Reason::Malformed(why)) => format!("invalid: malformed token: {why}"),
            (Code::Inactive, _) => format!("invalid: key {name} is revoked"),
            (Code::Expired, _) => format!(
                "invalid: key {name} expired at {}",
                self.expires_at
                    .map_or_else(String::new, crate::output::time)
            ),
            (Code::IpDenied, Reason::NoIp) => format!(
                "invalid: key {name} is limited to some addresses and no --ip was given (pass --ip CLIENT_IP)"
            ),
            (Code::IpDenied, Reason::Ip(ip)) => {
                format!("invalid: address {ip} is not allowed for key {name}")
            }
            (Code::ScopeDenied, Reason::Scope(s)) => format!(
                "invalid: scope {} is not granted to key {name}",
                crate::output::sanitize(s)
            ),
            (Code::UsageExceeded, _) => format!(
                "invalid: key {name} has no uses left (refill with `apikeys edit KEY --uses N`)"
            ),
            _ => "invalid: unknown key or wrong secret".into(),
        }
    }
}

/// What a verifier snapshot holds (SPEC §8): only what the checks need.
#[derive(Serialize, Deserialize)]
pub struct Export {
    /// The pepper, hex.
    pepper: String,
    keys: Vec<ExportEntry>,
}

/// One key in a verifier snapshot.
#[derive(Serialize, Deserialize)]
struct ExportEntry {
    id: String,
    name: String,
    prefix: String,
    /// The keyed hash, hex.
    hash: String,
    revoked: bool,
    expires_at: Option<i64>,
    allowed_ips: Vec<String>,
    /// Effective scopes (groups resolved).
    scopes: Vec<String>,
    owner: Option<String>,
    #[serde(default)]
    meta: std::collections::BTreeMap<String, String>,
    remaining: Option<i64>,
}

impl Drop for Export {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.pepper);
    }
}

impl Snapshot {
    /// What a verifier snapshot carries of this snapshot.
    pub fn export(&self) -> Export {
        let mut keys: Vec<ExportEntry> = self
            .keys
            .values()
            .map(|k| ExportEntry {
                id: k.id.clone(),
                name: k.name.clone(),
                prefix: k.prefix.clone(),
                hash: crate::snapshot::hex(&k.hash),
                revoked: k.revoked,
                expires_at: k.expires_at,
                allowed_ips: k.nets.iter().map(ToString::to_string).collect(),
                scopes: k.scopes.clone(),
                owner: k.owner.clone(),
                meta: k.meta.clone(),
                remaining: k.remaining,
            })
            .collect();
        keys.sort_by(|a, b| a.id.cmp(&b.id));
        Export {
            pepper: crate::snapshot::hex(self.pepper.expose_secret()),
            keys,
        }
    }

    /// A snapshot from a verifier snapshot's contents.
    pub fn import(e: Export) -> std::result::Result<Snapshot, String> {
        let pepper = Key32::from_bytes(crate::hex::decode::<32>(&e.pepper).ok_or("a bad pepper")?);
        let mut keys = Keys::with_capacity_and_hasher(e.keys.len(), IdHash);
        for k in &e.keys {
            let hash = crate::hex::decode::<32>(&k.hash).ok_or("a bad hash")?;
            let nets = k
                .allowed_ips
                .iter()
                .map(|n| n.parse().map_err(|_| "a bad network".to_string()))
                .collect::<std::result::Result<Vec<ipnet::IpNet>, String>>()?;
            keys.insert(
                k.id.clone(),
                Entry {
                    id: k.id.clone(),
                    name: k.name.clone(),
                    prefix: k.prefix.clone(),
                    hash,
                    revoked: k.revoked,
                    expires_at: k.expires_at,
                    nets,
                    scopes: k.scopes.clone(),
                    last_used_at: None,
                    owner: k.owner.clone(),
                    meta: k.meta.clone(),
                    remaining: k.remaining,
                },
            );
        }
        Ok(Snapshot { pepper, keys })
    }

    /// Builds the snapshot from a decrypted store: every key, or only the key `only`.
    pub fn load(conn: &Connection, pepper: Key32, only: Option<&str>) -> Result<Snapshot> {
        let groups = queries::groups(conn)?;
        let count = match only {
            Some(_) => 1,
            None => queries::count_keys(conn)?,
        };
        let mut keys = Keys::with_capacity_and_hasher(count, IdHash);
        queries::with_verify_rows(conn, only, |row| {
            let nets = row
                .allowed_ips
                .iter()
                .filter_map(|s| s.parse().ok())
                .collect();
            let scopes = queries::effective_scopes(row.scopes, &row.groups, &groups);
            keys.insert(
                row.id.clone(),
                Entry {
                    id: row.id,
                    name: row.name,
                    prefix: row.prefix,
                    hash: row.hash,
                    revoked: row.revoked,
                    expires_at: row.expires_at,
                    nets,
                    scopes,
                    last_used_at: row.last_used_at,
                    owner: row.owner,
                    meta: row.meta,
                    remaining: row.remaining,
                },
            );
        })?;
        Ok(Snapshot { pepper, keys })
    }

    /// Ends the snapshot of a process that exits next, without freeing its entries one by
    /// one (a sixth of a 100k-key batch): the kernel takes the memory back at once. The
    /// pepper is still zeroized; the entries hold no secret.
    pub fn release_at_exit(mut self) {
        std::mem::forget(std::mem::take(&mut self.keys));
    }

    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// A key by id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.keys.get(id)
    }

    /// Checks a token as given, in the order of SPEC §3: format, checksum, existence, hash,
    /// status, expiry, IP, scopes.
    pub fn check(&self, text: &str, req: &Request<'_>, now: i64) -> Outcome {
        match parse(text) {
            Err(why) => Outcome::malformed(why),
            Ok(t) => self.check_parsed(&t, req, now),
        }
    }

    /// Checks a token that passed the format and checksum checks.
    pub fn check_parsed(&self, t: &token::ParsedToken<'_>, req: &Request<'_>, now: i64) -> Outcome {
        let given = crypto::secret_hash(&self.pepper, t.id, t.expose_secret());
        let entry = self.keys.get(t.id);
        // Compare in constant time, against a dummy when the id is unknown.
        let stored = entry.map_or([0u8; 32], |e| e.hash);
        let matches: bool = given.ct_eq(&stored).into();
        let Some(k) = entry.filter(|k| matches && k.prefix == t.prefix) else {
            return Outcome::bare(Code::Unknown, Reason::None);
        };
        let (code, reason) = if k.revoked {
            (Code::Inactive, Reason::None)
        } else if k.expires_at.is_some_and(|e| e <= now) {
            (Code::Expired, Reason::None)
        } else if !k.nets.is_empty() && req.ip.is_none() {
            // Fail closed: a key limited to some addresses is never valid from an unknown one.
            (Code::IpDenied, Reason::NoIp)
        } else if let Some(ip) = req.ip.filter(|ip| !crate::model::ip_allowed(&k.nets, *ip)) {
            (Code::IpDenied, Reason::Ip(ip))
        } else if let Some(s) = req.scopes.iter().find(|s| !k.scopes.contains(s)) {
            (Code::ScopeDenied, Reason::Scope(s.clone()))
        } else if k.remaining.is_some_and(|r| r <= 0) {
            (Code::UsageExceeded, Reason::None)
        } else {
            (Code::Valid, Reason::None)
        };
        Outcome {
            valid: code == Code::Valid,
            code,
            key_id: Some(k.id.clone()),
            name: Some(k.name.clone()),
            owner: k.owner.clone(),
            meta: Some(k.meta.clone()),
            expires_at: k.expires_at,
            remaining: k.remaining,
            scopes: k.scopes.clone(),
            reason,
        }
    }
}
