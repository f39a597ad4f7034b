//! `apikeys top`: the busiest keys, owners or client addresses (SPEC §14); and the chart and
//! totals `usage` prints at a terminal.

use super::{Context, outcomes, parse_when};
use crate::error::Result;
use crate::history::db::History;
use crate::history::query::{Row, Sum};
use crate::model::KeyRecord;
use crate::store::queries;
use crate::term::chart;
use crate::text::sanitize;
use comfy_table::Cell;
use std::collections::{BTreeMap, HashMap};

/// What `top` ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TopBy {
    Key,
    Owner,
    Ip,
}

/// Arguments of `top`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Client addresses are kept per day: with --by ip, a window starts at its first day's\nmidnight UTC.\n\nExamples:\n  apikeys top                                   # the busiest keys of the last 24 hours\n  apikeys top --by ip --outcome unknown         # who is guessing\n  apikeys top --outcome inactive --outcome expired --since 7d   # revoked keys still in use"
)]
pub struct Args {
    /// From this long ago (24h, 7d) or this time; default 24h
    #[arg(long, value_name = "DUR|TIME")]
    pub since: Option<String>,
    /// Rank keys, owners or client addresses
    #[arg(long, value_enum, default_value = "key", value_name = "WHAT")]
    pub by: TopBy,
    /// Only answers with this outcome (repeatable)
    #[arg(long = "outcome", value_name = "CODE")]
    pub outcomes: Vec<String>,
    /// How many to show
    #[arg(short = 'n', long = "limit", default_value = "10", value_name = "N")]
    pub n: usize,
}

/// One ranked row.
#[derive(Debug, serde::Serialize)]
struct Ranked {
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    count: i64,
    by_outcome: BTreeMap<String, i64>,
    /// For keys: the busiest client addresses (at most 3).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ips: Vec<serde_json::Value>,
    #[serde(
        serialize_with = "crate::text::ser_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    last_at: Option<i64>,
}

/// Runs `top`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let now = crate::policy::now();
    let since = parse_when(args.since.as_deref().unwrap_or("24h"), now, "--since")?;
    let wanted = outcomes(&args.outcomes)?;
    let store = ctx.open()?;
    let keys: HashMap<String, KeyRecord> = queries::all_keys(store.conn())?
        .into_iter()
        .map(|k| (k.id.clone(), k))
        .collect();
    let Some(h) = History::open(store.path(), false)? else {
        return print(ctx, vec![], args.by);
    };
    let mut rows: Vec<Ranked> = match args.by {
        TopBy::Key => h
            .by_key(since, &wanted)?
            .into_iter()
            .map(|(id, s)| {
                let k = keys.get(&id);
                Ranked {
                    key_id: Some((!id.is_empty()).then_some(id.clone())),
                    owner: None,
                    ip: None,
                    name: k.map(|k| k.name.clone()),
                    status: k.map(|k| k.status(now).as_str()),
                    ips: s
                        .ips
                        .iter()
                        .take(3)
                        .map(|(ip, n)| serde_json::json!({"ip": ip, "count": n}))
                        .collect(),
                    last_at: s.last_at,
                    count: s.count,
                    by_outcome: s.by_outcome,
                }
            })
            .collect(),
        TopBy::Owner => {
            let mut owners: HashMap<Option<String>, Sum> = HashMap::new();
            for (id, s) in h.by_key(since, &wanted)? {
                let owner = keys.get(&id).and_then(|k| k.owner.clone());
                let o = owners.entry(owner).or_default();
                o.count += s.count;
                for (code, n) in s.by_outcome {
                    *o.by_outcome.entry(code).or_insert(0) += n;
                }
            }
            owners
                .into_iter()
                .map(|(owner, s)| Ranked {
                    key_id: None,
                    owner: Some(owner),
                    ip: None,
                    name: None,
                    status: None,
                    ips: vec![],
                    last_at: None,
                    count: s.count,
                    by_outcome: s.by_outcome,
                })
                .collect()
        }
        TopBy::Ip => h
            .by_ip(since, &wanted)?
            .into_iter()
            .map(|(ip, s)| Ranked {
                key_id: None,
                owner: None,
                ip: Some(ip),
                name: None,
                status: None,
                ips: vec![],
                last_at: s.last_at,
                count: s.count,
                by_outcome: s.by_outcome,
            })
            .collect(),
    };
    rows.retain(|r| r.count > 0);
    rows.sort_by(|a, b| {
        b.count.cmp(&a.count).then_with(|| {
            format!("{:?}{:?}{:?}", a.key_id, a.owner, a.ip)
                .cmp(&format!("{:?}{:?}{:?}", b.key_id, b.owner, b.ip))
        })
    });
    rows.truncate(args.n);
    print(ctx, rows, args.by)
}

fn print(ctx: &Context, rows: Vec<Ranked>, by: TopBy) -> Result<()> {
    if ctx.json() {
        return crate::term::output::print_json(&rows);
    }
    if rows.is_empty() {
        ctx.note("no answers recorded in this window");
        return Ok(());
    }
    let what = match by {
        TopBy::Key => "key",
        TopBy::Owner => "owner",
        TopBy::Ip => "address",
    };
    let mut t =
        crate::term::output::table(&["#", what, "answers", "by outcome", "from"], ctx.color);
    for (i, r) in rows.iter().enumerate() {
        let who = match by {
            TopBy::Key => match (&r.key_id, &r.name, r.status) {
                (Some(None), _, _) => "(no key: unknown or malformed tokens)".into(),
                (_, Some(n), Some(s)) => format!("{} ({s})", sanitize(n)),
                (Some(Some(id)), _, _) => format!("{id} (deleted)"),
                _ => "-".into(),
            },
            TopBy::Owner => match &r.owner {
                Some(Some(o)) => sanitize(o),
                _ => "(no owner)".into(),
            },
            TopBy::Ip => r.ip.clone().unwrap_or_default(),
        };
        let outcomes = r
            .by_outcome
            .iter()
            .map(|(o, n)| format!("{o} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let from = r
            .ips
            .iter()
            .filter_map(|v| v["ip"].as_str().map(str::to_string))
            .collect::<Vec<_>>()
            .join(", ");
        t.add_row(vec![
            Cell::new(i + 1),
            Cell::new(who),
            Cell::new(r.count),
            Cell::new(outcomes),
            Cell::new(if from.is_empty() { "-".into() } else { from }),
        ]);
    }
    crate::term::output::print_line(&t.to_string())
}

/// What `usage` shows at a terminal: the chart of answers per bucket stacked by outcome, its
/// legend, and the totals per key.
pub fn chart_text(
    ctx: &Context,
    rows: &[Row],
    width: i64,
    since: i64,
    until: i64,
    keys: &HashMap<String, KeyRecord>,
) -> String {
    let columns = chart::width();
    let first = since + (width - since.rem_euclid(width)) % width;
    let mut per_bucket: BTreeMap<i64, BTreeMap<usize, i64>> = BTreeMap::new();
    let mut b = first;
    while b < until {
        per_bucket.insert(b, BTreeMap::new());
        b += width;
    }
    let mut totals: BTreeMap<usize, i64> = BTreeMap::new();
    let mut per_key: HashMap<&str, (i64, i64, i64)> = HashMap::new();
    for r in rows {
        let Some(o) = chart::index_of(&r.outcome) else {
            continue;
        };
        *per_bucket
            .entry(r.bucket)
            .or_default()
            .entry(o)
            .or_insert(0) += r.count;
        *totals.entry(o).or_insert(0) += r.count;
        let e = per_key.entry(&r.key_id).or_insert((0, 0, 0));
        if r.outcome == "valid" {
            e.0 += r.count;
        } else {
            e.1 += r.count;
        }
        e.2 += r.cost;
    }
    let unit = match width {
        60 => "minute",
        3600 => "hour",
        _ => "day",
    };
    let fmt = move |t: i64| {
        let s = crate::text::rfc3339(t);
        match unit {
            "day" => s[..10].to_string(),
            _ => s[5..16].replace('T', " "),
        }
    };
    let mut out = format!(
        "answers per {unit}, {} to {} UTC\n",
        crate::text::rfc3339(since)
            .replace('T', " ")
            .trim_end_matches('Z'),
        crate::text::rfc3339(until)
            .replace('T', " ")
            .trim_end_matches('Z')
    );
    if rows.is_empty() {
        out.push_str("no answers recorded in this window\n");
        return out;
    }
    let series: Vec<(i64, Vec<(usize, i64)>)> = per_bucket
        .into_iter()
        .map(|(b, m)| (b, m.into_iter().collect()))
        .collect();
    out.push_str(&chart::draw(&series, columns, ctx.color, fmt));
    let totals: Vec<(usize, i64)> = totals.into_iter().collect();
    out.push_str(&chart::legend(&totals, columns, ctx.color));
    let mut ranked: Vec<_> = per_key.into_iter().collect();
    ranked.sort_by(|a, b| (b.1.0 + b.1.1).cmp(&(a.1.0 + a.1.1)).then(a.0.cmp(b.0)));
    let mut t = crate::term::output::table(&["key", "valid", "denied", "cost"], ctx.color);
    let shown = ranked.len().min(20);
    for (id, (valid, denied, cost)) in ranked.iter().take(shown) {
        let name = match keys.get(*id) {
            Some(k) => sanitize(&k.name),
            None if id.is_empty() => "(no key)".into(),
            None => format!("{id} (deleted)"),
        };
        t.add_row(vec![
            Cell::new(name),
            Cell::new(valid),
            Cell::new(denied),
            Cell::new(cost),
        ]);
    }
    let (v, d, c) = ranked
        .iter()
        .fold((0, 0, 0), |s, (_, x)| (s.0 + x.0, s.1 + x.1, s.2 + x.2));
    t.add_row(vec![
        Cell::new("total"),
        Cell::new(v),
        Cell::new(d),
        Cell::new(c),
    ]);
    t.set_width(u16::try_from(columns).unwrap_or(u16::MAX));
    out.push('\n');
    out.push_str(&t.to_string());
    if ranked.len() > shown {
        out.push_str(&format!(
            "\n… and {} more keys (--format json for every row)",
            ranked.len() - shown
        ));
    }
    out.push('\n');
    out
}
