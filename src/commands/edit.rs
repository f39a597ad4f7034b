//! `apikeys edit`: change a key's settings, never its secret; expiry stays within the policy.

use super::Context;
use crate::error::{Error, Result};
use crate::model::{self, add_unique};
use crate::policy::{self, Policy};
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
    let mut revived = false;
    let key = store.write(|tx, _| {
        let mut k = queries::resolve(tx, &args.key)?;
        let before = k.clone();
        if let Some(n) = &args.name {
            if *n != k.name && k.rotated_to.is_none() && queries::name_taken(tx, n)? {
                return Err(queries::name_taken_error(n));
            }
            queries::check_name_free_of_ids(tx, n, &k.id)?;
            k.name = n.clone();
        }
        if let Some(e) = &args.expires {
            if k.rotated_to.is_some() {
                return Err(super::activate::superseded(&k));
            }
            let expiry = policy::parse_expiry(e, now)?;
            Policy::load(tx)?.check(k.created_at, expiry)?;
            k.expires_at = expiry.as_option();
            if before.status(now) == crate::model::Status::Expired
                && k.status(now) != crate::model::Status::Expired
            {
                if !revive_confirmed {
                    // It expired between the question and the lock: ask again next time.
                    return Err(Error::Unconfirmed {
                        what: "reviving an expired key".into(),
                    });
                }
                revived = true;
            }
        }
        for s in &add_scope {
            add_unique(&mut k.scopes, s);
        }
        not_there(&k, "scope", &remove_scope, &k.scopes)?;
        k.scopes.retain(|s| !remove_scope.contains(s));
        for g in &args.add_group {
            queries::group(tx, g)?;
            add_unique(&mut k.groups, g);
        }
        not_there(&k, "group", &args.remove_group, &k.groups)?;
        k.groups.retain(|g| !args.remove_group.contains(g));
        for ip in &add_ips {
            add_unique(&mut k.allowed_ips, ip);
        }
        not_there(&k, "allowed IP", &remove_ips, &k.allowed_ips)?;
        k.allowed_ips.retain(|ip| !remove_ips.contains(ip));
        if let Some(d) = &args.description {
            k.description = d.clone();
        }
        if owner.is_some() {
            k.owner = owner.clone();
        }
        if remove_owner {
            k.owner = None;
        }
        k.meta.extend(meta.clone());
        k.meta.retain(|key, _| !args.remove_meta.contains(key));
        model::check_meta_count(&k.meta)?;
        if let Some(u) = uses {
            k.remaining = u;
        }
        if let Some(r) = &rates {
            if *r != k.rates {
                k.rate_state.clear();
            }
            k.rates = r.clone();
        }
        if let Some(r) = refill {
            k.refill = r;
        }
        if k.refill.is_some() && k.remaining.is_none() {
            return Err(Error::usage(
                "--refill needs a usage limit",
                "give --uses N as well, e.g. --uses 1000 --refill 1000/30d",
            ));
        }
        if uses.is_some() || refill.is_some() {
            // A new count (or refill) starts in the period it is given in.
            k.refill_period = k.refill.map_or(0, |r| r.period(k.created_at, now));
        }
        if k == before {
            return Err(Error::usage(
                "nothing to change",
                "pass at least one option that changes the key, see `apikeys edit --help`",
            ));
        }
        queries::update_key(tx, &k)?;
        let what = changes(&before, &k);
        let action = if revived { "revive" } else { "edit" };
        queries::audit(tx, now, &ctx.actor(), action, Some(&k), &what)?;
        Ok((k, what))
    })?;
    let (key, what) = key;
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

/// Refuses to remove what a key does not have: a typo must not pass as done.
fn not_there(
    k: &crate::model::KeyRecord,
    what: &str,
    removing: &[String],
    has: &[String],
) -> Result<()> {
    match removing.iter().find(|r| !has.contains(r)) {
        None => Ok(()),
        Some(r) => Err(Error::usage(
            format!(
                "key {:?} has no {what} {:?}",
                crate::text::sanitize(&k.name),
                crate::text::sanitize(r)
            ),
            if has.is_empty() {
                format!("it has no {what}s")
            } else {
                format!("its {what}s: {}", crate::text::sanitize(&has.join(", ")))
            },
        )),
    }
}

fn changes(a: &crate::model::KeyRecord, b: &crate::model::KeyRecord) -> String {
    let mut out = Vec::new();
    if a.name != b.name {
        out.push(format!("name {:?} -> {:?}", a.name, b.name));
    }
    if a.expires_at != b.expires_at {
        let f = |t: Option<i64>| t.map_or("never".into(), crate::text::rfc3339);
        out.push(format!(
            "expires {} -> {}",
            f(a.expires_at),
            f(b.expires_at)
        ));
    }
    for (what, x, y) in [
        ("scopes", &a.scopes, &b.scopes),
        ("groups", &a.groups, &b.groups),
        ("ips", &a.allowed_ips, &b.allowed_ips),
    ] {
        if x != y {
            out.push(format!("{what} [{}] -> [{}]", x.join(", "), y.join(", ")));
        }
    }
    if a.description != b.description {
        out.push("description changed".into());
    }
    if a.owner != b.owner {
        let f = |o: &Option<String>| o.as_ref().map_or("(none)".into(), |o| format!("\"{o}\""));
        out.push(format!("owner {} -> {}", f(&a.owner), f(&b.owner)));
    }
    if a.meta != b.meta {
        out.push("meta changed".into());
    }
    if a.rates != b.rates {
        let f = |r: &[crate::engine::limits::Rate]| {
            r.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(format!("rates [{}] -> [{}]", f(&a.rates), f(&b.rates)));
    }
    if a.refill != b.refill {
        let f =
            |r: Option<crate::engine::limits::Refill>| r.map_or("none".into(), |r| r.to_string());
        out.push(format!("refill {} -> {}", f(a.refill), f(b.refill)));
    }
    if a.remaining != b.remaining {
        let f = |r: Option<i64>| r.map_or("no limit".into(), |n| n.to_string());
        out.push(format!("uses {} -> {}", f(a.remaining), f(b.remaining)));
    }
    out.join("; ")
}
