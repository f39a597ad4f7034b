//! `apikeys rotate`: mint a successor with the same settings that takes over the name; the old
//! key stays valid for a grace period, then expires. One sealed write does both.

use super::Context;
use super::create::{Settings, mint};
use super::reveal::{Reveal, RevealArgs};
use crate::error::{Error, Result};
use crate::policy;
use crate::store::queries;

/// Arguments of `rotate`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  apikeys rotate ci-deploy --grace 1h --yes\n  NEW=$(apikeys rotate ci-deploy --grace 10m --yes --no-clipboard -q)"
)]
pub struct Args {
    /// The key, by name or id
    pub key: String,
    /// How long the old key stays valid (e.g. 1h; 0 = it expires at once)
    #[arg(long, value_name = "DUR", default_value = "0")]
    pub grace: String,
    /// The successor's expiry [default: the policy's default lifetime]
    #[arg(long, value_name = "E")]
    pub expires: Option<String>,
    #[command(flatten)]
    pub reveal: RevealArgs,
}

/// Runs `rotate`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let grace = policy::parse_duration(&args.grace)?;
    ctx.require_confirmable("rotate")?;
    let mut store = ctx.open()?;
    let old = queries::resolve(store.conn(), &args.key)?;
    let when = if grace == 0 {
        "it stops working at once".to_string()
    } else {
        format!("it stays valid for {}", policy::format_duration(grace))
    };
    ctx.confirm(
        "rotate",
        &format!(
            "Rotate {}? A new token replaces it; {when}.",
            super::describe_keys(std::slice::from_ref(&old))
        ),
    )?;
    let reveal = Reveal::prepare(&args.reveal)?;
    let pepper = store.pepper();
    let now = policy::now();
    let written = store.write(|tx, _| {
        let mut old = queries::resolve(tx, &args.key)?;
        if let Some(next) = &old.rotated_to {
            return Err(Error::conflict(
                format!(
                    "key {} was already rotated (its successor is {next})",
                    old.id
                ),
                format!("rotate the successor instead: apikeys rotate {next}"),
            ));
        }
        let settings = Settings {
            name: old.name.clone(),
            expiry: args.expires.clone(),
            scopes: old.scopes.clone(),
            groups: old.groups.clone(),
            allowed_ips: old.allowed_ips.clone(),
            prefix: old.prefix.clone(),
            description: old.description.clone(),
        };
        // Give up the name first, so that the successor can take it over: a name is unique
        // among keys with no rotated_to. The placeholder is replaced by the successor's id
        // below, in the same transaction, so no reader ever sees it.
        let end = now + grace;
        old.expires_at = Some(old.expires_at.map_or(end, |e| e.min(end)));
        old.rotated_to = Some("pending".into());
        queries::update_key(tx, &old)?;
        let (mut new, token) = mint(tx, &pepper, &ctx.actor, &settings, now)?;
        new.rotated_from = Some(old.id.clone());
        old.rotated_to = Some(new.id.clone());
        queries::update_key(tx, &new)?;
        queries::update_key(tx, &old)?;
        let detail = format!(
            "successor {}; old key valid until {}",
            new.id,
            crate::output::rfc3339(end)
        );
        queries::audit(tx, now, &ctx.actor, "rotate", Some(&old), &detail)?;
        queries::audit(
            tx,
            now,
            &ctx.actor,
            "create",
            Some(&new),
            &format!("rotated from {}; {}", old.id, super::create::describe(&new)),
        )?;
        Ok((new, token))
    });
    match written {
        Ok((new, token)) => reveal.show(ctx, &new, &token, "rotated: new"),
        Err(e) => {
            reveal.abandon();
            Err(e)
        }
    }
}
