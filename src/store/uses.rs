//! The SQL of what requests spend: a key's use count and limit state (its rotation chain's
//! budget), a use recorded or taken under the store's lock, and the rows `verify` reads.

use super::queries::{ints_json, ints_of, json_list, meta_map, rates_of};
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};

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

pub use crate::engine::keys::StoredKey as VerifyRow;

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

/// The highest usage-log sequence number imported from each node.
pub fn usage_marks(conn: &Connection) -> Result<std::collections::HashMap<String, i64>> {
    let mut stmt = conn.prepare_cached("SELECT node, seq FROM usage_nodes")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
