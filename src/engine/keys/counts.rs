//! A key's uses left and their refill period: as loaded, and brought up to date in place by a
//! process that wrote uses back itself.

use super::KeySet;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};

/// A key's uses left (none: no limit) and the refill period they belong to: as loaded, and
/// brought up to date in place by a process that wrote uses back itself (`serve`), so that
/// the whole key set need not be read again for it ([`KeySet::counts_written`]).
pub(super) struct Counts {
    remaining: AtomicI64,
    period: AtomicI64,
}

/// `remaining` of a key with no use limit.
const NO_USE_LIMIT: i64 = i64::MIN;

impl Counts {
    pub(super) fn new(remaining: Option<i64>, period: i64) -> Counts {
        Counts {
            remaining: remaining.unwrap_or(NO_USE_LIMIT).into(),
            period: period.into(),
        }
    }

    pub(super) fn remaining(&self) -> Option<i64> {
        let r = self.remaining.load(Ordering::Acquire);
        (r != NO_USE_LIMIT).then_some(r)
    }

    pub(super) fn period(&self) -> i64 {
        self.period.load(Ordering::Acquire)
    }

    /// The store's figures after a write-back of this process's own.
    fn set(&self, remaining: i64, period: i64) {
        self.remaining.store(remaining, Ordering::Release);
        self.period.store(period, Ordering::Release);
    }
}

impl KeySet {
    /// After this process wrote uses back to the store and nobody else changed it: each
    /// key's uses left and refill period as the store now holds them, by the id of the key
    /// (the budget) they were written under; keys in a rotation's grace period take their
    /// budget's. The caller makes this one step with forgetting the uses written.
    pub fn counts_written(&self, counts: &HashMap<String, (Option<i64>, i64)>) {
        for e in self
            .counted
            .iter()
            .filter_map(|&i| self.entries.get(i as usize))
        {
            let (Some(m), Some((remaining, period))) = (&e.more, counts.get(e.budget_id())) else {
                continue;
            };
            // A key with no use limit in the snapshot keeps none (an edit is a reload).
            if let (Some(_), Some(r)) = (m.counts.remaining(), remaining) {
                m.counts.set(*r, *period);
            }
        }
    }
}
