//! `apikeys log`: the audit trail, who did what to which key and when.

use super::Context;
use crate::error::Result;
use crate::store::queries;
use crate::term::output;

/// Arguments of `log`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only events of this key (name or id; deleted keys too)
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// Only events since this date, RFC 3339 time, or duration back (7d)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

/// Runs `log`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let now = crate::policy::now();
    let since = args
        .since
        .as_deref()
        .map(|s| crate::policy::parse_since(s, now))
        .transpose()?;
    let store = ctx.open()?;
    let conn = store.conn();
    // A current key is matched by id; a deleted one by what was given (its old id or name).
    let id = args
        .key
        .as_ref()
        .map(|k| queries::resolve(conn, k).map_or_else(|_| k.clone(), |r| r.id));
    let filter = id.as_deref().zip(args.key.as_deref());
    let events = queries::audit_events(conn, filter, since)?;
    // A key that never existed (no current key, and no event of a deleted one) is exit 5, with
    // the usual hint, not an empty log that looks like a quiet key.
    if let Some(k) = &args.key
        && events.is_empty()
        && queries::resolve(conn, k).is_err()
        && queries::audit_events(conn, filter, None)?.is_empty()
    {
        return Err(crate::error::Error::NoSuchKey(crate::token::display_ref(k)));
    }
    if ctx.json() {
        output::print_json(&events)
    } else if events.is_empty() {
        ctx.note("no events");
        Ok(())
    } else {
        crate::term::output::print_line(&output::audit_table(&events, ctx.color).to_string())?;
        Ok(())
    }
}
