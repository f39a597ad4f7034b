//! Where the verification front ends (`verify`, `serve`) find the keys: the store, opened
//! with an admin credential, or a verify-only snapshot (SPEC §8) with its verifier key; when
//! they changed; and the rollback floor, the lowest snapshot generation still accepted.

use crate::engine::KeySet;
use crate::error::{Error, Result};
use crate::snapshot::payload::EntryView;
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
    /// The highest generation accepted so far: an older file is a rollback and is refused.
    pub floor: u64,
    /// Where the floor outlives the process (`serve --state`).
    pub state: Option<PathBuf>,
}

/// The keys' source.
#[derive(Debug)]
pub enum Source {
    Store(Box<Store>),
    Snapshot(Box<SnapshotFile>),
}

/// How a snapshot source is opened.
#[derive(Debug, Default, Clone)]
pub struct SnapshotOptions {
    /// (snapshot file, verifier key file).
    pub files: Option<(PathBuf, PathBuf)>,
    pub usage_log: Option<PathBuf>,
    /// A state file that keeps the rollback floor across restarts.
    pub state: Option<PathBuf>,
    /// Lowers the recorded floor to this generation (an explicit, logged act).
    pub accept_generation: Option<u64>,
}

impl Source {
    /// The store (unlocked with the usual credentials), or the snapshot of `opts`, needing no
    /// admin credential at all.
    pub fn open(
        open_store: impl FnOnce() -> Result<Store>,
        opts: &SnapshotOptions,
    ) -> Result<Source> {
        let Some((path, key)) = opts.files.clone() else {
            return Ok(Source::Store(Box::new(open_store()?)));
        };
        let key = VerifierKey::read(&key)?;
        let mut floor = match &opts.state {
            Some(state) => read_floor(state, &key.store_id)?,
            None => 0,
        };
        if let Some(g) = opts.accept_generation {
            floor = g;
            if let Some(state) = &opts.state {
                write_floor(state, &key.store_id, g, false)?;
            }
        }
        Ok(Source::Snapshot(Box::new(SnapshotFile {
            key,
            path,
            ident: None,
            log: opts.usage_log.as_deref().map(UsageLog::open).transpose()?,
            floor,
            state: opts.state.clone(),
        })))
    }

    /// The file watched for changes.
    pub fn path(&self) -> &Path {
        match self {
            Source::Store(s) => s.path(),
            Source::Snapshot(f) => &f.path,
        }
    }

    /// The keys as they are now (from a store: only the key `only`, if given), and a
    /// snapshot's header. A snapshot older than the floor is refused (a rollback); a newer
    /// one raises the floor, in the state file too.
    pub fn load(&mut self, only: Option<&str>) -> Result<(KeySet, Option<Meta>)> {
        self.load_observed(only, &mut |_, _| {})
    }

    /// [`Source::load`], telling `progress` the keys loaded so far and the keys in all, every
    /// few thousand keys of a snapshot.
    pub fn load_observed(
        &mut self,
        only: Option<&str>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(KeySet, Option<Meta>)> {
        match self {
            Source::Store(store) => Ok((
                crate::store::keyset::load(store.conn(), store.pepper(), only)?,
                None,
            )),
            Source::Snapshot(f) => {
                let ident = Ident::current(&f.path);
                let (meta, snap) = load_snapshot(&f.path, &f.key, only, progress)?;
                if meta.generation < f.floor {
                    f.ident = ident;
                    return Err(rollback(
                        &f.path,
                        meta.generation,
                        f.floor,
                        f.state.is_some(),
                    ));
                }
                if meta.generation > f.floor
                    && let Some(state) = &f.state
                {
                    write_floor(state, &f.key.store_id, meta.generation, true)?;
                }
                f.floor = f.floor.max(meta.generation);
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

fn rollback(path: &Path, generation: u64, floor: u64, kept: bool) -> Error {
    let hint = if kept {
        format!(
            "export the snapshot again and ship it again; if going back is meant, pass --accept-generation {generation}"
        )
    } else {
        "export the snapshot again (`apikeys verifier export`) and ship it again".into()
    };
    Error::WrongKind {
        message: format!(
            "{}: verifier snapshot refused: rollback refused: generation {generation} is older than generation {floor}, already accepted",
            path.display()
        ),
        hint,
    }
}

/// The default state file of `serve --verifier`: the platform state dir.
pub fn default_state_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "apikeys")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("verifier-state"),
    )
}

/// The keys of a snapshot file: from format 2 only the key `only` if given (a few blocks
/// read), else every key, block by block, straight into the key set (no second copy of
/// them); format 1 is read whole.
fn load_snapshot(
    path: &Path,
    key: &VerifierKey,
    only: Option<&str>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Meta, KeySet)> {
    use crate::snapshot::indexed;
    let bad = |why: String| crate::snapshot::refused(path, &why);
    if indexed::version_of(path)? != Some(indexed::VERSION) {
        let (meta, payload) = crate::snapshot::open_sealed(path, key)?;
        let snap = KeySet::import(&payload, meta.issued_at).map_err(bad)?;
        return Ok((meta, snap));
    }
    let add = |keys: &mut crate::engine::keys::KeyMap, meta: &Meta, e: &EntryView<'_>| {
        keys.add_view(e, meta.issued_at)
            .map_err(|why| bad(why.to_string()))
    };
    let ((meta, pepper, marks), keys) = match only {
        Some(id) => {
            let mut keys = KeySet::building(1);
            let opened = indexed::open_one(path, key, id, |meta, e| add(&mut keys, meta, e))?;
            (opened, keys)
        }
        None => {
            let start = |n: usize| (KeySet::building(n), n as u64, 0u64);
            let (opened, (keys, ..)) =
                indexed::open_all(path, key, start, |(keys, all, done), meta, e| {
                    *done += 1;
                    if *done % 4096 == 0 {
                        progress(*done, *all);
                    }
                    add(keys, meta, e)
                })?;
            (opened, keys)
        }
    };
    let snap = KeySet::from_parts(&pepper, &marks, keys).map_err(bad)?;
    Ok((meta, snap))
}

/// The state file holds one line per store: `<store id hex> <highest generation>`.
fn read_lines(state: &Path) -> Result<Vec<(String, u64)>> {
    let text = match std::fs::read(state) {
        Ok(b) if b.len() <= 64 * 1024 => String::from_utf8(b).map_err(|_| bad_state(state))?,
        Ok(_) => return Err(bad_state(state)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(Error::io("read state file", state, e)),
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (id, g) = l.split_once(' ').ok_or_else(|| bad_state(state))?;
            Ok((
                id.to_string(),
                g.trim().parse().map_err(|_| bad_state(state))?,
            ))
        })
        .collect()
}

/// A --state file apikeys did not write (exit 4): said as such, never as a damaged store,
/// and never written over (it may be the store itself, given by mistake).
fn bad_state(state: &Path) -> Error {
    Error::Context {
        message: format!(
            "{} is not a state file apikeys wrote (one keeps a snapshot's rollback floor); nothing was written to it",
            state.display()
        ),
        hint: Some(
            "give --state a file of its own (it is made on first use), or remove this one if it is a damaged state file"
                .into(),
        ),
        code: 4,
    }
}

fn read_floor(state: &Path, store_id: &[u8; 16]) -> Result<u64> {
    let id = crate::hex::encode(store_id);
    Ok(read_lines(state)?
        .into_iter()
        .find(|(s, _)| *s == id)
        .map_or(0, |(_, g)| g))
}

/// Records `generation` as the floor for `store_id`, atomically (0600). `raise`: never below
/// what another process recorded meanwhile (parallel verifies on one runner).
fn write_floor(state: &Path, store_id: &[u8; 16], generation: u64, raise: bool) -> Result<()> {
    use std::io::Write;
    let id = crate::hex::encode(store_id);
    let mut lines = read_lines(state)?;
    let recorded = lines.iter().find(|(s, _)| *s == id).map_or(0, |(_, g)| *g);
    if raise && recorded >= generation {
        return Ok(());
    }
    lines.retain(|(s, _)| *s != id);
    lines.push((id, generation));
    let text: String = lines.iter().map(|(s, g)| format!("{s} {g}\n")).collect();
    crate::store::file::ensure_dir(state)?;
    crate::store::file::replace_unlocked(state, |f| f.write_all(text.as_bytes()))
}
