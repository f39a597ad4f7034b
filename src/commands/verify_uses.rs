//! How `verify` accounts for the uses it grants: in the store, or in a snapshot's usage log,
//! which is also the ledger of a limited key's uses between separate verifies on one snapshot.

use super::Context;
pub use crate::counters::Take;
use crate::counters::redis::RedisCounters;
use crate::counters::{Counters, ledger::LedgerCounters, store::StoreCounters};
use crate::engine::{Entry, KeySet, Outcome};
use crate::error::Result;
use crate::source::Source;
use crate::store::{Store, queries};
use std::collections::HashMap;

/// A valid verify skips recording last use when the stored time is younger than this.
pub const LAST_USED_THROTTLE_SECS: i64 = 60;

/// Uses granted and not yet recorded: key id → (uses, last use as stored).
pub type Used = HashMap<String, (i64, Option<i64>)>;

/// Accounts for a valid answer of cost `cost`. A key with a rate or use limit is decided
/// where its state is kept (SPEC §10): under the store lock, or under the usage log's lock
/// on a snapshot (the log is the ledger), before the answer stands. Other uses are noted in
/// `used`, recorded by [`finish`]. On a snapshot with no usage log a limited key cannot be
/// counted, so it is denied (fail closed). With shared counters (`--counters`), Redis decides
/// a limited key and its uses are recorded like any other: a Redis that cannot answer denies
/// it (`counters_unavailable`, 19).
pub fn grant(
    source: &mut Source,
    keys: &KeySet,
    k: &Entry,
    outcome: Outcome,
    take: Take<'_>,
    used: &mut Used,
    shared: Option<&mut RedisCounters>,
) -> Result<Outcome> {
    let cost = take.cost;
    if !k.limited() {
        used.entry(k.id().to_string())
            .or_insert((0, k.last_used_at()))
            .0 += cost;
        return Ok(outcome);
    }
    if let Some(redis) = shared {
        return Ok(match redis.decide(k, cost) {
            Ok((d, _)) => {
                if d.verdict == crate::engine::limits::Verdict::Allowed {
                    // No throttle: the store's count of a limited key must stay true.
                    used.entry(k.id().to_string()).or_insert((0, None)).0 += cost;
                }
                outcome.limited(&d)
            }
            Err(_) => outcome.counters_unavailable(),
        });
    }
    let decision = match source {
        Source::Store(store) => StoreCounters(store).take(k, take)?,
        Source::Snapshot(f) => match &mut f.log {
            None => return Ok(outcome.exhausted_uncounted()),
            Some(log) => LedgerCounters {
                log,
                marks: keys.usage_marks(),
            }
            .take(k, take)?,
        },
    };
    Ok(match decision {
        Some(d) => outcome.limited(&d),
        // Deleted under us: the key no longer exists.
        None => Outcome::unknown(),
    })
}

/// Records the uses granted: into the store (throttled, never waiting for the lock unless
/// `must` says that uses of limited keys counted in shared counters are among them) or the
/// usage log. A failure only warns: the answers stand.
pub fn finish(
    source: &mut Source,
    ctx: &Context,
    used: &Used,
    now: i64,
    ip: Option<&str>,
    must: bool,
) {
    let res = match source {
        Source::Store(store) => record_uses(store, used, now, ip, must),
        Source::Snapshot(f) => match &mut f.log {
            Some(log) if !used.is_empty() => log.append(
                &used
                    .iter()
                    .map(|(id, (n, _))| (id.clone(), (*n, now)))
                    .collect(),
                &ip.map(|ip| used.keys().map(|id| (id.clone(), ip.to_string())).collect())
                    .unwrap_or_default(),
            ),
            _ => Ok(()),
        },
    };
    if let Err(e) = res
        && !ctx.quiet
    {
        eprintln!("warning: the key is valid, but its use could not be recorded: {e}");
    }
}

/// Records uses in one write, skipping keys whose last use is recent. Unless it `must`, it
/// never waits for another writer: when the lock is taken, a later verify records the use.
fn record_uses(
    store: &mut Store,
    used: &Used,
    now: i64,
    ip: Option<&str>,
    must: bool,
) -> Result<()> {
    let due: Vec<_> = used
        .iter()
        .filter(|(_, (_, last))| last.is_none_or(|l| now - l >= LAST_USED_THROTTLE_SECS))
        .map(|(id, (n, _))| (id.clone(), *n))
        .collect();
    if due.is_empty() {
        return Ok(());
    }
    let write = |tx: &rusqlite::Transaction<'_>| {
        due.iter()
            .try_for_each(|(id, n)| queries::record_use(tx, id, now, *n, ip))
    };
    if must {
        return store.write_within(crate::counters::store::LIMITED_WAIT, |tx, _| write(tx));
    }
    store.try_write(|tx, _| write(tx)).map(|_| ())
}
