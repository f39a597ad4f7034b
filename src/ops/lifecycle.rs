//! One key's lifecycle as the console acts on it: revoke, activate, edit, rotate, delete,
//! each one sealed write with the CLI's checks and audit entries.

use crate::error::{Error, Result};
use crate::model::{KeyRecord, Status};
use crate::store::{Store, queries};

/// Revokes a key, with its predecessors still in their grace period (as `revoke`).
pub fn revoke(
    store: &mut Store,
    id: &str,
    reason: Option<String>,
    actor: &str,
    now: i64,
) -> Result<()> {
    store.write(|tx, _| {
        for mut k in queries::resolve_with_chains(tx, &[id.to_string()], now)? {
            if k.revoked {
                continue;
            }
            k.revoked = true;
            k.revoked_reason.clone_from(&reason);
            queries::update_key(tx, &k)?;
            queries::audit(
                tx,
                now,
                actor,
                "revoke",
                Some(&k),
                reason.as_deref().unwrap_or(""),
            )?;
        }
        Ok(())
    })
}

/// Activates a revoked key: never an expired or superseded one (exit 7, as `activate`).
pub fn activate(store: &mut Store, id: &str, actor: &str, now: i64) -> Result<()> {
    store.write(|tx, _| {
        let mut k = found(tx, id)?;
        if k.rotated_to.is_some() {
            return Err(Error::policy(
                format!(
                    "key {:?} was rotated; its successor is the live key",
                    crate::text::sanitize(&k.name)
                ),
                "activate the successor instead",
            ));
        }
        if k.expires_at.is_some_and(|e| e <= now) {
            return Err(Error::policy(
                format!(
                    "key {:?} has expired and cannot be re-activated as it is",
                    crate::text::sanitize(&k.name)
                ),
                "give it a new expiry first",
            ));
        }
        if !k.revoked {
            return Ok(());
        }
        k.revoked = false;
        k.revoked_reason = None;
        queries::update_key(tx, &k)?;
        queries::audit(tx, now, actor, "activate", Some(&k), "")
    })
}

/// Changes a key's owner and expiry (within the policy; an expired key's new expiry is a
/// revival, logged as such).
pub fn edit(
    store: &mut Store,
    id: &str,
    owner: Option<String>,
    expires: Option<String>,
    actor: &str,
    now: i64,
) -> Result<()> {
    store.write(|tx, _| {
        let mut k = found(tx, id)?;
        let mut changes = Vec::new();
        if owner != k.owner {
            if let Some(o) = &owner {
                crate::model::check_owner(o)?;
            }
            k.owner.clone_from(&owner);
            changes.push(format!("owner {}", owner.as_deref().unwrap_or("none")));
        }
        let mut action = "edit";
        if let Some(e) = &expires {
            if k.rotated_to.is_some() {
                return Err(Error::policy(
                    "a rotated key keeps its planned end",
                    "edit its successor",
                ));
            }
            let expiry = crate::policy::parse_expiry(e, now)?;
            let policy = crate::policy::Policy::load(tx)?;
            policy.check(k.created_at, expiry)?;
            if k.status(now) == Status::Expired {
                action = "revive";
            }
            k.expires_at = expiry.as_option();
            changes.push(format!(
                "expires {}",
                k.expires_at.map_or("never".into(), crate::text::rfc3339)
            ));
        }
        if changes.is_empty() {
            return Ok(());
        }
        queries::update_key(tx, &k)?;
        queries::audit(tx, now, actor, action, Some(&k), &changes.join("; "))
    })
}

/// Deletes a key for good when `confirm` is its name (the console's typed confirmation).
pub fn delete(store: &mut Store, id: &str, confirm: &str, actor: &str, now: i64) -> Result<()> {
    store.write(|tx, _| {
        let k = found(tx, id)?;
        if confirm != k.name {
            return Err(Error::usage(
                "the name typed does not match the key's name; nothing was deleted",
                "type the key's name exactly to confirm",
            ));
        }
        queries::audit(tx, now, actor, "delete", Some(&k), "")?;
        queries::delete_key(tx, &k.id)
    })
}

/// Rotates a key with `grace` (the CLI's `rotate_in`); the successor and its token.
pub fn rotate(
    store: &mut Store,
    id: &str,
    grace: i64,
    actor: &str,
    now: i64,
) -> Result<(KeyRecord, String)> {
    let pepper = store.pepper();
    let old = found(store.conn(), id)?;
    let token = crate::token::generate(&old.prefix)?;
    let new = store.write(|tx, _| {
        crate::commands::rotate::rotate_in(tx, &pepper, actor, id, None, grace, now, &token)
    })?;
    Ok((new, token.token.expose_secret().to_string()))
}

fn found(conn: &rusqlite::Connection, id: &str) -> Result<KeyRecord> {
    queries::key_by_id(conn, id)?.ok_or_else(|| Error::NoSuchKey(id.to_string()))
}
