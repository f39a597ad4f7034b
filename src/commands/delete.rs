//! `apikeys delete`: remove keys for good, after a confirmation naming them.

use super::{Context, describe_keys};
use crate::error::Result;
use crate::store::queries;

/// Arguments of `delete`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keys, by name or id
    #[arg(required = true, value_name = "KEY")]
    pub keys: Vec<String>,
}

/// Runs `delete`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    ctx.require_confirmable("delete")?;
    let mut store = ctx.open()?;
    let now = crate::policy::now();
    // A name's predecessors still in their grace period go with it (SPEC §3).
    let keys = queries::resolve_with_chains(store.conn(), &args.keys, now)?;
    ctx.confirm(
        "delete",
        &format!(
            "Delete {} for good? This cannot be undone.",
            describe_keys(&keys)
        ),
    )?;
    let done = store.write(|tx, _| {
        let keys = queries::resolve_with_chains(tx, &args.keys, now)?;
        for k in &keys {
            queries::delete_key(tx, &k.id)?;
            queries::audit(tx, now, &ctx.actor(), "delete", Some(k), "")?;
        }
        Ok(keys)
    })?;
    if ctx.json() {
        let ids: Vec<_> = done
            .iter()
            .map(|k| serde_json::json!({"id": k.id, "name": k.name}))
            .collect();
        crate::term::output::print_json(&serde_json::json!({ "deleted": ids }))
    } else {
        for k in &done {
            ctx.note(&format!(
                "deleted {:?} ({})",
                crate::text::sanitize(&k.name),
                k.id
            ));
        }
        Ok(())
    }
}
