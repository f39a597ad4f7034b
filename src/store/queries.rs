//! The SQL behind the commands: keys, groups and the audit trail.

use crate::error::{Error, Result};
use crate::model::KeyRecord;
use rusqlite::{Connection, OptionalExtension, Row, params};

const KEY_COLUMNS: &str = "id, name, prefix, check_code, revoked, revoked_reason, created_at, created_by, \
     expires_at, last_used_at, use_count, description, scopes, group_names, allowed_ips, rotated_from, rotated_to, \
     owner, meta, remaining_uses, rates, refill, refill_period, rate_state, last_used_ip";

fn meta_map(s: String) -> std::collections::BTreeMap<String, String> {
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

fn ints_json(v: &[i64]) -> String {
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
    while let Some(r) = rows.next()? {
        for candidate in [r.get::<_, String>(0)?, r.get::<_, String>(1)?] {
            let d = strsim::levenshtein(typed, &candidate);
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

/// The conflict error for a taken name.
pub fn name_taken_error(name: &str) -> Error {
    Error::conflict(
        format!(
            "a key named {:?} already exists",
            crate::text::sanitize(name)
        ),
        "choose another --name, or rotate the existing key with `apikeys rotate`",
    )
}

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

/// A key's limits and the state kept for them, as stored.
/// The limits and state a request of `id` draws from (its chain's newest key's), and that
/// key's id. `None` for a key that is gone.
fn limit_state(
    conn: &Connection,
    id: &str,
) -> Result<
    Option<(
        crate::engine::limits::Limits,
        crate::engine::limits::State,
        String,
    )>,
> {
    if key_exists(conn, id)? {
        let head = budget_id(conn, id)?;
        return Ok(own_limit_state(conn, &head)?.map(|(l, s)| (l, s, head)));
    }
    Ok(None)
}

fn key_exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM keys WHERE id = ?1")?
        .exists([id])?)
}

/// A key's own limits and state.
fn own_limit_state(
    conn: &Connection,
    id: &str,
) -> Result<Option<(crate::engine::limits::Limits, crate::engine::limits::State)>> {
    Ok(conn
        .prepare_cached(
            "SELECT rates, refill, created_at, remaining_uses, refill_period, rate_state FROM keys WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                crate::engine::limits::Limits {
                    rates: rates_of(r.get(0)?),
                    refill: r
                        .get::<_, Option<String>>(1)?
                        .and_then(|s| crate::engine::limits::Refill::parse(&s)),
                    created_at: r.get(2)?,
                },
                crate::engine::limits::State {
                    remaining: r.get(3)?,
                    period: r.get(4)?,
                    tats: ints_of(r.get(5)?),
                },
            ))
        })
        .optional()?)
}

/// Records uses: sets `last_used_at` to the latest, adds `uses` to `use_count`, and takes them
/// from a limited key's remaining uses (a delta, never an absolute count, so that writers add
/// up; never below 0), after the refill of the period `at` falls in. `ip`, the client of the
/// latest of those uses, becomes `last_used_ip` unless a later use is recorded already.
pub fn record_use(conn: &Connection, id: &str, at: i64, uses: i64, ip: Option<&str>) -> Result<()> {
    let Some((limits, state, head)) = limit_state(conn, id)? else {
        return Ok(());
    };
    let (remaining, period) = crate::engine::limits::refreshed(&limits, &state, at * 1000);
    conn.prepare_cached(
        "UPDATE keys SET last_used_ip = CASE WHEN ?4 IS NOT NULL AND ?2 >= coalesce(last_used_at, 0) \
         THEN ?4 ELSE last_used_ip END, last_used_at = max(coalesce(last_used_at, 0), ?2), \
         use_count = use_count + ?3 WHERE id = ?1",
    )?
    .execute(params![id, at, uses, ip])?;
    // The uses come out of the chain's budget (its newest key's).
    conn.prepare_cached("UPDATE keys SET remaining_uses = ?2, refill_period = ?3 WHERE id = ?1")?
        .execute(params![head, remaining.map(|r| (r - uses).max(0)), period])?;
    Ok(())
}

/// Decides one request of `cost` for a limited key under the caller's write, from the state
/// the file holds now, and keeps the new state when it is allowed (SPEC §10: a plain `verify`
/// keeps rate and use state under the store lock). `None` for a key that is gone.
pub fn take(
    conn: &Connection,
    id: &str,
    cost: i64,
    now_ms: i64,
    ip: Option<&str>,
) -> Result<Option<crate::engine::limits::Decision>> {
    let Some((limits, state, head)) = limit_state(conn, id)? else {
        return Ok(None);
    };
    let d = crate::engine::limits::decide(&limits, &state, cost, now_ms);
    if d.verdict == crate::engine::limits::Verdict::Allowed {
        // The state is the chain's (its newest key's); the use is this key's.
        conn.prepare_cached(
            "UPDATE keys SET remaining_uses = ?2, refill_period = ?3, rate_state = ?4 WHERE id = ?1",
        )?
        .execute(params![
            head,
            d.state.remaining,
            d.state.period,
            ints_json(&d.state.tats)
        ])?;
        conn.prepare_cached(
            "UPDATE keys SET use_count = use_count + ?2, last_used_at = max(coalesce(last_used_at, 0), ?3), \
             last_used_ip = coalesce(?4, last_used_ip) WHERE id = ?1",
        )?
        .execute(params![id, cost, now_ms.div_euclid(1000), ip])?;
    }
    Ok(Some(d))
}

pub use super::trail::{
    AuditEvent, audit, audit_events, delete_group, group, groups, insert_group, update_group,
};

pub use crate::engine::keys::StoredKey as VerifyRow;

/// How many keys the store holds, superseded ones included.
pub fn count_keys(conn: &Connection) -> Result<usize> {
    let n: i64 = conn.query_row("SELECT count(*) FROM keys", [], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Runs `f` over the verification rows of every key, or of the key with id `only`.
pub fn with_verify_rows(
    conn: &Connection,
    only: Option<&str>,
    mut f: impl FnMut(VerifyRow),
) -> Result<()> {
    const COLUMNS: &str = "SELECT id, name, prefix, secret_hash, revoked, expires_at, \
        scopes, group_names, allowed_ips, owner, meta, remaining_uses, \
        rates, refill, refill_period, rate_state, created_at, \
        CASE WHEN remaining_uses IS NULL THEN 0 ELSE coalesce((SELECT at * 1000000 + seq % 1000000 \
        FROM audit WHERE audit.key_id = keys.id ORDER BY seq DESC LIMIT 1), created_at * 1000000) \
        END, rotated_to FROM keys";
    // Two statements, not `?1 IS NULL OR id = ?1`: SQLite answers that with a scan of
    // every key, where `id = ?1` is one lookup in the primary key's index.
    let mut stmt = match only {
        Some(_) => conn.prepare_cached(&format!("{COLUMNS} WHERE id = ?1"))?,
        None => conn.prepare_cached(COLUMNS)?,
    };
    let mut rows = stmt.query(rusqlite::params_from_iter(only))?;
    while let Some(r) = rows.next()? {
        let hash: Vec<u8> = r.get(3)?;
        let Ok(hash) = <[u8; 32]>::try_from(hash) else {
            continue;
        };
        let mut row = VerifyRow {
            id: r.get(0)?,
            name: r.get(1)?,
            prefix: r.get(2)?,
            hash,
            revoked: r.get(4)?,
            expires_at: r.get(5)?,
            scopes: json_list(r.get(6)?),
            groups: json_list(r.get(7)?),
            allowed_ips: json_list(r.get(8)?),
            owner: r.get(9)?,
            meta: meta_map(r.get(10)?),
            remaining: r.get(11)?,
            limits: crate::engine::limits::Limits {
                rates: rates_of(r.get(12)?),
                refill: r
                    .get::<_, Option<String>>(13)?
                    .and_then(|s| crate::engine::limits::Refill::parse(&s)),
                created_at: r.get(16)?,
            },
            refill_period: r.get(14)?,
            rate_state: ints_of(r.get(15)?),
            seed_order: r.get(17)?,
            budget: None,
        };
        // A superseded key draws from its chain's newest key: its limits and state are that
        // key's (SPEC §3 "Rotation budgets").
        if r.get::<_, Option<String>>(18)?.is_some() {
            let head = budget_id(conn, &row.id)?;
            if head != row.id
                && let Some((limits, state)) = own_limit_state(conn, &head)?
            {
                row.remaining = state.remaining;
                row.refill_period = state.period;
                row.rate_state = state.tats;
                row.limits = limits;
                row.seed_order = seed_order(conn, &head)?;
                row.budget = Some(head);
            }
        }
        f(row);
    }
    Ok(())
}

/// The key whose limit state `id` draws from: the newest key of its rotation chain (the end
/// of its `rotated_to` links that still exists), or itself.
pub fn budget_id(conn: &Connection, id: &str) -> Result<String> {
    let mut at = id.to_string();
    // A chain is short; the bound keeps a corrupted loop of links from hanging a verify.
    for _ in 0..32 {
        let next: Option<String> = conn
            .prepare_cached(
                "SELECT k.rotated_to FROM keys k JOIN keys n ON n.id = k.rotated_to WHERE k.id = ?1",
            )?
            .query_row([&at], |r| r.get(0))
            .optional()?;
        match next {
            Some(n) => at = n,
            None => break,
        }
    }
    Ok(at)
}

fn seed_order(conn: &Connection, id: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce((SELECT at * 1000000 + seq % 1000000 FROM audit WHERE audit.key_id = ?1 \
             ORDER BY seq DESC LIMIT 1), (SELECT created_at * 1000000 FROM keys WHERE id = ?1), 0)",
        )?
        .query_row([id], |r| r.get(0))?)
}

pub use crate::engine::keys::effective_scopes;

/// The highest usage-log sequence number imported from each node.
pub fn usage_marks(conn: &Connection) -> Result<std::collections::HashMap<String, i64>> {
    let mut stmt = conn.prepare_cached("SELECT node, seq FROM usage_nodes")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

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
