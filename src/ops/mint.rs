//! Minting: the library operation behind `create`, `rotate` and `import` (and any later
//! front end): checked settings, a new token, and the key inserted under the caller's write,
//! with every check of the policy run again there.

use crate::error::{Error, Result};
use crate::model::{self, KeyRecord};
use crate::policy::{self, Policy};
use crate::store::{crypto, queries};
use crate::token;

/// Checked settings of a key to be minted (also used by `rotate`).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub name: String,
    pub expiry: Option<String>,
    pub scopes: Vec<String>,
    pub groups: Vec<String>,
    pub allowed_ips: Vec<String>,
    pub prefix: String,
    pub description: String,
    pub owner: Option<String>,
    pub meta: std::collections::BTreeMap<String, String>,
    /// Uses allowed; `None` for no limit.
    pub remaining: Option<i64>,
    pub rates: Vec<crate::engine::limits::Rate>,
    pub refill: Option<crate::engine::limits::Refill>,
}

/// Whose a key is and how often it may be used: owner, meta pairs, uses allowed.
pub type Whose = (
    Option<String>,
    std::collections::BTreeMap<String, String>,
    Option<i64>,
);

/// Checks `--owner`, `--meta` and `--uses` as given to `create`.
pub fn check_whose(owner: Option<&str>, meta: &[String], uses: Option<&str>) -> Result<Whose> {
    if let Some(o) = owner {
        model::check_owner(o)?;
    }
    let meta = meta
        .iter()
        .map(|m| model::parse_meta(m))
        .collect::<Result<std::collections::BTreeMap<_, _>>>()?;
    model::check_meta_count(&meta)?;
    let remaining = uses.map(model::parse_uses).transpose()?.flatten();
    Ok((owner.map(String::from), meta, remaining))
}

/// Checks scopes and IPs; returns the scopes split on commas and the IPs as networks in CIDR
/// form. A network given with host bits (`10.0.0.1/8`) is stored as the network it names
/// (`10.0.0.0/8`), and `note` says so.
pub fn check_lists(
    note: &dyn Fn(&str),
    scopes: &[String],
    ips: &[String],
) -> Result<(Vec<String>, Vec<String>)> {
    let scopes = model::split_scopes(scopes)?;
    let ips = ips
        .iter()
        .map(|ip| {
            let net = model::parse_net(ip)?;
            let stored = net.trunc();
            if stored != net {
                note(&format!(
                    "{} has host bits set: stored as the network {stored}",
                    crate::text::sanitize(ip.trim())
                ));
            }
            Ok(stored.to_string())
        })
        .collect::<Result<_>>()?;
    Ok((scopes, ips))
}

/// The checks of a new key's settings, for every front end (`create`, the console): name,
/// description, prefix, scopes and networks, owner and metadata, rates and refill.
pub fn checked(
    s: Settings,
    whose: Whose,
    rates: &[String],
    refill: Option<&str>,
    note: &dyn Fn(&str),
) -> Result<Settings> {
    model::check_name("key", &s.name)?;
    model::check_description(&s.description)?;
    token::check_prefix(&s.prefix)?;
    let (scopes, allowed_ips) = check_lists(note, &s.scopes, &s.allowed_ips)?;
    let (owner, meta, remaining) = whose;
    let s = Settings {
        scopes,
        allowed_ips,
        owner,
        meta,
        remaining,
        rates: model::parse_rates(rates)?,
        refill: refill.map(model::parse_refill).transpose()?.flatten(),
        ..s
    };
    if s.refill.is_some() && s.remaining.is_none() {
        return Err(Error::usage(
            "--refill needs a usage limit",
            "give --uses N as well, e.g. --uses 1000 --refill 1000/30d",
        ));
    }
    Ok(s)
}

/// Mints a key with `settings` inside a write; returns its record and token.
pub fn mint(
    tx: &rusqlite::Connection,
    pepper: &crate::secret::Key32,
    actor: &str,
    s: &Settings,
    now: i64,
) -> Result<(KeyRecord, crate::secret::TokenString)> {
    // A new id never equals an existing name (or id), so that a name never shadows an id.
    let new = loop {
        let t = token::generate(&s.prefix)?;
        if !queries::id_or_name_used(tx, &t.id)? {
            break t;
        }
    };
    queries::check_name_free(tx, &s.name, None)?;
    let record = mint_with(tx, pepper, actor, s, now, &new)?;
    Ok((record, new.token))
}

/// Inserts the key of an already minted token `new` (whose token may have been delivered
/// already): every check of [`mint`] runs again here, under the caller's write, but the
/// check that the name differs from every live key's by more than case. That one is the
/// caller's: `create` and [`mint`] ask it for their one key (`queries::check_name_free`),
/// `import` for all its lines from one read, and `rotate` keeps its key's name.
pub fn mint_with(
    tx: &rusqlite::Connection,
    pepper: &crate::secret::Key32,
    actor: &str,
    s: &Settings,
    now: i64,
    new: &token::NewToken,
) -> Result<KeyRecord> {
    let policy = Policy::load(tx)?;
    let expiry = match &s.expiry {
        Some(e) => policy::parse_expiry(e, now)?,
        None => policy.default_expiry(now),
    };
    policy.check(now, expiry)?;
    for g in &s.groups {
        queries::group(tx, g)?;
    }
    queries::check_name_free_of_ids(tx, &s.name, "")?;
    if queries::id_or_name_used(tx, &new.id)? {
        return Err(Error::conflict(
            "the new key's id was taken meanwhile",
            "run the command again",
        ));
    }
    let record = KeyRecord {
        id: new.id.clone(),
        name: s.name.clone(),
        prefix: s.prefix.clone(),
        check_code: new.check.clone(),
        revoked: false,
        revoked_reason: None,
        created_at: now,
        created_by: actor.to_string(),
        expires_at: expiry.as_option(),
        last_used_at: None,
        use_count: 0,
        description: s.description.clone(),
        scopes: s.scopes.clone(),
        groups: s.groups.clone(),
        allowed_ips: s.allowed_ips.clone(),
        rotated_from: None,
        rotated_to: None,
        owner: s.owner.clone(),
        meta: s.meta.clone(),
        remaining: s.remaining,
        rates: s.rates.clone(),
        refill: s.refill,
        refill_period: 0,
        rate_state: vec![],
        last_used_ip: None,
    };
    let parsed = token::parse(new.token.expose_secret())
        .map_err(|m| Error::Internal(format!("minted a malformed token: {m}")))?;
    let hash = crypto::secret_hash(pepper, parsed.id, parsed.expose_secret());
    queries::insert_key(tx, &record, &hash)?;
    Ok(record)
}

/// Runs `change` in a transaction on the store as read, and rolls it back: what a write would
/// do, and whether it would be refused, before anything is shown or written.
pub fn dry_run<T>(
    conn: &rusqlite::Connection,
    change: impl FnOnce(&rusqlite::Connection) -> Result<T>,
) -> Result<T> {
    let tx = conn.unchecked_transaction()?;
    let out = change(&tx);
    tx.rollback()?;
    out
}

/// A one-line summary of a key's settings for the audit log.
pub fn describe(k: &KeyRecord) -> String {
    let exp = k
        .expires_at
        .map_or_else(|| "never".into(), crate::text::rfc3339);
    let mut out = format!(
        "expires {exp}; scopes [{}]; groups [{}]; ips [{}]",
        k.scopes.join(", "),
        k.groups.join(", "),
        k.allowed_ips.join(", ")
    );
    if let Some(o) = &k.owner {
        out.push_str(&format!("; owner {o}"));
    }
    if let Some(n) = k.remaining {
        out.push_str(&format!("; {n} uses"));
    }
    if let Some(r) = k.refill {
        out.push_str(&format!("; refill {r}"));
    }
    if !k.rates.is_empty() {
        let rates: Vec<String> = k.rates.iter().map(ToString::to_string).collect();
        out.push_str(&format!("; rates [{}]", rates.join(", ")));
    }
    out
}
