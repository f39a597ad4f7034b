//! The SQL of the audit trail and of permission groups: who did what, and the named scope
//! sets keys draw on.

use super::queries::{json_list, to_json};
use crate::error::{Error, Result};
use crate::model::KeyRecord;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;

/// One event of the audit trail.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    #[serde(serialize_with = "crate::text::ser_time")]
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub key_id: Option<String>,
    pub key_name: Option<String>,
    pub details: String,
}

/// Every action the audit trail records: what `log --action` and the console's filter offer.
pub const ACTIONS: &[&str] = &[
    "init",
    "create",
    "import",
    "edit",
    "revive",
    "revoke",
    "activate",
    "rotate",
    "delete",
    "group create",
    "group edit",
    "group delete",
    "policy set",
    "passwd",
    "admin add",
    "admin remove",
    "admin rename",
    "verifier export",
    "verifier export failed",
    "usage import",
];

/// The action `asked` names (any case, spaces around ignored), or a usage error listing them:
/// a mistyped filter is said, never answered with an empty log that looks like a quiet store.
pub fn action_named(asked: &str) -> Result<&'static str> {
    let asked = asked.trim();
    ACTIONS
        .iter()
        .find(|a| a.eq_ignore_ascii_case(asked))
        .copied()
        .ok_or_else(|| {
            Error::usage(
                format!("unknown action {:?}", crate::text::sanitize(asked)),
                format!("give one of: {}", ACTIONS.join(", ")),
            )
        })
}

/// Whether an event's action is `action` (events of earlier releases wrote `policy` for
/// `policy set history-days`).
pub fn is_action(event: &str, action: &str) -> bool {
    event == action || (action == "policy set" && event == "policy")
}

/// Appends an event to the audit trail, inside the caller's write.
pub fn audit(
    conn: &Connection,
    at: i64,
    actor: &str,
    action: &str,
    key: Option<&KeyRecord>,
    details: &str,
) -> Result<()> {
    debug_assert!(ACTIONS.contains(&action), "unlisted action {action}");
    conn.prepare_cached("INSERT INTO audit (at, actor, action, key_id, key_name, details) VALUES (?1,?2,?3,?4,?5,?6)")?
        .execute(params![at, actor, action, key.map(|k| &k.id), key.map(|k| &k.name), details])?;
    Ok(())
}

/// Audit events, oldest first, optionally only those of one key id or name, and since a time.
pub fn audit_events(
    conn: &Connection,
    key: Option<(&str, &str)>,
    since: Option<i64>,
) -> Result<Vec<AuditEvent>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, key_id, key_name, details FROM audit \
         WHERE (?1 IS NULL OR key_id = ?1 OR key_name = ?2) AND (?3 IS NULL OR at >= ?3) ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![key.map(|k| k.0), key.map(|k| k.1), since], |r| {
        Ok(AuditEvent {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            key_id: r.get(4)?,
            key_name: r.get(5)?,
            details: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An admin through their renames: each name they had, with the events (by sequence number)
/// done under it. The audit log keeps the name an event was done under; this reads it back.
pub struct Admin(Vec<(String, std::ops::RangeInclusive<i64>)>);

impl Admin {
    /// `name` now, and the names it had before, from the trail's `admin rename` events.
    pub fn of(conn: &Connection, name: &str) -> Result<Admin> {
        let mut stmt = conn.prepare_cached(
            "SELECT seq, details FROM audit WHERE action = 'admin rename' ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut renames = Vec::new();
        for row in rows {
            let (seq, details) = row?;
            if let Some((old, new)) = details.split_once(" -> ") {
                renames.push((seq, old.to_string(), new.to_string()));
            }
        }
        let (mut current, mut upto) = (name.to_string(), i64::MAX);
        let mut names = Vec::new();
        for (seq, old, new) in renames.into_iter().rev() {
            if new == current && seq < upto {
                // The rename itself was done under the old name.
                names.push((current, seq + 1..=upto));
                (current, upto) = (old, seq);
            }
        }
        names.push((current, i64::MIN..=upto));
        Ok(Admin(names))
    }

    /// When this admin last acted, under any of their names: one aggregate per name, the
    /// trail never read whole (`admin list` and `status` ask it of every slot).
    pub fn last_at(&self, conn: &Connection) -> Result<Option<i64>> {
        // [`by_name`], in SQL.
        let mut stmt = conn.prepare_cached(
            "SELECT max(at) FROM audit WHERE seq BETWEEN ?2 AND ?3 \
             AND (actor = ?1 OR substr(actor, 1, length(?1) + 2) = ?1 || ' (')",
        )?;
        let mut last = None;
        for (name, seqs) in &self.0 {
            let at: Option<i64> =
                stmt.query_row(params![name, seqs.start(), seqs.end()], |r| r.get(0))?;
            last = last.max(at);
        }
        Ok(last)
    }

    /// Whether this admin did `e` (`actor` is the slot's name, or `name (note)`).
    pub fn did(&self, e: &AuditEvent) -> bool {
        self.0
            .iter()
            .any(|(n, seqs)| seqs.contains(&e.seq) && by_name(&e.actor, n))
    }
}

/// Whether `actor` (`alice`, or `alice (note)`) is the admin `name`.
pub fn by_name(actor: &str, name: &str) -> bool {
    actor == name
        || actor
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(" ("))
}

/// Every permission group and its scopes.
pub fn groups(conn: &Connection) -> Result<BTreeMap<String, Vec<String>>> {
    let mut stmt =
        conn.prepare_cached("SELECT name, scopes FROM permission_groups ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, json_list(r.get(1)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The scopes of one group, or exit 5.
pub fn group(conn: &Connection, name: &str) -> Result<Vec<String>> {
    conn.prepare_cached("SELECT scopes FROM permission_groups WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?
        .map(json_list)
        .ok_or_else(|| Error::NoSuchGroup(crate::text::sanitize(name)))
}

/// Creates a group; exit 6 if the name is taken.
pub fn insert_group(conn: &Connection, name: &str, scopes: &[String], at: i64) -> Result<()> {
    let n = conn.execute(
        "INSERT OR IGNORE INTO permission_groups (name, scopes, created_at) VALUES (?1, ?2, ?3)",
        params![name, to_json(scopes), at],
    )?;
    if n == 0 {
        return Err(Error::conflict(
            format!(
                "a group named {:?} already exists",
                crate::text::sanitize(name)
            ),
            "choose another name, or change it with `apikeys group edit`",
        ));
    }
    Ok(())
}

/// Replaces a group's scopes.
pub fn update_group(conn: &Connection, name: &str, scopes: &[String]) -> Result<()> {
    conn.execute(
        "UPDATE permission_groups SET scopes = ?2 WHERE name = ?1",
        params![name, to_json(scopes)],
    )?;
    Ok(())
}

/// Deletes a group.
pub fn delete_group(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("DELETE FROM permission_groups WHERE name = ?1", [name])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    /// docs/reference.md lists every action `log --action` takes, and nothing else.
    #[test]
    fn the_reference_lists_every_action() {
        let doc = include_str!("../../docs/reference.md").replace("\n  ", " ");
        let listed = doc
            .split_once("`action` is one of ")
            .and_then(|(_, rest)| {
                rest.split_once("\n  (`--action`")
                    .or(rest.split_once(" (`--action`"))
            })
            .map(|(list, _)| list)
            .expect("the list of actions in docs/reference.md");
        let named: Vec<&str> = listed.split('`').skip(1).step_by(2).collect();
        assert_eq!(named, super::ACTIONS);
    }

    #[test]
    fn an_action_is_named_in_any_case_and_a_typo_is_a_usage_error() {
        assert_eq!(super::action_named(" Policy Set ").unwrap(), "policy set");
        let e = super::action_named("revokd").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(super::is_action("policy", "policy set"));
        assert!(!super::is_action("policy", "revoke"));
    }

    #[test]
    fn an_admin_is_the_slot_not_the_note() {
        assert!(super::by_name("alice", "alice"));
        assert!(super::by_name("alice (ci job)", "alice"));
        assert!(!super::by_name("alicia", "alice"));
        assert!(!super::by_name("bob (alice)", "alice"));
    }
}
