//! `apikeys revoke`: make keys inactive, reversibly.

use super::{Context, describe_keys};
use crate::error::Result;
use crate::store::queries;

/// Arguments of `revoke`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keys, by name or id
    #[arg(required = true, value_name = "KEY")]
    pub keys: Vec<String>,
    /// Why, for the audit log
    #[arg(long, value_name = "R")]
    pub reason: Option<String>,
}

/// Runs `revoke`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    ctx.require_confirmable("revoke")?;
    let mut store = ctx.open()?;
    let now = crate::policy::now();
    // A name's predecessors still in their grace period go with it (SPEC §3).
    let keys = queries::resolve_with_chains(store.conn(), &args.keys, now)?;
    ctx.confirm("revoke", &format!("Revoke {}?", describe_keys(&keys)))?;
    let (done, already) = store.write(|tx, _| {
        let (mut done, mut already) = (Vec::new(), Vec::new());
        // Resolve again under the lock: the snapshot may be stale.
        for mut k in queries::resolve_with_chains(tx, &args.keys, now)? {
            if k.revoked {
                already.push(k);
                continue;
            }
            k.revoked = true;
            k.revoked_reason = args.reason.clone();
            queries::update_key(tx, &k)?;
            queries::audit(
                tx,
                now,
                &ctx.actor,
                "revoke",
                Some(&k),
                args.reason.as_deref().unwrap_or(""),
            )?;
            done.push(k);
        }
        Ok((done, already))
    })?;
    if ctx.json() {
        let all: Vec<_> = done.iter().chain(&already).cloned().collect();
        return super::report_keys(ctx, &all, "revoked");
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
