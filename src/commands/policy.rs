//! `apikeys policy …`: the store-wide lifetime rules.

use super::Context;
use crate::error::Result;
use crate::ops::policy::{self, Lifetime};
use crate::policy::{Policy, format_duration};
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
                "{} beyond the max lifetime (they keep their expiry; shorten it with `apikeys edit KEY --expires`)",
                crate::text::keys_expire(beyond)
            ))?;
        }
        Ok(())
    }
}

/// Runs a `policy` subcommand.
pub fn run(ctx: &Context, cmd: PolicyCommand) -> Result<()> {
    let now = crate::policy::now();
    match cmd {
        PolicyCommand::Show => {
            let store = ctx.open()?;
            let p = Policy::load(store.conn())?;
            show(ctx, &p, policy::beyond_limit(store.conn(), &p)?)
        }
        PolicyCommand::Set {
            rule: Rule::HistoryDays,
            value,
        } => {
            // Bad input is said before the store is unlocked.
            policy::parse_history_days(&value)?;
            let mut store = ctx.open()?;
            let days = policy::set_history_days(&mut store, &value, &ctx.actor(), now)?;
            ctx.note(&format!(
                "history is kept {}",
                crate::text::count(days as usize, "day")
            ));
            Ok(())
        }
        PolicyCommand::Set { rule, value } => {
            let which = if rule == Rule::MaxLifetime {
                Lifetime::Max
            } else {
                Lifetime::Default
            };
            policy::parse_lifetime(which, &value)?;
            let mut store = ctx.open()?;
            let set = policy::set_lifetime(&mut store, which, &value, &ctx.actor(), now)?;
            if let Some((from, to)) = set.lowered {
                ctx.note(&format!(
                    "default-lifetime lowered from {} to {} to stay within the new max-lifetime",
                    format_duration(from),
                    format_duration(to)
                ));
            }
            show(ctx, &set.policy, set.beyond)
        }
    }
}
