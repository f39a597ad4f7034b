//! The history file: `<store>.history`, an SQLite database (WAL) beside the store, mode 0600.
//! It holds key ids, outcomes, counts, costs, times and client addresses; never a token, a
//! secret, a hash or a key's name. Writers add a batch in one short transaction (no sealed
//! write of the store); at most every ten minutes a writer also rolls old minutes into hours
//! and hours into days and drops what is past its time, so the file stays bounded by keys ×
//! buckets.
//!
//! It also holds the *tally*: uses of keys with no use limit, which the CLI and `serve` on a
//! store count here exactly instead of rewriting the store for each; `use_count` and
//! `last_used_*` as shown are the store's plus the tally's.

use super::{DAY, DAYS_KEPT, HOUR, HOURS_KEPT, MAX_IPS, MINUTE, MINUTES_KEPT, OTHER_IP, Records};
use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The history file of the store at `store`.
pub fn path_for(store: &Path) -> PathBuf {
    super::beside(store, ".history")
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS key_numbers (n INTEGER PRIMARY KEY, key_id TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS buckets (width INTEGER NOT NULL, start INTEGER NOT NULL,
  k INTEGER NOT NULL, o INTEGER NOT NULL, count INTEGER NOT NULL, cost INTEGER NOT NULL,
  PRIMARY KEY (width, start, k, o)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS buckets_by_key ON buckets (k, start);
CREATE TABLE IF NOT EXISTS ips (day INTEGER NOT NULL, k INTEGER NOT NULL, ip TEXT NOT NULL,
  o INTEGER NOT NULL, count INTEGER NOT NULL, last_at INTEGER NOT NULL,
  PRIMARY KEY (day, k, ip, o)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS refused (k INTEGER NOT NULL, at INTEGER NOT NULL,
  o INTEGER NOT NULL, ip TEXT);
CREATE INDEX IF NOT EXISTS refused_by_key ON refused (k, at);
CREATE TABLE IF NOT EXISTS tally (key_id TEXT PRIMARY KEY, uses INTEGER NOT NULL,
  last_at INTEGER NOT NULL, last_ip TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS imported (node TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
PRAGMA user_version = 1;
";

/// The number an outcome is stored as: its place in the order of the checks.
pub fn outcome_no(outcome: &str) -> i64 {
    crate::engine::Code::ALL
        .iter()
        .position(|c| c.as_str() == outcome)
        .map_or(-1, |i| i as i64)
}

/// The outcome a stored number stands for.
pub fn outcome_name(n: i64) -> &'static str {
    usize::try_from(n)
        .ok()
        .and_then(|i| crate::engine::Code::ALL.get(i))
        .map_or("unknown", |c| c.as_str())
}

/// The number a key id is stored as (rows hold numbers: a sixth of the room of text).
fn key_no(tx: &rusqlite::Transaction<'_>, key: &str) -> Result<i64> {
    tx.prepare_cached("INSERT OR IGNORE INTO key_numbers (key_id) VALUES (?1)")?
        .execute([key])?;
    Ok(tx
        .prepare_cached("SELECT n FROM key_numbers WHERE key_id = ?1")?
        .query_row([key], |r| r.get(0))?)
}

/// How often a writer rolls buckets up and drops old ones.
const COMPACT_EVERY: i64 = 600;

/// Uses to add to the tally: (key id, uses, time, client address).
pub type Uses<'a> = [(&'a str, i64, i64, Option<&'a str>)];

/// An open history file.
#[derive(Debug)]
pub struct History {
    conn: Connection,
}

impl History {
    /// Opens the history of the store at `store`, creating it (0600) when `create`; `None`
    /// when there is none and it is not to be made.
    pub fn open(store: &Path, create: bool) -> Result<Option<History>> {
        let path = path_for(store);
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true);
        if crate::store::file::open_regular(&path, "history file", &mut opts, || {
            super::not_regular(&path, "history file")
        })?
        .is_none()
        {
            if !create && !super::pending::path_for(store).exists() {
                return Ok(None);
            }
            // Two first writers may race here: the loser opens the winner's file.
            let _ = crate::store::file::create_private(&path, "history file");
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NOFOLLOW
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| Error::Io(format!("cannot open the history file: {e}")))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version == 0 {
            conn.execute_batch(SCHEMA)?;
        }
        // A commit is durable at the next checkpoint: a crash of the machine loses at most
        // the last moments of an unlimited key's records (SPEC §14).
        conn.execute_batch("PRAGMA synchronous = NORMAL;")?;
        let mut h = History { conn };
        h.fold_inbox(store)?;
        Ok(Some(h))
    }

    /// Folds the CLI's inbox (`pending.rs`) into the database, once.
    fn fold_inbox(&mut self, store: &Path) -> Result<()> {
        let now = crate::policy::now();
        let conn = &mut self.conn;
        super::pending::fold(store, |nonce, entries| {
            let tx = conn.transaction()?;
            let name = format!("inbox:{nonce}");
            let done: i64 = tx
                .query_row("SELECT value FROM settings WHERE name = ?1", [&name], |r| {
                    r.get(0)
                })
                .optional()?
                .unwrap_or(0);
            let (list, end) = entries(u64::try_from(done).unwrap_or(0));
            for e in &list {
                add(&tx, &e.r)?;
                let uses: Vec<_> =
                    e.u.iter()
                        .map(|(id, n, at, ip)| (id.as_str(), *n, *at, ip.as_deref()))
                        .collect();
                add_tally(&tx, &uses)?;
            }
            tx.execute("DELETE FROM settings WHERE name LIKE 'inbox:%'", [])?;
            tx.execute(
                "INSERT INTO settings (name, value) VALUES (?1, ?2)",
                params![name, i64::try_from(end).unwrap_or(i64::MAX)],
            )?;
            compact_if_due(&tx, now)?;
            tx.commit()?;
            Ok(())
        })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Key numbers → key ids (`""` for answers that named no key).
    pub fn key_ids(&self) -> Result<HashMap<i64, String>> {
        let mut st = self.conn.prepare("SELECT n, key_id FROM key_numbers")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A key id's number, if it was ever recorded.
    pub fn number_of(&self, key: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT n FROM key_numbers WHERE key_id = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// Writes a batch of answers and the tally's uses in one transaction.
    pub fn write(&mut self, recs: &Records, uses: &Uses<'_>, now: i64) -> Result<()> {
        let tx = self.conn.transaction()?;
        add(&tx, recs)?;
        add_tally(&tx, uses)?;
        compact_if_due(&tx, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Merges a node's records (usage log line `seq` of `node`) once: `false` when this file
    /// has them already.
    pub fn import(&mut self, node: &str, seq: i64, recs: &Records, now: i64) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let seen: i64 = tx
            .query_row("SELECT seq FROM imported WHERE node = ?1", [node], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or(0);
        if seq <= seen {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO imported (node, seq) VALUES (?1, ?2) \
             ON CONFLICT(node) DO UPDATE SET seq = excluded.seq",
            params![node, seq],
        )?;
        add(&tx, recs)?;
        compact_if_due(&tx, now)?;
        tx.commit()?;
        Ok(true)
    }

    /// The tally: key id → (uses, last time, last client address).
    pub fn tally(&self) -> Result<HashMap<String, super::Tallied>> {
        let mut st = self
            .conn
            .prepare("SELECT key_id, uses, last_at, last_ip FROM tally")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many days of history are kept (`policy set history-days`; 730 unless set).
    pub fn days(&self) -> Result<i64> {
        kept_days(&self.conn)
    }

    /// Sets how many days of history are kept (`policy set history-days`), and applies it.
    pub fn set_days(&mut self, days: i64, now: i64) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO settings (name, value) VALUES ('days', ?1) \
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [days],
        )?;
        compact(&tx, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Rolls up and drops now, whenever it last happened.
    pub fn compact_now(&mut self, now: i64) -> Result<()> {
        let tx = self.conn.transaction()?;
        compact(&tx, now)?;
        tx.commit()?;
        Ok(())
    }
}

/// How many days of history are kept: `policy set history-days`, else 730.
fn kept_days(conn: &Connection) -> Result<i64> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE name = 'days'", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(DAYS_KEPT / DAY))
}

/// Adds uses to the tally.
fn add_tally(tx: &rusqlite::Transaction<'_>, uses: &Uses<'_>) -> Result<()> {
    for (id, n, at, ip) in uses {
        tx.prepare_cached(
            "INSERT INTO tally (key_id, uses, last_at, last_ip) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT(key_id) DO UPDATE SET uses = uses + excluded.uses, \
             last_ip = CASE WHEN excluded.last_at >= last_at AND excluded.last_ip IS NOT NULL \
             THEN excluded.last_ip ELSE last_ip END, last_at = max(last_at, excluded.last_at)",
        )?
        .execute(params![id, n, at, ip])?;
    }
    Ok(())
}

/// Adds records to the buckets (as minutes), the addresses and the refused attempts.
fn add(tx: &rusqlite::Transaction<'_>, recs: &Records) -> Result<()> {
    for (minute, key, outcome, count, cost) in &recs.b {
        let k = key_no(tx, key)?;
        tx.prepare_cached(
            "INSERT INTO buckets (width, start, k, o, count, cost) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO UPDATE SET \
             count = count + excluded.count, cost = cost + excluded.cost",
        )?
        .execute(params![MINUTE, minute, k, outcome_no(outcome), count, cost])?;
    }
    for (day, key, ip, outcome, count, last) in &recs.ip {
        let k = key_no(tx, key)?;
        let known: bool = tx
            .prepare_cached("SELECT 1 FROM ips WHERE day = ?1 AND k = ?2 AND ip = ?3")?
            .exists(params![day, k, ip])?;
        let full = !known && {
            let n: i64 = tx
                .prepare_cached("SELECT count(DISTINCT ip) FROM ips WHERE day = ?1 AND k = ?2")?
                .query_row(params![day, k], |r| r.get(0))?;
            n >= MAX_IPS
        };
        let ip = if full { OTHER_IP } else { ip.as_str() };
        tx.prepare_cached(
            "INSERT INTO ips (day, k, ip, o, count, last_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             ON CONFLICT DO UPDATE SET count = count + excluded.count, \
             last_at = max(last_at, excluded.last_at)",
        )?
        .execute(params![day, k, ip, outcome_no(outcome), count, last])?;
    }
    for (at, key, outcome, ip) in &recs.r {
        let k = key_no(tx, key)?;
        tx.prepare_cached("INSERT INTO refused (k, at, o, ip) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![k, at, outcome_no(outcome), ip])?;
        tx.prepare_cached(
            "DELETE FROM refused WHERE k = ?1 AND rowid NOT IN \
             (SELECT rowid FROM refused WHERE k = ?1 ORDER BY at DESC, rowid DESC LIMIT ?2)",
        )?
        .execute(params![k, super::REFUSED_KEPT])?;
    }
    Ok(())
}

fn compact_if_due(tx: &rusqlite::Transaction<'_>, now: i64) -> Result<()> {
    let last: i64 = tx
        .query_row(
            "SELECT value FROM settings WHERE name = 'compacted'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    if now - last >= COMPACT_EVERY || now < last {
        compact(tx, now)?;
    }
    Ok(())
}

/// Rolls minutes older than 48 h into hours and hours older than 90 days into days, and
/// drops what is older than the history's days (2 years unless `history-days` says less).
fn compact(tx: &rusqlite::Transaction<'_>, now: i64) -> Result<()> {
    let keep = (kept_days(tx)? * DAY).min(DAYS_KEPT);
    for (from, to, age) in [(MINUTE, HOUR, MINUTES_KEPT), (HOUR, DAY, HOURS_KEPT)] {
        let before = now - age;
        tx.execute(
            "INSERT INTO buckets (width, start, k, o, count, cost) \
             SELECT ?2, start - (start % ?2), k, o, sum(count), sum(cost) FROM buckets \
             WHERE width = ?1 AND start < ?3 GROUP BY start - (start % ?2), k, o \
             ON CONFLICT DO UPDATE SET count = count + excluded.count, cost = cost + excluded.cost",
            params![from, to, before - before.rem_euclid(to)],
        )?;
        tx.execute(
            "DELETE FROM buckets WHERE width = ?1 AND start < ?2",
            params![from, before - before.rem_euclid(to)],
        )?;
    }
    tx.execute("DELETE FROM buckets WHERE start < ?1", [now - keep])?;
    tx.execute(
        "DELETE FROM ips WHERE day < ?1",
        [now - keep.min(HOURS_KEPT)],
    )?;
    tx.execute("DELETE FROM refused WHERE at < ?1", [now - keep])?;
    tx.execute(
        "INSERT INTO settings (name, value) VALUES ('compacted', ?1) \
         ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        [now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000 - 1_800_000_000 % DAY;

    fn minute(at: i64, key: &str, outcome: &str, n: i64) -> Records {
        Records {
            b: vec![(at - at.rem_euclid(MINUTE), key.into(), outcome.into(), n, n)],
            ..Records::default()
        }
    }

    fn widths(h: &History) -> Vec<(i64, i64, i64)> {
        let mut st = h
            .conn
            .prepare("SELECT width, start, count FROM buckets ORDER BY start")
            .unwrap();
        assert!(outcome_no("valid") == 0 && outcome_name(2) == "unknown");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn old_minutes_roll_into_hours_and_days_and_the_oldest_go() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.apikeys");
        let mut h = History::open(&store, true).unwrap().unwrap();
        // Two answers 3 days ago in one hour, one 100 days ago, one 3 years ago, one now.
        for (at, n) in [
            (NOW - 3 * DAY + 60, 2),
            (NOW - 3 * DAY + 1200, 3),
            (NOW - 100 * DAY + 5, 7),
            (NOW - 1100 * DAY, 1),
            (NOW + 30, 4),
        ] {
            h.write(&minute(at, "k", "valid", n), &[], NOW - 5 * 365 * DAY)
                .unwrap();
        }
        h.compact_now(NOW + 60).unwrap();
        assert_eq!(
            widths(&h),
            [
                (DAY, NOW - 100 * DAY, 7),
                (HOUR, NOW - 3 * DAY, 5),
                (MINUTE, NOW, 4)
            ]
        );
        // Hours read back through any wider bucket; a day sums what it holds.
        let rows = h.rows(DAY, NOW - 200 * DAY, NOW + DAY, &[]).unwrap();
        let total: i64 = rows.iter().map(|r| r.count).sum();
        assert_eq!(total, 16);
        // history-days 30: what is older goes at once.
        h.set_days(30, NOW + 60).unwrap();
        assert_eq!(widths(&h), [(HOUR, NOW - 3 * DAY, 5), (MINUTE, NOW, 4)]);
    }

    #[test]
    fn a_node_s_records_merge_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.apikeys");
        let mut h = History::open(&store, true).unwrap().unwrap();
        let r = minute(NOW, "k", "unknown", 3);
        assert!(h.import("node1", 5, &r, NOW).unwrap());
        assert!(!h.import("node1", 5, &r, NOW).unwrap());
        assert!(!h.import("node1", 4, &r, NOW).unwrap());
        assert!(h.import("node2", 1, &r, NOW).unwrap());
        assert_eq!(widths(&h), [(MINUTE, NOW, 6)]);
    }

    #[test]
    fn an_inbox_is_folded_once_even_when_emptying_it_did_not_happen() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.apikeys");
        let entry = |n| crate::history::pending::Entry {
            r: minute(NOW, "k", "valid", n),
            u: vec![("k".into(), n, NOW, None)],
        };
        crate::history::pending::append(&store, &entry(2)).unwrap();
        crate::history::pending::append(&store, &entry(3)).unwrap();
        let inbox = std::fs::read(crate::history::pending::path_for(&store)).unwrap();
        let h = History::open(&store, false).unwrap().unwrap();
        assert_eq!(widths(&h), [(MINUTE, NOW, 5)]);
        drop(h);
        // A fold that committed and died before emptying the inbox: nothing twice.
        std::fs::write(crate::history::pending::path_for(&store), &inbox).unwrap();
        let h = History::open(&store, false).unwrap().unwrap();
        assert_eq!(widths(&h), [(MINUTE, NOW, 5)]);
        assert_eq!(h.tally().unwrap()["k"].0, 5);
        drop(h);
        // A new inbox after that is folded in full.
        crate::history::pending::append(&store, &entry(1)).unwrap();
        let h = History::open(&store, false).unwrap().unwrap();
        assert_eq!(widths(&h), [(MINUTE, NOW, 6)]);
    }

    #[test]
    fn a_planted_symlink_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.apikeys");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), path_for(&store)).unwrap();
        assert!(History::open(&store, true).is_err());
        assert!(!dir.path().join("elsewhere").exists());
    }
}
