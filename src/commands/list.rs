//! `apikeys list`: masked keys as a table, json or csv, with filters.

use super::Context;
use crate::cli::Format;
use crate::error::Result;
use crate::model::Status;
use crate::output::{self, KeyJson};
use crate::policy;
use crate::store::queries;

/// Which statuses to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFilter {
    Active,
    Inactive,
    Expired,
    Rotating,
    All,
}

/// Arguments of `list`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only keys of this status [default: all]
    #[arg(long, value_enum, default_value_t = StatusFilter::All)]
    pub status: StatusFilter,
    /// Only usable keys that expire within this duration (e.g. 7d)
    #[arg(long, value_name = "DUR")]
    pub expiring_within: Option<String>,
    /// Only keys in this group
    #[arg(long, value_name = "G")]
    pub group: Option<String>,
    /// Only keys granting this scope (their own or through a group)
    #[arg(long, value_name = "S")]
    pub scope: Option<String>,
    /// Only keys whose name, id or description contains this text (case-insensitive)
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
}

/// Runs `list`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let within = args
        .expiring_within
        .as_deref()
        .map(policy::parse_duration)
        .transpose()?;
    let store = ctx.open()?;
    let now = policy::now();
    let groups = queries::groups(store.conn())?;
    let search = args.search.as_ref().map(|s| s.to_lowercase());
    let keys: Vec<_> = queries::all_keys(store.conn())?
        .into_iter()
        .filter(|k| {
            let st = k.status(now);
            let status_ok = match args.status {
                StatusFilter::All => true,
                StatusFilter::Active => st == Status::Active,
                StatusFilter::Inactive => st == Status::Inactive,
                StatusFilter::Expired => st == Status::Expired,
                StatusFilter::Rotating => st == Status::Rotating,
            };
            let within_ok = within.is_none_or(|w| {
                matches!(st, Status::Active | Status::Rotating)
                    && k.expires_at.is_some_and(|e| e - now <= w)
            });
            let group_ok = args.group.as_ref().is_none_or(|g| k.groups.contains(g));
            let scope_ok = args
                .scope
                .as_ref()
                .is_none_or(|s| queries::effective_scopes(k, &groups).contains(s));
            let search_ok = search.as_ref().is_none_or(|q| {
                [&k.name, &k.id, &k.description]
                    .iter()
                    .any(|f| f.to_lowercase().contains(q))
            });
            status_ok && within_ok && group_ok && scope_ok && search_ok
        })
        .collect();
    match ctx.format {
        Format::Json => output::print_json(
            &keys
                .iter()
                .map(|k| KeyJson::new(k, now))
                .collect::<Vec<_>>(),
        )?,
        Format::Csv => print!("{}", output::keys_csv(&keys, now)),
        Format::Table if keys.is_empty() => {
            ctx.note("no keys (create one with `apikeys create --name NAME`)")
        }
        Format::Table => println!("{}", output::keys_table(&keys, now, ctx.color)),
    }
    Ok(())
}
