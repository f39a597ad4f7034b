//! The in-memory key set the engine checks against, built from a decrypted store or from a
//! verifier snapshot's blocks, and turned back into a snapshot's entries for export.
//!
//! Compact, because `serve` holds every key of a snapshot (a million in SPEC §8 "Scale"):
//! an [`Entry`] keeps what every check reads inline (hash, status, expiry) and its strings in
//! one allocation; lists of scopes and networks, which many keys share, are kept once per
//! key set and named by number; metadata, limits and their state sit behind one pointer that
//! most keys leave empty. Keys live in one vector, found by id through a table of indices.

use crate::engine::limits::{Limits, Rate, Refill, State};
use crate::secret::Key32;
use crate::snapshot::payload::{EntryView, Payload, PayloadEntry};
use hashbrown::HashTable;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

mod build;
mod counts;
use counts::Counts;
#[cfg(test)]
pub(crate) mod fixtures;
pub use build::KeyMap;
use build::{Nets, id_hash};

/// What verification needs of one key, hash included: only the verifier reads these (no
/// `Debug`: the hash is not for logs).
pub struct StoredKey {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub hash: [u8; 32],
    pub revoked: bool,
    pub expires_at: Option<i64>,
    pub scopes: Vec<String>,
    pub groups: Vec<String>,
    pub allowed_ips: Vec<String>,
    pub owner: Option<String>,
    pub meta: std::collections::BTreeMap<String, String>,
    pub remaining: Option<i64>,
    pub limits: crate::engine::limits::Limits,
    pub refill_period: i64,
    pub rate_state: Vec<i64>,
    /// When an admin last changed the key, for a key with a use limit, as an order (unix
    /// seconds × 10⁶ + the audit event's sequence number modulo 10⁶): the shared counters are
    /// re-seeded from the store when it is newer than their figure.
    pub seed_order: i64,
    /// The key whose limit state this one draws from (its rotation chain's newest), when it
    /// is not its own; `remaining`, `limits`, `refill_period` and `rate_state` are then that
    /// key's (SPEC §3 "Rotation budgets").
    pub budget: Option<String>,
}

/// A key's effective scopes: its own, then those of its groups, each once.
pub fn effective_scopes(
    scopes: impl Into<Vec<String>>,
    key_groups: &[String],
    groups: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut out = scopes.into();
    for g in key_groups {
        for s in groups.get(g).into_iter().flatten() {
            crate::model::add_unique(&mut out, s);
        }
    }
    out
}

/// One key: what the checks need of it, with no SQLite on the request path.
pub struct Entry {
    pub(super) hash: [u8; 32],
    /// The id, name, prefix and owner, one after the other.
    text: Box<str>,
    /// Where the id, the name and the prefix end in `text`; the owner runs to its end.
    ends: [u32; 3],
    revoked: bool,
    has_owner: bool,
    /// The key's effective scopes (its own, then its groups'): a list of the key set's.
    scopes: u32,
    /// Its allowed networks: a list of the key set's (0: any address).
    nets: u32,
    /// Unix seconds, or [`NO_EXPIRY`].
    expires_at: i64,
    more: Option<Box<More>>,
}

const NO_EXPIRY: i64 = i64::MIN;

/// What few keys have: metadata, limits and their state, a rotation budget.
struct More {
    meta: BTreeMap<String, String>,
    /// Uses left and the refill period they belong to.
    counts: Counts,
    /// Rates and refill (SPEC §10).
    limits: Limits,
    /// The GCRA state as stored (a plain CLI verify keeps it in the store).
    tats: Vec<i64>,
    /// When `remaining` was true, as an order: unix seconds × 10⁶, plus the audit event's
    /// sequence (mod 10⁶) of the store's last admin change of the key, or 999,999 for a
    /// snapshot's export (it holds every change of its second). Shared counters take a figure
    /// newer than theirs (SPEC §10).
    seed_order: i64,
    /// The key whose limit state this one draws from, when not its own.
    budget: Option<Box<str>>,
}

impl More {
    /// `None` when the key has none of it, as most keys.
    fn of(self) -> Option<Box<More>> {
        let any = !self.meta.is_empty()
            || self.counts.remaining().is_some()
            || !self.limits.rates.is_empty()
            || self.limits.refill.is_some()
            || !self.tats.is_empty()
            || self.budget.is_some();
        any.then(|| Box::new(self))
    }
}

static NO_LIMITS: Limits = Limits {
    rates: Vec::new(),
    refill: None,
    created_at: 0,
};

/// The strings and flags of a key, whatever it is read from.
struct Core<'a> {
    id: &'a str,
    name: &'a str,
    prefix: &'a str,
    owner: Option<&'a str>,
    pub(super) hash: [u8; 32],
    revoked: bool,
    expires_at: Option<i64>,
}

impl Entry {
    fn new(c: Core<'_>, scopes: u32, nets: u32, more: More) -> Entry {
        let owner = c.owner.unwrap_or_default();
        let mut text =
            String::with_capacity(c.id.len() + c.name.len() + c.prefix.len() + owner.len());
        let mut ends = [0u32; 3];
        for (end, part) in ends.iter_mut().zip([c.id, c.name, c.prefix]) {
            text.push_str(part);
            *end = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        text.push_str(owner);
        Entry {
            hash: c.hash,
            text: text.into_boxed_str(),
            ends,
            revoked: c.revoked,
            has_owner: c.owner.is_some(),
            scopes,
            nets,
            expires_at: c.expires_at.unwrap_or(NO_EXPIRY),
            more: more.of(),
        }
    }

    fn part(&self, from: u32, to: u32) -> &str {
        self.text
            .get(from as usize..to as usize)
            .unwrap_or_default()
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        self.part(0, self.ends[0])
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        self.part(self.ends[0], self.ends[1])
    }

    /// The token prefix the key was minted with.
    pub fn prefix(&self) -> &str {
        self.part(self.ends[1], self.ends[2])
    }

    /// Who the key belongs to, if anyone was named.
    pub fn owner(&self) -> Option<&str> {
        self.has_owner
            .then(|| self.text.get(self.ends[2] as usize..).unwrap_or_default())
    }

    /// Whether the key is revoked.
    pub fn revoked(&self) -> bool {
        self.revoked
    }

    /// When the key expires (unix seconds), if ever.
    pub fn expires_at(&self) -> Option<i64> {
        (self.expires_at != NO_EXPIRY).then_some(self.expires_at)
    }

    /// The key's metadata.
    pub fn meta(&self) -> Option<&BTreeMap<String, String>> {
        self.more.as_ref().map(|m| &m.meta)
    }

    /// Uses left as of the load; `None` for no limit.
    pub fn remaining(&self) -> Option<i64> {
        self.more.as_ref().and_then(|m| m.counts.remaining())
    }

    /// Rates and refill (SPEC §10).
    pub fn limits(&self) -> &Limits {
        self.more.as_ref().map_or(&NO_LIMITS, |m| &m.limits)
    }

    /// The refill period `remaining` belongs to.
    pub fn refill_period(&self) -> i64 {
        self.more.as_ref().map_or(0, |m| m.counts.period())
    }

    /// When `remaining` was true, as an order (see [`More`]): shared counters take a figure
    /// newer than theirs (SPEC §10).
    pub fn seed_order(&self) -> i64 {
        self.more.as_ref().map_or(0, |m| m.seed_order)
    }

    /// The id whose counters a request of this key takes from: its rotation chain's newest
    /// key during a grace period, else its own (SPEC §3 "Rotation budgets").
    pub fn budget_id(&self) -> &str {
        self.more
            .as_ref()
            .and_then(|m| m.budget.as_deref())
            .unwrap_or_else(|| self.id())
    }

    /// Whether a request of this key takes from a counter: a rate or a use limit.
    pub fn limited(&self) -> bool {
        self.limits().any(self.remaining())
    }

    /// The limit state as loaded.
    pub fn state(&self) -> State {
        State {
            tats: self
                .more
                .as_ref()
                .map(|m| m.tats.clone())
                .unwrap_or_default(),
            remaining: self.remaining(),
            period: self.refill_period(),
        }
    }
}

/// The keyed hash stays out of `Debug`: it is not a token, but it is not for logs either.
impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("id", &self.id())
            .field("name", &self.name())
            .finish_non_exhaustive()
    }
}

/// Hashes key ids for the snapshot's map. Ids are minted from the CSPRNG, so no one can
/// choose ids that collide, and a lookup by a caller's id only probes what is there: the map
/// needs no keyed (SipHash) hash, which cost 5% of a 100k-key batch.
#[derive(Clone, Copy, Default)]
pub struct IdHash;

impl std::hash::BuildHasher for IdHash {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

/// FxHash's word mixing, then murmur3's finaliser so that every bit reaches the low bits
/// the table indexes by.
pub struct IdHasher(u64);

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

/// The keys of one store (or snapshot) as of one load, indexed by id.
pub struct KeySet {
    pub(super) pepper: Key32,
    /// The same, ready to hash a token's secret.
    pub(super) ready: crate::secret::Pepper,
    /// Usage-log high-water marks per node that the key counts already include.
    usage_marks: HashMap<String, i64>,
    entries: Vec<Entry>,
    /// The places of the keys with a use limit: the only ones a write-back brings up to date
    /// ([`KeySet::counts_written`] need not walk 100,000 keys for one).
    counted: Box<[u32]>,
    table: HashTable<u32>,
    scope_lists: Vec<Box<[String]>>,
    net_lists: Vec<Nets>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("keys", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl KeySet {
    /// What a verifier snapshot carries of this key set (format 1, read whole).
    pub fn export(&self) -> Payload {
        let mut keys: Vec<PayloadEntry> = self.entries.iter().map(|e| self.payload_of(e)).collect();
        keys.sort_by(|a, b| a.id.cmp(&b.id));
        Payload {
            pepper: self.pepper_hex(),
            usage_marks: self
                .usage_marks
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            keys,
        }
    }

    /// What a verifier snapshot carries of one key.
    fn payload_of(&self, e: &Entry) -> PayloadEntry {
        let nets = &self.net_lists[e.nets as usize];
        PayloadEntry {
            id: e.id().to_string(),
            name: e.name().to_string(),
            prefix: e.prefix().to_string(),
            hash: crate::hex::encode(&e.hash),
            revoked: e.revoked,
            expires_at: e.expires_at(),
            allowed_ips: nets.list.iter().map(ToString::to_string).collect(),
            scopes: self.scopes_of(e).to_vec(),
            owner: e.owner().map(str::to_string),
            meta: e.meta().cloned().unwrap_or_default(),
            remaining: e.remaining(),
            rates: e.limits().rates.iter().map(ToString::to_string).collect(),
            refill: e.limits().refill.map(|r| r.to_string()),
            created_at: e.limits().created_at,
            refill_period: e.refill_period(),
            budget: (e.budget_id() != e.id()).then(|| e.budget_id().to_string()),
        }
    }

    /// A key set from a verifier snapshot's contents (format 1).
    /// `issued_at`: the snapshot's export time, when its use counts were true.
    pub fn import(e: &Payload, issued_at: i64) -> std::result::Result<KeySet, String> {
        let mut keys = KeySet::building(e.keys.len());
        for k in &e.keys {
            keys.add_view(&EntryView::from(k), issued_at)?;
        }
        KeySet::from_parts(&e.pepper, &e.usage_marks, keys)
    }

    /// A key set being built from a snapshot read key by key (format 2): add keys with
    /// [`KeyMap::add_view`], then finish with [`KeySet::from_parts`].
    pub fn building(capacity: usize) -> KeyMap {
        KeyMap::with_capacity(capacity)
    }

    /// The key set of a snapshot: its pepper (hex), usage marks and keys.
    pub fn from_parts(
        pepper: &str,
        marks: &BTreeMap<String, i64>,
        keys: KeyMap,
    ) -> std::result::Result<KeySet, String> {
        let pepper = Key32::from_bytes(crate::hex::decode::<32>(pepper).ok_or("a bad pepper")?);
        Ok(KeySet::of(
            pepper,
            marks.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            keys,
        ))
    }

    /// A key set of these keys, with the store's pepper and usage marks.
    pub fn of(pepper: Key32, usage_marks: HashMap<String, i64>, keys: KeyMap) -> KeySet {
        let counted = (0..keys.entries.len())
            .filter(|&i| {
                keys.entries[i]
                    .more
                    .as_ref()
                    .is_some_and(|m| m.counts.remaining().is_some())
            })
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        KeySet {
            counted,
            ready: crate::secret::Pepper::new(&pepper),
            pepper,
            usage_marks,
            entries: keys.entries,
            table: keys.table,
            scope_lists: keys.scope_lists.lists,
            net_lists: keys.net_lists.lists,
        }
    }

    /// Usage-log high-water marks per node that the remaining counts already include.
    pub fn usage_marks(&self) -> &HashMap<String, i64> {
        &self.usage_marks
    }

    /// Ends the key set of a process that exits next, without freeing its entries one by
    /// one (a sixth of a 100k-key batch): the kernel takes the memory back at once. The
    /// pepper is still zeroized; the entries hold no secret.
    pub fn release_at_exit(mut self) {
        std::mem::forget(std::mem::take(&mut self.entries));
        std::mem::forget(std::mem::take(&mut self.table));
    }

    /// Every key, in no order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// The pepper as hex, for a snapshot.
    pub fn pepper_hex(&self) -> String {
        crate::hex::encode(self.pepper.expose_secret())
    }

    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A key by id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.find(id).map(|(_, e)| e)
    }

    /// The key at a place [`KeySet::find`] gave (`None` past the end).
    pub fn at(&self, i: usize) -> Option<&Entry> {
        self.entries.get(i)
    }

    /// A key by id, with its place among the keys (`0..len`).
    pub fn find(&self, id: &str) -> Option<(usize, &Entry)> {
        self.table
            .find(id_hash(id), |&i| self.entries[i as usize].id() == id)
            .map(|&i| (i as usize, &self.entries[i as usize]))
    }

    /// A key's effective scopes.
    pub fn scopes_of(&self, e: &Entry) -> &[String] {
        self.scope_lists.get(e.scopes as usize).map_or(&[], |s| s)
    }

    /// A key's allowed networks (empty: any address), and whether one could not be read
    /// (then no address is allowed).
    pub(super) fn nets_of(&self, e: &Entry) -> (&[ipnet::IpNet], bool) {
        self.net_lists
            .get(e.nets as usize)
            .map_or((&[], true), |n| (&n.list, n.unreadable))
    }
}

#[cfg(test)]
mod tests;
