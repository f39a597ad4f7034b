//! The leak scanner (SPEC §11): finds apikeys tokens by shape and checksum in trees (walked
//! like ripgrep, with the `ignore` crate: .gitignore honoured, binary files skipped, huge ones
//! read a chunk of lines at a time,
//! symlinks not followed, files in parallel), in stdin, in every blob of a git history, or
//! in what is staged; and says of each whether it is live, from the store or a snapshot.

pub mod baseline;
pub mod git;
pub mod matcher;
pub mod report;

use crate::engine::{Code, KeySet, Request};
use matcher::{Hit, Matcher};
use serde::Serialize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Files larger than this are not held at once but read as they come, a chunk of whole lines
/// at a time; a single line longer than this is not read (counted, and said).
pub const MAX_FILE: u64 = 32 << 20;
/// A NUL in the first block marks a binary file.
const BINARY_PROBE: usize = 8192;

/// What a found token is, as far as the store or snapshot can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
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
    /// Who the finding is across edits: a hash of key id, path and the line's content with
    /// every token in it masked. Never derived from a secret.
    pub fingerprint: String,
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
    /// Files and folders that could not be read (permissions, a line over [`MAX_FILE`]).
    pub unreadable: AtomicU64,
    pub skipped_binary: AtomicU64,
    /// Findings on lines that carry an `apikeys:allow` comment, not reported.
    pub allowed: AtomicU64,
}

/// The marker that keeps a line's tokens out of the findings (test fixtures, documentation).
pub const ALLOW_MARK: &[u8] = b"apikeys:allow";

/// The line of `buf` around `offset`, without its line ending.
fn line_at(buf: &[u8], offset: usize) -> &[u8] {
    let start = memchr::memrchr(b'\n', &buf[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &buf[offset..]).map_or(buf.len(), |i| offset + i);
    let line = &buf[start..end];
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A finding's fingerprint: SHA-256 over key id, path and the line with its tokens masked.
/// It survives edits elsewhere in the file (no line number in it), and changes when the line
/// itself or the file's path does.
fn fingerprint(m: &Matcher, key_id: &str, path: &str, line: &[u8]) -> String {
    use sha2::Digest;
    let mut masked = Vec::with_capacity(line.len());
    let mut at = 0;
    for h in m.find(line) {
        masked.extend_from_slice(&line[at..h.offset]);
        masked.extend_from_slice(h.masked.as_bytes());
        at = h.offset + h.len;
    }
    masked.extend_from_slice(&line[at..]);
    let mut d = sha2::Sha256::new();
    for part in [
        b"apikeys-finding-v1".as_slice(),
        key_id.as_bytes(),
        path.as_bytes(),
        &masked,
    ] {
        d.update((part.len() as u64).to_be_bytes());
        d.update(part);
    }
    crate::hex::encode(&d.finalize()[..16])
}

/// Scans one buffer; `path` and `commit` say where it came from. A token on a line with an
/// `apikeys:allow` comment is counted in `tally` and not reported.
pub fn scan_bytes(
    m: &Matcher,
    checker: &Checker,
    tally: &Tally,
    buf: &[u8],
    path: &str,
    commit: Option<&str>,
) -> Vec<Finding> {
    m.find(buf)
        .into_iter()
        .filter_map(|h: Hit| {
            let line = line_at(buf, h.offset);
            if memchr::memmem::find(line, ALLOW_MARK).is_some() {
                tally.allowed.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            let text = std::str::from_utf8(&buf[h.offset..h.offset + h.len]).unwrap_or("");
            let (status, name) = checker.status(text);
            let fingerprint = fingerprint(m, &h.key_id, path, line);
            Some(Finding {
                path: path.to_string(),
                line: h.line,
                column: h.column,
                commit: commit.map(str::to_string),
                key: h.masked,
                key_id: h.key_id,
                name,
                status,
                fingerprint,
            })
        })
        .collect()
}

/// Stdin is read in chunks of whole lines of about this size, so that no size caps it.
const STDIN_CHUNK: usize = 8 << 20;

/// Scans `r` (stdin) to its end, a chunk of whole lines at a time: a log of any size piped in
/// is read to its last line, never cut short (a gate would pass on what it did not read).
/// A single line longer than [`MAX_FILE`] is an error, not a pass.
pub fn scan_reader(
    m: &Matcher,
    checker: &Checker,
    tally: &Tally,
    mut r: impl std::io::Read,
    path: &str,
) -> std::io::Result<Vec<Finding>> {
    use std::io::Read;
    let mut buf: Vec<u8> = Vec::with_capacity(STDIN_CHUNK);
    let mut lines_before = 0;
    let mut findings = Vec::new();
    let mut eof = false;
    let mut want = STDIN_CHUNK;
    loop {
        // Up to `want` bytes (a chunk left over from a long line may hold them already);
        // fewer than asked means the end was reached.
        let need = want.saturating_sub(buf.len());
        if !eof && need > 0 {
            eof = (&mut r).take(need as u64).read_to_end(&mut buf)? < need;
        }
        let cut = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf) {
                Some(i) => i + 1,
                None if buf.len() as u64 >= MAX_FILE => {
                    return Err(std::io::Error::other(format!(
                        "a line of it is longer than {} MiB",
                        MAX_FILE >> 20
                    )));
                }
                // No whole line yet: read on.
                None => {
                    want = buf.len() + STDIN_CHUNK;
                    continue;
                }
            }
        };
        let piece = &buf[..cut];
        findings.extend(
            scan_bytes(m, checker, tally, piece, path, None)
                .into_iter()
                .map(|mut f| {
                    f.line += lines_before;
                    f
                }),
        );
        lines_before += memchr::memchr_iter(b'\n', piece).count();
        buf.drain(..cut);
        want = STDIN_CHUNK;
        if eof {
            return Ok(findings);
        }
    }
}

/// How a tree is walked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Walk {
    /// Read files that .gitignore (and .ignore, git's excludes) would skip.
    pub no_ignore: bool,
    /// Name every file skipped, and why, on stderr.
    pub verbose: bool,
}

fn walker(paths: &[std::path::PathBuf], no_ignore: bool) -> Option<ignore::WalkBuilder> {
    let (first, rest) = paths.split_first()?;
    let mut b = ignore::WalkBuilder::new(first);
    for p in rest {
        b.add(p);
    }
    if no_ignore {
        b.standard_filters(false);
    }
    // Secrets hide in dotfiles (.env): read them, but never inside .git itself.
    b.hidden(false)
        .follow_links(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    Some(b)
}

fn shown(path: &std::path::Path) -> String {
    crate::text::sanitize(
        &path
            .strip_prefix("./")
            .unwrap_or(path)
            .display()
            .to_string(),
    )
}

/// With `--verbose`: the files .gitignore keeps out of a scan, named once each (a leak often
/// sits in an ignored `.env` or `logs/`).
fn say_ignored(paths: &[std::path::PathBuf]) {
    let (Some(honour), Some(all)) = (walker(paths, false), walker(paths, true)) else {
        return;
    };
    let kept: std::collections::HashSet<std::path::PathBuf> = honour
        .build()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .collect();
    for e in all.build().filter_map(Result::ok) {
        if e.file_type().is_some_and(|t| t.is_file()) && !kept.contains(e.path()) {
            eprintln!(
                "skipped (ignored by .gitignore; --no-ignore reads it): {}",
                shown(e.path())
            );
        }
    }
}

/// One file of a tree: read whole, or, over [`MAX_FILE`] (a log, a dump), as it comes, a
/// chunk of whole lines at a time: never skipped, so a gate cannot pass on what it left
/// unread. Binary files are skipped. `Err`: why it could not be read.
fn scan_file(
    m: &Matcher,
    checker: &Checker,
    tally: &Tally,
    path: &std::path::Path,
    shown: &str,
    verbose: bool,
) -> std::result::Result<Vec<Finding>, String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let size = f.metadata().map_or(0, |md| md.len());
    let big = size > MAX_FILE;
    // A big file's first block only (enough to tell a binary one), a small one whole.
    let mut head = Vec::with_capacity(if big { BINARY_PROBE } else { size as usize + 1 });
    (&mut f)
        .take(if big { BINARY_PROBE as u64 } else { u64::MAX })
        .read_to_end(&mut head)
        .map_err(|e| e.to_string())?;
    tally.files.fetch_add(1, Ordering::Relaxed);
    tally.bytes.fetch_add(
        if big { size } else { head.len() as u64 },
        Ordering::Relaxed,
    );
    if is_binary(&head) {
        tally.skipped_binary.fetch_add(1, Ordering::Relaxed);
        if verbose {
            eprintln!("skipped (binary): {}", crate::text::sanitize(shown));
        }
        return Ok(vec![]);
    }
    if !big {
        return Ok(scan_bytes(m, checker, tally, &head, shown, None));
    }
    scan_reader(
        m,
        checker,
        tally,
        std::io::Cursor::new(head).chain(f),
        shown,
    )
    .map_err(|e| e.to_string())
}

/// The path and the reason of a walk error (ignore wraps an I/O error with its path).
fn walk_error(err: &ignore::Error) -> (String, String) {
    match err {
        ignore::Error::WithPath { path, err } => (path.display().to_string(), err.to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(err)
        }
        other => ("(a path)".to_string(), other.to_string()),
    }
}

/// A file that could not be read: counted (scan says how many, always) and, with
/// `--verbose`, named.
fn unreadable(tally: &Tally, verbose: bool, shown: &str, why: &str) {
    tally.unreadable.fetch_add(1, Ordering::Relaxed);
    if verbose {
        eprintln!(
            "not read ({}): {}",
            crate::text::sanitize(why),
            crate::text::sanitize(shown)
        );
    }
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
    how: Walk,
) -> Vec<Finding> {
    let Some(b) = walker(paths, how.no_ignore) else {
        return vec![];
    };
    let verbose = how.verbose;
    if verbose && !how.no_ignore {
        say_ignored(paths);
    }
    let found = Mutex::new(Vec::new());
    b.build_parallel().run(|| {
        Box::new(|entry| {
            // A folder that cannot be listed (or an entry that cannot be looked at) is a
            // part of the tree not scanned: counted as a file is.
            let e = match entry {
                Ok(e) => e,
                Err(err) => {
                    let (path, why) = walk_error(&err);
                    unreadable(tally, verbose, &path, &why);
                    return ignore::WalkState::Continue;
                }
            };
            if e.file_type().is_some_and(|t| t.is_symlink()) {
                if verbose {
                    eprintln!("skipped (a symlink, not followed): {}", shown(e.path()));
                }
                return ignore::WalkState::Continue;
            }
            if !e.file_type().is_some_and(|t| t.is_file()) {
                return ignore::WalkState::Continue;
            }
            let path = e.path();
            let shown = path
                .strip_prefix("./")
                .unwrap_or(path)
                .display()
                .to_string();
            match scan_file(m, checker, tally, path, &shown, verbose) {
                Ok(hits) if !hits.is_empty() => {
                    tally.found.fetch_add(hits.len() as u64, Ordering::Relaxed);
                    found.lock().unwrap_or_else(|p| p.into_inner()).extend(hits);
                }
                Ok(_) => {}
                Err(why) => unreadable(tally, verbose, &shown, &why),
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
