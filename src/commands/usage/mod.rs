//! `apikeys usage`: what every key did over time, from the history file (SPEC §14): a chart
//! at a terminal, rows for billing in json and csv; `usage import` merges nodes' records.

mod import;
pub mod top;

use super::Context;
use crate::commands::Format;
use crate::error::{Error, Result};
use crate::history::db::History;
use crate::history::query::Row;
use crate::history::{DAY, HOUR, MINUTE, MINUTES_KEPT};
use crate::model::KeyRecord;
use crate::store::queries;
use std::collections::HashMap;
use std::path::PathBuf;

/// The `usage` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum UsageCommand {
    /// Merge usage logs written by `serve --verifier … --usage-log` (or verify) into the store
    /// and its history
    Import {
        /// Usage log files (JSON lines)
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

/// The width of a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Minute,
    Hour,
    Day,
}

impl By {
    fn secs(self) -> i64 {
        match self {
            By::Minute => MINUTE,
            By::Hour => HOUR,
            By::Day => DAY,
        }
    }
}

/// Arguments of `usage`.
#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Without KEY or filters: every key, plus answers that named no key (unknown and\nmalformed tokens, key_id null). A name means its whole rotation chain; an id that one key.\n\nExamples:\n  apikeys usage                                 # the last 24 hours, charted\n  apikeys usage deploy-bot --since 7d --by day\n  apikeys usage --since 2026-11-01 --until 2026-12-01 --by day --format csv > november.csv\n  apikeys usage --outcome inactive --outcome expired --since 7d"
)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Option<UsageCommand>,
    /// Keys by name (its rotation chain) or id
    #[arg(value_name = "KEY")]
    pub keys: Vec<String>,
    /// A key, for a key whose name is a word of this command (`import`)
    #[arg(long = "key", value_name = "KEY")]
    pub key: Vec<String>,
    /// Only the keys of this owner
    #[arg(long, value_name = "O")]
    pub owner: Option<String>,
    /// From this long ago (30m, 24h, 7d) or this time (RFC 3339, YYYY-MM-DD); default 24h
    #[arg(long, value_name = "DUR|TIME")]
    pub since: Option<String>,
    /// Up to this time, excluded (RFC 3339, YYYY-MM-DD); default now
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// The bucket width; default by the window (minutes up to 6 h, hours up to 14 days)
    #[arg(long, value_enum, value_name = "WIDTH")]
    pub by: Option<By>,
    /// Only answers with this outcome (repeatable): valid, unknown, inactive, expired, …
    #[arg(long = "outcome", value_name = "CODE")]
    pub outcomes: Vec<String>,
}

/// A time given as a duration ago (`7d`) or as a time (RFC 3339, or a date at midnight UTC):
/// `policy::parse_since`, with the flag named in its error.
pub fn parse_when(s: &str, now: i64, flag: &str) -> Result<i64> {
    crate::policy::parse_since(s, now).map_err(|_| {
        Error::usage(
            format!("invalid {flag} {:?}", crate::text::sanitize(s.trim())),
            "give a duration ago (30m, 24h, 7d) or a time (2026-12-01T00:00:00Z, 2026-12-01)",
        )
    })
}

/// Checks `--outcome` words against the answer codes.
pub fn outcomes(given: &[String]) -> Result<Vec<String>> {
    given
        .iter()
        .map(|o| {
            let o = o.trim().to_ascii_lowercase();
            if crate::engine::Code::ALL.iter().any(|c| c.as_str() == o) {
                Ok(o)
            } else {
                Err(Error::usage(
                    format!("no outcome {:?}", crate::text::sanitize(&o)),
                    format!(
                        "the outcomes: {}",
                        crate::engine::Code::ALL.map(|c| c.as_str()).join(", ")
                    ),
                ))
            }
        })
        .collect()
}

/// One row as printed (json, csv).
#[derive(Debug, serde::Serialize)]
struct Printed<'a> {
    #[serde(serialize_with = "crate::text::ser_time")]
    bucket: i64,
    key_id: Option<&'a str>,
    name: Option<&'a str>,
    owner: Option<&'a str>,
    outcome: &'a str,
    count: i64,
    cost: i64,
}

/// Runs `usage`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    if let Some(UsageCommand::Import { files }) = args.cmd {
        return import::run(ctx, files);
    }
    let now = crate::policy::now();
    let since = parse_when(args.since.as_deref().unwrap_or("24h"), now, "--since")?;
    let until = match &args.until {
        Some(u) => parse_when(u, now, "--until")?,
        None => now + 1,
    };
    if until <= since {
        return Err(Error::usage(
            "--until is not after --since",
            "give a window that ends after it starts, e.g. --since 7d (until now)",
        ));
    }
    let by = args.by.unwrap_or(match until - since {
        s if s <= 6 * HOUR => By::Minute,
        s if s <= 14 * DAY => By::Hour,
        _ => By::Day,
    });
    if by == By::Minute && since < now - MINUTES_KEPT {
        return Err(Error::usage(
            "--by minute reaches back only 48 hours",
            "use --by hour (kept 90 days) or --by day (kept 2 years), or a --since within 48h",
        ));
    }
    let wanted_outcomes = outcomes(&args.outcomes)?;
    let store = ctx.open()?;
    let conn = store.conn();
    let refs: Vec<String> = args.keys.iter().chain(&args.key).cloned().collect();
    // The keys asked for (None: all, and answers that named none).
    let chosen: Option<Vec<KeyRecord>> = match (&refs[..], &args.owner) {
        ([], None) => None,
        (refs, owner) => {
            let mut keys = if refs.is_empty() {
                queries::all_keys(conn)?
            } else {
                queries::resolve_with_chains(conn, refs, now)?
            };
            if let Some(o) = owner {
                keys.retain(|k| k.owner.as_deref() == Some(o.as_str()));
            }
            Some(keys)
        }
    };
    let known: HashMap<String, KeyRecord> = queries::all_keys(conn)?
        .into_iter()
        .map(|k| (k.id.clone(), k))
        .collect();
    let rows = match History::open(store.path(), false)? {
        Some(h) => h.rows(by.secs(), since, until, &wanted_outcomes)?,
        None => vec![],
    };
    let rows: Vec<Row> = match &chosen {
        None => rows,
        Some(keys) => rows
            .into_iter()
            .filter(|r| keys.iter().any(|k| k.id == r.key_id))
            .collect(),
    };
    let printed = |r: &'_ Row| -> (Option<String>, Option<String>) {
        let k = known.get(&r.key_id);
        (k.map(|k| k.name.clone()), k.and_then(|k| k.owner.clone()))
    };
    match ctx.format {
        Format::Json | Format::Csv => {
            let named: Vec<_> = rows.iter().map(|r| (r, printed(r))).collect();
            let out: Vec<Printed<'_>> = named
                .iter()
                .map(|(r, (name, owner))| Printed {
                    bucket: r.bucket,
                    key_id: (!r.key_id.is_empty()).then_some(r.key_id.as_str()),
                    name: name.as_deref(),
                    owner: owner.as_deref(),
                    outcome: &r.outcome,
                    count: r.count,
                    cost: r.cost,
                })
                .collect();
            if ctx.json() {
                crate::term::output::print_json(&out)
            } else {
                let mut text = String::from("bucket,key_id,name,owner,outcome,count,cost\n");
                for p in &out {
                    text.push_str(
                        &[
                            crate::text::rfc3339(p.bucket),
                            p.key_id.unwrap_or("").to_string(),
                            p.name.unwrap_or("").to_string(),
                            p.owner.unwrap_or("").to_string(),
                            p.outcome.to_string(),
                            p.count.to_string(),
                            p.cost.to_string(),
                        ]
                        .map(|f| crate::term::output::csv_field(&f))
                        .join(","),
                    );
                    text.push('\n');
                }
                crate::term::output::print_line(text.trim_end())
            }
        }
        _ => {
            let text = top::chart_text(ctx, &rows, by.secs(), since, until, &known);
            crate::term::output::print_line(text.trim_end())
        }
    }
}
