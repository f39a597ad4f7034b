//! What `serve` does with its source of keys: the store (reloaded when the file changes,
//! uses written back under the lock) or a verifier snapshot (reloaded when a newer generation
//! arrives, uses appended to the usage log).

use super::log;
use super::state::{Loaded, Shared, Uses};
use crate::error::{Error, Result};
pub use crate::source::Source;
use crate::store::{Store, file::Ident, queries};
use std::sync::atomic::Ordering;

/// What `serve` does with a source: load, reload, write back uses.
pub trait Serving {
    /// Loads the first snapshot; returns how many keys it has.
    fn start(&mut self, shared: &Shared) -> Result<usize>;
    /// Loads what changed, if anything, and serves it.
    fn reload_once(&mut self, shared: &Shared, failed: &mut Option<Option<Ident>>);
    /// Writes the pending uses back.
    fn flush(&mut self, shared: &Shared, wait: bool);
}

impl Serving for Source {
    fn start(&mut self, shared: &Shared) -> Result<usize> {
        load(self, shared, true).map(|k| k.unwrap_or(0))
    }

    /// Looks once whether the file changed; loads it if so. A file that fails to open (or an
    /// older snapshot) is never served: the last good one stays, and the failure is logged
    /// and counted once per version of the file.
    fn reload_once(&mut self, shared: &Shared, failed: &mut Option<Option<Ident>>) {
        let now_ident = Ident::current(self.path());
        if failed.as_ref() == Some(&now_ident) {
            return;
        }
        let started = std::time::Instant::now();
        match load(self, shared, false) {
            Ok(Some(keys)) => {
                *failed = None;
                shared.stale.store(false, Ordering::Relaxed);
                shared.metrics.reloads.fetch_add(1, Ordering::Relaxed);
                log(&format!("reload: {}", figures(self, keys, started)));
            }
            Ok(None) => {}
            Err(e) => {
                *failed = Some(now_ident);
                shared.stale.store(true, Ordering::Relaxed);
                shared
                    .metrics
                    .reload_failures
                    .fetch_add(1, Ordering::Relaxed);
                log(&format!(
                    "reload failed, still serving the last good keys: {}",
                    e.shown()
                ));
            }
        }
    }

    /// Writes the pending uses and answers back. On a store, uses of keys with no limit and
    /// the answers go to the history file (one short transaction); uses of limited keys take
    /// one sealed write of the store (`wait` = false never waits for its lock: a busy lock
    /// keeps them for the next try). On a snapshot, lines appended to the usage log.
    fn flush(&mut self, shared: &Shared, wait: bool) {
        let (uses, ips): (Uses, _) = shared.start_flush();
        let history = shared.take_history();
        if uses.is_empty() && history.is_empty() {
            return;
        }
        let answers = history.len();
        let result = match self {
            Source::Store(store) => flush_store(shared, store, uses.clone(), &ips, history, wait),
            // Uses stay counted against the snapshot until a newer one is served.
            Source::Snapshot(f) => match &mut f.log {
                Some(l) => l.append(&uses, &ips, Some(history.records())).map(Some),
                None => Ok(Some(())),
            },
        };
        match result {
            Ok(Some(())) => {
                shared.metrics.flushes.fetch_add(1, Ordering::Relaxed);
                let total: i64 = uses.values().map(|u| u.0).sum();
                log(&format!(
                    "flush: {total} uses of {} and {answers} answers recorded",
                    crate::text::count(uses.len(), "key")
                ));
            }
            Ok(None) => {}
            Err(e) => {
                shared
                    .metrics
                    .flush_failures
                    .fetch_add(1, Ordering::Relaxed);
                log(&format!(
                    "flush failed, uses kept for the next try: {}",
                    e.shown()
                ));
                shared.abort_flush();
            }
        }
    }
}

/// [`Serving::flush`] on a store: the history file first (uses of unlimited keys and the
/// answers, in one transaction), then the limited keys' uses in the store. `Ok(None)`: the
/// store was busy; its uses are pending again, the history's are written.
fn flush_store(
    shared: &Shared,
    store: &mut Store,
    mut uses: Uses,
    ips: &std::collections::HashMap<String, String>,
    history: crate::history::Batch,
    wait: bool,
) -> Result<Option<()>> {
    let limited: Uses = {
        let current = shared.current();
        let is_limited = |id: &str| {
            current
                .as_ref()
                .is_some_and(|l| l.snap.get(id).is_some_and(|e| e.limited()))
        };
        let ids: Vec<String> = uses.keys().filter(|id| is_limited(id)).cloned().collect();
        ids.into_iter()
            .filter_map(|id| uses.remove_entry(&id))
            .collect()
    };
    let now = crate::policy::now();
    let tally: Vec<_> = uses
        .iter()
        .map(|(id, (n, at))| (id.as_str(), *n, *at, ips.get(id).map(String::as_str)))
        .collect();
    // A history file that cannot be written keeps its uses pending and is logged; it never
    // holds back the limited keys' uses, whose counts the store must keep.
    let written = crate::history::db::History::open(store.path(), true)
        .and_then(|h| h.map_or(Ok(()), |mut h| h.write(&history.records(), &tally, now)));
    match written {
        Ok(()) => shared.end_flush_of(&uses),
        Err(e) => {
            shared.abort_flush_of(&uses);
            log(&format!(
                "history not written, uses of unlimited keys kept for the next try: {}",
                e.shown()
            ));
        }
    }
    if limited.is_empty() {
        return Ok(Some(()));
    }
    let write = |tx: &rusqlite::Transaction<'_>, _: &mut _| {
        limited.iter().try_for_each(|(id, (n, at))| {
            crate::store::uses::record_use(tx, id, *at, *n, ips.get(id).map(String::as_str))
        })
    };
    let written = if wait {
        store.write(write).map(Some)
    } else {
        store.try_write(write)
    };
    match written {
        // Nobody else changed the store since it was read: what it holds now is what is
        // served plus the uses just written. Those keys' counts are brought up to date in
        // place (reading 100,000 keys again each second would cost a tenth of a core).
        Ok(Some(())) if !store.last_write_reread() => {
            let counts: Result<std::collections::HashMap<_, _>> = limited
                .keys()
                .map(|id| {
                    let k = queries::resolve(store.conn(), id)?;
                    Ok((id.clone(), (k.remaining, k.refill_period)))
                })
                .collect();
            match counts {
                Ok(counts) => {
                    shared.counts_written(&counts);
                    Ok(Some(()))
                }
                // Written all the same: read everything again rather than count twice.
                Err(_) => publish_store(shared, store).map(|_| Some(())),
            }
        }
        // The write re-read the store: serve what it holds now, others' changes included
        // (and the uses just written, which are no longer pending).
        Ok(Some(())) => publish_store(shared, store).map(|_| Some(())),
        Ok(None) => {
            shared.abort_flush_of(&limited);
            Ok(None)
        }
        Err(e) => {
            shared.abort_flush_of(&limited);
            log(&format!(
                "flush failed, uses of limited keys kept for the next try: {}",
                e.shown()
            ));
            Ok(None)
        }
    }
}

/// "N keys, B bytes, S s": what a load took, for its one log line.
fn figures(source: &Source, keys: usize, started: std::time::Instant) -> String {
    let bytes = std::fs::metadata(source.path()).map_or(0, |m| m.len());
    format!(
        "{}, {bytes} bytes, {:.2} s",
        crate::text::count(keys, "key"),
        started.elapsed().as_secs_f64()
    )
}

/// Loads what changed, if anything (everything when `first`), and serves it. `Ok(None)`:
/// nothing new. A snapshot older than the one served is refused (a rollback).
fn load(source: &mut Source, shared: &Shared, first: bool) -> Result<Option<usize>> {
    if !first && !source.changed()? {
        return Ok(None);
    }
    if let Source::Store(store) = source {
        return publish_store(shared, store).map(Some);
    }
    // The first load of a large snapshot shows a bar at a terminal, and logs one line.
    let started = std::time::Instant::now();
    let bar = crate::term::progress::bar(0, "load", !first);
    let (snap, meta) = source.load_observed(None, &mut |done, all| {
        bar.set_length(all);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    let meta = meta.expect("a snapshot has a header");
    if first {
        log(&format!(
            "loaded generation {}: {}",
            meta.generation,
            figures(source, snap.len(), started)
        ));
    }
    let held = shared.current().map_or(0, |l| l.generation);
    if meta.generation < held {
        return Err(Error::Corrupt {
            path: source.path().to_path_buf(),
            reason: format!(
                "rollback refused: generation {} is older than the {held} being served",
                meta.generation
            ),
        });
    }
    if meta.generation == held && !first {
        return Ok(None);
    }
    let keys = snap.len();
    // What this node (or another appender of its log) granted that the snapshot does not
    // count yet: read under the log's lock, with the flushes (the source is held), so no
    // use is counted twice nor missed.
    let ledger = match source {
        Source::Snapshot(f) => match &mut f.log {
            Some(log) => log.ledger(snap.usage_marks())?,
            None => Default::default(),
        },
        Source::Store(_) => Default::default(),
    };
    shared.publish(Loaded::new(
        snap,
        crate::policy::now(),
        meta.issued_at,
        meta.generation,
        ledger,
    ));
    Ok(Some(keys))
}

/// Builds a snapshot of the store as it is now and serves it.
fn publish_store(shared: &Shared, store: &Store) -> Result<usize> {
    let snap = crate::store::keyset::load(store.conn(), store.pepper(), None)?;
    let keys = snap.len();
    let now = crate::policy::now();
    let generation = shared.current().map_or(0, |l| l.generation) + 1;
    shared.publish(Loaded::new(snap, now, now, generation, Default::default()));
    Ok(keys)
}
