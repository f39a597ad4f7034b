//! Where the verification front ends (`verify`, `serve`) find the keys: the store, opened
//! with an admin credential, or a verify-only snapshot (SPEC §8) with its verifier key.

use crate::engine::KeySet;
use crate::error::Result;
use crate::snapshot::usage_log::UsageLog;
use crate::snapshot::{Meta, VerifierKey};
use crate::store::Store;
use crate::store::file::Ident;
use std::path::{Path, PathBuf};

/// A verifier snapshot file, its key, and where its use records go.
#[derive(Debug)]
pub struct SnapshotFile {
    pub path: PathBuf,
    pub key: VerifierKey,
    /// The file as last loaded, to notice a new one.
    pub ident: Option<Ident>,
    pub log: Option<UsageLog>,
}

/// The keys' source.
#[derive(Debug)]
pub enum Source {
    Store(Box<Store>),
    Snapshot(Box<SnapshotFile>),
}

impl Source {
    /// The store (unlocked with the usual credentials), or with `verifier` = (snapshot,
    /// verifier key) the snapshot, needing no admin credential at all.
    pub fn open(
        open_store: impl FnOnce() -> Result<Store>,
        verifier: Option<(PathBuf, PathBuf)>,
        usage_log: Option<&Path>,
    ) -> Result<Source> {
        match verifier {
            None => Ok(Source::Store(Box::new(open_store()?))),
            Some((path, key)) => Ok(Source::Snapshot(Box::new(SnapshotFile {
                key: VerifierKey::read(&key)?,
                path,
                ident: None,
                log: usage_log.map(UsageLog::open).transpose()?,
            }))),
        }
    }

    /// The file watched for changes.
    pub fn path(&self) -> &Path {
        match self {
            Source::Store(s) => s.path(),
            Source::Snapshot(f) => &f.path,
        }
    }

    /// The keys as they are now (from a store: only the key `only`, if given), and a
    /// snapshot's header.
    pub fn load(&mut self, only: Option<&str>) -> Result<(KeySet, Option<Meta>)> {
        match self {
            Source::Store(store) => Ok((KeySet::load(store.conn(), store.pepper(), only)?, None)),
            Source::Snapshot(f) => {
                let ident = Ident::current(&f.path);
                let (meta, payload) = crate::snapshot::open(&f.path, &f.key)?;
                let snap = KeySet::import(&payload)
                    .map_err(|why| crate::snapshot::refused(&f.path, &why))?;
                f.ident = ident;
                Ok((snap, Some(meta)))
            }
        }
    }

    /// Whether the file changed on disk since the last load (a store is re-read here).
    pub fn changed(&mut self) -> Result<bool> {
        match self {
            Source::Store(store) => store.reload(),
            Source::Snapshot(f) => Ok(Ident::current(&f.path) != f.ident),
        }
    }
}
