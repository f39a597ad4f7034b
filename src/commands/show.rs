//! `apikeys show`: every field of one key, the rotation chain, and its audit events.

use super::Context;
use crate::error::Result;
use crate::store::queries;
use crate::term::output::{self, KeyJson};
use crate::text::sanitize;
use comfy_table::Cell;

/// Arguments of `show`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The key, by name or id
    pub key: String,
}

/// Runs `show`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.open()?;
    let conn = store.conn();
    let now = crate::policy::now();
    let mut k = queries::resolve(conn, &args.key)?;
    crate::history::Tally::of(store.path())?.apply(&mut k);
    let groups = queries::groups(conn)?;
    let events = queries::audit_events(conn, Some((&k.id, &k.id)), None)?;
    let effective = queries::effective_scopes(k.scopes.as_slice(), &k.groups, &groups);
    let activity = Activity::of(store.path(), &k.id, now)?;
    if ctx.json() {
        let mut v = serde_json::to_value(KeyJson::new(&k, now))?;
        v["effective_scopes"] = serde_json::json!(effective);
        v["events"] = serde_json::to_value(&events)?;
        v["last_7_days"] = serde_json::json!(activity.days);
        v["denied"] = serde_json::json!(activity.denied);
        v["refused"] = serde_json::Value::Array(
            activity
                .refused
                .iter()
                .map(|(at, code, ip)| {
                    serde_json::json!({"at": crate::text::rfc3339(*at), "code": code, "ip": ip})
                })
                .collect(),
        );
        return output::print_json(&v);
    }
    let v = KeyJson::new(&k, now);
    let link = |id: &Option<String>| -> String {
        match id {
            None => "-".into(),
            Some(id) => match queries::key_by_id(conn, id) {
                Ok(Some(o)) => format!("{} ({id}, {})", sanitize(&o.name), o.status(now).as_str()),
                _ => format!("{id} (deleted)"),
            },
        }
    };
    let mut t = output::table(&["field", "value"], ctx.color);
    let rows: Vec<(&str, Cell)> = vec![
        ("name", Cell::new(sanitize(&k.name))),
        ("id", Cell::new(&k.id)),
        ("key", Cell::new(k.masked())),
        ("status", output::status_cell(&k, now, ctx.color)),
        ("created", Cell::new(crate::text::time(k.created_at))),
        ("created by", Cell::new(sanitize(&k.created_by))),
        (
            "expires",
            Cell::new(k.expires_at.map_or("never".into(), crate::text::time)),
        ),
        (
            "last used",
            Cell::new(match (k.last_used_at, &k.last_used_ip) {
                (None, _) => "-".into(),
                (Some(t), Some(ip)) => format!("{} from {}", crate::text::time(t), sanitize(ip)),
                (Some(t), None) => crate::text::time(t),
            }),
        ),
        ("use count", Cell::new(k.use_count)),
        (
            "uses left",
            Cell::new(v.remaining.map_or("no limit".into(), |r| r.to_string())),
        ),
        (
            "rates",
            Cell::new(if v.rates.is_empty() {
                "none".into()
            } else {
                v.rates.join(", ")
            }),
        ),
        (
            "refill",
            Cell::new(match (&v.refill, v.refills_at) {
                (Some(r), Some(at)) => format!("{r} (next {})", crate::text::time(at)),
                (Some(r), None) => r.clone(),
                _ => "none".into(),
            }),
        ),
        (
            "owner",
            Cell::new(sanitize(k.owner.as_deref().unwrap_or("-"))),
        ),
        (
            "meta",
            Cell::new(sanitize(
                &k.meta
                    .iter()
                    .map(|(a, b)| format!("{a}={b}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
        ),
        ("description", Cell::new(sanitize(&k.description))),
        ("scopes", Cell::new(sanitize(&k.scopes.join(", ")))),
        ("groups", Cell::new(sanitize(&k.groups.join(", ")))),
        (
            "effective scopes",
            Cell::new(sanitize(&effective.join(", "))),
        ),
        (
            "allowed IPs",
            Cell::new(if k.allowed_ips.is_empty() {
                "any".into()
            } else {
                k.allowed_ips.join(", ")
            }),
        ),
        (
            "revoked reason",
            Cell::new(sanitize(k.revoked_reason.as_deref().unwrap_or("-"))),
        ),
        ("rotated from", Cell::new(link(&k.rotated_from))),
        ("rotated to", Cell::new(link(&k.rotated_to))),
        (
            "last 7 days",
            Cell::new(format!(
                "{}  {} answers",
                sparkline(&activity.days),
                activity.days.iter().sum::<i64>()
            )),
        ),
        (
            "denied (7 days)",
            Cell::new(if activity.denied.is_empty() {
                "none".into()
            } else {
                activity
                    .denied
                    .iter()
                    .map(|(c, n)| format!("{c} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ),
    ];
    for (f, v) in rows {
        t.add_row(vec![Cell::new(f), v]);
    }
    crate::term::output::print_line(&t.to_string())?;
    if !activity.refused.is_empty() {
        crate::term::output::print_line("\nLast refused attempts:")?;
        let mut r = output::table(&["at", "code", "from"], ctx.color);
        for (at, code, ip) in &activity.refused {
            r.add_row(vec![
                Cell::new(crate::text::time(*at)),
                Cell::new(code),
                Cell::new(ip.as_deref().unwrap_or("-")),
            ]);
        }
        crate::term::output::print_line(&r.to_string())?;
    }
    if !events.is_empty() {
        crate::term::output::print_line("\nEvents:")?;
        crate::term::output::print_line(&output::audit_table(&events, ctx.color).to_string())?;
    }
    Ok(())
}

/// A key's last week in the history (SPEC §14).
struct Activity {
    /// Answers per day, oldest first, today last.
    days: Vec<i64>,
    denied: std::collections::BTreeMap<String, i64>,
    refused: Vec<(i64, String, Option<String>)>,
}

impl Activity {
    fn of(store: &std::path::Path, id: &str, now: i64) -> Result<Activity> {
        let Some(h) = crate::history::db::History::open(store, false)? else {
            return Ok(Activity {
                days: vec![0; 7],
                denied: Default::default(),
                refused: vec![],
            });
        };
        let (days, denied) = h.week(id, now, 7)?;
        Ok(Activity {
            days,
            denied,
            refused: h.refused(id)?,
        })
    }
}

/// Counts as a line of block characters scaled to the largest (`·` for none).
pub fn sparkline(counts: &[i64]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    counts
        .iter()
        .map(|n| match *n {
            0 => '·',
            n => BLOCKS[usize::try_from((n * 7 + max - 1) / max).unwrap_or(7).min(7)],
        })
        .collect()
}
