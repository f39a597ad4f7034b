//! The SQL behind the commands: keys, groups and the audit trail.

use crate::error::{Error, Result};
use crate::model::KeyRecord;
use rusqlite::{Connection, OptionalExtension, Row, params};

const KEY_COLUMNS: &str = "id, name, prefix, check_code, revoked, revoked_reason, created_at, created_by, \
     expires_at, last_used_at, use_count, description, scopes, group_names, allowed_ips, rotated_from, rotated_to, \
     owner, meta, remaining_uses, rates, refill, refill_period, rate_state, last_used_ip";

pub(super) fn meta_map(s: String) -> std::collections::BTreeMap<String, String> {
    if s == "{}" {
        return Default::default(); // most keys: no parse to load 100k of them
    }
    serde_json::from_str(&s).unwrap_or_default()
}

fn meta_json(m: &std::collections::BTreeMap<String, String>) -> String {
    serde_json::to_string(m).unwrap_or_else(|_| "{}".into())
}

pub(super) fn json_list(s: String) -> Vec<String> {
    if s == "[]" {
        return Vec::new();
    }
    serde_json::from_str(&s).unwrap_or_default()
}

pub(super) fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

fn key_from_row(r: &Row<'_>) -> rusqlite::Result<KeyRecord> {
    Ok(KeyRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        prefix: r.get(2)?,
        check_code: r.get(3)?,
        revoked: r.get(4)?,
        revoked_reason: r.get(5)?,
        created_at: r.get(6)?,
        created_by: r.get(7)?,
        expires_at: r.get(8)?,
        last_used_at: r.get(9)?,
        use_count: r.get(10)?,
        description: r.get(11)?,
        scopes: json_list(r.get(12)?),
        groups: json_list(r.get(13)?),
        allowed_ips: json_list(r.get(14)?),
        rotated_from: r.get(15)?,
        rotated_to: r.get(16)?,
        owner: r.get(17)?,
        meta: meta_map(r.get(18)?),
        remaining: r.get(19)?,
        rates: rates_of(r.get(20)?),
        refill: r
            .get::<_, Option<String>>(21)?
            .and_then(|s| crate::engine::limits::Refill::parse(&s)),
        refill_period: r.get(22)?,
        rate_state: ints_of(r.get(23)?),
        last_used_ip: r.get(24)?,
    })
}

/// Rate limits from their json list of "N/DUR" (an entry that cannot be read is dropped: it
/// was written by this program, checked when it was).
pub fn rates_of(s: String) -> Vec<crate::engine::limits::Rate> {
    json_list(s)
        .iter()
        .filter_map(|r| crate::engine::limits::Rate::parse(r))
        .collect()
}

fn rates_json(rates: &[crate::engine::limits::Rate]) -> String {
    to_json(&rates.iter().map(ToString::to_string).collect::<Vec<_>>())
}

/// A json list of integers.
pub fn ints_of(s: String) -> Vec<i64> {
    if s == "[]" {
        return Vec::new();
    }
    serde_json::from_str(&s).unwrap_or_default()
}

pub(super) fn ints_json(v: &[i64]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// A key by id.
pub fn key_by_id(conn: &Connection, id: &str) -> Result<Option<KeyRecord>> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM keys WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], key_from_row)
        .optional()?)
}

/// A key addressed on the command line: by id first, then by its current name. A whole token
/// is resolved by its embedded id and never echoed: errors name its masked form.
pub fn resolve(conn: &Connection, key_ref: &str) -> Result<KeyRecord> {
    if let Ok(t) = crate::token::parse(key_ref) {
        return key_by_id(conn, t.id)?
            .ok_or_else(|| Error::NoSuchKey(crate::token::mask(t.prefix, t.id, t.check)));
    }
    if let Some(k) = key_by_id(conn, key_ref)? {
        return Ok(k);
    }
    // The current key of that name; else the newest of that name (a superseded key whose
    // successor was deleted), so that what `list` shows can always be addressed.
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM keys WHERE name = ?1 \
         ORDER BY rotated_to IS NULL DESC, created_at DESC, rowid DESC LIMIT 1"
    );
    if let Some(k) = conn
        .prepare_cached(&sql)?
        .query_row([key_ref], key_from_row)
        .optional()?
    {
        return Ok(k);
    }
    let key = crate::token::display_ref(key_ref);
    Err(match nearest(conn, key_ref)? {
        Some(near) => Error::NoSuchKeyNear { key, near },
        None => Error::NoSuchKey(key),
    })
}

/// The name or id closest to a mistyped one, within two edits (for "did you mean").
fn nearest(conn: &Connection, typed: &str) -> Result<Option<String>> {
    if typed.chars().count() > 64 {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached("SELECT name, id FROM keys")?;
    let mut rows = stmt.query([])?;
    let mut best: Option<(usize, String)> = None;
    // Case aside: `DEPLOY` finds `deploy` (ids are case-sensitive, names nearly so).
    let typed_lower = typed.to_lowercase();
    while let Some(r) = rows.next()? {
        for candidate in [r.get::<_, String>(0)?, r.get::<_, String>(1)?] {
            let d = strsim::levenshtein(&typed_lower, &candidate.to_lowercase());
            if d <= 2 && d < typed.chars().count() && best.as_ref().is_none_or(|b| d < b.0) {
                best = Some((d, candidate));
            }
        }
    }
    Ok(best.map(|b| crate::text::sanitize(&b.1)))
}

/// Whether any key has this id or this name (current or superseded).
pub fn id_or_name_used(conn: &Connection, s: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM keys WHERE id = ?1 OR name = ?1")?
        .exists([s])?)
}

/// Refuses a name equal to another key's id (exit 6): a name must never shadow an id.
pub fn check_name_free_of_ids(conn: &Connection, name: &str, own_id: &str) -> Result<()> {
    if name != own_id && key_by_id(conn, name)?.is_some() {
        return Err(Error::conflict(
            format!(
                "the name {:?} is the id of another key",
                crate::text::sanitize(name)
            ),
            "choose another name: a name may never equal a key's id",
        ));
    }
    Ok(())
}

/// Resolves several keys, once each, in the order given.
pub fn resolve_all(conn: &Connection, refs: &[String]) -> Result<Vec<KeyRecord>> {
    let mut out: Vec<KeyRecord> = Vec::with_capacity(refs.len());
    let mut seen = std::collections::HashSet::with_capacity(refs.len());
    for r in refs {
        let k = resolve(conn, r)?;
        if seen.insert(k.id.clone()) {
            out.push(k);
        }
    }
    Ok(out)
}

/// Every key, oldest first.
pub fn all_keys(conn: &Connection) -> Result<Vec<KeyRecord>> {
    with_keys(conn, |rows| Ok(rows.collect::<rusqlite::Result<_>>()?))
}

/// Runs `f` over every key, oldest first, streamed from the database (no list in memory).
pub fn with_keys<T>(
    conn: &Connection,
    f: impl FnOnce(&mut dyn Iterator<Item = rusqlite::Result<KeyRecord>>) -> Result<T>,
) -> Result<T> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM keys ORDER BY created_at, rowid");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query_map([], key_from_row)?;
    f(&mut rows)
}

/// Whether a current (not superseded) key has this name.
pub fn name_taken(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM keys WHERE name = ?1 AND rotated_to IS NULL")?
        .exists([name])?)
}

/// The name of the live key (not superseded) named `name` in any case (ASCII), but the key
/// `except`: two keys whose names differ only in case would be told apart by no one reading
/// a table, a log or a prompt. Stores that already hold such twins keep them. It reads every
/// key (no index folds case): for one key at a time, not per line of a bulk import.
pub fn name_holder(conn: &Connection, name: &str, except: Option<&str>) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT name FROM keys WHERE name = ?1 COLLATE NOCASE AND rotated_to IS NULL \
             AND (?2 IS NULL OR id != ?2) ORDER BY name = ?1 DESC LIMIT 1",
        )?
        .query_row(params![name, except], |r| r.get(0))
        .optional()?)
}

/// The names of the live keys (not superseded), by their lower case (ASCII, as
/// [`name_holder`] folds them): one read for a bulk import's every line.
pub fn live_names(conn: &Connection) -> Result<std::collections::HashMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM keys WHERE rotated_to IS NULL")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|n| n.map(|n| (n.to_ascii_lowercase(), n)).map_err(Into::into))
        .collect()
}

/// Refuses `name` when a live key (but `except`) holds it in any case (exit 6).
pub fn check_name_free(conn: &Connection, name: &str, except: Option<&str>) -> Result<()> {
    match name_holder(conn, name, except)? {
        None => Ok(()),
        Some(held) => Err(name_held(&held, name, NAME_TAKEN_HINT)),
    }
}

/// The conflict (exit 6) of a name `asked` that the key named `held` holds, in this or
/// another case.
pub fn name_held(held: &str, asked: &str, hint: &str) -> Error {
    let case = if held == asked {
        ""
    } else {
        ", and names may not differ only in case"
    };
    Error::conflict(
        format!(
            "a key named {:?} already exists{case}",
            crate::text::sanitize(held)
        ),
        hint,
    )
}

/// The conflict error for a taken name.
pub fn name_taken_error(name: &str) -> Error {
    name_held(name, name, NAME_TAKEN_HINT)
}

/// What to do about a name a key holds already.
const NAME_TAKEN_HINT: &str =
    "choose another --name, or rotate the existing key with `apikeys rotate`";

/// Inserts a new key with the keyed hash of its secret.
pub fn insert_key(conn: &Connection, k: &KeyRecord, secret_hash: &[u8; 32]) -> Result<()> {
    if name_taken(conn, &k.name)? {
        return Err(name_taken_error(&k.name));
    }
    conn.execute(
        &format!("INSERT INTO keys ({KEY_COLUMNS}, secret_hash) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26)"),
        params![
            k.id, k.name, k.prefix, k.check_code, k.revoked, k.revoked_reason, k.created_at, k.created_by,
            k.expires_at, k.last_used_at, k.use_count, k.description, to_json(&k.scopes), to_json(&k.groups),
            to_json(&k.allowed_ips), k.rotated_from, k.rotated_to, k.owner, meta_json(&k.meta), k.remaining,
            rates_json(&k.rates), k.refill.map(|r| r.to_string()), k.refill_period, ints_json(&k.rate_state),
            k.last_used_ip, &secret_hash[..]
        ],
    )?;
    Ok(())
}

/// Writes back every field of a key but its id and hash.
pub fn update_key(conn: &Connection, k: &KeyRecord) -> Result<()> {
    let n = conn.execute(
        "UPDATE keys SET name=?2, revoked=?3, revoked_reason=?4, expires_at=?5, last_used_at=?6, use_count=?7, \
         description=?8, scopes=?9, group_names=?10, allowed_ips=?11, rotated_from=?12, rotated_to=?13, \
         owner=?14, meta=?15, remaining_uses=?16, rates=?17, refill=?18, refill_period=?19, rate_state=?20 WHERE id=?1",
        params![
            k.id, k.name, k.revoked, k.revoked_reason, k.expires_at, k.last_used_at, k.use_count, k.description,
            to_json(&k.scopes), to_json(&k.groups), to_json(&k.allowed_ips), k.rotated_from, k.rotated_to,
            k.owner, meta_json(&k.meta), k.remaining, rates_json(&k.rates), k.refill.map(|r| r.to_string()),
            k.refill_period, ints_json(&k.rate_state)
        ],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            name_taken_error(&k.name)
        }
        other => other.into(),
    })?;
    if n == 0 {
        return Err(Error::NoSuchKey(k.id.clone()));
    }
    Ok(())
}

/// Removes a key for good.
pub fn delete_key(conn: &Connection, id: &str) -> Result<()> {
    conn.execute("DELETE FROM keys WHERE id = ?1", [id])?;
    Ok(())
}

pub use super::trail::{
    ACTIONS, Admin, AuditEvent, action_named, audit, audit_events, by_name, delete_group, group,
    groups, insert_group, is_action, update_group,
};

/// How many keys the store holds, superseded ones included.
pub fn count_keys(conn: &Connection) -> Result<usize> {
    let n: i64 = conn.query_row("SELECT count(*) FROM keys", [], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

pub use crate::engine::keys::effective_scopes;

/// The keys `refs` name, each followed by its predecessors still within their rotation grace
/// period (not revoked, not yet expired): revoking or deleting a name acts on them too, so a
/// leaked old token never outlives the revocation of its name (SPEC §3). No key twice.
pub fn resolve_with_chains(conn: &Connection, refs: &[String], now: i64) -> Result<Vec<KeyRecord>> {
    let mut out: Vec<KeyRecord> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for k in resolve_all(conn, refs)? {
        let mut from = k.rotated_from.clone();
        if seen.insert(k.id.clone()) {
            out.push(k);
        }
        // Bounded walk: a chain is at most as long as the store is large.
        let mut steps = 0;
        while let Some(id) = from.take() {
            steps += 1;
            let Some(p) = key_by_id(conn, &id)? else {
                break;
            };
            from = p.rotated_from.clone();
            let in_grace = !p.revoked && p.expires_at.is_none_or(|e| e > now);
            if in_grace && seen.insert(p.id.clone()) {
                out.push(p);
            }
            if steps > 100_000 {
                break;
            }
        }
    }
    Ok(out)
}

/// Every token prefix in use (for the scanner's anchors).
pub fn prefixes(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT prefix FROM keys")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
