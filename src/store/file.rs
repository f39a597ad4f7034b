//! Locking and atomic replacement of the store file: a crash leaves the old file or the new one.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Whether two paths name one place (their folders resolved, links and `..` included),
/// whether or not a file is there yet.
pub fn same_place(a: &Path, b: &Path) -> bool {
    let place = |p: &Path| -> Option<PathBuf> {
        // `.` and `..` first, by the letter (the folders may not exist yet), then links.
        let mut p = std::path::absolute(p).ok()?;
        p = p.components().fold(PathBuf::new(), |mut acc, c| {
            match c {
                std::path::Component::ParentDir => {
                    acc.pop();
                }
                std::path::Component::CurDir => {}
                c => acc.push(c),
            }
            acc
        });
        let (folder, name) = (p.parent()?, p.file_name()?);
        Some(
            std::fs::canonicalize(folder)
                .unwrap_or_else(|_| folder.to_path_buf())
                .join(name),
        )
    };
    place(a).is_some_and(|x| Some(x) == place(b))
}

/// Refuses to write over or append to `path` unless it is absent, empty, or begins as a file
/// of this kind (`is_kind` reads its first bytes): a mistyped path never destroys the store,
/// a snapshot, a key file or anything else (exit 6). What is not a regular file (a link, a
/// folder) or cannot be read is left to the write that follows, which refuses it or says why.
pub fn refuse_other_file(path: &Path, what: &str, is_kind: impl Fn(&[u8]) -> bool) -> Result<()> {
    let mut first = [0u8; 16];
    let opened = OpenOptions::new()
        .read(true)
        // A link is not followed, a FIFO not waited on: the write that follows refuses them.
        .custom_flags((rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32)
        .open(path);
    let n = match opened {
        Ok(f) if !f.metadata().is_ok_and(|m| m.is_file()) => return Ok(()),
        Ok(mut f) => match std::io::Read::read(&mut f, &mut first) {
            Ok(n) => n,
            Err(_) => return Ok(()),
        },
        Err(_) => return Ok(()),
    };
    let first = &first[..n];
    if first.is_empty() || is_kind(first) {
        return Ok(());
    }
    let kind = if first.starts_with(super::format::MAGIC) {
        "an apikeys store"
    } else {
        "another kind of file"
    };
    Err(Error::conflict(
        format!(
            "{} is {kind}, not a {what}: nothing was written to it",
            path.display()
        ),
        format!("give the path of a {what}, or a new one"),
    ))
}

/// An exclusive lock on the store's sibling lock file, held until dropped.
#[derive(Debug)]
pub struct WriteLock {
    _file: File,
}

/// A file's identity on disk: when any part changes, the file was replaced or rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ident {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
}

impl Ident {
    /// The identity of an opened file's metadata.
    pub fn of(m: &std::fs::Metadata) -> Ident {
        use std::os::unix::fs::MetadataExt;
        Ident {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        }
    }

    /// The identity of the file now at `path`, if there is one.
    pub fn current(path: &Path) -> Option<Ident> {
        std::fs::metadata(path).ok().map(|m| Ident::of(&m))
    }
}

/// The sibling lock file of a store: `<store>.lock`.
pub fn lock_path(store: &Path) -> PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    store.with_file_name(name)
}

fn temp_prefix(store: &Path) -> String {
    format!(
        ".{}.tmp-",
        store.file_name().unwrap_or_default().to_string_lossy()
    )
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Creates the store's directory (0700) if it does not exist yet.
pub fn ensure_dir(store: &Path) -> Result<()> {
    let dir = parent_dir(store);
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Error::io("create directory", dir, e))?;
    }
    Ok(())
}

/// Creates a new file only its owner can read (0600); an existing file is never overwritten
/// (exit 6). `what` names it in messages, e.g. "key file".
pub fn create_private(path: &Path, what: &str) -> Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::conflict(
                format!("{} already exists", path.display()),
                format!("choose a new path for the {what}; an existing file is never overwritten"),
            ),
            _ => Error::io(&format!("create {what}"), path, e),
        })
}

/// The real path of a store: symlinks resolved, so that two paths to one store share one lock
/// and a write replaces the real file, not the link. A path that does not exist yet keeps its
/// file name under its resolved directory.
pub fn resolve(store: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(store) {
        return real;
    }
    match (store.parent(), store.file_name()) {
        (Some(dir), Some(name)) if !dir.as_os_str().is_empty() => {
            std::fs::canonicalize(dir).map_or_else(|_| store.to_path_buf(), |d| d.join(name))
        }
        _ => store.to_path_buf(),
    }
}

/// Opens `path` with `opts` without following a symlink (a planted link must not make us
/// create, truncate or read a file elsewhere) nor hanging on a FIFO, and refuses anything but
/// a regular file with `not_regular`. `None` when there is no such file (and `opts` does not
/// create one).
pub fn open_regular(
    path: &Path,
    what: &str,
    opts: &mut OpenOptions,
    not_regular: impl Fn() -> Error,
) -> Result<Option<File>> {
    // NONBLOCK: opening a FIFO planted there must not hang; the type check below refuses it.
    let file = match opts
        .custom_flags((rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e)
            if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
                || e.raw_os_error() == Some(rustix::io::Errno::NXIO.raw_os_error()) =>
        {
            return Err(not_regular());
        }
        Err(e) => return Err(Error::io(&format!("open {what}"), path, e)),
    };
    match file.metadata() {
        Ok(m) if m.is_file() => Ok(Some(file)),
        Ok(_) => Err(not_regular()),
        Err(e) => Err(Error::io(&format!("open {what}"), path, e)),
    }
}

/// Opens the lock file, creating it, as a regular file only ([`open_regular`]).
fn open_lock_file(store: &Path) -> Result<(PathBuf, File)> {
    let path = lock_path(store);
    let file = open_regular(
        &path,
        "lock file",
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600),
        || not_regular(&path),
    )?
    // Created if missing: only a missing directory leaves it absent, said as the OS says it.
    .ok_or_else(|| {
        Error::io(
            "open lock file",
            &path,
            std::io::Error::from_raw_os_error(rustix::io::Errno::NOENT.raw_os_error()),
        )
    })?;
    Ok((path, file))
}

fn not_regular(path: &Path) -> Error {
    Error::Refused {
        message: format!(
            "the lock file {} is not a regular file (a symlink?)",
            path.display()
        ),
        hint: "remove it and try again; apikeys creates its lock file itself".into(),
    }
}

/// Takes the exclusive write lock, waiting for other writers; never fails because one is busy.
pub fn lock(store: &Path) -> Result<WriteLock> {
    let (path, file) = open_lock_file(store)?;
    file.lock().map_err(|e| Error::io("lock", &path, e))?;
    Ok(WriteLock { _file: file })
}

/// Takes the exclusive write lock if no one holds it; `None` when another process does.
pub fn try_lock(store: &Path) -> Result<Option<WriteLock>> {
    let (path, file) = open_lock_file(store)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(WriteLock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io("lock", &path, e)),
    }
}

/// Gives a new file the owner of the file it replaces, so that a write run with sudo does not
/// lock the owner out of their store; refuses when that cannot be done.
fn keep_owner(f: &File, owner: Option<(u32, u32)>, store: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Some((uid, gid)) = owner else {
        return Ok(());
    };
    let meta = f.metadata().map_err(|e| Error::io("stat", store, e))?;
    if (meta.uid(), meta.gid()) == (uid, gid) {
        return Ok(());
    }
    std::os::unix::fs::fchown(f, Some(uid), Some(gid)).map_err(|e| Error::Refused {
        message: format!(
            "cannot keep the owner (uid {uid}) of {}: {e}",
            store.display()
        ),
        hint: "run apikeys as the store's owner (e.g. `sudo -u OWNER apikeys …`)".into(),
    })
}

/// Removes temp files left by writers that were killed; call only while holding the lock.
pub fn remove_stale_temps(store: &Path, _lock: &WriteLock) {
    let prefix = temp_prefix(store);
    if let Ok(entries) = std::fs::read_dir(parent_dir(store)) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// The steps that make a write durable. The real disk in production; unit tests inject
/// failures at each step through [`replace_with`].
pub(crate) trait Disk {
    fn sync_file(&self, f: &File) -> std::io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()>;
    fn sync_dir(&self, dir: &Path) -> std::io::Result<()>;
}

/// The operating system's disk.
struct RealDisk;

impl Disk for RealDisk {
    fn sync_file(&self, f: &File) -> std::io::Result<()> {
        f.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        std::fs::rename(from, to)
    }

    fn sync_dir(&self, dir: &Path) -> std::io::Result<()> {
        File::open(dir)?.sync_all()
    }
}

/// Lets `write` fill a new 0600 temp file beside `store`, fsyncs it, renames it over `store`
/// and fsyncs the directory. On any error before the rename the temp file is removed and the
/// old store stays; an error fsyncing the directory is reported, the new store in place.
pub fn replace_atomically(
    store: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
    lock: &WriteLock,
) -> Result<()> {
    replace_with(&RealDisk, store, write, lock)
}

/// The same steps for a file no lock guards, whose readers only need the old or the new
/// file, never half of one: a verifier snapshot.
pub fn replace_unlocked(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    replace_steps(&RealDisk, path, write)
}

pub(crate) fn replace_with(
    disk: &dyn Disk,
    store: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
    _lock: &WriteLock,
) -> Result<()> {
    replace_steps(disk, store, write)
}

fn replace_steps(
    disk: &dyn Disk,
    store: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    let dir = parent_dir(store);
    let tmp = dir.join(format!(
        "{}{}-{}",
        temp_prefix(store),
        std::process::id(),
        crate::token::random_base62(8)?
    ));
    let owner = std::fs::metadata(store).ok().map(|m| {
        use std::os::unix::fs::MetadataExt;
        (m.uid(), m.gid())
    });
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| Error::io("create", &tmp, e))?;
        keep_owner(&f, owner, store)?;
        write(&mut f).map_err(|e| Error::io("write", &tmp, e))?;
        disk.sync_file(&f)
            .map_err(|e| Error::io("fsync", &tmp, e))?;
        drop(f);
        disk.rename(&tmp, store)
            .map_err(|e| Error::io("replace", store, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return result;
    }
    disk.sync_dir(dir)
        .map_err(|e| Error::io("fsync directory", dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replace_writes_0600_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.store");
        let lock = lock(&store).unwrap();
        replace_atomically(
            &store,
            |f| f.write_all(b"one").and_then(|()| f.write_all(b"two")),
            &lock,
        )
        .unwrap();
        assert_eq!(std::fs::read(&store).unwrap(), b"onetwo");
        assert_eq!(
            std::fs::metadata(&store).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}"); // the store and its lock file
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.store");
        std::fs::write(&store, b"old").unwrap();
        let lock = lock(&store).unwrap();
        let fail = |f: &mut File| {
            f.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        };
        let err = replace_atomically(&store, fail, &lock).unwrap_err();
        assert!(err.to_string().contains("disk full"));
        assert_eq!(std::fs::read(&store).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    /// A disk whose step `fail_at` (0 fsync file, 1 rename, 2 fsync dir) fails with EIO.
    struct FailingDisk {
        fail_at: u8,
    }

    impl FailingDisk {
        fn step(
            &self,
            step: u8,
            real: impl FnOnce() -> std::io::Result<()>,
        ) -> std::io::Result<()> {
            if self.fail_at == step {
                Err(std::io::Error::from_raw_os_error(5))
            } else {
                real()
            }
        }
    }

    impl Disk for FailingDisk {
        fn sync_file(&self, f: &File) -> std::io::Result<()> {
            self.step(0, || RealDisk.sync_file(f))
        }
        fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()> {
            self.step(1, || RealDisk.rename(from, to))
        }
        fn sync_dir(&self, dir: &Path) -> std::io::Result<()> {
            self.step(2, || RealDisk.sync_dir(dir))
        }
    }

    #[test]
    fn a_failing_fsync_or_rename_keeps_the_old_store_and_says_so() {
        for (fail_at, what) in [(0, "cannot fsync"), (1, "cannot replace")] {
            let dir = tempfile::tempdir().unwrap();
            let store = dir.path().join("s.store");
            std::fs::write(&store, b"old").unwrap();
            let lock = lock(&store).unwrap();
            let err = replace_with(
                &FailingDisk { fail_at },
                &store,
                |f| f.write_all(b"new"),
                &lock,
            )
            .unwrap_err();
            let msg = err.to_string();
            assert!(
                msg.starts_with(what) && msg.contains("Input/output error"),
                "{msg}"
            );
            assert_eq!(err.exit_code(), 1);
            assert_eq!(std::fs::read(&store).unwrap(), b"old");
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                2,
                "no temp file left"
            );
        }
    }

    #[test]
    fn a_failing_directory_fsync_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.store");
        std::fs::write(&store, b"old").unwrap();
        let lock = lock(&store).unwrap();
        let err = replace_with(
            &FailingDisk { fail_at: 2 },
            &store,
            |f| f.write_all(b"new"),
            &lock,
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("cannot fsync directory"),
            "{err}"
        );
        // The rename happened: the new, complete file is in place, never a broken one.
        assert_eq!(std::fs::read(&store).unwrap(), b"new");
    }

    #[test]
    fn stale_temps_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.store");
        let stale = dir.path().join(".s.store.tmp-1-abc");
        std::fs::write(&stale, b"half").unwrap();
        let lock = lock(&store).unwrap();
        remove_stale_temps(&store, &lock);
        assert!(!stale.exists());
    }

    #[test]
    fn a_failed_rename_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a non-empty directory: rename fails after the temp was written.
        let store = dir.path().join("s.store");
        std::fs::create_dir(&store).unwrap();
        std::fs::write(store.join("x"), b"keep").unwrap();
        let lock = lock(&store).unwrap();
        assert!(replace_atomically(&store, |f| f.write_all(b"new"), &lock).is_err());
        assert_eq!(std::fs::read(store.join("x")).unwrap(), b"keep");
        let temps = std::fs::read_dir(dir.path()).unwrap().filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp-")
        });
        assert_eq!(temps.count(), 0);
    }
}
