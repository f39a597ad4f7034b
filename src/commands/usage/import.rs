//! `apikeys usage import`: merge the use records of verifier nodes into the store, in one
//! sealed write, idempotently (a high-water mark per node).

use super::super::Context;
use crate::error::Result;
use crate::store::queries;
use std::path::PathBuf;

/// Runs `usage import`.
pub fn run(ctx: &Context, files: Vec<PathBuf>) -> Result<()> {
    let mut lines = Vec::new();
    let mut torn = 0;
    // Every file is read and checked before the store is opened: one bad line refuses all.
    for f in &files {
        let read = crate::snapshot::usage_log::read(f)?;
        if read.torn > 0 {
            eprintln!(
                "warning: {}: the last line is torn (a node stopped mid-write); skipped",
                f.display()
            );
        }
        torn += read.torn;
        lines.extend(read.lines);
    }
    lines.sort_by(|a, b| a.node.cmp(&b.node).then(a.seq.cmp(&b.seq)));
    let mut store = ctx.open()?;
    let now = crate::policy::now();
    let (applied, duplicate, unknown) = store.write(|tx, _| {
        let (mut applied, mut duplicate, mut unknown) = (0, 0, 0);
        for l in lines.iter().filter(|l| l.history.is_none()) {
            let seen: i64 = tx
                .query_row(
                    "SELECT seq FROM usage_nodes WHERE node = ?1",
                    [&l.node],
                    |r| r.get(0),
                )
                .unwrap_or(0);
            if l.seq <= seen {
                duplicate += 1;
                continue;
            }
            tx.execute(
                "INSERT INTO usage_nodes (node, seq) VALUES (?1, ?2) \
                 ON CONFLICT(node) DO UPDATE SET seq = excluded.seq",
                rusqlite::params![l.node, l.seq],
            )?;
            if queries::key_by_id(tx, &l.key_id)?.is_none() {
                unknown += 1;
                continue;
            }
            // A clock ahead of ours is not believed past now.
            let at = chrono::DateTime::parse_from_rfc3339(&l.last_used)
                .map_or(now, |t| t.timestamp())
                .min(now);
            // An address that does not parse is not recorded (the record's uses still are).
            let ip =
                l.ip.as_deref()
                    .and_then(|s| s.parse::<std::net::IpAddr>().ok())
                    .map(|i| i.to_string());
            crate::store::uses::record_use(tx, &l.key_id, at, l.uses, ip.as_deref())?;
            applied += 1;
        }
        queries::audit(
            tx,
            now,
            &ctx.actor(),
            "usage import",
            None,
            &format!("{applied} records applied, {duplicate} already imported"),
        )?;
        Ok((applied, duplicate, unknown))
    })?;
    // The nodes' answers, into the history file: idempotent by its own mark per node.
    let mut answers = 0;
    let with_history: Vec<_> = lines.iter().filter(|l| l.history.is_some()).collect();
    if !with_history.is_empty()
        && let Some(mut h) = crate::history::db::History::open(store.path(), true)?
    {
        for l in with_history {
            if let Some(recs) = &l.history
                && h.import(&l.node, l.seq, recs, now)?
            {
                answers += recs.b.iter().map(|b| b.3).sum::<i64>();
            }
        }
    }
    if ctx.json() {
        crate::term::output::print_json(&serde_json::json!({
            "applied": applied,
            "already_imported": duplicate,
            "unknown_keys": unknown,
            "torn_lines": torn,
            "answers": answers,
        }))
    } else {
        ctx.note(&format!(
            "imported {applied} use records ({duplicate} already imported, {unknown} for unknown keys, {torn} torn) and {answers} answers into the history"
        ));
        Ok(())
    }
}
