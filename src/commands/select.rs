//! Selecting keys by what they are rather than by name: owner, group, meta pairs, age. One
//! set of filters for `list` and for bulk `revoke` (SPEC §12), so that `list --owner acme`
//! shows exactly what `revoke --owner acme` would revoke.

use crate::error::Result;
use crate::model::KeyRecord;

/// The filters, as given on the command line (all must match).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Selection {
    /// Only keys of this owner
    #[arg(long, value_name = "O")]
    pub owner: Option<String>,
    /// Only keys in this group
    #[arg(long, value_name = "G")]
    pub group: Option<String>,
    /// Only keys with this meta pair (repeatable: all must match)
    #[arg(long = "meta", value_name = "K=V")]
    pub meta: Vec<String>,
    /// Only keys created before this date, RFC 3339 time, or duration back (30d)
    #[arg(long, value_name = "T")]
    pub created_before: Option<String>,
}

/// The filters, checked.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    owner: Option<String>,
    group: Option<String>,
    meta: Vec<(String, String)>,
    before: Option<i64>,
}

impl Selection {
    /// Whether no filter was given.
    pub fn is_empty(&self) -> bool {
        self.owner.is_none()
            && self.group.is_none()
            && self.meta.is_empty()
            && self.created_before.is_none()
    }

    /// Checks the filters as of `now`.
    pub fn check(&self, now: i64) -> Result<Checked> {
        Ok(Checked {
            owner: self.owner.clone(),
            group: self.group.clone(),
            meta: self
                .meta
                .iter()
                .map(|m| crate::model::parse_meta(m))
                .collect::<Result<_>>()?,
            before: self
                .created_before
                .as_deref()
                .map(|t| crate::policy::parse_since(t, now))
                .transpose()?,
        })
    }
}

impl Checked {
    /// Whether `k` matches every filter.
    pub fn keeps(&self, k: &KeyRecord) -> bool {
        self.owner
            .as_ref()
            .is_none_or(|o| k.owner.as_ref() == Some(o))
            && self.group.as_ref().is_none_or(|g| k.groups.contains(g))
            && self.meta.iter().all(|(mk, mv)| k.meta.get(mk) == Some(mv))
            && self.before.is_none_or(|t| k.created_at < t)
    }
}

/// `--status` of bulk `activate` and `delete`: clean-up by what keys have become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BulkStatus {
    /// Past their expiry
    Expired,
    /// Revoked
    Inactive,
}

impl BulkStatus {
    /// Whether `k` has this status at `now`.
    pub fn holds(self, k: &KeyRecord, now: i64) -> bool {
        let st = k.status(now);
        match self {
            BulkStatus::Expired => st == crate::model::Status::Expired,
            BulkStatus::Inactive => st == crate::model::Status::Inactive,
        }
    }
}

/// A confirmation that counts the keys a filter selected, naming the first five.
pub fn counted_question(verb: &str, keys: &[KeyRecord], tail: &str) -> String {
    let shown = super::describe_keys(&keys[..keys.len().min(5)]);
    let more = keys.len().saturating_sub(5);
    format!(
        "{verb} {} key{}: {shown}{}{tail}?",
        keys.len(),
        if keys.len() == 1 { "" } else { "s" },
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// Refuses keys named and filters given together (a usage error): `hint` says how `verb`
/// takes each.
pub fn keys_or_filters(named: &[String], by_filter: bool, hint: &str) -> Result<()> {
    if !named.is_empty() && by_filter {
        return Err(crate::error::Error::usage(
            "give keys or filters, not both",
            hint,
        ));
    }
    Ok(())
}

/// What a bulk command acts on: the keys named, or the ids of every key `keeps` selects.
pub fn named_or_selected(
    conn: &rusqlite::Connection,
    named: &[String],
    by_filter: bool,
    keeps: impl Fn(&KeyRecord) -> bool,
) -> Result<Vec<String>> {
    if !by_filter {
        return Ok(named.to_vec());
    }
    Ok(crate::store::queries::all_keys(conn)?
        .into_iter()
        .filter(|k| keeps(k))
        .map(|k| k.id)
        .collect())
}
