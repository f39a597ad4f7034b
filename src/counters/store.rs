//! Counters in the admin store: state read and written under the store lock, before the
//! answer stands, so parallel CLI verifies never grant one request twice.

use super::{Counters, Take};
use crate::engine::Entry;
use crate::engine::limits::Decision;
use crate::error::Result;
use crate::store::{Store, uses};
use std::time::Duration;

/// The longest a verify of a limited key waits for another writer's lock.
pub const LIMITED_WAIT: Duration = Duration::from_secs(10);

/// The store, as the place of limited keys' state.
#[derive(Debug)]
pub struct StoreCounters<'a>(pub &'a mut Store);

impl Counters for StoreCounters<'_> {
    fn take(&mut self, key: &Entry, t: Take<'_>) -> Result<Option<Decision>> {
        self.0.write_within(LIMITED_WAIT, |tx, _| {
            uses::take(tx, key.id(), t.cost, t.now_ms, t.ip)
        })
    }
}
