//! How `verify` accounts for the uses it grants: in the store, or in a snapshot's usage log,
//! which is also the ledger of a limited key's uses between separate verifies on one snapshot.

use super::Context;
pub use crate::counters::Take;
use crate::counters::redis::RedisCounters;
use crate::counters::{Counters, ledger::LedgerCounters, store::StoreCounters};
use crate::engine::{Entry, KeySet, Outcome};
use crate::error::Result;
use crate::history::Batch;
use crate::history::db::History;
use crate::snapshot::usage_log::UsageLog;
use crate::source::{SnapshotOptions, Source};
use crate::store::{Store, uses};
use std::collections::HashMap;

/// Uses granted and not yet recorded: key id → (uses, whether they go to the store: a
/// limited key decided in shared counters, whose count the store keeps exact). Other uses go
/// to the history file's tally, exactly, without a sealed write of the store.
pub type Used = HashMap<String, (i64, bool)>;

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
        used.entry(k.id().to_string()).or_insert((0, false)).0 += cost;
        return Ok(outcome);
    }
    if let Some(redis) = shared {
        return Ok(match redis.decide(k, cost) {
            Ok((d, _)) => {
                if d.verdict == crate::engine::limits::Verdict::Allowed {
                    // The store's count of a limited key must stay true.
                    used.entry(k.id().to_string()).or_insert((0, true)).0 += cost;
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

/// Records the uses granted and the answers given (SPEC §14): with a store, uses of limited
/// keys decided by shared counters in the store, others and the answers in its history file;
/// with a snapshot, in its usage log. `source` is `None` when no token was well-formed enough
/// to open one. A failure only warns: the answers stand.
pub fn finish(
    source: Option<&mut Source>,
    ctx: &Context,
    opts: &SnapshotOptions,
    used: &Used,
    batch: Batch,
    now: i64,
    ip: Option<&str>,
) {
    if used.is_empty() && batch.is_empty() {
        return;
    }
    let res = match source {
        Some(Source::Store(store)) => record_in_store(store, used, batch, now, ip),
        Some(Source::Snapshot(f)) => match &mut f.log {
            Some(log) => append(log, used, batch, now, ip),
            None => Ok(()),
        },
        None if opts.files.is_some() => match &opts.usage_log {
            Some(path) => {
                UsageLog::open(path).and_then(|mut log| append(&mut log, used, batch, now, ip))
            }
            None => Ok(()),
        },
        // Only answers that named no key: counted beside a store that exists.
        None if ctx.store_path.is_file() => to_inbox(&ctx.store_path, batch, vec![]),
        None => Ok(()),
    };
    if let Err(e) = res
        && !ctx.quiet
    {
        eprintln!("warning: the answer stands, but it could not be recorded: {e}");
    }
}

fn append(log: &mut UsageLog, used: &Used, batch: Batch, now: i64, ip: Option<&str>) -> Result<()> {
    log.append(
        &used
            .iter()
            .map(|(id, (n, _))| (id.clone(), (*n, now)))
            .collect::<std::collections::HashMap<_, _>>(),
        &ip.map(|ip| used.keys().map(|id| (id.clone(), ip.to_string())).collect())
            .unwrap_or_default(),
        Some(batch.records()),
    )
}

/// Records uses of limited keys decided by shared counters in the store (waiting for its
/// lock, as their count must stay true), and the rest in the history file.
fn record_in_store(
    store: &mut Store,
    used: &Used,
    batch: Batch,
    now: i64,
    ip: Option<&str>,
) -> Result<()> {
    let in_store: Vec<_> = used.iter().filter(|(_, (_, s))| *s).collect();
    if !in_store.is_empty() {
        store.write_within(crate::counters::store::LIMITED_WAIT, |tx, _| {
            in_store
                .iter()
                .try_for_each(|(id, (n, _))| uses::record_use(tx, id, now, *n, ip))
        })?;
    }
    let tally: Vec<_> = used
        .iter()
        .filter(|(_, (_, s))| !*s)
        .map(|(id, (n, _))| (id.clone(), *n, now, ip.map(str::to_string)))
        .collect();
    to_inbox(store.path(), batch, tally)
}

/// Appends the answers and uses to the history's inbox (one small write, no database
/// opened), and folds the inbox into the history when it has grown large.
fn to_inbox(
    store: &std::path::Path,
    batch: Batch,
    uses: Vec<(String, i64, i64, Option<String>)>,
) -> Result<()> {
    let entry = crate::history::pending::Entry {
        r: batch.records(),
        u: uses,
    };
    if crate::history::pending::append(store, &entry)? {
        History::open(store, true)?;
    }
    Ok(())
}
