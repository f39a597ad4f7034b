//! The key set of a decrypted store: read with SQL here, checked by the engine (which runs
//! none). A store's keys as the engine holds them, and as a snapshot carries them.

use super::queries;
use crate::engine::KeySet;
use crate::error::Result;
use crate::secret::Key32;
use crate::snapshot::payload::{EntryView, Text};
use rusqlite::Connection;
use std::borrow::Cow;

/// Builds the key set from a decrypted store: every key, or only the key `only`.
pub fn load(conn: &Connection, pepper: Key32, only: Option<&str>) -> Result<KeySet> {
    let groups = queries::groups(conn)?;
    let count = match only {
        Some(_) => 1,
        None => queries::count_keys(conn)?,
    };
    let mut keys = KeySet::building(count);
    super::uses::with_verify_rows(conn, only, |row| keys.add_stored(row, &groups))?;
    Ok(KeySet::of(pepper, super::uses::usage_marks(conn)?, keys))
}

/// Runs `f` over every key of a decrypted store as a snapshot holds it, without building a
/// key set (export streams from here). Networks go as stored: one that cannot be read stays
/// unreadable in the snapshot, and so allows no address there either.
pub fn each_view(conn: &Connection, mut f: impl FnMut(&EntryView<'_>) -> Result<()>) -> Result<()> {
    let groups = queries::groups(conn)?;
    let mut failed = None;
    super::uses::with_verify_rows(conn, None, |row| {
        if failed.is_some() {
            return;
        }
        let scopes = crate::engine::keys::effective_scopes(row.scopes, &row.groups, &groups);
        let view = EntryView {
            id: Cow::Borrowed(&row.id),
            name: Cow::Borrowed(&row.name),
            prefix: Cow::Borrowed(&row.prefix),
            hash: Cow::Owned(crate::hex::encode(&row.hash)),
            revoked: row.revoked,
            expires_at: row.expires_at,
            allowed_ips: Text::list(&row.allowed_ips),
            scopes: Text::list(&scopes),
            owner: row.owner.as_deref().map(Cow::Borrowed),
            meta: Cow::Borrowed(&row.meta),
            remaining: row.remaining,
            rates: row
                .limits
                .rates
                .iter()
                .map(|r| Text(Cow::Owned(r.to_string())))
                .collect(),
            refill: row.limits.refill.map(|r| Cow::Owned(r.to_string())),
            created_at: row.limits.refill.map_or(0, |_| row.limits.created_at),
            refill_period: row.refill_period,
            budget: row.budget.as_deref().map(Cow::Borrowed),
        };
        if let Err(e) = f(&view) {
            failed = Some(e);
        }
    })?;
    failed.map_or(Ok(()), Err)
}
