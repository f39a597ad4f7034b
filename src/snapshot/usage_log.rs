//! Use records of verifier nodes (SPEC §8): JSON lines appended to `--usage-log`, one per key
//! and flush, each with the node's id and a sequence number, so that `apikeys usage import`
//! can merge them into the store idempotently. Every append takes an exclusive lock on the
//! log and numbers its lines from what the file holds then, so any number of processes may
//! append to one log (a CI runner's parallel verifies) and no record is lost or numbered
//! twice. The same lock makes the log a ledger: a verify of a limited key on a snapshot reads
//! the uses already taken, decides, and appends its own in one step.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// One line of a usage log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    /// The node that wrote it (random, kept in `<log>.node`).
    pub node: String,
    /// Grows by one per line of that node.
    pub seq: i64,
    /// Empty on a line of history.
    #[serde(default)]
    pub key_id: String,
    /// 0 on a line of history.
    #[serde(default)]
    pub uses: i64,
    /// RFC 3339.
    pub last_used: String,
    /// A rate-limited key's GCRA state after this use (engine/limits.rs), so that verifies
    /// sharing the log share their buckets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tats: Option<Vec<i64>>,
    /// The client address of the latest of these uses, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// A line of history instead of uses (SPEC §14): the node's answers since its last
    /// flush, merged by `usage import` into the store's history file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<crate::history::Records>,
}

/// An open usage log: appended with O_APPEND under an exclusive lock, fsynced at every flush.
#[derive(Debug)]
pub struct UsageLog {
    path: PathBuf,
    node: String,
    file: File,
}

/// Uses recorded in a usage log and not yet counted by a snapshot: key id → (time, uses).
pub type Ledger = HashMap<String, Vec<(i64, i64)>>;

/// The most uses one record may carry: a node flushes at least once a minute, so more is
/// not a count but a forgery or a bug.
pub const MAX_RECORD_USES: i64 = 100_000_000;

fn node_path(log: &Path) -> PathBuf {
    let mut name = log.file_name().unwrap_or_default().to_os_string();
    name.push(".node");
    log.with_file_name(name)
}

/// Opens a log or node file as a regular file only (`store::file::open_regular`): a planted
/// link must not make a node append its records, or take its identity, from a file elsewhere
/// (SPEC §8, as for the store's lock file).
fn open_regular(path: &Path, what: &str, opts: &mut OpenOptions) -> Result<Option<File>> {
    crate::store::file::open_regular(path, what, opts, || {
        Error::Refused {
        message: format!(
            "the {what} {} is not a regular file (a symlink?)",
            crate::text::sanitize(&path.display().to_string())
        ),
        hint: "give --usage-log the path of a regular file in a directory only you can write; apikeys creates it".into(),
    }
    })
}

impl UsageLog {
    /// Opens (or creates, 0600) the log and its node id.
    pub fn open(path: &Path) -> Result<UsageLog> {
        // JSON lines: a file that begins otherwise (the store, a snapshot) is never appended to.
        crate::store::file::refuse_other_file(path, "usage log", |b| b.starts_with(b"{"))?;
        crate::store::file::ensure_dir(path)?;
        let np = node_path(path);
        let existing =
            match open_regular(&np, "usage log node file", OpenOptions::new().read(true))? {
                Some(mut f) => {
                    let mut s = String::new();
                    std::io::Read::read_to_string(&mut f, &mut s)
                        .map_err(|e| Error::io("read", &np, e))?;
                    s
                }
                None => String::new(),
            };
        let node = match existing {
            s if !s.trim().is_empty() => s.trim().to_string(),
            _ => {
                let id = crate::token::random_base62(16)?;
                // Two first appenders may race here: the one that loses reads the winner's id.
                match crate::store::file::create_private(&np, "usage log node id") {
                    Ok(mut f) => {
                        f.write_all(format!("{id}\n").as_bytes())
                            .and_then(|()| f.sync_all())
                            .map_err(|e| Error::io("write", &np, e))?;
                        id
                    }
                    Err(_) => {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        std::fs::read_to_string(&np)
                            .map_err(|e| Error::io("read", &np, e))?
                            .trim()
                            .to_string()
                    }
                }
            }
        };
        let file = open_regular(
            path,
            "usage log",
            OpenOptions::new()
                .append(true)
                .read(true)
                .create(true)
                .mode(0o600),
        )?
        .ok_or_else(|| Error::Io(format!("cannot create the usage log {}", path.display())))?;
        Ok(UsageLog {
            path: path.to_path_buf(),
            node,
            file,
        })
    }

    /// Runs `f` under the log's exclusive lock with the records it holds now.
    fn locked<T>(&mut self, f: impl FnOnce(&mut Self, &[Line]) -> Result<T>) -> Result<T> {
        self.file
            .lock()
            .map_err(|e| Error::io("lock", &self.path, e))?;
        let result = std::fs::read(&self.path)
            .map_err(|e| Error::io("read", &self.path, e))
            .map(|b| parse_lenient(&b))
            .and_then(|lines| f(self, &lines));
        let _ = self.file.unlock();
        result
    }

    /// Appends `uses` after the lines already there (under the lock). Each record's sequence
    /// number is the larger of the next after this node's highest in the file and the time in
    /// microseconds: a new file (a rotated log, `mv usage.log usage.log.1`) never starts the
    /// node's sequence again, so `usage import` never takes new records for imported ones.
    fn append_locked(
        &mut self,
        lines: &[Line],
        uses: &[(&str, i64, i64, Option<&str>)],
        tats: Option<Vec<i64>>,
        history: Option<crate::history::Records>,
    ) -> Result<()> {
        let top = lines
            .iter()
            .filter(|l| l.node == self.node)
            .map(|l| l.seq)
            .max()
            .unwrap_or(0);
        let now_us = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX / 2));
        let mut text = String::new();
        let mut seqs = (top + 1).max(now_us)..;
        for (seq, (id, n, at, ip)) in seqs.by_ref().zip(uses) {
            let line = Line {
                node: self.node.clone(),
                seq,
                key_id: (*id).to_string(),
                uses: *n,
                last_used: crate::text::rfc3339(*at),
                tats: tats.clone(),
                ip: ip.map(str::to_string),
                history: None,
            };
            text.push_str(&serde_json::to_string(&line)?);
            text.push('\n');
        }
        if let Some(h) = history.filter(|h| !h.is_empty()) {
            let line = Line {
                node: self.node.clone(),
                seq: seqs.next().unwrap_or(i64::MAX),
                key_id: String::new(),
                uses: 0,
                last_used: crate::text::rfc3339(now_us / 1_000_000),
                tats: None,
                ip: None,
                history: Some(h),
            };
            text.push_str(&serde_json::to_string(&line)?);
            text.push('\n');
        }
        if text.is_empty() {
            return Ok(());
        }
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| Error::io("append to", &self.path, e))
    }

    /// Appends one line per key, and one of history when given, and fsyncs.
    pub fn append<S>(
        &mut self,
        uses: &HashMap<String, (i64, i64), S>,
        ips: &HashMap<String, String>,
        history: Option<crate::history::Records>,
    ) -> Result<()> {
        let mut rows: Vec<(&str, i64, i64, Option<&str>)> = uses
            .iter()
            .map(|(id, (n, at))| (id.as_str(), *n, *at, ips.get(id).map(String::as_str)))
            .collect();
        rows.sort();
        self.locked(|log, lines| log.append_locked(lines, &rows, None, history))
    }

    /// The uses the log holds that a snapshot exported with `marks` does not count yet (its
    /// records after each node's mark): key id → (unix time, uses) of each record. `serve`
    /// starts from these, after a restart or a newer export that was made before they were
    /// imported, so that it never grants a key's uses twice.
    pub fn ledger(&mut self, marks: &HashMap<String, i64>) -> Result<Ledger> {
        self.locked(|_, lines| {
            let mut out: Ledger = HashMap::new();
            for l in lines
                .iter()
                .filter(|l| l.history.is_none())
                .filter(|l| l.seq > marks.get(&l.node).copied().unwrap_or(0))
            {
                let at =
                    chrono::DateTime::parse_from_rfc3339(&l.last_used).map_or(0, |t| t.timestamp());
                out.entry(l.key_id.clone()).or_default().push((at, l.uses));
            }
            Ok(out)
        })
    }

    /// Decides a request of `cost` for a limited key as a ledger, under the log's lock. The
    /// snapshot's count was exported with every record up to `marks[node]` already in it;
    /// the records after those are uses it does not count yet. A refill period that began
    /// after the export starts again from the refill's N, less the uses recorded since it
    /// began. A rate's state is the latest record's. An allowed request appends its record
    /// in the same step, so no use or rate is granted twice.
    pub fn take(
        &mut self,
        key: &crate::engine::Entry,
        marks: &HashMap<String, i64>,
        cost: i64,
        now_ms: i64,
        ip: Option<&str>,
    ) -> Result<crate::engine::limits::Decision> {
        use crate::engine::limits;
        self.locked(|log, lines| {
            // A key in a rotation's grace period takes from its chain's budget.
            let budget = key.budget_id();
            let mine = || lines.iter().filter(|l| l.key_id == budget);
            let mut state = key.state();
            if let Some(last) = mine().filter_map(|l| l.tats.as_ref()).next_back() {
                state.tats = last.clone();
            }
            let now = now_ms.div_euclid(1000);
            let (refilled, period) = limits::refreshed(key.limits(), &state, now_ms);
            state.remaining = match (key.limits().refill, state.remaining) {
                (Some(r), Some(_)) if period > key.refill_period() => {
                    let start = r.start_of(key.limits().created_at, period);
                    let since: i64 = mine()
                        .filter(|l| {
                            chrono::DateTime::parse_from_rfc3339(&l.last_used)
                                .is_ok_and(|t| t.timestamp() >= start)
                        })
                        .map(|l| l.uses)
                        .sum();
                    refilled.map(|n| n - since)
                }
                _ => state.remaining.map(|r| {
                    r - mine()
                        .filter(|l| l.seq > marks.get(&l.node).copied().unwrap_or(0))
                        .map(|l| l.uses)
                        .sum::<i64>()
                }),
            };
            state.period = period;
            let d = limits::decide(key.limits(), &state, cost, now_ms);
            if d.verdict == limits::Verdict::Allowed {
                let tats = (!key.limits().rates.is_empty()).then(|| d.state.tats.clone());
                log.append_locked(lines, &[(budget, cost, now, ip)], tats, None)?;
            }
            Ok(d)
        })
    }
}

/// Every well-formed record of a log as appenders see it (a torn or foreign line is skipped:
/// the ledger counts what can be counted; `usage import` is where a bad line is refused).
fn parse_lenient(bytes: &[u8]) -> Vec<Line> {
    bytes
        .split(|b| *b == b'\n')
        .filter_map(|l| serde_json::from_slice::<Line>(l).ok())
        .collect()
}

/// What reading a usage log found.
#[derive(Debug, Default)]
pub struct Read {
    pub lines: Vec<Line>,
    /// A torn last line (a node that crashed mid-write): skipped, never fatal.
    pub torn: usize,
}

/// Why line `n` of `path` is refused.
fn bad_line(path: &Path, n: usize, why: &str) -> Error {
    Error::WrongKind {
        message: format!("{}: line {n}: {why}", path.display()),
        hint: "give usage logs written by `--usage-log`; nothing was merged".into(),
    }
}

/// Checks one record: every field in range, so that a forged or absurd record is refused.
fn check_line(l: &Line, now: i64) -> std::result::Result<(), &'static str> {
    let plain = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if l.node.is_empty() || l.node.len() > 64 || !plain(&l.node) {
        return Err("the node id is empty or not a node id");
    }
    if l.seq < 1 {
        return Err("the sequence number is not positive");
    }
    if let Some(h) = &l.history {
        if !l.key_id.is_empty() || l.uses != 0 || l.tats.is_some() {
            return Err("a line of history also holds uses");
        }
        return h.check(now);
    }
    if l.key_id.len() != crate::token::ID_LEN || !crate::token::is_base62(&l.key_id) {
        return Err("the key id is not a key id");
    }
    if !(1..=MAX_RECORD_USES).contains(&l.uses) {
        return Err("the use count is out of range (1 to 100000000)");
    }
    let at = chrono::DateTime::parse_from_rfc3339(&l.last_used)
        .map_err(|_| "last_used is not an RFC 3339 time")?
        .timestamp();
    // 2000-01-01 to a day ahead of this clock.
    if !(946_684_800..=now + 86_400).contains(&at) {
        return Err("last_used is out of range");
    }
    Ok(())
}

/// Reads a usage log strictly: every line must be a record in range, or the whole file is
/// refused with the line number. Only a torn last line (a node that crashed mid-write) is
/// skipped.
pub fn read(path: &Path) -> Result<Read> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let now = crate::policy::now();
    let mut out = Read::default();
    let complete = bytes.is_empty() || bytes.ends_with(b"\n");
    let pieces: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let n = pieces.len();
    for (i, piece) in pieces.into_iter().enumerate() {
        let last = i + 1 == n;
        if piece.is_empty() && last {
            continue;
        }
        let parsed = std::str::from_utf8(piece)
            .ok()
            .and_then(|s| serde_json::from_str::<Line>(s).ok());
        match parsed {
            _ if last && !complete && i > 0 => {
                out.torn += 1;
            }
            None => return Err(bad_line(path, i + 1, "not a usage record")),
            Some(l) => {
                check_line(&l, now).map_err(|why| bad_line(path, i + 1, why))?;
                out.lines.push(l);
            }
        }
    }
    Ok(out)
}
