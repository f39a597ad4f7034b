//! The in-memory key set the engine checks against, built from a decrypted store or from a
//! verifier snapshot's payload, and turned back into a payload for export.

use crate::engine::limits::{Limits, Rate, Refill, State};
use crate::error::Result;
use crate::secret::Key32;
use crate::snapshot::payload::{Payload, PayloadEntry};
use crate::store::queries;
use rusqlite::Connection;
use std::collections::HashMap;

/// What the checks need of one key: no SQLite on the request path.
pub struct Entry {
    pub id: String,
    pub name: String,
    pub(super) prefix: String,
    pub(super) hash: [u8; 32],
    pub(super) revoked: bool,
    pub(super) expires_at: Option<i64>,
    pub(super) nets: Vec<ipnet::IpNet>,
    /// A stored allowed-IP entry could not be read: no address is allowed (fail closed).
    pub(super) nets_unreadable: bool,
    /// Effective scopes: the key's own, then its groups'.
    pub scopes: Vec<String>,
    /// The last use as stored, for throttling the CLI's write-back.
    pub last_used_at: Option<i64>,
    pub owner: Option<String>,
    pub meta: std::collections::BTreeMap<String, String>,
    /// Uses left as of the load; `None` for no limit.
    pub remaining: Option<i64>,
    /// Rates and refill (SPEC §10).
    pub limits: Limits,
    /// The refill period `remaining` belongs to.
    pub refill_period: i64,
    /// The GCRA state as stored (a plain CLI verify keeps it in the store).
    pub tats: Vec<i64>,
    /// When `remaining` was true, as an order: unix seconds × 10⁶, plus the audit event's
    /// sequence (mod 10⁶) of the store's last admin change of the key, or 999,999 for a
    /// snapshot's export (it holds every change of its second). Shared counters take a figure
    /// newer than theirs (SPEC §10).
    pub seed_order: i64,
}

impl Entry {
    /// Whether a request of this key takes from a counter: a rate or a use limit.
    pub fn limited(&self) -> bool {
        self.limits.any(self.remaining)
    }

    /// The limit state as loaded.
    pub fn state(&self) -> State {
        State {
            tats: self.tats.clone(),
            remaining: self.remaining,
            period: self.refill_period,
        }
    }
}

impl Entry {
    /// A key of a verifier snapshot; `issued_at` is when its use count was true.
    fn from_payload(k: &PayloadEntry, issued_at: i64) -> std::result::Result<Entry, String> {
        let hash = crate::hex::decode::<32>(&k.hash).ok_or("a bad hash")?;
        let nets = k
            .allowed_ips
            .iter()
            .map(|n| n.parse().map_err(|_| "a bad network".to_string()))
            .collect::<std::result::Result<Vec<ipnet::IpNet>, String>>()?;
        Ok(Entry {
            id: k.id.clone(),
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            hash,
            revoked: k.revoked,
            expires_at: k.expires_at,
            nets,
            nets_unreadable: false,
            scopes: k.scopes.clone(),
            last_used_at: None,
            owner: k.owner.clone(),
            meta: k.meta.clone(),
            remaining: k.remaining,
            limits: Limits {
                rates: k
                    .rates
                    .iter()
                    .map(|r| Rate::parse(r).ok_or_else(|| "a bad rate".to_string()))
                    .collect::<std::result::Result<_, _>>()?,
                refill: k
                    .refill
                    .as_deref()
                    .map(|r| Refill::parse(r).ok_or_else(|| "a bad refill".to_string()))
                    .transpose()?,
                created_at: k.created_at,
            },
            refill_period: k.refill_period,
            tats: vec![],
            seed_order: issued_at * 1_000_000 + 999_999,
        })
    }

    /// What a verifier snapshot carries of this key.
    pub fn to_payload(&self) -> PayloadEntry {
        PayloadEntry {
            id: self.id.clone(),
            name: self.name.clone(),
            prefix: self.prefix.clone(),
            hash: crate::hex::encode(&self.hash),
            revoked: self.revoked,
            expires_at: self.expires_at,
            allowed_ips: self.nets.iter().map(ToString::to_string).collect(),
            scopes: self.scopes.clone(),
            owner: self.owner.clone(),
            meta: self.meta.clone(),
            remaining: self.remaining,
            rates: self.limits.rates.iter().map(ToString::to_string).collect(),
            refill: self.limits.refill.map(|r| r.to_string()),
            created_at: self.limits.created_at,
            refill_period: self.refill_period,
        }
    }
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

/// Keys being gathered into a key set.
pub struct KeyMap(Keys);

impl From<Keys> for KeyMap {
    fn from(k: Keys) -> KeyMap {
        KeyMap(k)
    }
}

/// The keys of one store (or snapshot) as of one load, indexed by id.
pub struct KeySet {
    pub(super) pepper: Key32,
    /// Usage-log high-water marks per node that the key counts already include.
    usage_marks: HashMap<String, i64>,
    keys: Keys,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl KeySet {
    /// What a verifier snapshot carries of this snapshot.
    pub fn export(&self) -> Payload {
        let mut keys: Vec<PayloadEntry> = self.keys.values().map(Entry::to_payload).collect();
        keys.sort_by(|a, b| a.id.cmp(&b.id));
        Payload {
            pepper: crate::hex::encode(self.pepper.expose_secret()),
            usage_marks: self
                .usage_marks
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            keys,
        }
    }

    /// A snapshot from a verifier snapshot's contents.
    /// `issued_at`: the snapshot's export time, when its use counts were true.
    pub fn import(e: &Payload, issued_at: i64) -> std::result::Result<KeySet, String> {
        let mut keys = Keys::with_capacity_and_hasher(e.keys.len(), IdHash);
        for k in &e.keys {
            keys.insert(k.id.clone(), Entry::from_payload(k, issued_at)?);
        }
        KeySet::from_parts(&e.pepper, &e.usage_marks, keys)
    }

    /// A key set being built from a snapshot read key by key (format 2): add keys with
    /// [`KeySet::add_payload`], then finish with [`KeySet::from_parts`].
    pub fn building(capacity: usize) -> KeyMap {
        KeyMap(Keys::with_capacity_and_hasher(capacity, IdHash))
    }

    /// Adds one key of a snapshot to a key set being built.
    pub fn add_payload(
        map: &mut KeyMap,
        k: PayloadEntry,
        issued_at: i64,
    ) -> std::result::Result<(), String> {
        let e = Entry::from_payload(&k, issued_at)?;
        map.0.insert(k.id, e);
        Ok(())
    }

    /// The key set of a snapshot: its pepper (hex), usage marks and keys.
    pub fn from_parts(
        pepper: &str,
        marks: &std::collections::BTreeMap<String, i64>,
        keys: impl Into<KeyMap>,
    ) -> std::result::Result<KeySet, String> {
        let pepper = Key32::from_bytes(crate::hex::decode::<32>(pepper).ok_or("a bad pepper")?);
        Ok(KeySet {
            pepper,
            keys: keys.into().0,
            usage_marks: marks.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        })
    }

    /// Builds the key set from a decrypted store: every key, or only the key `only`.
    pub fn load(conn: &Connection, pepper: Key32, only: Option<&str>) -> Result<KeySet> {
        let groups = queries::groups(conn)?;
        let count = match only {
            Some(_) => 1,
            None => queries::count_keys(conn)?,
        };
        let mut keys = Keys::with_capacity_and_hasher(count, IdHash);
        queries::with_verify_rows(conn, only, |row| {
            let parsed: Vec<Option<ipnet::IpNet>> =
                row.allowed_ips.iter().map(|s| s.parse().ok()).collect();
            let nets_unreadable = parsed.iter().any(Option::is_none);
            let nets = parsed.into_iter().flatten().collect();
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
                    nets_unreadable,
                    scopes,
                    last_used_at: row.last_used_at,
                    owner: row.owner,
                    meta: row.meta,
                    remaining: row.remaining,
                    limits: row.limits,
                    refill_period: row.refill_period,
                    tats: row.rate_state,
                    seed_order: row.seed_order,
                },
            );
        })?;
        let usage_marks = queries::usage_marks(conn)?;
        Ok(KeySet {
            pepper,
            keys,
            usage_marks,
        })
    }

    /// Usage-log high-water marks per node that the remaining counts already include.
    pub fn usage_marks(&self) -> &HashMap<String, i64> {
        &self.usage_marks
    }

    /// Ends the snapshot of a process that exits next, without freeing its entries one by
    /// one (a sixth of a 100k-key batch): the kernel takes the memory back at once. The
    /// pepper is still zeroized; the entries hold no secret.
    pub fn release_at_exit(mut self) {
        std::mem::forget(std::mem::take(&mut self.keys));
    }

    /// Every key, in no order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.keys.values()
    }

    /// The pepper as hex, for a snapshot.
    pub fn pepper_hex(&self) -> String {
        crate::hex::encode(self.pepper.expose_secret())
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
}
