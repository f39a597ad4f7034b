//! `apikeys status`: the store at a glance, for a person or (json) a script.

use super::Context;
use crate::error::Result;
use crate::model::Status;
use crate::policy::{Policy, format_duration};
use crate::store::{queries, schema};
use comfy_table::Cell;

/// Keys not used for this long count as stale in `status`.
pub const STALE_SECS: i64 = 90 * 86_400;

/// Arguments of `status`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  apikeys status\n  apikeys status --expiring-within 14d --fail   # a CI gate: exit 7 when any key expires within 14 days"
)]
pub struct Args {
    /// List the live keys that expire within this duration (json: `expiring`)
    #[arg(long, value_name = "DUR")]
    pub expiring_within: Option<String>,
    /// With --expiring-within: exit 7 when any key expires within it
    #[arg(long, requires = "expiring_within")]
    pub fail: bool,
}

/// Runs `status`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let within = args
        .expiring_within
        .as_deref()
        .map(crate::policy::parse_duration)
        .transpose()?;
    let store = ctx.open()?;
    let conn = store.conn();
    let now = crate::policy::now();
    let mut keys = queries::all_keys(conn)?;
    let tally = crate::history::Tally::of(store.path())?;
    keys.iter_mut().for_each(|k| tally.apply(k));
    let count = |s: Status| keys.iter().filter(|k| k.status(now) == s).count();
    let expiring = keys.iter().filter(|k| k.expiring_soon(now)).count();
    let stale = keys
        .iter()
        .filter(|k| k.status(now) == Status::Active)
        .filter(|k| k.unused_since(now - STALE_SECS))
        .count();
    let soon: Vec<&crate::model::KeyRecord> = match within {
        Some(d) => keys.iter().filter(|k| k.expires_within(now, d)).collect(),
        None => vec![],
    };
    let policy = Policy::load(conn)?;
    let last = queries::audit_events(conn, None, None)?.pop();
    let admins = super::admin::slots_with_use(&store)?;
    let me = store.unlocked_by();
    let slots: Vec<serde_json::Value> = admins
        .iter()
        .map(|(s, last)| super::admin::slot_json(s, *last, Some(s.name.as_str()) == me))
        .collect();
    let clipboard = crate::term::clipboard::reachable();
    let presented = presented_while_revoked(store.path(), &keys, now)?;
    let max = policy.max_lifetime.map_or("none".into(), format_duration);
    let mut json = serde_json::json!({
        "store": store.path(),
        "bytes": store.file_len(),
        "format_version": store.on_disk().format,
        "schema_version": store.on_disk().schema,
        "slots": slots,
        "unlocked_by": me,
        "policy": {
            "max_lifetime": max,
            "default_lifetime": format_duration(policy.default_lifetime),
        },
        "keys": {
            "total": keys.len(),
            "active": count(Status::Active),
            "inactive": count(Status::Inactive),
            "expired": count(Status::Expired),
            "rotating": count(Status::Rotating),
            "expiring_within_7d": expiring,
            "unused_90d": stale,
        },
        "last_write": last.as_ref().map(|e| serde_json::json!({
            "at": crate::text::rfc3339(e.at),
            "actor": e.actor,
            "action": e.action,
        })),
        "presented_while_revoked": presented.iter().map(|p| serde_json::json!({
            "key_id": p.0.id,
            "name": p.0.name,
            "status": p.0.status(now).as_str(),
            "count": p.1.count,
            "last_at": p.1.last_at.map(crate::text::rfc3339),
            "last_ip": p.1.last_ip,
        })).collect::<Vec<_>>(),
        "clipboard": match &clipboard {
            Ok(what) => serde_json::json!({"reachable": true, "via": what}),
            Err(why) => serde_json::json!({"reachable": false, "why": why}),
        },
    });
    if let Some(d) = within {
        json["expiring"] = serde_json::json!({
            "within": format_duration(d),
            "keys": soon.iter().map(|k| crate::term::output::KeyJson::new(k, now)).collect::<Vec<_>>(),
        });
    }
    let failing = args.fail && !soon.is_empty();
    if args.fail {
        // A gate: a reader that goes away never turns its verdict into 0.
        crate::term::output::gate();
        crate::term::output::gate_verdict(if failing { 7 } else { 0 });
    }
    let gate = || -> Result<()> {
        if failing {
            Err(crate::error::Error::Exit(7))
        } else {
            Ok(())
        }
    };
    if ctx.json() {
        crate::term::output::print_json(&json)?;
        return gate();
    }
    // Quiet: the exit code is the answer (with --fail), nothing is printed.
    if ctx.quiet {
        return gate();
    }
    let slot_text = admins
        .iter()
        .map(|(s, _)| {
            let kind = if s.kind.is_passphrase() {
                format!(
                    "passphrase, Argon2id {} MiB, {}{}",
                    s.kdf.memory_kib / 1024,
                    crate::text::count(s.kdf.iterations as usize, "iteration"),
                    if s.kdf.below_owasp() {
                        " (below OWASP's minimum: raise it with passwd --kdf-memory)"
                    } else {
                        ""
                    }
                )
            } else {
                s.kind.word().to_string()
            };
            let you = if Some(s.name.as_str()) == me {
                ", you"
            } else {
                ""
            };
            format!("{} ({kind}{you})", crate::text::sanitize(&s.name))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut t = crate::term::output::table(&["field", "value"], ctx.color);
    let rows = [
        ("store", store.path().display().to_string()),
        ("size", format!("{} bytes", store.file_len())),
        ("format", {
            let d = store.on_disk();
            let upgrade =
                if (d.format, d.schema) == (crate::store::format::VERSION, schema::CURRENT) {
                    String::new()
                } else {
                    format!(
                        " (the next write upgrades it to version {}, schema {})",
                        crate::store::format::VERSION,
                        schema::CURRENT
                    )
                };
            format!("version {}, schema {}{upgrade}", d.format, d.schema)
        }),
        ("admins", slot_text),
        (
            "policy",
            format!(
                "max lifetime {max}, default {}",
                format_duration(policy.default_lifetime)
            ),
        ),
        (
            "keys",
            format!(
                "{} in all: {} active, {} inactive, {} expired, {} rotating",
                keys.len(),
                count(Status::Active),
                count(Status::Inactive),
                count(Status::Expired),
                count(Status::Rotating)
            ),
        ),
        ("expiring within 7 days", expiring.to_string()),
        ("unused for 90 days", stale.to_string()),
        (
            "presented while revoked or expired (24 h)",
            if presented.is_empty() {
                "none".into()
            } else {
                format!(
                    "{} answers: {}",
                    presented.iter().map(|p| p.1.count).sum::<i64>(),
                    presented
                        .iter()
                        .map(|(k, s)| format!(
                            "{} {}×{}",
                            crate::text::sanitize(&k.name),
                            s.count,
                            s.last_ip
                                .as_deref()
                                .map_or_else(String::new, |ip| format!(" (last from {ip})"))
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        ),
        (
            "last write",
            last.map_or("-".into(), |e| {
                format!(
                    "{} by {} ({})",
                    crate::text::time(e.at),
                    crate::text::sanitize(&e.actor),
                    e.action
                )
            }),
        ),
        (
            "clipboard",
            match clipboard {
                Ok(what) => format!("reachable ({what})"),
                Err(why) => format!("not reachable ({why})"),
            },
        ),
    ];
    for (k, v) in rows {
        t.add_row(vec![Cell::new(k), Cell::new(v)]);
    }
    if let Some(d) = within {
        let names = soon
            .iter()
            .map(|k| {
                format!(
                    "{} ({})",
                    crate::text::sanitize(&k.name),
                    k.expires_at.map_or_else(String::new, crate::text::time)
                )
            })
            .collect::<Vec<_>>();
        t.add_row(vec![
            Cell::new(format!("expiring within {}", format_duration(d))),
            Cell::new(if names.is_empty() {
                "none".into()
            } else {
                names.join(", ")
            }),
        ]);
    }
    crate::term::output::print_line(&t.to_string())?;
    if failing {
        eprintln!(
            "error: {} within {}",
            crate::text::keys_expire(soon.len()),
            within.map_or_else(String::new, format_duration)
        );
        eprintln!(
            "hint: rotate them (apikeys rotate KEY) or give them a new expiry (apikeys edit KEY --expires E)"
        );
    }
    gate()
}

/// Revoked or expired keys presented in the last 24 hours (SPEC §14): a leaked key still in
/// use. Busiest first.
pub fn presented_while_revoked<'a>(
    store: &std::path::Path,
    keys: &'a [crate::model::KeyRecord],
    now: i64,
) -> Result<Vec<(&'a crate::model::KeyRecord, crate::history::query::Sum)>> {
    let Some(h) = crate::history::db::History::open(store, false)? else {
        return Ok(vec![]);
    };
    let sums = h.by_key(now - 86_400, &["inactive".into(), "expired".into()])?;
    let mut out: Vec<_> = keys
        .iter()
        .filter_map(|k| sums.get(&k.id).map(|s| (k, s.clone())))
        .filter(|(_, s)| s.count > 0)
        .collect();
    out.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.name.cmp(&b.0.name)));
    Ok(out)
}
