//! `apikeys activate`: make inactive keys active again.

use super::Context;
use crate::error::{Error, Result};
use crate::store::queries;

/// Arguments of `activate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keys, by name or id
    #[arg(required = true, value_name = "KEY")]
    pub keys: Vec<String>,
}

/// Runs `activate`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let mut store = ctx.open()?;
    let now = crate::policy::now();
    let done = store.write(|tx, _| {
        let keys = queries::resolve_all(tx, &args.keys)?;
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
                queries::audit(tx, now, &ctx.actor(), "activate", Some(&k), "")?;
            }
            done.push(k);
        }
        Ok(done)
    })?;
    super::report_keys(ctx, &done, "active")
}

/// The refusal for a key that was rotated: its successor carries the name and the access.
pub fn superseded(k: &crate::model::KeyRecord) -> Error {
    Error::policy(
        format!(
            "key {:?} ({}) was rotated and is superseded: it only runs out its grace period",
            crate::text::sanitize(&k.name),
            k.id
        ),
        format!(
            "work on its successor instead: apikeys show {}",
            k.rotated_to.as_deref().unwrap_or_default()
        ),
    )
}
