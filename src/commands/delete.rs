//! `apikeys delete`: remove keys for good, after a confirmation naming them: named keys, or
//! every key matching filters (owner, group, meta, age, status), in one write.

use super::select::{BulkStatus, Selection, counted_question, keys_or_filters, named_or_selected};
use super::{Context, describe_keys};
use crate::error::{Error, Result};
use crate::store::queries;

/// Arguments of `delete`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  apikeys delete old-ci --yes\n  apikeys delete --status expired --created-before 180d --yes   # clean-up, in one write\n  apikeys delete --owner former-customer"
)]
pub struct Args {
    /// Keys, by name or id (or select them with the filters below)
    #[arg(value_name = "KEY", required_unless_present_any = ["owner", "group", "meta", "created_before", "status"])]
    pub keys: Vec<String>,
    #[command(flatten)]
    pub select: Selection,
    /// Only keys with this status
    #[arg(long, value_enum)]
    pub status: Option<BulkStatus>,
}

/// Runs `delete`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    ctx.require_confirmable("delete")?;
    let by_filter = !args.select.is_empty() || args.status.is_some();
    keys_or_filters(
        &args.keys,
        by_filter,
        "delete KEY… names keys; --owner/--group/--meta/--created-before/--status select them",
    )?;
    let mut store = ctx.open()?;
    let now = crate::policy::now();
    let select = args.select.check(now)?;
    let refs = |conn: &rusqlite::Connection| {
        named_or_selected(conn, &args.keys, by_filter, |k| {
            select.keeps(k) && args.status.is_none_or(|s| s.holds(k, now))
        })
    };
    // A name's predecessors still in their grace period go with it (SPEC §3).
    let keys = queries::resolve_with_chains(store.conn(), &refs(store.conn())?, now)?;
    if keys.is_empty() {
        return Err(Error::Context {
            message: "no key matches the filters; nothing changed".into(),
            hint: Some(
                "see what they select with `apikeys list --status all` and the same filters".into(),
            ),
            code: 5,
        });
    }
    let question = if by_filter {
        counted_question("Delete", &keys, " for good (this cannot be undone)")
    } else {
        format!(
            "Delete {} for good? This cannot be undone.",
            describe_keys(&keys)
        )
    };
    ctx.confirm("delete", &question)?;
    let done = store.write(|tx, _| {
        let keys = queries::resolve_with_chains(tx, &refs(tx)?, now)?;
        crate::ops::lifecycle::delete_keys(tx, &keys, &ctx.actor(), now)?;
        Ok(keys)
    })?;
    if ctx.json() {
        let ids: Vec<_> = done
            .iter()
            .map(|k| serde_json::json!({"id": k.id, "name": k.name}))
            .collect();
        return crate::term::output::print_json(&serde_json::json!({ "deleted": ids }));
    }
    if by_filter {
        ctx.note(&format!(
            "deleted {} in one write",
            crate::text::count(done.len(), "key")
        ));
        return Ok(());
    }
    for k in &done {
        ctx.note(&format!(
            "deleted {:?} ({})",
            crate::text::sanitize(&k.name),
            k.id
        ));
    }
    Ok(())
}
