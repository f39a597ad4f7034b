//! The history's inbox: a CLI verify appends its answers and uses as one line to
//! `<store>.history-log` (0600, under an exclusive lock, no fsync) instead of opening the
//! history database, so that recording costs a verify one small write. Whoever opens the
//! database next (`usage`, `top`, `show`, `list`, `status`, `serve`, or a verify that finds the
//! inbox past [`FOLD_AT`]) folds the inbox into it, once: the database remembers how far into
//! the inbox (named by the random nonce of its first line) it has folded, in the same
//! transaction, so a fold that dies before emptying the inbox is never applied twice.

use super::Records;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// An inbox this large is folded by the verify that made it so.
pub const FOLD_AT: u64 = 256 * 1024;

/// One line of the inbox: a verify's answers, and its uses of unlimited keys.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Entry {
    pub r: Records,
    /// (key id, uses, time, client address)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub u: Vec<(String, i64, i64, Option<String>)>,
}

/// The inbox of the store at `store`.
pub fn path_for(store: &Path) -> PathBuf {
    super::beside(store, ".history-log")
}

fn open(path: &Path, create: bool) -> Result<Option<File>> {
    let mut opts = OpenOptions::new();
    opts.read(true).append(true);
    if create {
        opts.create(true).mode(0o600);
    }
    crate::store::file::open_regular(path, "history inbox", &mut opts, || {
        super::not_regular(path, "history inbox")
    })
}

/// Appends one entry; `true` when the inbox is now large enough to fold.
pub fn append(store: &Path, entry: &Entry) -> Result<bool> {
    let path = path_for(store);
    let mut file =
        open(&path, true)?.ok_or_else(|| Error::Io(format!("cannot create {}", path.display())))?;
    let mut line = serde_json::to_vec(entry)?;
    line.push(b'\n');
    file.lock().map_err(|e| Error::io("lock", &path, e))?;
    let result = (|| {
        let len = file
            .metadata()
            .map_err(|e| Error::io("read", &path, e))?
            .len();
        if len == 0 {
            let header = format!(
                "apikeys history inbox {}\n",
                crate::token::random_base62(16)?
            );
            file.write_all(header.as_bytes())
                .map_err(|e| Error::io("write", &path, e))?;
        }
        file.write_all(&line)
            .map_err(|e| Error::io("write", &path, e))?;
        Ok(len + line.len() as u64 >= FOLD_AT)
    })();
    let _ = file.unlock();
    result
}

/// Folds the inbox into the history database with `apply` (given the inbox's nonce, how far
/// the database says it folded already, and the entries after that, in one transaction that
/// also records the new offset), then empties it. Nothing to do without an inbox.
pub fn fold(
    store: &Path,
    apply: impl FnOnce(&str, &dyn Fn(u64) -> (Vec<Entry>, u64)) -> Result<()>,
) -> Result<()> {
    let path = path_for(store);
    let Some(mut file) = open(&path, false)? else {
        return Ok(());
    };
    file.lock().map_err(|e| Error::io("lock", &path, e))?;
    let result = (|| {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| Error::io("read", &path, e))?;
        let Some(first) = bytes.iter().position(|b| *b == b'\n') else {
            return Ok(());
        };
        let header = String::from_utf8_lossy(&bytes[..first]).into_owned();
        let nonce = header
            .strip_prefix("apikeys history inbox ")
            .unwrap_or("unnamed")
            .to_string();
        // The complete lines after `from`: a torn last line (a verify killed mid-write) is
        // left out and goes with the emptied inbox.
        let entries = |from: u64| -> (Vec<Entry>, u64) {
            let from = usize::try_from(from).unwrap_or(0).max(first + 1);
            let end = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let body = bytes.get(from..end).unwrap_or_default();
            let list = body
                .split(|b| *b == b'\n')
                .filter_map(|l| serde_json::from_slice::<Entry>(l).ok())
                .collect();
            (list, end as u64)
        };
        apply(&nonce, &entries)?;
        file.set_len(0).map_err(|e| Error::io("empty", &path, e))
    })();
    let _ = file.unlock();
    result
}
