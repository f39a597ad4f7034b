//! `apikeys activate`: make inactive keys active again: named keys, or every revoked key
//! matching filters (owner, group, meta, age), in one write after a counted confirmation.

use super::Context;
use super::select::{BulkStatus, Selection, counted_question, keys_or_filters, named_or_selected};
use crate::error::{Error, Result};
use crate::store::queries;

/// Arguments of `activate`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  apikeys activate ci-deploy\n  apikeys activate --owner acme-corp --yes   # every revoked key of an owner, in one write"
)]
pub struct Args {
    /// Keys, by name or id (or select them with the filters below)
    #[arg(value_name = "KEY", required_unless_present_any = ["owner", "group", "meta", "created_before", "status"])]
    pub keys: Vec<String>,
    #[command(flatten)]
    pub select: Selection,
    /// Only keys with this status (inactive: revoked; expired keys need a new expiry first)
    #[arg(long, value_enum)]
    pub status: Option<BulkStatus>,
}

/// Runs `activate`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let by_filter = !args.select.is_empty() || args.status.is_some();
    keys_or_filters(
        &args.keys,
        by_filter,
        "activate KEY… names keys; --owner/--group/--meta/--created-before select revoked ones",
    )?;
    if args.status == Some(BulkStatus::Expired) {
        return Err(Error::policy(
            "expired keys are not re-activated in bulk",
            "give each a new expiry with `apikeys edit KEY --expires 30d` (it asks, naming the key)",
        ));
    }
    let mut store = ctx.open()?;
    let now = crate::policy::now();
    let select = args.select.check(now)?;
    // By filter: the revoked keys that can come back (not expired, not superseded).
    let refs = |conn: &rusqlite::Connection| {
        named_or_selected(conn, &args.keys, by_filter, |k| {
            k.status(now) == crate::model::Status::Inactive
                && k.rotated_to.is_none()
                && k.expires_at.is_none_or(|e| e > now)
                && select.keeps(k)
        })
    };
    if by_filter {
        ctx.require_confirmable("activate")?;
        let keys = queries::resolve_all(store.conn(), &refs(store.conn())?)?;
        if keys.is_empty() {
            return Err(Error::Context {
                message: "no revoked key matches the filters; nothing changed".into(),
                hint: Some(
                    "see them with `apikeys list --status inactive` and the same filters".into(),
                ),
                code: 5,
            });
        }
        ctx.confirm("activate", &counted_question("Activate", &keys, ""))?;
    }
    let done = store.write(|tx, _| {
        let keys = queries::resolve_all(tx, &refs(tx)?)?;
        crate::ops::lifecycle::activate_keys(tx, keys, &ctx.actor(), now)
    })?;
    if by_filter && !ctx.json() {
        ctx.note(&format!(
            "activated {} in one write",
            crate::text::count(done.len(), "key")
        ));
        return Ok(());
    }
    super::report_keys(ctx, &done, "active")
}

pub use crate::ops::lifecycle::superseded;
