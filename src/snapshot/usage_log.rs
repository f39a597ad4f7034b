//! Use records of verifier nodes (SPEC §8): JSON lines appended to `--usage-log`, one per key
//! and flush, each with the node's id and a sequence number, so that `apikeys usage import`
//! can merge them into the store idempotently.

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
    pub key_id: String,
    pub uses: i64,
    /// RFC 3339.
    pub last_used: String,
}

/// An open usage log: appended with O_APPEND, fsynced at every flush.
#[derive(Debug)]
pub struct UsageLog {
    path: PathBuf,
    node: String,
    seq: i64,
    file: File,
}

fn node_path(log: &Path) -> PathBuf {
    let mut name = log.file_name().unwrap_or_default().to_os_string();
    name.push(".node");
    log.with_file_name(name)
}

impl UsageLog {
    /// Opens (or creates, 0600) the log and its node id; the sequence goes on from the
    /// highest this node wrote.
    pub fn open(path: &Path) -> Result<UsageLog> {
        crate::store::file::ensure_dir(path)?;
        let np = node_path(path);
        let node = match std::fs::read_to_string(&np) {
            Ok(s) if !s.trim().is_empty() => s.trim().to_string(),
            _ => {
                let id = crate::token::random_base62(16)?;
                let mut f = crate::store::file::create_private(&np, "usage log node id")?;
                f.write_all(format!("{id}\n").as_bytes())
                    .and_then(|()| f.sync_all())
                    .map_err(|e| Error::io("write", &np, e))?;
                id
            }
        };
        let seq = std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Line>(l).ok())
            .filter(|l| l.node == node)
            .map(|l| l.seq)
            .max()
            .unwrap_or(0);
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| Error::io("open usage log", path, e))?;
        Ok(UsageLog {
            path: path.to_path_buf(),
            node,
            seq,
            file,
        })
    }

    /// Appends one line per key and fsyncs.
    pub fn append(&mut self, uses: &HashMap<String, (i64, i64)>) -> Result<()> {
        let mut text = String::new();
        let mut ids: Vec<_> = uses.keys().collect();
        ids.sort();
        for id in ids {
            let (n, at) = uses[id];
            self.seq += 1;
            let line = Line {
                node: self.node.clone(),
                seq: self.seq,
                key_id: id.clone(),
                uses: n,
                last_used: crate::text::rfc3339(at),
            };
            text.push_str(&serde_json::to_string(&line)?);
            text.push('\n');
        }
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| Error::io("append to", &self.path, e))
    }
}

/// What reading a usage log found.
#[derive(Debug, Default)]
pub struct Read {
    pub lines: Vec<Line>,
    pub garbage: usize,
    pub torn: usize,
}

/// Reads a usage log: good lines, lines that are not records, and a torn last line (a node
/// that crashed mid-write), which is skipped, never fatal.
pub fn read(path: &Path) -> Result<Read> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let mut out = Read::default();
    let complete = bytes.ends_with(b"\n");
    let pieces: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let n = pieces.len();
    for (i, piece) in pieces.into_iter().enumerate() {
        if piece.is_empty() {
            continue;
        }
        match std::str::from_utf8(piece)
            .ok()
            .and_then(|s| serde_json::from_str::<Line>(s).ok())
        {
            Some(l) if i + 1 < n || complete => out.lines.push(l),
            _ if i + 1 == n && !complete => out.torn += 1,
            _ => out.garbage += 1,
        }
    }
    Ok(out)
}
