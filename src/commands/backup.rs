//! `apikeys backup PATH`: a consistent copy of the store, taken under the lock, written to a
//! new 0600 file, fsynced, and proved by opening it with the same credential.

use super::Context;
use crate::error::Result;
use std::path::PathBuf;

/// Arguments of `backup`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Restore by copying the backup back over the store: that rolls back every change made\nsince, revocations included (see `apikeys log --since …` to re-apply them).\n\nExamples:\n  apikeys backup /var/backups/apikeys-$(date +%F).store\n  15 3 * * * apikeys --key-file /etc/apikeys/backup.key backup /var/backups/apikeys-$(date +\\%F).store"
)]
pub struct Args {
    /// The new backup file (never overwritten), or an existing directory to write
    /// apikeys-<UTC time>.store into
    pub path: PathBuf,
}

/// Runs `backup`.
pub fn run(ctx: &Context, mut args: Args) -> Result<()> {
    // `backup dir/` names a directory: one that does not exist is said as such.
    let names_dir = args.path.as_os_str().as_encoded_bytes().ends_with(b"/");
    if names_dir && !args.path.is_dir() {
        return Err(crate::error::Error::usage(
            format!(
                "no directory {}",
                crate::text::sanitize(&args.path.display().to_string())
            ),
            "create it first (mkdir -m 700 DIR), or give the path of a new file",
        ));
    }
    let store = ctx.open()?;
    // An existing directory gets a new file inside it, named by the time of the copy.
    if args.path.is_dir() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        args.path = args.path.join(format!("apikeys-{stamp}.store"));
    }
    let keys = store.backup(&args.path)?;
    if ctx.json() {
        crate::term::output::print_json(&serde_json::json!({
            "backup": args.path,
            "keys": keys,
            "bytes": std::fs::metadata(&args.path).map_or(0, |m| m.len()),
        }))
    } else {
        ctx.note(&format!(
            "backed up {} to {} ({}); the copy opens with the same credential",
            store.path().display(),
            args.path.display(),
            crate::text::count(keys, "key")
        ));
        Ok(())
    }
}
