//! `apikeys rotate`: mint a successor with the same settings that takes over the name; the old
//! key stays valid for a grace period, then expires. One sealed write does both.

use super::Context;
use super::create::{Settings, mint_with};
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
    /// The successor's expiry [default: the old key's lifetime, counted from now, within the policy]
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
    let now = policy::now();
    let old = queries::resolve(store.conn(), &args.key)?;
    rotatable(&old, now)?;
    let expiry = successor_expiry(store.conn(), &old, args.expires.as_deref(), now)?;
    let old_name = crate::text::sanitize(&old.name);
    let when = if grace == 0 {
        format!(
            "the old key {old_name:?} ({}) stops working at once",
            old.id
        )
    } else {
        format!(
            "the old key {old_name:?} ({}) stays valid for {}",
            old.id,
            policy::format_duration(grace)
        )
    };
    let new_exp = expiry.as_option().map_or("never expires".into(), |e| {
        format!("expires {}", crate::text::time(e))
    });
    ctx.confirm(
        "rotate",
        &format!(
            "Rotate {}? A new token replaces it ({new_exp}); {when}.",
            super::describe_keys(std::slice::from_ref(&old))
        ),
    )?;
    let reveal = Reveal::prepare(&args.reveal)?;
    let pepper = store.pepper();
    let token = crate::token::generate(&old.prefix)?;
    let change = |tx: &rusqlite::Connection| -> Result<crate::model::KeyRecord> {
        rotate_in(
            tx,
            &pepper,
            &ctx.actor(),
            &args.key,
            args.expires.as_deref(),
            grace,
            now,
            &token,
        )
    };
    super::reveal::deliver_then_commit(
        ctx,
        &mut store,
        reveal,
        &token.token,
        "rotated: new",
        change,
    )
}

/// The rotation itself, under the caller's write, for every front end (the CLI, the console):
/// the old key gives up its name and ends after `grace`; the successor, minted with `token`,
/// takes over the name, the settings and what the chain's budget has left; both are logged.
#[allow(clippy::too_many_arguments)]
pub fn rotate_in(
    tx: &rusqlite::Connection,
    pepper: &crate::secret::Key32,
    actor: &str,
    key: &str,
    expires: Option<&str>,
    grace: i64,
    now: i64,
    token: &crate::token::NewToken,
) -> Result<crate::model::KeyRecord> {
    let mut old = queries::resolve(tx, key)?;
    rotatable(&old, now)?;
    let expiry = successor_expiry(tx, &old, expires, now)?;
    if let Some(next) = &old.rotated_to {
        // Never point at a successor that was deleted since.
        return Err(if queries::key_by_id(tx, next)?.is_some() {
            Error::conflict(
                format!(
                    "key {} was already rotated (its successor is {next})",
                    old.id
                ),
                format!("rotate the successor instead: apikeys rotate {next}"),
            )
        } else {
            Error::conflict(
                format!(
                    "key {} was already rotated, and its successor was deleted",
                    old.id
                ),
                "mint a new key with `apikeys create`",
            )
        });
    }
    let settings = Settings {
        name: old.name.clone(),
        expiry: Some(
            expiry
                .as_option()
                .map_or("never".into(), crate::text::rfc3339),
        ),
        scopes: old.scopes.clone(),
        groups: old.groups.clone(),
        allowed_ips: old.allowed_ips.clone(),
        prefix: old.prefix.clone(),
        description: old.description.clone(),
        owner: old.owner.clone(),
        meta: old.meta.clone(),
        remaining: old.remaining,
        rates: old.rates.clone(),
        refill: old.refill,
    };
    // Give up the name first, so that the successor can take it over: a name is unique
    // among keys with no rotated_to. The placeholder is replaced by the successor's id
    // below, in the same transaction, so no reader ever sees it.
    let end = now + grace;
    old.expires_at = Some(old.expires_at.map_or(end, |e| e.min(end)));
    old.rotated_to = Some("pending".into());
    queries::update_key(tx, &old)?;
    let mut new = mint_with(tx, pepper, actor, &settings, now, token)?;
    new.rotated_from = Some(old.id.clone());
    // The budget is the chain's: the successor takes what the old key has left now (its
    // refill applied) and its rate buckets; the old key draws from the successor's until
    // it ends (SPEC §3 "Rotation budgets"). A rotation never adds uses or rate.
    let (left, _) = crate::engine::limits::refreshed(&old.limits(), &old.limit_state(), now * 1000);
    new.remaining = left;
    new.rate_state = old.rate_state.clone();
    old.rotated_to = Some(new.id.clone());
    queries::update_key(tx, &new)?;
    queries::update_key(tx, &old)?;
    let detail = format!(
        "successor {}; old key valid until {}",
        new.id,
        crate::text::rfc3339(end)
    );
    queries::audit(tx, now, actor, "rotate", Some(&old), &detail)?;
    queries::audit(
        tx,
        now,
        actor,
        "create",
        Some(&new),
        &format!("rotated from {}; {}", old.id, super::create::describe(&new)),
    )?;
    Ok(new)
}

/// Refuses (exit 7) to rotate a revoked or expired key: its successor would bring it back.
fn rotatable(k: &crate::model::KeyRecord, now: i64) -> Result<()> {
    let name = crate::text::sanitize(&k.name);
    if k.revoked {
        return Err(Error::policy(
            format!("key {name:?} is revoked; a revoked key is not rotated"),
            format!(
                "activate it first if it should live on: apikeys activate {}",
                k.id
            ),
        ));
    }
    if k.expires_at.is_some_and(|e| e <= now) {
        return Err(Error::policy(
            format!("key {name:?} has expired; an expired key is not rotated"),
            format!(
                "give it a new expiry first: apikeys edit {} --expires 30d",
                k.id
            ),
        ));
    }
    Ok(())
}

/// The successor's expiry: `--expires`, else the old key's lifetime counted from now (or
/// never), capped by the policy.
fn successor_expiry(
    conn: &rusqlite::Connection,
    old: &crate::model::KeyRecord,
    given: Option<&str>,
    now: i64,
) -> Result<policy::Expiry> {
    let p = policy::Policy::load(conn)?;
    if let Some(e) = given {
        let e = policy::parse_expiry(e, now)?;
        p.check(now, e)?;
        return Ok(e);
    }
    let inherited = old.expires_at.map_or(policy::Expiry::Never, |e| {
        policy::Expiry::At(now + (e - old.created_at).max(60))
    });
    Ok(p.cap(now, inherited))
}
