//! The encrypted store: one file holding a SQLite image sealed under a data key (SPEC §6).

pub mod crypto;
pub mod file;
pub mod format;
pub mod keyset;
mod open;
pub mod queries;
pub mod schema;
pub mod slots;
pub mod stream;
pub mod trail;
pub mod unlock;
pub mod uses;

use crate::error::{Error, Result};
use crate::secret::{Key32, Passphrase};
use crypto::KdfParams;
use format::{Header, Slot};
use open::{compact, corrupt, load_payload, memory_db, open_file, unwrap_data_key, write_sealed};
use rusqlite::{Connection, Transaction};
use std::fs::File;
use std::path::{Path, PathBuf};
use unlock::{Credential, UnlockOptions};

/// An unlocked store: the decrypted database, and what is needed to seal it again.
pub struct Store {
    path: PathBuf,
    header: Header,
    data_key: Key32,
    pepper: Key32,
    conn: Connection,
    credential: Option<Credential>,
    /// The name of the slot that opened the store: the actor of what this command writes.
    unlocked_by: Option<String>,
    /// The identity of the file as last read or written, to notice changes on disk.
    ident: file::Ident,
    /// The format and schema versions of the file as last read or written: an older file is
    /// migrated in memory and written in the current versions only by the next write.
    on_disk: OnDisk,
    /// Whether the last write found the file changed by another process (and read it again).
    reread: bool,
}

/// The versions a store file is in on disk (not the ones this build migrates it to in memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnDisk {
    pub format: u16,
    pub schema: i64,
}

impl OnDisk {
    const CURRENT: OnDisk = OnDisk {
        format: format::VERSION,
        schema: schema::CURRENT,
    };
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Creates a new store at `path` and returns it unlocked; refuses (exit 6) if one exists.
    pub fn create(
        path: &Path,
        pass: &Passphrase,
        kdf: KdfParams,
        key_file: Option<&Key32>,
    ) -> Result<Store> {
        Store::create_for(path, None, pass, kdf, key_file)
    }

    /// Like [`Store::create`], with the first admin's name (`init --admin alice`): the
    /// passphrase slot is `alice`, the key-file slot `alice-key-file`. Without a name they
    /// are `passphrase` and `key-file`.
    pub fn create_for(
        path: &Path,
        admin: Option<&str>,
        pass: &Passphrase,
        kdf: KdfParams,
        key_file: Option<&Key32>,
    ) -> Result<Store> {
        let data_key = Key32::random()?;
        let mut store_id = [0u8; 16];
        crypto::fill_random(&mut store_id)?;
        let (pass_slot, key_slot) = match admin {
            Some(a) => (a.to_string(), format!("{a}-key-file")),
            None => ("passphrase".to_string(), "key-file".to_string()),
        };
        // The KDF runs before the lock is taken, so that a slow KDF never holds up other writers.
        let mut slots = vec![Slot::passphrase(&pass_slot, pass, kdf, &data_key)?];
        if let Some(k) = key_file {
            slots.push(Slot::key_file(&key_slot, k, &data_key)?);
        }
        let mut header = Header {
            store_id,
            slots,
            payload_nonce: [0; crypto::NONCE_LEN],
        };
        let mut conn = memory_db()?;
        schema::migrate(&conn)?;
        let pepper = Key32::random()?;
        schema::set_pepper(&conn, &pepper)?;
        file::ensure_dir(path)?;
        let lock = file::lock(path)?;
        if path.exists() {
            return Err(already_exists(path));
        }
        write_sealed(path, &mut conn, &mut header, &data_key, &lock)?;
        Ok(Store {
            path: path.to_path_buf(),
            header,
            data_key,
            pepper,
            conn,
            credential: None,
            unlocked_by: Some("passphrase".into()),
            ident: file::Ident::current(path).unwrap_or_default(),
            on_disk: OnDisk::CURRENT,
            reread: false,
        })
    }

    /// Opens and unlocks the store: a snapshot for reading, and the means to write.
    pub fn open(path: &Path, unlock: &UnlockOptions) -> Result<Store> {
        let opened = open_file(path)?;
        // At a prompt a mistyped passphrase may be tried again, three times in all.
        let mut attempt = 1;
        let (credential, (slot, data_key)) = loop {
            let credential = unlock.credential(path)?;
            match unwrap_data_key(path, &opened.header, &credential) {
                Ok(k) => break (credential, k),
                Err(Error::Unlock { .. }) if unlock.prompts() && attempt < 3 => {
                    if let Some(asker) = &unlock.asker {
                        asker.say("wrong passphrase, try again");
                    }
                    attempt += 1;
                }
                // Typed at the prompt: the hint speaks of typing, not of files never given.
                Err(Error::Unlock { path, reason, .. }) if unlock.prompts() => {
                    return Err(Error::Unlock {
                        path,
                        reason: format!("{reason} (three tries)"),
                        hint: "check the passphrase (Caps Lock? the keyboard layout?), or unlock with --key-file or --identity".into(),
                    });
                }
                Err(e) => return Err(e),
            }
        };
        let header = opened.header.clone();
        let ident = opened.ident;
        let (conn, pepper, on_disk) = load_payload(path, opened, &data_key)?;
        Ok(Store {
            path: path.to_path_buf(),
            header,
            data_key,
            pepper,
            conn,
            credential: Some(credential),
            unlocked_by: Some(slot),
            ident,
            on_disk,
            reread: false,
        })
    }

    /// Re-reads the file if it changed on disk since the last read or write (a new inode,
    /// size or mtime); returns whether it did. A file re-keyed by `passwd` is opened again
    /// with the credential held. On any error the store keeps what it had.
    pub fn reload(&mut self) -> Result<bool> {
        if file::Ident::current(&self.path) == Some(self.ident) {
            return Ok(false);
        }
        let opened = open_file(&self.path)?;
        if opened.header.store_id != self.header.store_id {
            return Err(corrupt(
                &self.path,
                "the file was replaced by another store",
            ));
        }
        let key = if opened.header.slots == self.header.slots {
            self.data_key.duplicate()
        } else {
            let credential = self.credential.as_ref().ok_or_else(|| {
                corrupt(&self.path, "the store was re-keyed and cannot be reopened")
            })?;
            let (slot, key) = unwrap_data_key(&self.path, &opened.header, credential)?;
            self.unlocked_by = Some(slot);
            key
        };
        let header = opened.header.clone();
        let ident = opened.ident;
        let (conn, pepper, on_disk) = load_payload(&self.path, opened, &key)?;
        self.on_disk = on_disk;
        self.header = header;
        self.data_key = key;
        self.pepper = pepper;
        self.conn = conn;
        self.ident = ident;
        Ok(true)
    }

    /// The credential this store was unlocked with (none for a store just created).
    pub fn credential(&self) -> Option<&Credential> {
        self.credential.as_ref()
    }

    /// The name of the slot that opened the store (its admin), if any.
    pub fn unlocked_by(&self) -> Option<&str> {
        self.unlocked_by.as_deref()
    }

    /// Notes that the slot that opened the store is now called `name` (`admin rename`).
    pub fn set_unlocked_by(&mut self, name: &str) {
        self.unlocked_by = Some(name.to_string());
    }

    /// The decrypted database as of the last read or write.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The store's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header as of the last read or write.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The data key, for building new key slots.
    pub fn data_key(&self) -> &Key32 {
        &self.data_key
    }

    /// The key under which secrets are hashed: 32 random bytes kept in the sealed database.
    pub fn pepper(&self) -> Key32 {
        self.pepper.duplicate()
    }

    /// Lets go of the decrypted database when a command needs no more of it (a large export),
    /// so that its memory goes back before the command's next step. A later write decrypts
    /// the file again.
    pub fn release_database(&mut self) {
        if let Ok(empty) = memory_db() {
            drop(std::mem::replace(&mut self.conn, empty));
            self.ident = file::Ident::default();
        }
    }

    /// Applies `change` as one sealed write: lock, re-read the current file (so that no
    /// concurrent writer's change is lost), run `change` in a transaction, seal, replace.
    pub fn write<T>(
        &mut self,
        change: impl FnOnce(&Transaction<'_>, &mut Header) -> Result<T>,
    ) -> Result<T> {
        let lock = file::lock(&self.path)?;
        self.write_locked(&lock, None, change)
    }

    /// Whether the last write found the file changed by another process since this one last
    /// read or wrote it (and so read it again before changing it). When not, the database
    /// after the write is the one before it plus the write's own change.
    pub fn last_write_reread(&self) -> bool {
        self.reread
    }

    /// Like [`Store::write`], but gives up at once (`None`) when another process holds the
    /// lock: for work that may be left to a later command, such as recording a last use.
    pub fn try_write<T>(
        &mut self,
        change: impl FnOnce(&Transaction<'_>, &mut Header) -> Result<T>,
    ) -> Result<Option<T>> {
        match file::try_lock(&self.path)? {
            Some(lock) => self.write_locked(&lock, None, change).map(Some),
            None => Ok(None),
        }
    }

    /// Like [`Store::write`], but waits for another writer at most `max` (then refuses).
    pub fn write_within<T>(
        &mut self,
        max: std::time::Duration,
        change: impl FnOnce(&Transaction<'_>, &mut Header) -> Result<T>,
    ) -> Result<T> {
        let deadline = std::time::Instant::now() + max;
        let lock = loop {
            if let Some(lock) = file::try_lock(&self.path)? {
                break lock;
            }
            if std::time::Instant::now() >= deadline {
                return Err(Error::Refused {
                    message: format!(
                        "the store {} stayed locked by another writer for {} s",
                        self.path.display(),
                        max.as_secs()
                    ),
                    hint: "try again; a long-running command holds the lock".into(),
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        self.write_locked(&lock, None, change)
    }

    /// Like [`Store::write`], but seals the result under `new_key`: `change` must give the
    /// header slots that wrap `new_key`. No old slot, old key file or old copy of the file
    /// opens (or forges) what is written.
    pub fn rekey<T>(
        &mut self,
        new_key: Key32,
        change: impl FnOnce(&Transaction<'_>, &mut Header) -> Result<T>,
    ) -> Result<T> {
        let lock = file::lock(&self.path)?;
        self.write_locked(&lock, Some(new_key), change)
    }

    fn write_locked<T>(
        &mut self,
        lock: &file::WriteLock,
        new_key: Option<Key32>,
        change: impl FnOnce(&Transaction<'_>, &mut Header) -> Result<T>,
    ) -> Result<T> {
        let opened = open_file(&self.path)?;
        if opened.header.store_id != self.header.store_id {
            return Err(corrupt(
                &self.path,
                "the file was replaced by another store while this command ran",
            ));
        }
        let (file_ident, file_header) = (opened.ident, opened.header.clone());
        // The file under the lock is the one last read or written (same inode, size, mtime,
        // and header with its random payload nonce): the database in memory is its content,
        // so it is not decrypted a second time (nor held twice in memory).
        let unchanged = file_ident == self.ident
            && file_header == self.header
            && file_ident != file::Ident::default();
        self.reread = !unchanged;
        let (mut conn, pepper) = if unchanged {
            drop(opened);
            let conn = std::mem::replace(&mut self.conn, memory_db()?);
            (conn, self.pepper.duplicate())
        } else {
            let (conn, pepper, on_disk) = load_payload(&self.path, opened, &self.data_key)?;
            self.on_disk = on_disk;
            (conn, pepper)
        };
        // Until the write is sealed, memory may differ from the file: the next write re-reads.
        self.ident = file::Ident::default();
        let mut header = file_header.clone();
        let changed = (|| {
            let tx = conn.transaction()?;
            let out = change(&tx, &mut header)?;
            tx.commit()?;
            Ok(out)
        })();
        let out = match changed {
            Ok(out) => out,
            Err(e) => {
                // Rolled back: the database in memory is the file's again.
                self.conn = conn;
                self.header = file_header;
                self.pepper = pepper;
                self.ident = file_ident;
                return Err(e);
            }
        };
        compact(&conn);
        let key = new_key.unwrap_or_else(|| self.data_key.duplicate());
        let sealed = write_sealed(&self.path, &mut conn, &mut header, &key, lock);
        self.conn = conn;
        self.pepper = pepper;
        sealed?;
        self.header = header;
        self.data_key = key;
        self.on_disk = OnDisk::CURRENT;
        self.ident = file::Ident::current(&self.path).unwrap_or_default();
        Ok(out)
    }
}

/// What `status` tells of a store file without decrypting more than it must.
impl Store {
    /// The format and schema versions of the file on disk, as last read or written.
    pub fn on_disk(&self) -> OnDisk {
        self.on_disk
    }

    /// The file's size in bytes as last read.
    pub fn file_len(&self) -> u64 {
        std::fs::metadata(&self.path).map_or(0, |m| m.len())
    }

    /// Copies the store, under the lock (so no writer is half-way), to a new 0600 file at
    /// `to`, fsyncs it and its directory, then opens the copy with the credential this store
    /// was unlocked with. Returns how many keys the copy holds; a copy that does not open is
    /// removed and reported.
    pub fn backup(&self, to: &Path) -> Result<usize> {
        file::ensure_dir(to)?;
        let mut out = file::create_private(to, "backup")?;
        let copied = (|| {
            let _lock = file::lock(&self.path)?;
            let mut src = File::open(&self.path).map_err(|e| Error::io("read", &self.path, e))?;
            std::io::copy(&mut src, &mut out).map_err(|e| Error::io("write", to, e))?;
            out.sync_all().map_err(|e| Error::io("fsync", to, e))?;
            let dir = to.parent().filter(|d| !d.as_os_str().is_empty());
            File::open(dir.unwrap_or(Path::new(".")))
                .and_then(|d| d.sync_all())
                .map_err(|e| Error::io("fsync directory of", to, e))?;
            self.check_copy(to)
        })();
        if copied.is_err() {
            let _ = std::fs::remove_file(to);
        }
        copied
    }

    /// Opens a copy of this store with the credential that opened this one.
    fn check_copy(&self, copy: &Path) -> Result<usize> {
        let opened = open_file(copy)?;
        if opened.header.store_id != self.header.store_id {
            return Err(corrupt(copy, "the copy is not of this store"));
        }
        let key = match &self.credential {
            Some(c) => unwrap_data_key(copy, &opened.header, c)?.1,
            None => self.data_key.duplicate(),
        };
        let (conn, _, _) = load_payload(copy, opened, &key)?;
        queries::count_keys(&conn)
    }
}

fn already_exists(path: &Path) -> Error {
    Error::conflict(
        format!("a store already exists at {}", path.display()),
        "choose another --store path, or remove the old store yourself if you really mean to",
    )
}

#[cfg(test)]
mod tests;
