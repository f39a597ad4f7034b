//! `apikeys list`: masked keys as a table, json or csv, with filters.

use super::Context;
use crate::cli::Format;
use crate::error::{Error, Result};
use crate::model::KeyRecord;
use crate::model::Status;
use crate::policy;
use crate::store::queries;
use crate::term::output::{self, KeyJson};
use std::io::{BufWriter, Write};

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
    /// Only keys of this status
    #[arg(long, value_enum, default_value_t = StatusFilter::All)]
    pub status: StatusFilter,
    /// Only active keys that expire within this duration (e.g. 7d); a superseded key in its
    /// grace period ends as planned and is not listed (its successor is)
    #[arg(long, value_name = "DUR")]
    pub expiring_within: Option<String>,
    /// Only keys granting this scope (their own or through a group)
    #[arg(long, value_name = "S")]
    pub scope: Option<String>,
    /// Only keys whose name, id or description contains this text (case-insensitive)
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only keys not used for this long (e.g. 90d; never-used keys once that old): stale keys
    #[arg(long, value_name = "DUR")]
    pub unused_since: Option<String>,
    #[command(flatten)]
    pub select: super::select::Selection,
    /// The table's columns, comma-separated, from: name, id, key, status, created, expires,
    /// last_used, created_by, groups, scopes, allowed_ips, owner, uses_left (shown in that
    /// order; json and csv always carry every field)
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub columns: Vec<String>,
    /// Order the keys by this field (json and csv too) [default: created]
    #[arg(long, value_enum, value_name = "FIELD")]
    pub sort: Option<SortBy>,
    /// With --sort: the other way round
    #[arg(long, requires = "sort")]
    pub reverse: bool,
}

/// What `list --sort` orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortBy {
    Name,
    Created,
    /// Soonest first; keys that never expire last
    Expires,
    /// Most recently used first; never-used keys last
    LastUsed,
    Status,
    Owner,
}

impl SortBy {
    fn order(self, a: &KeyRecord, b: &KeyRecord, now: i64) -> std::cmp::Ordering {
        let never_last = |t: Option<i64>| (t.is_none(), t);
        match self {
            SortBy::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            SortBy::Created => a.created_at.cmp(&b.created_at),
            SortBy::Expires => never_last(a.expires_at).cmp(&never_last(b.expires_at)),
            SortBy::LastUsed => (a.last_used_at.is_none(), std::cmp::Reverse(a.last_used_at))
                .cmp(&(b.last_used_at.is_none(), std::cmp::Reverse(b.last_used_at))),
            SortBy::Status => a.status(now).as_str().cmp(b.status(now).as_str()),
            SortBy::Owner => (a.owner.is_none(), &a.owner).cmp(&(b.owner.is_none(), &b.owner)),
        }
        .then_with(|| a.created_at.cmp(&b.created_at))
    }
}

/// The filters of one `list` call, checked against each key.
struct Filter {
    args: Args,
    select: super::select::Checked,
    within: Option<i64>,
    unused: Option<i64>,
    search: Option<String>,
    groups: std::collections::BTreeMap<String, Vec<String>>,
    now: i64,
}

impl Filter {
    fn keeps(&self, k: &KeyRecord) -> bool {
        let st = k.status(self.now);
        let status_ok = match self.args.status {
            StatusFilter::All => true,
            StatusFilter::Active => st == Status::Active,
            StatusFilter::Inactive => st == Status::Inactive,
            StatusFilter::Expired => st == Status::Expired,
            StatusFilter::Rotating => st == Status::Rotating,
        };
        // The expiry gate's rule (a superseded key ends as planned and is not counted).
        let within_ok = self.within.is_none_or(|w| k.expires_within(self.now, w));
        let scope_ok = self.args.scope.as_ref().is_none_or(|s| {
            queries::effective_scopes(k.scopes.as_slice(), &k.groups, &self.groups).contains(s)
        });
        let search_ok = self.search.as_ref().is_none_or(|q| {
            [&k.name, &k.id, &k.description]
                .iter()
                .any(|f| f.to_lowercase().contains(q))
        });
        let unused_ok = self.unused.is_none_or(|d| k.unused_since(self.now - d));
        status_ok && within_ok && scope_ok && search_ok && unused_ok && self.select.keeps(k)
    }
}

fn write_err(e: std::io::Error) -> Error {
    output::stdout_err(e)
}

/// Runs `list`. Json and csv stream row by row, so memory stays flat however many keys.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let within = args
        .expiring_within
        .as_deref()
        .map(policy::parse_duration)
        .transpose()?;
    let store = ctx.open()?;
    let conn = store.conn();
    let groups = queries::groups(conn)?;
    if let Some(g) = args
        .select
        .group
        .as_ref()
        .filter(|g| !groups.contains_key(*g))
    {
        return Err(crate::error::Error::NoSuchGroup(crate::text::sanitize(g)));
    }
    let unused = args
        .unused_since
        .as_deref()
        .map(policy::parse_duration)
        .transpose()?;
    let now = policy::now();
    let filter = Filter {
        select: args.select.check(now)?,
        unused,
        search: args.search.as_ref().map(|s| s.to_lowercase()),
        groups,
        now,
        within,
        args,
    };
    let now = filter.now;
    let only: Vec<usize> = filter
        .args
        .columns
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| {
            output::key_column(c).ok_or_else(|| {
                crate::error::Error::usage(
                    format!("no column {:?}", crate::text::sanitize(c)),
                    format!("the columns: {}", output::key_column_slugs().join(", ")),
                )
            })
        })
        .collect::<Result<_>>()?;
    let sort = filter.args.sort.map(|s| (s, filter.args.reverse));
    let mut out = BufWriter::new(std::io::stdout().lock());
    let tally = crate::history::Tally::of(&ctx.store_path)?;
    queries::with_keys(conn, |rows| {
        let mut db_error = None;
        let kept = rows
            .filter_map(|r| r.map_err(|e| db_error.get_or_insert(e)).ok())
            .map(|mut k| {
                tally.apply(&mut k);
                k
            })
            .filter(|k| filter.keeps(k));
        // Sorted means collected; unsorted json and csv stream row by row.
        let mut kept: Box<dyn Iterator<Item = KeyRecord>> = match sort {
            None => Box::new(kept),
            Some((by, reverse)) => {
                let mut all: Vec<KeyRecord> = kept.collect();
                all.sort_by(|a, b| by.order(a, b, now));
                if reverse {
                    all.reverse();
                }
                Box::new(all.into_iter())
            }
        };
        match ctx.format {
            Format::Json => {
                let mut ser = serde_json::Serializer::with_formatter(
                    &mut out,
                    serde_json::ser::PrettyFormatter::new(),
                );
                serde::Serializer::collect_seq(
                    &mut ser,
                    kept.by_ref().map(|k| KeyJson::new(&k, now)),
                )?;
                writeln!(out).map_err(write_err)?;
            }
            Format::Csv => {
                writeln!(out, "{}", output::CSV_HEADER).map_err(write_err)?;
                for k in kept.by_ref() {
                    writeln!(out, "{}", output::csv_row(&k, now)).map_err(write_err)?;
                }
            }
            Format::Table | Format::Sarif => {
                let keys: Vec<_> = kept.by_ref().collect();
                if keys.is_empty() {
                    let filtered = filter.args.search.is_some()
                        || !filter.args.select.is_empty()
                        || filter.unused.is_some()
                        || filter.args.scope.is_some()
                        || filter.within.is_some()
                        || queries::with_keys(conn, |rows| Ok(rows.next().is_some()))?;
                    ctx.note(if filtered {
                        "no keys match"
                    } else {
                        "no keys (create one with `apikeys create --name NAME`)"
                    });
                } else {
                    let only = (!only.is_empty()).then_some(only.as_slice());
                    let (table, hidden) =
                        output::keys_table(&keys, &filter.groups, now, ctx.color, only);
                    writeln!(out, "{table}").map_err(write_err)?;
                    if !hidden.is_empty() {
                        out.flush().map_err(write_err)?;
                        let note = format!(
                            "hidden to fit the terminal: {} (widen it, or see them with `apikeys show KEY` or --format json)",
                            hidden.join(", ")
                        );
                        // Broken between words to the terminal's width, never mid-word.
                        let width = table.width().map_or(usize::MAX, usize::from);
                        ctx.note(&output::wrap_words(&note, width));
                    }
                }
            }
        }
        drop(kept);
        db_error.map_or(Ok(()), |e| Err(e.into()))
    })?;
    out.flush().map_err(write_err)
}
