//! The leak scanner (SPEC §11): finds apikeys tokens by shape and checksum in trees (walked
//! like ripgrep, with the `ignore` crate: .gitignore honoured, binary and huge files skipped,
//! symlinks not followed, files in parallel), in stdin, in every blob of a git history, or
//! in what is staged; and says of each whether it is live, from the store or a snapshot.

pub mod git;
pub mod matcher;
pub mod report;

use crate::engine::{Code, KeySet, Request};
use matcher::{Hit, Matcher};
use serde::Serialize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Files larger than this are skipped (and said so with `--verbose`).
pub const MAX_FILE: u64 = 32 << 20;
/// A NUL in the first block marks a binary file.
const BINARY_PROBE: usize = 8192;

/// What a found token is, as far as the store or snapshot can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Live,
    Unchecked,
    Revoked,
    Expired,
    Unknown,
}

impl Status {
    /// The word used everywhere.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Live => "live",
            Status::Unchecked => "unchecked",
            Status::Revoked => "revoked",
            Status::Expired => "expired",
            Status::Unknown => "unknown",
        }
    }

    /// Whether it fails the gate (exit 20): live, or unchecked (a gate fails closed).
    pub fn fails(self) -> bool {
        matches!(self, Status::Live | Status::Unchecked)
    }
}

/// One finding. Never holds the secret: `key` is masked.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub path: String,
    pub line: usize,
    pub column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub key: String,
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub status: Status,
}

/// Tells the status of a token from the keys of a store or a snapshot (or cannot).
#[derive(Debug)]
pub struct Checker {
    pub keys: Option<KeySet>,
    pub now: i64,
}

impl Checker {
    /// The status and name of the token `text` (the secret is compared, as `verify` does).
    fn status(&self, text: &str) -> (Status, Option<String>) {
        let Some(keys) = &self.keys else {
            return (Status::Unchecked, None);
        };
        let out = keys.check(text, &Request::default(), self.now);
        let status = match out.code {
            // A key limited to some addresses, or to uses, is live all the same.
            Code::Valid | Code::IpDenied | Code::ScopeDenied | Code::UsageExceeded => Status::Live,
            Code::Inactive => Status::Revoked,
            Code::Expired => Status::Expired,
            _ => Status::Unknown,
        };
        (status, out.name)
    }
}

/// Counts for the progress line and `--verbose`.
#[derive(Debug, Default)]
pub struct Tally {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub found: AtomicU64,
    pub skipped_big: AtomicU64,
    pub skipped_binary: AtomicU64,
}

/// Scans one buffer; `path` and `commit` say where it came from.
pub fn scan_bytes(
    m: &Matcher,
    checker: &Checker,
    buf: &[u8],
    path: &str,
    commit: Option<&str>,
) -> Vec<Finding> {
    m.find(buf)
        .into_iter()
        .map(|h: Hit| {
            let text = std::str::from_utf8(&buf[h.offset..h.offset + h.len]).unwrap_or("");
            let (status, name) = checker.status(text);
            Finding {
                path: path.to_string(),
                line: h.line,
                column: h.column,
                commit: commit.map(str::to_string),
                key: h.masked,
                key_id: h.key_id,
                name,
                status,
            }
        })
        .collect()
}

/// Whether the first block of `buf` holds a NUL (a binary file).
pub fn is_binary(buf: &[u8]) -> bool {
    memchr::memchr(0, &buf[..buf.len().min(BINARY_PROBE)]).is_some()
}

/// Walks `paths` in parallel like ripgrep and scans every text file.
pub fn scan_paths(
    paths: &[std::path::PathBuf],
    m: &Matcher,
    checker: &Checker,
    tally: &Tally,
    verbose: bool,
) -> Vec<Finding> {
    let Some((first, rest)) = paths.split_first() else {
        return vec![];
    };
    let mut b = ignore::WalkBuilder::new(first);
    for p in rest {
        b.add(p);
    }
    // Secrets hide in dotfiles (.env): read them, but never inside .git itself.
    b.hidden(false)
        .follow_links(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    let found = Mutex::new(Vec::new());
    b.build_parallel().run(|| {
        Box::new(|entry| {
            let Ok(e) = entry else {
                return ignore::WalkState::Continue;
            };
            if !e.file_type().is_some_and(|t| t.is_file()) {
                return ignore::WalkState::Continue;
            }
            let path = e.path();
            let shown = path
                .strip_prefix("./")
                .unwrap_or(path)
                .display()
                .to_string();
            if e.metadata().is_ok_and(|md| md.len() > MAX_FILE) {
                tally.skipped_big.fetch_add(1, Ordering::Relaxed);
                if verbose {
                    eprintln!("skipped (over {} MiB): {shown}", MAX_FILE >> 20);
                }
                return ignore::WalkState::Continue;
            }
            let Ok(buf) = std::fs::read(path) else {
                return ignore::WalkState::Continue;
            };
            tally.files.fetch_add(1, Ordering::Relaxed);
            tally.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
            if is_binary(&buf) {
                tally.skipped_binary.fetch_add(1, Ordering::Relaxed);
                if verbose {
                    eprintln!("skipped (binary): {shown}");
                }
                return ignore::WalkState::Continue;
            }
            let hits = scan_bytes(m, checker, &buf, &shown, None);
            if !hits.is_empty() {
                tally.found.fetch_add(hits.len() as u64, Ordering::Relaxed);
                found.lock().unwrap_or_else(|p| p.into_inner()).extend(hits);
            }
            ignore::WalkState::Continue
        })
    });
    let mut all = found.into_inner().unwrap_or_else(|p| p.into_inner());
    sort(&mut all);
    all
}

/// Findings in a stable order: path, line, column.
pub fn sort(all: &mut [Finding]) {
    all.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.commit).cmp(&(&b.path, b.line, b.column, &b.commit))
    });
}
