//! Where the state of limited keys lives, behind one trait (SPEC §10): the decision is always
//! [`crate::engine::limits::decide`]; a place to keep state only loads it, applies the decision and
//! keeps the result, as one atomic step, so that no request is granted twice.
//!
//! - [`store::StoreCounters`]: a plain CLI `verify` of the store, under the store lock;
//! - [`ledger::LedgerCounters`]: `verify --verifier --usage-log`, under the log's lock;
//! - in memory: `serve` keeps its buckets in its use book (`serve/state.rs`), beside the
//!   uses it writes back;
//! - [`redis::RedisCounters`]: `--counters URL`, shared by a fleet (the CLI's blocking client;
//!   `serve` awaits the same script in `serve/counters.rs`).

pub mod ledger;
pub mod redis;
pub mod store;

use crate::engine::Entry;
use crate::engine::limits::Decision;
use crate::error::Result;

/// What one valid request takes: its cost, when, and from which client address.
#[derive(Debug, Clone, Copy)]
pub struct Take<'a> {
    pub cost: i64,
    pub now_ms: i64,
    pub ip: Option<&'a str>,
}

/// A place that keeps the state of limited keys.
pub trait Counters {
    /// Decides a request of a limited key and keeps the new state when it is allowed, as one
    /// step. `None`: the key is not there (any more).
    fn take(&mut self, key: &Entry, take: Take<'_>) -> Result<Option<Decision>>;
}
