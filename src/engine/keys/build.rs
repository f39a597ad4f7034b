//! Building a key set: the keys one by one (from a store's rows or a snapshot's blocks), their scope and network lists kept once, found by id through a table of indices.

use super::*;

/// A list of allowed networks, parsed once for every key that has it.
pub(super) struct Nets {
    pub(super) list: Box<[ipnet::IpNet]>,
    /// An entry could not be read: no address is allowed (fail closed).
    pub(super) unreadable: bool,
}

/// Keys being gathered into a key set: [`KeySet::building`], then [`KeySet::from_parts`].
pub struct KeyMap {
    pub(super) entries: Vec<Entry>,
    pub(super) table: HashTable<u32>,
    pub(super) scope_lists: Lists<Box<[String]>>,
    pub(super) net_lists: Lists<Nets>,
    pub(super) scratch: Vec<u8>,
}

/// Lists that many keys share, each kept once and named by its number; number 0 is the
/// empty list.
pub(super) struct Lists<T> {
    pub(super) lists: Vec<T>,
    /// The lists seen so far, by their length-prefixed concatenation.
    pub(super) ids: HashMap<Box<[u8]>, u32, IdHash>,
}

impl<T> Lists<T> {
    pub(super) fn new(empty: T) -> Lists<T> {
        Lists {
            lists: vec![empty],
            ids: HashMap::default(),
        }
    }

    /// The number of the list of `items`, made by `make` the first time it is seen.
    pub(super) fn number<S: AsRef<str>>(
        &mut self,
        scratch: &mut Vec<u8>,
        items: &[S],
        make: impl FnOnce(&[S]) -> T,
    ) -> u32 {
        if items.is_empty() {
            return 0;
        }
        list_key(scratch, items);
        if let Some(&i) = self.ids.get(scratch.as_slice()) {
            return i;
        }
        let i = self.lists.len() as u32;
        self.lists.push(make(items));
        self.ids.insert(scratch.as_slice().into(), i);
        i
    }
}

pub(super) fn id_hash(id: &str) -> u64 {
    IdHash.hash_one(id)
}

/// The length-prefixed concatenation of a list: two lists have the same one only if they
/// are the same.
pub(super) fn list_key<S: AsRef<str>>(into: &mut Vec<u8>, items: &[S]) {
    into.clear();
    for s in items {
        let s = s.as_ref();
        into.extend_from_slice(&(s.len() as u64).to_le_bytes());
        into.extend_from_slice(s.as_bytes());
    }
}

impl KeyMap {
    pub(super) fn with_capacity(capacity: usize) -> KeyMap {
        KeyMap {
            entries: Vec::with_capacity(capacity),
            table: HashTable::with_capacity(capacity),
            scope_lists: Lists::new(Box::default()),
            net_lists: Lists::new(Nets {
                list: Box::default(),
                unreadable: false,
            }),
            scratch: Vec::new(),
        }
    }

    /// The number of a list of scopes, kept once.
    pub(super) fn scopes<S: AsRef<str>>(&mut self, items: &[S]) -> u32 {
        self.scope_lists.number(&mut self.scratch, items, |items| {
            items.iter().map(|s| s.as_ref().to_string()).collect()
        })
    }

    /// The number of a list of networks, parsed once; one that cannot be read allows none.
    pub(super) fn nets<S: AsRef<str>>(&mut self, items: &[S]) -> u32 {
        self.net_lists.number(&mut self.scratch, items, |items| {
            let parsed: Vec<Option<ipnet::IpNet>> =
                items.iter().map(|s| s.as_ref().parse().ok()).collect();
            Nets {
                unreadable: parsed.iter().any(Option::is_none),
                list: parsed.into_iter().flatten().collect(),
            }
        })
    }

    /// Adds a key; a second key of the same id takes the first one's place.
    pub(super) fn insert(&mut self, e: Entry) {
        let entries = &mut self.entries;
        let hash = id_hash(e.id());
        let found = self.table.entry(
            hash,
            |&i| entries[i as usize].id() == e.id(),
            |&i| id_hash(entries[i as usize].id()),
        );
        match found {
            hashbrown::hash_table::Entry::Occupied(o) => entries[*o.get() as usize] = e,
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(entries.len() as u32);
                entries.push(e);
            }
        }
    }

    /// Adds one key of a snapshot; `issued_at` is when its use count was true.
    pub fn add_view(
        &mut self,
        k: &EntryView<'_>,
        issued_at: i64,
    ) -> std::result::Result<(), String> {
        let hash = crate::hex::decode::<32>(&k.hash).ok_or("a bad hash")?;
        let limits = Limits {
            rates: k
                .rates
                .iter()
                .map(|r| Rate::parse(&r.0).ok_or_else(|| "a bad rate".to_string()))
                .collect::<std::result::Result<_, _>>()?,
            refill: k
                .refill
                .as_deref()
                .map(|r| Refill::parse(r).ok_or_else(|| "a bad refill".to_string()))
                .transpose()?,
            created_at: k.created_at,
        };
        let scopes = self.scopes(&k.scopes);
        let nets = self.nets(&k.allowed_ips);
        let more = More {
            meta: k.meta.clone().into_owned(),
            counts: Counts::new(k.remaining, k.refill_period),
            limits,
            tats: vec![],
            seed_order: issued_at * 1_000_000 + 999_999,
            budget: k.budget.as_deref().map(Box::from),
        };
        let core = Core {
            id: &k.id,
            name: &k.name,
            prefix: &k.prefix,
            owner: k.owner.as_deref(),
            hash,
            revoked: k.revoked,
            expires_at: k.expires_at,
        };
        self.insert(Entry::new(core, scopes, nets, more));
        Ok(())
    }

    /// Adds one key of a decrypted store.
    pub fn add_stored(&mut self, row: StoredKey, groups: &BTreeMap<String, Vec<String>>) {
        let scopes = effective_scopes(row.scopes, &row.groups, groups);
        let scopes = self.scopes(&scopes);
        let nets = self.nets(&row.allowed_ips);
        let core = Core {
            id: &row.id,
            name: &row.name,
            prefix: &row.prefix,
            owner: row.owner.as_deref(),
            hash: row.hash,
            revoked: row.revoked,
            expires_at: row.expires_at,
        };
        let more = More {
            meta: row.meta,
            counts: Counts::new(row.remaining, row.refill_period),
            limits: row.limits,
            tats: row.rate_state,
            seed_order: row.seed_order,
            budget: row.budget.map(String::into_boxed_str),
        };
        let e = Entry::new(core, scopes, nets, more);
        self.insert(e);
    }
}
