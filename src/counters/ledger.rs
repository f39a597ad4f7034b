//! Counters in a snapshot's usage log: the log is the ledger that separate verifies on one
//! snapshot share, read and appended under the log's lock.

use super::{Counters, Take};
use crate::engine::Entry;
use crate::engine::limits::Decision;
use crate::error::Result;
use crate::snapshot::usage_log::UsageLog;
use std::collections::HashMap;

/// A usage log, with the marks of what the snapshot already counts.
#[derive(Debug)]
pub struct LedgerCounters<'a> {
    pub log: &'a mut UsageLog,
    pub marks: &'a HashMap<String, i64>,
}

impl Counters for LedgerCounters<'_> {
    fn take(&mut self, key: &Entry, t: Take<'_>) -> Result<Option<Decision>> {
        self.log
            .take(key, self.marks, t.cost, t.now_ms, t.ip)
            .map(Some)
    }
}
