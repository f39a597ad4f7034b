//! `apikeys edit`: change a key's settings, never its secret; expiry stays within the policy.

use super::Context;
use crate::error::{Error, Result};
use crate::model;
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
    if let Some(n) = &args.name {
        model::check_name("key", n)?;
    }
    if let Some(d) = &args.description {
        model::check_description(d)?;
    }
    let (add_scope, add_ips) = super::create::check_lists(ctx, &args.add_scope, &args.allow_ip)?;
    let remove_scope = model::split_scopes(&args.remove_scope)?;
    let remove_ips: Vec<String> = args
        .remove_ip
        .iter()
        .map(|ip| model::parse_net(ip).map(|n| n.trunc().to_string()))
        .collect::<Result<_>>()?;
    // `--owner ''` removes the owner (SPEC §9).
    let remove_owner = args.owner.as_deref() == Some("");
    let given_owner = args.owner.as_deref().filter(|o| !o.is_empty());
    let (owner, meta, _) = super::create::check_whose(given_owner, &args.meta, None)?;
    let uses = args.uses.as_deref().map(model::parse_uses).transpose()?;
    let rates = match args.rates.as_slice() {
        [] => None,
        [one] if one.trim() == "none" => Some(vec![]),
        given => Some(model::parse_rates(given)?),
    };
    let refill = args
        .refill
        .as_deref()
        .map(model::parse_refill)
        .transpose()?;
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
    let changes = crate::ops::edit::Changes {
        name: args.name,
        expires: args.expires,
        add_scope,
        remove_scope,
        add_group: args.add_group,
        remove_group: args.remove_group,
        add_ips,
        remove_ips,
        description: args.description,
        owner: if remove_owner {
            Some(None)
        } else {
            owner.map(Some)
        },
        meta,
        remove_meta: args.remove_meta,
        uses,
        rates,
        refill,
    };
    let actor = ctx.actor();
    let edited = store.write(|tx, _| {
        crate::ops::edit::apply(tx, &args.key, &changes, revive_confirmed, &actor, now)
    })?;
    let Some(crate::ops::edit::Edited { key, what, .. }) = edited else {
        return Err(Error::usage(
            "nothing to change",
            "pass at least one option that changes the key, see `apikeys edit --help`",
        ));
    };
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
