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
    /// Set a rule: `max-lifetime DUR|none` or `default-lifetime DUR`
    Set {
        /// Which rule
        #[arg(value_enum)]
        rule: Rule,
        /// A duration such as 90d or 1y (or `none` for max-lifetime)
        value: String,
    },
}

/// The rules that can be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Rule {
    MaxLifetime,
    DefaultLifetime,
}

fn show(ctx: &Context, p: &Policy) -> Result<()> {
    let max = p.max_lifetime.map_or("none".into(), format_duration);
    if ctx.json() {
        crate::output::print_json(&serde_json::json!({
            "max_lifetime": max,
            "max_lifetime_seconds": p.max_lifetime,
            "default_lifetime": format_duration(p.default_lifetime),
            "default_lifetime_seconds": p.default_lifetime,
        }))
    } else {
        crate::output::print_line(&format!("max-lifetime      {max}"))?;
        crate::output::print_line(&format!(
            "default-lifetime  {}",
            format_duration(p.default_lifetime)
        ))?;
        Ok(())
    }
}

/// Runs a `policy` subcommand.
pub fn run(ctx: &Context, cmd: PolicyCommand) -> Result<()> {
    match cmd {
        PolicyCommand::Show => show(ctx, &Policy::load(ctx.open()?.conn())?),
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
                    Rule::DefaultLifetime => {
                        p.default_lifetime = parsed.unwrap_or(p.default_lifetime)
                    }
                }
                if p.max_lifetime.is_some_and(|m| p.default_lifetime > m) {
                    return Err(Error::policy(
                        "the default lifetime cannot exceed the max lifetime",
                        "lower default-lifetime first, or raise max-lifetime",
                    ));
                }
                p.save(tx)?;
                let what = match rule {
                    Rule::MaxLifetime => "max-lifetime",
                    Rule::DefaultLifetime => "default-lifetime",
                };
                queries::audit(
                    tx,
                    now,
                    &ctx.actor,
                    "policy set",
                    None,
                    &format!("{what} {v}"),
                )?;
                Ok(p)
            })?;
            show(ctx, &p)
        }
    }
}
