//! `apikeys edit`: change a key's settings, never its secret; expiry stays within the policy.

use super::Context;
use crate::error::{Error, Result};
use crate::policy;
use crate::store::queries;

/// Arguments of `edit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The key, by name or id
    pub key: String,
    /// A new name
    #[arg(long)]
    pub name: Option<String>,
    /// A new expiry, within the max lifetime counted from creation
    #[arg(long, value_name = "E")]
    pub expires: Option<String>,
    /// Grant a scope (repeatable)
    #[arg(long, value_name = "S")]
    pub add_scope: Vec<String>,
    /// Withdraw a scope (repeatable)
    #[arg(long, value_name = "S")]
    pub remove_scope: Vec<String>,
    /// Add the key to a group (repeatable)
    #[arg(long, value_name = "G")]
    pub add_group: Vec<String>,
    /// Take the key out of a group (repeatable)
    #[arg(long, value_name = "G")]
    pub remove_group: Vec<String>,
    /// Allow an IP address or CIDR (repeatable)
    #[arg(long, value_name = "CIDR")]
    pub allow_ip: Vec<String>,
    /// Stop allowing an IP address or CIDR (repeatable)
    #[arg(long, value_name = "CIDR")]
    pub remove_ip: Vec<String>,
    /// A new description
    #[arg(long, value_name = "D")]
    pub description: Option<String>,
    /// A new owner
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// Set a KEY=VALUE pair (repeatable)
    #[arg(long = "meta", value_name = "K=V")]
    pub meta: Vec<String>,
    /// Remove a meta pair by its key (repeatable)
    #[arg(long, value_name = "K")]
    pub remove_meta: Vec<String>,
    /// Set the rate limits to these (repeatable), or `none` to remove them
    #[arg(long = "rate", value_name = "N/DUR")]
    pub rates: Vec<String>,
    /// Set the remaining uses back to N every DUR from creation, or `none`
    #[arg(long, value_name = "N/DUR")]
    pub refill: Option<String>,
    /// Refill the remaining uses to N, or `none` to remove the limit
    #[arg(long, value_name = "N|none")]
    pub uses: Option<String>,
}

/// Runs `edit`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let changes = crate::ops::edit::Given {
        name: args.name,
        expires: args.expires.clone(),
        add_scope: args.add_scope,
        remove_scope: args.remove_scope,
        add_group: args.add_group,
        remove_group: args.remove_group,
        allow_ip: args.allow_ip,
        remove_ip: args.remove_ip,
        description: args.description,
        owner: args.owner,
        meta: args.meta,
        remove_meta: args.remove_meta,
        uses: args.uses,
        rates: args.rates,
        refill: args.refill,
    }
    .changes(&|m| ctx.note(m))?;
    let mut store = ctx.open()?;
    let now = policy::now();
    // A new expiry for an expired key revives it: an explicit act, confirmed by name (asked
    // before the lock is taken, and checked again under it).
    let mut revive_confirmed = false;
    if args.expires.is_some() {
        let k = queries::resolve(store.conn(), &args.key)?;
        // A superseded key is refused below (exit 7), never revived.
        if k.status(now) == crate::model::Status::Expired && k.rotated_to.is_none() {
            let expiry = policy::parse_expiry(args.expires.as_deref().unwrap_or(""), now)?;
            if expiry.as_option().is_none_or(|e| e > now) {
                ctx.confirm(
                    "reviving an expired key",
                    &format!(
                        "Key {} has expired. Give it a new expiry and make it valid again?",
                        super::describe_keys(std::slice::from_ref(&k))
                    ),
                )?;
                revive_confirmed = true;
            }
        }
    }
    let actor = ctx.actor();
    // A change that changes nothing aborts the write: the store is not written again.
    let crate::ops::edit::Edited { key, what, .. } = store.write(|tx, _| {
        crate::ops::edit::apply(tx, &args.key, &changes, revive_confirmed, &actor, now)?.ok_or_else(
            || {
                Error::usage(
                    "nothing to change",
                    "pass at least one option that changes the key, see `apikeys edit --help`",
                )
            },
        )
    })?;
    if ctx.json() {
        return super::report_keys(ctx, &[key], "updated");
    }
    ctx.note(&format!(
        "updated {:?} ({}): {}",
        crate::text::sanitize(&key.name),
        key.id,
        crate::text::sanitize(&what)
    ));
    Ok(())
}
