//! Editing a key, once for every front end (`apikeys edit`, the console's key page): what may
//! change, the checks made under the store's lock, and the audit entry. Never the secret.

use crate::engine::limits::{Rate, Refill};
use crate::error::{Error, Result};
use crate::model::{self, KeyRecord, Status, add_unique};
use crate::policy::{self, Policy};
use crate::store::queries;
use std::collections::BTreeMap;

/// What an edit changes, its values already checked on their own (names, scopes, addresses,
/// owner and metadata as the front end read them).
#[derive(Debug, Default)]
pub struct Changes {
    pub name: Option<String>,
    /// A new expiry as given (a preset, a date, `never`).
    pub expires: Option<String>,
    pub add_scope: Vec<String>,
    pub remove_scope: Vec<String>,
    pub add_group: Vec<String>,
    pub remove_group: Vec<String>,
    pub add_ips: Vec<String>,
    pub remove_ips: Vec<String>,
    pub description: Option<String>,
    /// `Some(None)` removes the owner.
    pub owner: Option<Option<String>>,
    pub meta: BTreeMap<String, String>,
    pub remove_meta: Vec<String>,
    /// `Some(None)` removes the use limit.
    pub uses: Option<Option<i64>>,
    /// `Some(vec![])` removes the rate limits.
    pub rates: Option<Vec<Rate>>,
    /// `Some(None)` removes the refill.
    pub refill: Option<Option<Refill>>,
}

/// An edit as a front end was given it, as text (the flags of `apikeys edit`, the fields of
/// the console's edit form): read and checked by [`Given::changes`].
#[derive(Debug, Default)]
pub struct Given {
    pub name: Option<String>,
    pub expires: Option<String>,
    pub add_scope: Vec<String>,
    pub remove_scope: Vec<String>,
    pub add_group: Vec<String>,
    pub remove_group: Vec<String>,
    pub allow_ip: Vec<String>,
    pub remove_ip: Vec<String>,
    pub description: Option<String>,
    /// `Some("")` removes the owner (SPEC §9).
    pub owner: Option<String>,
    pub meta: Vec<String>,
    pub remove_meta: Vec<String>,
    /// A number, or `none` to remove the limit.
    pub uses: Option<String>,
    /// Rates, or one `none` to remove them.
    pub rates: Vec<String>,
    /// N/DUR, or `none`.
    pub refill: Option<String>,
}

impl Given {
    /// Reads every value on its own (names, scopes, addresses, owner, metadata, uses, rates,
    /// refill), before any store is opened; `note` hears of a network given with host bits.
    pub fn changes(self, note: &dyn Fn(&str)) -> Result<Changes> {
        if let Some(n) = &self.name {
            model::check_name("key", n)?;
        }
        if let Some(d) = &self.description {
            model::check_description(d)?;
        }
        let (add_scope, add_ips) = super::mint::check_lists(note, &self.add_scope, &self.allow_ip)?;
        let remove_scope = model::split_scopes(&self.remove_scope)?;
        let remove_ips: Vec<String> = self
            .remove_ip
            .iter()
            .map(|ip| model::parse_net(ip).map(|n| n.trunc().to_string()))
            .collect::<Result<_>>()?;
        let remove_owner = self.owner.as_deref() == Some("");
        let given_owner = self.owner.as_deref().filter(|o| !o.is_empty());
        let (owner, meta, _) = super::mint::check_whose(given_owner, &self.meta, None)?;
        let uses = self.uses.as_deref().map(model::parse_uses).transpose()?;
        let rates = match self.rates.as_slice() {
            [] => None,
            [one] if one.trim() == "none" => Some(vec![]),
            given => Some(model::parse_rates(given)?),
        };
        let refill = self
            .refill
            .as_deref()
            .map(model::parse_refill)
            .transpose()?;
        let metas: Vec<String> = meta.keys().cloned().collect();
        for (flags, added, removed) in [
            (("--add-scope", "--remove-scope"), &add_scope, &remove_scope),
            (
                ("--add-group", "--remove-group"),
                &self.add_group,
                &self.remove_group,
            ),
            (("--allow-ip", "--remove-ip"), &add_ips, &remove_ips),
            (("--meta", "--remove-meta"), &metas, &self.remove_meta),
        ] {
            both_ways(flags, added, removed)?;
        }
        Ok(Changes {
            name: self.name,
            expires: self.expires,
            add_scope,
            remove_scope,
            add_group: self.add_group,
            remove_group: self.remove_group,
            add_ips,
            remove_ips,
            description: self.description,
            owner: if remove_owner {
                Some(None)
            } else {
                owner.map(Some)
            },
            meta,
            remove_meta: self.remove_meta,
            uses,
            rates,
            refill,
        })
    }
}

/// Refuses one value both added and removed by one edit: whichever way it were read, one of
/// the two would be dropped without a word.
fn both_ways((add, remove): (&str, &str), added: &[String], removed: &[String]) -> Result<()> {
    match added.iter().find(|a| removed.contains(a)) {
        Some(x) => Err(Error::usage(
            format!(
                "{add} and {remove} both name {:?}",
                crate::text::sanitize(x)
            ),
            format!("give {add} to add it or {remove} to remove it, not both"),
        )),
        None => Ok(()),
    }
}

/// What an edit did: the key as it is now, the change in words (for the audit log and the
/// front end's message), and whether it revived an expired key.
#[derive(Debug)]
pub struct Edited {
    pub key: KeyRecord,
    pub what: String,
    pub revived: bool,
}

/// Applies `c` to the key named `key` (name or id) in one write transaction, with an audit
/// entry by `actor`. A new expiry that makes an expired key valid again is a revival: done
/// only when `revive_confirmed` (the front end asked), else `Unconfirmed`. `Ok(None)`: it
/// changes nothing (the front end says so as it sees fit).
pub fn apply(
    tx: &rusqlite::Transaction<'_>,
    key: &str,
    c: &Changes,
    revive_confirmed: bool,
    actor: &str,
    now: i64,
) -> Result<Option<Edited>> {
    let mut k = queries::resolve(tx, key)?;
    let before = k.clone();
    let mut revived = false;
    if let Some(n) = &c.name {
        if *n != k.name && k.rotated_to.is_none() {
            queries::check_name_free(tx, n, Some(&k.id))?;
        }
        queries::check_name_free_of_ids(tx, n, &k.id)?;
        k.name = n.clone();
    }
    if let Some(e) = &c.expires {
        if k.rotated_to.is_some() {
            return Err(super::lifecycle::superseded(&k));
        }
        let expiry = policy::parse_expiry(e, now)?;
        Policy::load(tx)?.check(k.created_at, expiry)?;
        k.expires_at = expiry.as_option();
        if before.status(now) == Status::Expired && k.status(now) != Status::Expired {
            if !revive_confirmed {
                // It expired between the question and the lock: ask again next time.
                return Err(Error::Unconfirmed {
                    what: "reviving an expired key".into(),
                });
            }
            revived = true;
        }
    }
    for s in &c.add_scope {
        add_unique(&mut k.scopes, s);
    }
    not_there(&k, "scope", &c.remove_scope, &k.scopes)?;
    k.scopes.retain(|s| !c.remove_scope.contains(s));
    for g in &c.add_group {
        queries::group(tx, g)?;
        add_unique(&mut k.groups, g);
    }
    not_there(&k, "group", &c.remove_group, &k.groups)?;
    k.groups.retain(|g| !c.remove_group.contains(g));
    for ip in &c.add_ips {
        add_unique(&mut k.allowed_ips, ip);
    }
    not_there(&k, "allowed IP", &c.remove_ips, &k.allowed_ips)?;
    k.allowed_ips.retain(|ip| !c.remove_ips.contains(ip));
    if let Some(d) = &c.description {
        k.description = d.clone();
    }
    if let Some(o) = &c.owner {
        k.owner.clone_from(o);
    }
    k.meta.extend(c.meta.clone());
    k.meta.retain(|key, _| !c.remove_meta.contains(key));
    model::check_meta_count(&k.meta)?;
    if let Some(u) = c.uses {
        k.remaining = u;
    }
    if let Some(r) = &c.rates {
        if *r != k.rates {
            k.rate_state.clear();
        }
        k.rates = r.clone();
    }
    if let Some(r) = c.refill {
        k.refill = r;
    }
    if k.refill.is_some() && k.remaining.is_none() {
        return Err(Error::usage(
            "--refill needs a usage limit",
            "give --uses N as well, e.g. --uses 1000 --refill 1000/30d",
        ));
    }
    if c.uses.is_some() || c.refill.is_some() {
        // A new count (or refill) starts in the period it is given in.
        k.refill_period = k.refill.map_or(0, |r| r.period(k.created_at, now));
    }
    if k == before {
        return Ok(None);
    }
    queries::update_key(tx, &k)?;
    let what = changes(&before, &k);
    let action = if revived { "revive" } else { "edit" };
    queries::audit(tx, now, actor, action, Some(&k), &what)?;
    Ok(Some(Edited {
        key: k,
        what,
        revived,
    }))
}

/// Refuses to remove what a key does not have: a typo must not pass as done.
fn not_there(k: &KeyRecord, what: &str, removing: &[String], has: &[String]) -> Result<()> {
    match removing.iter().find(|r| !has.contains(r)) {
        None => Ok(()),
        Some(r) => Err(Error::usage(
            format!(
                "key {:?} has no {what} {:?}",
                crate::text::sanitize(&k.name),
                crate::text::sanitize(r)
            ),
            if has.is_empty() {
                format!("it has no {what}s")
            } else {
                format!("its {what}s: {}", crate::text::sanitize(&has.join(", ")))
            },
        )),
    }
}

/// The change from `a` to `b` in words: the audit entry's detail.
fn changes(a: &KeyRecord, b: &KeyRecord) -> String {
    let mut out = Vec::new();
    if a.name != b.name {
        out.push(format!("name {:?} -> {:?}", a.name, b.name));
    }
    if a.expires_at != b.expires_at {
        let f = |t: Option<i64>| t.map_or("never".into(), crate::text::rfc3339);
        out.push(format!(
            "expires {} -> {}",
            f(a.expires_at),
            f(b.expires_at)
        ));
    }
    for (what, x, y) in [
        ("scopes", &a.scopes, &b.scopes),
        ("groups", &a.groups, &b.groups),
        ("ips", &a.allowed_ips, &b.allowed_ips),
    ] {
        if x != y {
            out.push(format!("{what} [{}] -> [{}]", x.join(", "), y.join(", ")));
        }
    }
    if a.description != b.description {
        out.push("description changed".into());
    }
    if a.owner != b.owner {
        let f = |o: &Option<String>| o.as_ref().map_or("(none)".into(), |o| format!("\"{o}\""));
        out.push(format!("owner {} -> {}", f(&a.owner), f(&b.owner)));
    }
    if a.meta != b.meta {
        out.push("meta changed".into());
    }
    if a.rates != b.rates {
        let f = |r: &[Rate]| {
            r.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(format!("rates [{}] -> [{}]", f(&a.rates), f(&b.rates)));
    }
    if a.refill != b.refill {
        let f = |r: Option<Refill>| r.map_or("none".into(), |r| r.to_string());
        out.push(format!("refill {} -> {}", f(a.refill), f(b.refill)));
    }
    if a.remaining != b.remaining {
        let f = |r: Option<i64>| r.map_or("no limit".into(), |n| n.to_string());
        out.push(format!("uses {} -> {}", f(a.remaining), f(b.remaining)));
    }
    out.join("; ")
}
