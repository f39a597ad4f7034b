//! Permission groups: made, changed and deleted with the same checks and audit entries
//! from `apikeys group` and from the console.

use crate::error::{Error, Result};
use crate::model::{self, KeyRecord, add_unique};
use crate::store::{Store, queries};

/// The keys that are members of `group`.
pub fn users(conn: &rusqlite::Connection, group: &str) -> Result<Vec<KeyRecord>> {
    Ok(queries::all_keys(conn)?
        .into_iter()
        .filter(|k| k.groups.iter().any(|g| g == group))
        .collect())
}

/// Every group with its scopes and how many keys are members of it (`group list`, the
/// console's groups page).
pub fn with_members(conn: &rusqlite::Connection) -> Result<Vec<(String, Vec<String>, usize)>> {
    let keys = queries::all_keys(conn)?;
    Ok(queries::groups(conn)?
        .into_iter()
        .map(|(g, scopes)| {
            let n = keys.iter().filter(|k| k.groups.contains(&g)).count();
            (g, scopes, n)
        })
        .collect())
}

/// Makes group `name` with `scopes` (each maybe comma-separated) in one write.
pub fn create(
    store: &mut Store,
    name: &str,
    scopes: &[String],
    actor: &str,
    now: i64,
) -> Result<Vec<String>> {
    model::check_name("group", name)?;
    let scopes = model::split_scopes(scopes)?;
    if scopes.is_empty() {
        return Err(Error::usage(
            "a group needs at least one scope",
            "give its scopes, e.g. deploy:read, deploy:write",
        ));
    }
    store.write(|tx, _| {
        queries::insert_group(tx, name, &scopes, now)?;
        queries::audit(
            tx,
            now,
            actor,
            "group create",
            None,
            &format!("{name}: [{}]", scopes.join(", ")),
        )
    })?;
    Ok(scopes)
}

/// Adds and removes scopes of group `name`; a change that changes nothing is an error.
/// Returns the group's scopes after it.
pub fn edit(
    store: &mut Store,
    name: &str,
    add: &[String],
    remove: &[String],
    actor: &str,
    now: i64,
) -> Result<Vec<String>> {
    let add = model::split_scopes(add)?;
    let remove = model::split_scopes(remove)?;
    store.write(|tx, _| {
        let mut scopes = queries::group(tx, name)?;
        let before = scopes.clone();
        for s in &add {
            add_unique(&mut scopes, s);
        }
        scopes.retain(|s| !remove.contains(s));
        if scopes == before {
            // As `edit` says: a change that changes nothing is a mistake worth naming.
            return Err(Error::usage(
                "nothing to change",
                "the group already has these scopes; see them with `apikeys group list`",
            ));
        }
        queries::update_group(tx, name, &scopes)?;
        queries::audit(
            tx,
            now,
            actor,
            "group edit",
            None,
            &format!("{name}: [{}]", scopes.join(", ")),
        )?;
        Ok(scopes)
    })
}

/// Deletes group `name` in one write, taking it out of every key that had it (each key's
/// change in the audit log). The caller asks first when keys use it.
pub fn delete(store: &mut Store, name: &str, actor: &str, now: i64) -> Result<()> {
    store.write(|tx, _| {
        queries::group(tx, name)?;
        for mut k in users(tx, name)? {
            k.groups.retain(|g| g != name);
            queries::update_key(tx, &k)?;
            queries::audit(
                tx,
                now,
                actor,
                "edit",
                Some(&k),
                &format!("removed from deleted group {name}"),
            )?;
        }
        queries::delete_group(tx, name)?;
        queries::audit(tx, now, actor, "group delete", None, name)
    })
}
