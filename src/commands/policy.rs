//! `apikeys policy …`: the store-wide lifetime rules.

use super::Context;
use crate::error::{Error, Result};
use crate::policy::{Policy, format_duration, parse_duration};
use crate::store::queries;
use clap::Subcommand;

/// The `policy` subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Show the policy
    Show,
    /// Set a rule: `max-lifetime DUR|none`, `default-lifetime DUR` or `history-days N`
    Set {
        /// Which rule
        #[arg(value_enum)]
        rule: Rule,
        /// A duration such as 90d or 1y (or `none` for max-lifetime); days for history-days
        value: String,
    },
}

/// The rules that can be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Rule {
    MaxLifetime,
    DefaultLifetime,
    /// How many days of history (SPEC §14) are kept: 1 to 730
    HistoryDays,
}

/// `policy set history-days N`: kept in the history file, which applies it at once (and at
/// every roll-up); logged in the store's audit trail.
fn set_history_days(ctx: &Context, value: &str) -> Result<()> {
    let days = value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=730).contains(d))
        .ok_or_else(|| {
            Error::usage(
                format!("invalid history-days {:?}", crate::text::sanitize(value)),
                "give a whole number of days from 1 to 730 (2 years, the most kept)",
            )
        })?;
    let mut store = ctx.open()?;
    let now = crate::policy::now();
    if let Some(mut h) = crate::history::db::History::open(store.path(), true)? {
        h.set_days(days, now)?;
    }
    store.write(|tx, _| {
        queries::audit(
            tx,
            now,
            &ctx.actor(),
            "policy",
            None,
            &format!("history-days {days}"),
        )
    })?;
    ctx.note(&format!("history is kept {days} days"));
    Ok(())
}

/// Keys (not revoked) whose expiry lies beyond the max lifetime counted from their creation:
/// they keep it, and are counted here so that an admin can decide.
fn beyond_limit(conn: &rusqlite::Connection, p: &Policy) -> Result<usize> {
    let Some(max) = p.max_lifetime else {
        return Ok(0);
    };
    Ok(queries::all_keys(conn)?
        .iter()
        .filter(|k| !k.revoked && k.expires_at.is_none_or(|e| e > k.created_at + max))
        .count())
}

fn show(ctx: &Context, p: &Policy, beyond: usize) -> Result<()> {
    let max = p.max_lifetime.map_or("none".into(), format_duration);
    if ctx.json() {
        crate::term::output::print_json(&serde_json::json!({
            "max_lifetime": max,
            "max_lifetime_seconds": p.max_lifetime,
            "default_lifetime": format_duration(p.default_lifetime),
            "default_lifetime_seconds": p.default_lifetime,
            "keys_beyond_max_lifetime": beyond,
        }))
    } else {
        crate::term::output::print_line(&format!("max-lifetime      {max}"))?;
        crate::term::output::print_line(&format!(
            "default-lifetime  {}",
            format_duration(p.default_lifetime)
        ))?;
        if beyond > 0 {
            crate::term::output::print_line(&format!(
                "{beyond} key(s) expire beyond the max lifetime (they keep their expiry; shorten it with `apikeys edit KEY --expires`)"
            ))?;
        }
        Ok(())
    }
}

/// Runs a `policy` subcommand.
pub fn run(ctx: &Context, cmd: PolicyCommand) -> Result<()> {
    match cmd {
        PolicyCommand::Show => {
            let store = ctx.open()?;
            let p = Policy::load(store.conn())?;
            show(ctx, &p, beyond_limit(store.conn(), &p)?)
        }
        PolicyCommand::Set {
            rule: Rule::HistoryDays,
            value,
        } => set_history_days(ctx, &value),
        PolicyCommand::Set { rule, value } => {
            let v = value.trim();
            let parsed = if rule == Rule::MaxLifetime && v.eq_ignore_ascii_case("none") {
                None
            } else {
                Some(parse_duration(v)?)
            };
            if parsed == Some(0) {
                return Err(Error::usage(
                    "a lifetime must be longer than 0",
                    "give a duration such as 90d",
                ));
            }
            let mut store = ctx.open()?;
            let now = crate::policy::now();
            let p = store.write(|tx, _| {
                let mut p = Policy::load(tx)?;
                match rule {
                    Rule::MaxLifetime => p.max_lifetime = parsed,
                    Rule::DefaultLifetime | Rule::HistoryDays => {
                        p.default_lifetime = parsed.unwrap_or(p.default_lifetime)
                    }
                }
                if let Some(m) = p.max_lifetime.filter(|m| p.default_lifetime > *m) {
                    if rule == Rule::DefaultLifetime {
                        return Err(Error::policy(
                            "the default lifetime cannot exceed the max lifetime",
                            "give a shorter default-lifetime, or raise max-lifetime first",
                        ));
                    }
                    // Lowering the limit below the default lowers the default with it.
                    ctx.note(&format!(
                        "default-lifetime lowered from {} to {} to stay within the new max-lifetime",
                        format_duration(p.default_lifetime),
                        format_duration(m)
                    ));
                    p.default_lifetime = m;
                }
                p.save(tx)?;
                let what = match rule {
                    Rule::MaxLifetime => "max-lifetime",
                    Rule::DefaultLifetime | Rule::HistoryDays => "default-lifetime",
                };
                queries::audit(
                    tx,
                    now,
                    &ctx.actor(),
                    "policy set",
                    None,
                    &format!("{what} {v}"),
                )?;
                let beyond = beyond_limit(tx, &p)?;
                Ok((p, beyond))
            })?;
            show(ctx, &p.0, p.1)
        }
    }
}
