//! What the server shares between requests: the loaded snapshot (swapped atomically on
//! reload), the use records waiting to be written back, and the metrics (`metrics.rs`).

use super::metrics::Metrics;
use crate::engine::keys::IdHash;
use crate::engine::{Code, KeySet};
use arc_swap::ArcSwapOption;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

/// One loaded snapshot and when it was loaded.
#[derive(Debug)]
pub struct Loaded {
    pub snap: KeySet,
    /// Unix seconds of the load.
    pub loaded_at: i64,
    /// Unix seconds the keys are as of: the load, or a verifier snapshot's issue time.
    pub issued_at: i64,
    /// Counts loads since start: 1 for the first.
    pub generation: u64,
    /// Uses in the usage log that this snapshot does not count yet (its records after the
    /// snapshot's marks): a restart or a newer export never grants them again.
    pub ledger: crate::snapshot::usage_log::Ledger,
    /// The valid answers of its keys, built on first use.
    pub answers: super::http::Answers,
}

impl Loaded {
    /// Keys to serve, with room for their valid answers (built on first use).
    pub fn new(
        snap: KeySet,
        loaded_at: i64,
        issued_at: i64,
        generation: u64,
        ledger: crate::snapshot::usage_log::Ledger,
    ) -> Loaded {
        Loaded {
            answers: super::http::Answers::for_keys(snap.len()),
            snap,
            loaded_at,
            issued_at,
            generation,
            ledger,
        }
    }

    /// The uses of `id` that the log holds and this snapshot does not, since `since` (unix
    /// seconds) when a refill began after the export, else all of them.
    fn logged_uses(&self, id: &str, since: Option<i64>) -> i64 {
        self.ledger.get(id).map_or(0, |records| {
            records
                .iter()
                .filter(|(at, _)| since.is_none_or(|s| *at >= s))
                .map(|(_, n)| n)
                .sum()
        })
    }
}

/// Uses not yet written back: key id → (uses, last use). Only ids of served keys are ever
/// kept here (random, never chosen by a client), so the maps of the use book need no keyed
/// hash (see [`IdHash`]).
pub type Uses = HashMap<String, (i64, i64), IdHash>;

/// Adds `n` uses at `at` to `id` in `uses`.
fn add_use(uses: &mut Uses, id: &str, n: i64, at: i64) {
    // A key already pending costs no allocation (the request path's common case).
    let u = match uses.get_mut(id) {
        Some(u) => u,
        None => uses.entry(id.to_string()).or_insert((0, at)),
    };
    add_to(u, n, at);
}

/// Adds `n` uses at `at` to one key's (uses, last use).
fn add_to(u: &mut (i64, i64), n: i64, at: i64) {
    u.0 += n;
    u.1 = u.1.max(at);
}

/// Use records, and how much of each limited key's remaining count is spent but not yet in
/// the snapshot being served.
#[derive(Debug, Default)]
pub struct UseBook {
    /// Not yet written back.
    pub pending: Uses,
    /// Being written back now: still to be subtracted until the snapshot that holds them.
    pub writing: Uses,
    /// The GCRA state of each rate-limited key: in memory, for the life of the process.
    pub tats: HashMap<String, Vec<i64>, IdHash>,
    /// The client address of each key's latest pending use (as text only when written).
    pub ips: HashMap<String, std::net::IpAddr, IdHash>,
}

impl UseBook {
    /// A use to write back, and the client address it came from.
    fn note(&mut self, id: &str, cost: i64, now: i64, ip: Option<std::net::IpAddr>) {
        add_use(&mut self.pending, id, cost, now);
        self.note_ip(id, ip);
    }

    /// The client address of `id`'s latest use.
    fn note_ip(&mut self, id: &str, ip: Option<std::net::IpAddr>) {
        if let Some(ip) = ip {
            match self.ips.get_mut(id) {
                Some(last) => *last = ip,
                None => {
                    self.ips.insert(id.to_string(), ip);
                }
            }
        }
    }
}

/// Everything the request handlers share.
#[derive(Debug, Default)]
pub struct Shared {
    pub loaded: ArcSwapOption<Loaded>,
    /// The file on disk changed and could not be loaded: the last good snapshot is served.
    pub stale: AtomicBool,
    pub uses: Mutex<UseBook>,
    pub metrics: Metrics,
    /// Shared counters (`--counters`): limited keys are decided there, not in memory.
    pub counters: Option<Arc<super::counters::RedisPool>>,
    /// Answers not yet written to the history (SPEC §14).
    pub history: Mutex<crate::history::Batch>,
}

impl Shared {
    fn book(&self) -> std::sync::MutexGuard<'_, UseBook> {
        self.uses.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes a use to write back, decided elsewhere (the shared counters).
    pub fn note_use(&self, id: &str, cost: i64, now: i64, ip: Option<std::net::IpAddr>) {
        self.book().note(id, cost, now, ip);
    }

    /// Notes an answer given at `now` (unix seconds) for the history: under `key` when the
    /// token named a key of the snapshot served.
    pub fn note_answer(
        &self,
        now: i64,
        key: Option<&str>,
        code: Code,
        cost: i64,
        ip: Option<std::net::IpAddr>,
    ) {
        self.history
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .note(now, key, code, cost, ip);
    }

    /// The answers noted since the last call, for one write.
    pub fn take_history(&self) -> crate::history::Batch {
        std::mem::take(&mut *self.history.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Part of a write-back failed: these uses are pending again.
    pub fn abort_flush_of(&self, ids: &Uses) {
        let mut book = self.book();
        for (id, (n, at)) in ids {
            if book.writing.remove(id).is_some() {
                add_use(&mut book.pending, id, *n, *at);
            }
        }
    }

    /// Part of a write-back landed where no snapshot is rebuilt (the history's tally): these
    /// uses are no longer being written.
    pub fn end_flush_of(&self, ids: &Uses) {
        let mut book = self.book();
        for id in ids.keys() {
            book.writing.remove(id);
        }
    }

    /// `/healthz`'s word for the shared counters.
    pub fn counters_word(&self) -> &'static str {
        match &self.counters {
            None => "none",
            Some(c) if c.is_up() => "ok",
            Some(_) => "down",
        }
    }

    /// Records a valid request of `cost` for `key` at `now_ms`. A key with limits is decided
    /// here (engine/limits.rs): its rates from the buckets kept in memory, its uses from what
    /// the snapshot says was left (refilled if a new period began), less what this process
    /// spent since. Check and take are one step under one lock, so nothing is granted twice;
    /// a denied request takes nothing. `None` for a key with no limit (always taken).
    pub fn take(
        &self,
        loaded: &Loaded,
        key: &crate::engine::Entry,
        cost: i64,
        now_ms: i64,
        ip: Option<std::net::IpAddr>,
    ) -> Option<crate::engine::limits::Decision> {
        use crate::engine::limits;
        let now = now_ms.div_euclid(1000);
        if !key.limited() {
            self.note_use(key.id(), cost, now, ip);
            return None;
        }
        let mut guard = self.book();
        let book = &mut *guard;
        // A key in a rotation's grace period draws from its chain's budget: counted, and
        // written back, under the chain's newest key (SPEC §3 "Rotation budgets").
        let budget = key.budget_id();
        // What is pending is looked up once: read here, added to below.
        let pending = book.pending.get_mut(budget);
        let spent =
            pending.as_ref().map_or(0, |u| u.0) + book.writing.get(budget).map_or(0, |u| u.0);
        // The buckets this process keeps (taken out and put back in the same place: no copy,
        // and one lookup), else the snapshot's.
        let mut held = book.tats.get_mut(budget);
        let mut state = match held.as_deref_mut() {
            Some(tats) => crate::engine::limits::State {
                tats: std::mem::take(tats),
                remaining: key.remaining(),
                period: key.refill_period(),
            },
            None => key.state(),
        };
        // Refilled or not, the uses this process took since the snapshot are subtracted: a
        // use spent just before a refill is then counted once more than needed (never less).
        let (left, period) = limits::refreshed(key.limits(), &state, now_ms);
        // And those of the usage log the snapshot does not hold yet (granted before a restart
        // or a newer export): all of them, or since the refill when one came after it.
        // `loaded` is the snapshot `key` came from: its ledger goes with its count.
        let refill_start = key
            .limits()
            .refill
            .filter(|_| period > key.refill_period())
            .map(|r| r.start_of(key.limits().created_at, period));
        let logged = loaded.logged_uses(budget, refill_start);
        state.remaining = left.map(|l| l - spent - logged);
        state.period = period;
        let d = limits::decide(key.limits(), &state, cost, now_ms);
        let allowed = d.verdict == limits::Verdict::Allowed;
        let rates = !key.limits().rates.is_empty();
        if allowed && rates {
            state.tats.clone_from(&d.state.tats);
        }
        // Back where they were (a denial changes nothing), or kept from the first grant on.
        match held {
            Some(t) => *t = state.tats,
            None if allowed && rates => {
                book.tats.insert(budget.to_string(), state.tats);
            }
            None => {}
        }
        if allowed {
            match pending {
                Some(u) => add_to(u, cost, now),
                None => add_use(&mut book.pending, budget, cost, now),
            }
            book.note_ip(budget, ip);
        }
        Some(d)
    }

    /// Whether uses are waiting to be written back (all, or only those of limited keys).
    pub fn has_pending(&self, limited_only: bool) -> bool {
        let book = self.book();
        if !limited_only {
            return !book.pending.is_empty();
        }
        let Some(l) = self.current() else {
            return false;
        };
        book.pending
            .keys()
            .any(|id| l.snap.get(id).is_some_and(|e| e.remaining().is_some()))
    }

    /// Moves the pending uses to `writing` and returns them, for one write-back. They stay
    /// counted in `writing` until a snapshot that holds them is published.
    pub fn start_flush(&self) -> (Uses, HashMap<String, String>) {
        let mut book = self.book();
        let uses = std::mem::take(&mut book.pending);
        let ips = std::mem::take(&mut book.ips);
        for (id, (n, at)) in &uses {
            add_use(&mut book.writing, id, *n, *at);
        }
        drop(book);
        let ips = ips
            .into_iter()
            .map(|(id, ip)| (id, ip.to_string()))
            .collect();
        (uses, ips)
    }

    /// The write-back failed: its uses are pending again, to be tried later.
    pub fn abort_flush(&self) {
        let mut book = self.book();
        let back = std::mem::take(&mut book.writing);
        for (id, (n, at)) in back {
            add_use(&mut book.pending, &id, n, at);
        }
    }

    /// Uses of limited keys were written back and nobody else changed the store: the served
    /// keys take the store's counts for them, and those uses are no longer being written, in
    /// one step (a key is never counted twice, nor not at all).
    pub fn counts_written(&self, counts: &HashMap<String, (Option<i64>, i64)>) {
        let mut book = self.book();
        if let Some(l) = self.current() {
            l.snap.counts_written(counts);
        }
        for id in counts.keys() {
            book.writing.remove(id);
        }
    }

    /// Serves a new snapshot. It holds every use written back so far, so `writing` is
    /// cleared in the same step (a limited key is never counted twice, nor not at all).
    pub fn publish(&self, loaded: Loaded) {
        let mut book = self.book();
        self.loaded.store(Some(Arc::new(loaded)));
        book.writing.clear();
    }

    /// The snapshot being served, if any.
    pub fn current(&self) -> Option<Arc<Loaded>> {
        self.loaded.load_full()
    }
}
