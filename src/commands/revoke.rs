//! `apikeys revoke`: make keys inactive, reversibly: named keys, or every key matching
//! filters (owner, group, meta, age; SPEC §12), in one write, with their rotation chains.

use super::{Context, describe_keys};
use crate::error::Result;
use crate::store::queries;

/// Arguments of `revoke`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  apikeys revoke ci-deploy --reason leaked\n  apikeys revoke --owner acme-corp --yes          # every key of an owner, in one write\n  apikeys revoke --meta env=staging --created-before 90d"
)]
pub struct Args {
    /// Keys, by name or id (or select them with the filters below)
    #[arg(value_name = "KEY", required_unless_present_any = ["owner", "group", "meta", "created_before"])]
    pub keys: Vec<String>,
    #[command(flatten)]
    pub select: super::select::Selection,
    /// Why, for the audit log
    #[arg(long, value_name = "R")]
    pub reason: Option<String>,
}

/// Runs `revoke`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    ctx.require_confirmable("revoke")?;
    let mut store = ctx.open()?;
    let now = crate::policy::now();
    super::select::keys_or_filters(
        &args.keys,
        !args.select.is_empty(),
        "revoke KEY… names keys; --owner/--group/--meta/--created-before select them",
    )?;
    let select = args.select.check(now)?;
    let refs = |conn: &rusqlite::Connection| {
        super::select::named_or_selected(conn, &args.keys, !args.select.is_empty(), |k| {
            !k.revoked && k.status(now) != crate::model::Status::Expired && select.keeps(k)
        })
    };
    // A name's predecessors still in their grace period go with it (SPEC §3).
    let keys = queries::resolve_with_chains(store.conn(), &refs(store.conn())?, now)?;
    if keys.is_empty() {
        return Err(crate::error::Error::Context {
            message: "no live key matches the filters; nothing changed".into(),
            hint: Some("see what they select with `apikeys list` and the same filters".into()),
            code: 5,
        });
    }
    let question = if args.select.is_empty() {
        format!("Revoke {}?", describe_keys(&keys))
    } else {
        super::select::counted_question("Revoke", &keys, "")
    };
    ctx.confirm("revoke", &question)?;
    let (done, already) = store.write(|tx, _| {
        // Resolve again under the lock: the snapshot may be stale.
        let keys = queries::resolve_with_chains(tx, &refs(tx)?, now)?;
        crate::ops::lifecycle::revoke_keys(tx, keys, args.reason.as_deref(), &ctx.actor(), now)
    })?;
    if ctx.json() {
        let all: Vec<_> = done.iter().chain(&already).cloned().collect();
        return super::report_keys(ctx, &all, "revoked");
    }
    if !args.select.is_empty() {
        ctx.note(&format!(
            "revoked {} in one write",
            crate::text::count(done.len(), "key")
        ));
        return Ok(());
    }
    for k in &already {
        ctx.note(&format!(
            "already revoked: {:?} ({}), nothing changed",
            crate::text::sanitize(&k.name),
            k.id
        ));
    }
    super::report_keys(ctx, &done, "revoked")
}
