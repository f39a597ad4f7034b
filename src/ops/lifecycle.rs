//! One key's lifecycle as the console acts on it: revoke, activate, edit, rotate, delete,
//! each one sealed write with the CLI's checks and audit entries.

use crate::error::{Error, Result};
use crate::model::KeyRecord;
use crate::store::{Store, queries};

/// Revokes `keys` inside the caller's write (those revoked already are left as they are):
/// `revoke` and the console. Returns (revoked now, revoked already).
pub fn revoke_keys(
    tx: &rusqlite::Connection,
    keys: Vec<KeyRecord>,
    reason: Option<&str>,
    actor: &str,
    now: i64,
) -> Result<(Vec<KeyRecord>, Vec<KeyRecord>)> {
    let (mut done, mut already) = (Vec::new(), Vec::new());
    for mut k in keys {
        if k.revoked {
            already.push(k);
            continue;
        }
        k.revoked = true;
        k.revoked_reason = reason.map(str::to_string);
        queries::update_key(tx, &k)?;
        queries::audit(tx, now, actor, "revoke", Some(&k), reason.unwrap_or(""))?;
        done.push(k);
    }
    Ok((done, already))
}

/// Activates `keys` inside the caller's write: never a superseded or an expired one (exit 7;
/// the whole write is refused): `activate` and the console.
pub fn activate_keys(
    tx: &rusqlite::Connection,
    keys: Vec<KeyRecord>,
    actor: &str,
    now: i64,
) -> Result<Vec<KeyRecord>> {
    if let Some(k) = keys.iter().find(|k| k.rotated_to.is_some()) {
        return Err(superseded(k));
    }
    if let Some(k) = keys.iter().find(|k| k.expires_at.is_some_and(|e| e <= now)) {
        return Err(Error::policy(
            format!(
                "key {:?} has expired and cannot be re-activated as it is",
                crate::text::sanitize(&k.name)
            ),
            format!(
                "give it a new expiry first: apikeys edit {} --expires 30d",
                k.id
            ),
        ));
    }
    let mut done = Vec::new();
    for mut k in keys {
        if k.revoked {
            k.revoked = false;
            k.revoked_reason = None;
            queries::update_key(tx, &k)?;
            queries::audit(tx, now, actor, "activate", Some(&k), "")?;
        }
        done.push(k);
    }
    Ok(done)
}

/// Deletes `keys` for good inside the caller's write: `delete` and the console.
pub fn delete_keys(
    tx: &rusqlite::Connection,
    keys: &[KeyRecord],
    actor: &str,
    now: i64,
) -> Result<()> {
    for k in keys {
        queries::delete_key(tx, &k.id)?;
        queries::audit(tx, now, actor, "delete", Some(k), "")?;
    }
    Ok(())
}

/// The refusal for a key that was rotated: its successor carries the name and the access.
pub fn superseded(k: &KeyRecord) -> Error {
    Error::policy(
        format!(
            "key {:?} ({}) was rotated and is superseded: it only runs out its grace period",
            crate::text::sanitize(&k.name),
            k.id
        ),
        format!("work on its successor instead: apikeys show {}", k.id),
    )
}

/// Revokes a key with its predecessors still in their grace period (as `revoke KEY`).
pub fn revoke(
    store: &mut Store,
    id: &str,
    reason: Option<String>,
    actor: &str,
    now: i64,
) -> Result<()> {
    store.write(|tx, _| {
        let keys = queries::resolve_with_chains(tx, &[id.to_string()], now)?;
        revoke_keys(tx, keys, reason.as_deref(), actor, now).map(|_| ())
    })
}

/// Activates a revoked key (as `activate KEY`).
pub fn activate(store: &mut Store, id: &str, actor: &str, now: i64) -> Result<()> {
    store.write(|tx, _| {
        let keys = queries::resolve_all(tx, &[id.to_string()])?;
        activate_keys(tx, keys, actor, now).map(|_| ())
    })
}

/// Edits a key from the console's form: `changes` read as `apikeys edit` reads its flags. A
/// new expiry given there for an expired key is the admin's explicit revival.
pub fn edit(
    store: &mut Store,
    id: &str,
    changes: &super::edit::Changes,
    actor: &str,
    now: i64,
) -> Result<()> {
    // A change that changes nothing aborts the write: the store is not written again.
    store.write(|tx, _| {
        super::edit::apply(tx, id, changes, true, actor, now)?.ok_or_else(|| {
            Error::usage("nothing to change", "fill in what should change, then Save")
        })
    })?;
    Ok(())
}

/// Deletes a key for good, with its predecessors in their grace period (as `delete KEY`),
/// when `confirm` is its name (the console's typed confirmation).
pub fn delete(store: &mut Store, id: &str, confirm: &str, actor: &str, now: i64) -> Result<()> {
    store.write(|tx, _| {
        let k = found(tx, id)?;
        if confirm != k.name {
            return Err(Error::usage(
                "the name typed does not match the key's name; nothing was deleted",
                "type the key's name exactly to confirm",
            ));
        }
        let keys = queries::resolve_with_chains(tx, &[k.id], now)?;
        delete_keys(tx, &keys, actor, now)
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
