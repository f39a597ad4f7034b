//! `apikeys log`: the audit trail, who did what to which key and when; for people a table,
//! for a SIEM JSON lines with `--since SEQ` as a cursor.

use super::Context;
use crate::error::Result;
use crate::store::queries;
use crate::term::output;

/// Arguments of `log`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "With --format json, one event a line (JSON lines), each with its sequence number `seq`;\na SIEM keeps the last seq it read and asks `apikeys log --format json --since SEQ` for the rest.\n\nExamples:\n  apikeys log --key ci-deploy\n  apikeys log --admin alice --action revoke -n 20\n  apikeys log --format json --since 1042 >> siem.jsonl"
)]
pub struct Args {
    /// Only events of this key (name or id; deleted keys too)
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// Only events since this date, RFC 3339 time or duration back (7d), or after this
    /// sequence number (a plain number: a SIEM's cursor)
    #[arg(long, value_name = "DATE|SEQ")]
    pub since: Option<String>,
    /// Only what this admin did (the slot that unlocked the store; --actor notes are not
    /// admins; one the store never had is exit 5)
    #[arg(long, value_name = "NAME")]
    pub admin: Option<String>,
    /// Only events of this action (create, revoke, activate, edit, revive, rotate, delete,
    /// group create, policy set, admin add, …; an unknown one is a usage error listing them)
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// Only the last N events
    #[arg(short = 'n', long = "last", value_name = "N")]
    pub last: Option<usize>,
}

/// Where the events start: a time, or after a sequence number.
enum Since {
    At(i64),
    After(i64),
}

/// Runs `log`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let now = crate::policy::now();
    let since = match args.since.as_deref().map(str::trim) {
        None => None,
        Some(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Some(Since::After(s.parse().map_err(|_| {
                crate::error::Error::usage(
                    "invalid --since sequence number",
                    "give the `seq` of the last event read",
                )
            })?))
        }
        Some(s) => Some(Since::At(crate::policy::parse_since(s, now)?)),
    };
    let action = args
        .action
        .as_deref()
        .map(queries::action_named)
        .transpose()?;
    let store = ctx.open()?;
    let conn = store.conn();
    // A current key is matched by id; a deleted one by what was given (its old id or name).
    let id = args
        .key
        .as_ref()
        .map(|k| queries::resolve(conn, k).map_or_else(|_| k.clone(), |r| r.id));
    let filter = id.as_deref().zip(args.key.as_deref());
    let at = match since {
        Some(Since::At(t)) => Some(t),
        _ => None,
    };
    let mut events = queries::audit_events(conn, filter, at)?;
    // A key that never existed (no current key, and no event of a deleted one) is exit 5, with
    // the usual hint, not an empty log that looks like a quiet key.
    if let Some(k) = &args.key
        && events.is_empty()
        && queries::resolve(conn, k).is_err()
        && queries::audit_events(conn, filter, None)?.is_empty()
    {
        return Err(crate::error::Error::NoSuchKey(crate::token::display_ref(k)));
    }
    if let Some(Since::After(seq)) = since {
        events.retain(|e| e.seq > seq);
    }
    if let Some(name) = &args.admin {
        // An admin of the store, or one that has acted (and was removed since): else exit 5,
        // not an empty log that looks like an admin who did nothing.
        let admin = queries::Admin::of(conn, name)?;
        let known =
            store.header().slots.iter().any(|s| s.name == *name) || admin.last_at(conn)?.is_some();
        if !known {
            return Err(super::admin::missing(name));
        }
        // What they did under every name they had (`admin rename` keeps the old name on
        // what was done before).
        events.retain(|e| admin.did(e));
    }
    if let Some(action) = action {
        events.retain(|e| queries::is_action(&e.action, action));
    }
    if let Some(n) = args.last {
        let skip = events.len().saturating_sub(n);
        events.drain(..skip);
    }
    if ctx.json() {
        // JSON lines: one event a line, appended by a SIEM as it reads them.
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for e in &events {
            serde_json::to_writer(&mut out, e)?;
            out.write_all(b"\n").map_err(output::stdout_err)?;
        }
        out.flush().map_err(output::stdout_err)
    } else if events.is_empty() {
        ctx.note("no events");
        Ok(())
    } else {
        crate::term::output::print_line(&output::audit_table(&events, ctx.color).to_string())?;
        Ok(())
    }
}
