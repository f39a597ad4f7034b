//! The encrypted store: one file holding a SQLite image sealed under a data key (SPEC §6).

pub mod crypto;
pub mod file;
pub mod format;
pub mod keyset;
pub mod queries;
pub mod schema;
pub mod slots;
pub mod stream;
pub mod unlock;

use crate::error::{Error, Result};
use crate::secret::{Key32, Passphrase};
use crypto::{KdfParams, TAG_LEN};
use format::{FormatError, Header, Slot};
use rusqlite::{Connection, MAIN_DB, Transaction};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
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

fn corrupt(path: &Path, reason: impl Into<String>) -> Error {
    Error::Corrupt {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// A store file opened for reading, its header checked, positioned at the payload.
struct Opened {
    file: File,
    header: Header,
    header_bytes: Vec<u8>,
    payload_len: u64,
    ident: file::Ident,
}

/// Opens the file and reads and checks the header, before any KDF could run.
fn open_file(path: &Path) -> Result<Opened> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NoStore(path.to_path_buf()));
        }
        Err(e) => return Err(Error::io("open", path, e)),
    };
    let meta = file.metadata().map_err(|e| Error::io("read", path, e))?;
    let len = meta.len();
    let ident = file::Ident::of(&meta);
    // Most headers are small: read 4 KiB, and more only when the slots need it.
    let mut prefix = vec![0u8; (len as usize).min(4096)];
    file.read_exact(&mut prefix)
        .map_err(|e| Error::io("read", path, e))?;
    if matches!(Header::decode(&prefix), Err(FormatError::Truncated)) && len > prefix.len() as u64 {
        let mut more = vec![0u8; (len as usize).min(format::MAX_HEADER_LEN) - prefix.len()];
        file.read_exact(&mut more)
            .map_err(|e| Error::io("read", path, e))?;
        prefix.extend_from_slice(&more);
    }
    if crate::snapshot::looks_like(&prefix) {
        return Err(Error::WrongKind {
            message: format!(
                "{} is a verifier snapshot, not a store",
                path.display()
            ),
            hint: "a snapshot only verifies: `apikeys verify --verifier FILE --verifier-key PATH` or `serve --verifier …`; admin commands need the store".into(),
        });
    }
    // A file that does not even start like a store (a key file, any other file) is told
    // apart from a damaged store: nothing of it is apikeys'.
    if !prefix.starts_with(format::MAGIC) && !format::MAGIC.starts_with(&prefix[..]) {
        return Err(Error::WrongKind {
            message: format!("{} is not an apikeys store", path.display()),
            hint: "point --store / APIKEYS_STORE at the store file (a key file goes to --key-file)"
                .into(),
        });
    }
    let (header, header_len) = Header::decode(&prefix).map_err(|e| match e {
        FormatError::UnknownVersion(_) => Error::Unsupported {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
        _ => corrupt(path, e.to_string()),
    })?;
    prefix.truncate(header_len);
    file.seek(SeekFrom::Start(header_len as u64))
        .map_err(|e| Error::io("read", path, e))?;
    let payload_len = len - header_len as u64;
    if payload_len <= TAG_LEN as u64 {
        return Err(corrupt(path, "the file is truncated"));
    }
    Ok(Opened {
        file,
        header,
        header_bytes: prefix,
        payload_len,
        ident,
    })
}

/// A new in-memory database that never spills decrypted pages to temp files on disk.
fn memory_db() -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch("PRAGMA temp_store = MEMORY")?;
    Ok(conn)
}

/// Decrypts the payload as it is read, straight into the buffer SQLite owns, and checks its
/// tag before SQLite reads a byte of it. Returns the database and its pepper.
fn load_payload(
    path: &Path,
    opened: Opened,
    data_key: &Key32,
) -> Result<(Connection, Key32, OnDisk)> {
    let format = u16::from_be_bytes([opened.header_bytes[8], opened.header_bytes[9]]);
    let ct_len = opened.payload_len - TAG_LEN as u64;
    let size = usize::try_from(ct_len).map_err(|_| corrupt(path, "the payload is too large"))?;
    let mut reader = stream::DecryptReader::new(
        opened.file,
        ct_len,
        data_key,
        &opened.header.payload_nonce,
        &opened.header_bytes,
    );
    let mut conn = memory_db()?;
    conn.deserialize_read_exact(MAIN_DB, &mut reader, size, false)
        .map_err(|_| corrupt(path, "the file is truncated or unreadable"))?;
    if !reader.verify().map_err(|e| Error::io("read", path, e))? {
        return Err(corrupt(path, "the sealed contents fail authentication"));
    }
    let version = schema::version(&conn)
        .map_err(|_| corrupt(path, "the decrypted contents are not a database"))?;
    if version > schema::CURRENT {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            reason: format!(
                "schema version {version} is newer than this build's {}",
                schema::CURRENT
            ),
        });
    }
    // A database that does not have the tables its schema version says is damaged (exit 4),
    // told in one line: SQLite's own message would quote the whole migration.
    let inconsistent = |_| {
        corrupt(
            path,
            format!("the database does not match its schema version {version}"),
        )
    };
    schema::migrate(&conn).map_err(inconsistent)?;
    let pepper = match schema::pepper(&conn).map_err(inconsistent)? {
        Some(p) => p,
        None => {
            // A store from before the pepper was stored: keep the pepper it derived from its
            // data key, so that every stored hash keeps verifying after a re-key.
            let p = crypto::subkey(data_key, b"pepper");
            schema::set_pepper(&conn, &p)?;
            p
        }
    };
    let on_disk = OnDisk {
        format,
        schema: version,
    };
    Ok((conn, pepper, on_disk))
}

/// Gives the pages freed by a change back (VACUUM) when they are a good part of the database,
/// so that a store shrinks after keys (or a large description) are deleted, instead of
/// keeping their bytes as free pages forever. Best effort: a failure keeps the pages.
fn compact(conn: &Connection) {
    let pragma = |name: &str| -> i64 {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap_or(0)
    };
    let (free, total) = (pragma("freelist_count"), pragma("page_count"));
    if free >= 16 && free * 4 >= total {
        let _ = conn.execute_batch("VACUUM");
    }
}

/// Seals the database under a fresh nonce straight into a new file that replaces the store.
fn write_sealed(
    path: &Path,
    conn: &mut Connection,
    header: &mut Header,
    data_key: &Key32,
    lock: &file::WriteLock,
) -> Result<()> {
    header.payload_nonce = crypto::random_nonce()?;
    let aad = header.encode();
    let image = conn.serialize(MAIN_DB)?;
    file::remove_stale_temps(path, lock);
    file::replace_atomically(
        path,
        |f| {
            f.write_all(&aad)?;
            stream::seal_to(f, data_key, &header.payload_nonce, &aad, &image)
        },
        lock,
    )
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

/// Unwraps the data key with the chosen credential, trying every slot it could open (a team
/// has several passphrase slots, say); returns the name of the slot that opened it. A wrong
/// secret is exit 3.
fn unwrap_data_key(
    path: &Path,
    header: &Header,
    credential: &Credential,
) -> Result<(String, Key32)> {
    let fail = |reason: &str, hint: &str| Error::Unlock {
        path: path.to_path_buf(),
        reason: reason.into(),
        hint: hint.into(),
    };
    let id = &header.store_id;
    let found = |s: &Slot, k: Option<Key32>| k.map(|k| (s.name.clone(), k));
    match credential {
        Credential::KeyFile(_, key) => {
            let mut any = false;
            for s in header.slots.iter().filter(|s| s.kind.is_key_file()) {
                any = true;
                if let Some(hit) = found(s, s.open_key_file(id, key)?) {
                    return Ok(hit);
                }
            }
            Err(if any {
                fail(
                    "wrong key file",
                    "check --key-file / APIKEYS_KEY_FILE, or unlock with a passphrase or --identity",
                )
            } else {
                fail(
                    "this store has no key-file slot",
                    "add one with `apikeys admin add NAME --key-file PATH`, or unlock with a passphrase",
                )
            })
        }
        Credential::Passphrase(pass) => {
            let mut any = false;
            for s in header.slots.iter().filter(|s| s.kind.is_passphrase()) {
                any = true;
                if let Some(hit) = found(s, s.open_passphrase(id, pass)?) {
                    return Ok(hit);
                }
            }
            if !any {
                return Err(fail(
                    "this store has no passphrase slot",
                    "unlock with --identity or --key-file",
                ));
            }
            let hint = if header.slots.iter().any(|s| !s.kind.is_passphrase()) {
                "try again, or unlock with --key-file or --identity"
            } else {
                "try again; check --passphrase-file / APIKEYS_PASSPHRASE"
            };
            Err(fail("wrong passphrase", hint))
        }
        Credential::Identity(_, ids) => {
            let refs = ids.refs();
            header
                .slots
                .iter()
                .find_map(|s| found(s, s.open_identity(&refs)))
                .ok_or_else(|| {
                    fail(
                        "no slot of this store is for this identity",
                        "check --identity / APIKEYS_IDENTITY (an SSH key or age identity an admin added), or unlock with a passphrase",
                    )
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: KdfParams = KdfParams {
        memory_kib: 1024,
        iterations: 1,
        lanes: 1,
    };

    fn pass() -> Passphrase {
        Passphrase::new("a test passphrase".into())
    }

    fn unlock() -> UnlockOptions {
        UnlockOptions {
            passphrase_env: std::sync::Mutex::new(Some(pass())),
            ..UnlockOptions::default()
        }
    }

    #[test]
    fn a_version_1_store_keeps_its_derived_pepper_across_a_rekey() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.store");
        let mut s = Store::create(&path, &pass(), CHEAP, None).unwrap();
        // Make it what version 1 wrote: no stored pepper.
        s.conn
            .execute_batch(
                "DROP TABLE store_secrets; ALTER TABLE keys DROP COLUMN owner; \
                 ALTER TABLE keys DROP COLUMN meta; ALTER TABLE keys DROP COLUMN remaining_uses; \
                 DROP TABLE usage_nodes; DROP INDEX keys_name; \
                 ALTER TABLE keys DROP COLUMN rates; ALTER TABLE keys DROP COLUMN refill; \
                 ALTER TABLE keys DROP COLUMN refill_period; ALTER TABLE keys DROP COLUMN rate_state; \
                 ALTER TABLE keys DROP COLUMN last_used_ip; \
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        let lock = file::lock(&path).unwrap();
        write_sealed(&path, &mut s.conn, &mut s.header, &s.data_key, &lock).unwrap();
        drop(lock);
        let derived = crypto::subkey(&s.data_key, b"pepper");
        let mut opened = Store::open(&path, &unlock()).unwrap();
        assert_eq!(opened.pepper().expose_secret(), derived.expose_secret());
        let new_key = Key32::random().unwrap();
        let slot = Slot::passphrase("passphrase", &pass(), CHEAP, &new_key).unwrap();
        opened
            .rekey(new_key, |_, h| {
                h.slots = vec![slot];
                Ok(())
            })
            .unwrap();
        let again = Store::open(&path, &unlock()).unwrap();
        assert_eq!(again.pepper().expose_secret(), derived.expose_secret());
        assert_ne!(again.data_key.expose_secret(), s.data_key.expose_secret());
        assert_eq!(schema::version(again.conn()).unwrap(), schema::CURRENT);
    }

    #[test]
    fn a_database_that_does_not_match_its_schema_version_is_damaged_in_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.store");
        let mut s = Store::create(&path, &pass(), CHEAP, None).unwrap();
        // It says schema 4, but already has what migration 5 adds: migrating it fails.
        s.conn.execute_batch("PRAGMA user_version = 4;").unwrap();
        let lock = file::lock(&path).unwrap();
        write_sealed(&path, &mut s.conn, &mut s.header, &s.data_key, &lock).unwrap();
        drop(lock);
        let err = Store::open(&path, &unlock()).unwrap_err();
        assert_eq!(err.exit_code(), 4, "{err}");
        let text = err.to_string();
        assert!(
            text.contains("does not match its schema version 4")
                && !text.contains('\n')
                && text.len() < 300,
            "{text}"
        );
    }

    #[test]
    fn a_write_to_an_unchanged_file_does_not_decrypt_it_again() {
        use std::os::unix::fs::FileExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.store");
        Store::create(&path, &pass(), CHEAP, None).unwrap();
        let mut s = Store::open(&path, &unlock()).unwrap();
        // Damage the payload in place, keeping inode, size and mtime: a write that decrypted
        // the file again would fail; one that reuses what it read goes through.
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        let mtime = f.metadata().unwrap().modified().unwrap();
        let len = f.metadata().unwrap().len();
        f.write_at(&[0xAA], len - 40).unwrap();
        f.set_modified(mtime).unwrap();
        drop(f);
        s.write(|tx, _| queries::audit(tx, 1, "t", "test", None, ""))
            .unwrap();
        // The next writer finds a sound file again, with the change.
        let again = Store::open(&path, &unlock()).unwrap();
        let n: i64 = again
            .conn()
            .query_row(
                "SELECT count(*) FROM audit WHERE action = 'test'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1);
        // A file changed by another writer (new header nonce) is read again under the lock.
        let mut other = Store::open(&path, &unlock()).unwrap();
        other
            .write(|tx, _| queries::audit(tx, 2, "t", "other", None, ""))
            .unwrap();
        s.write(|tx, _| queries::audit(tx, 3, "t", "mine", None, ""))
            .unwrap();
        let n: i64 = Store::open(&path, &unlock())
            .unwrap()
            .conn()
            .query_row(
                "SELECT count(*) FROM audit WHERE action IN ('other', 'mine')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 2, "no writer's change is lost");
    }

    #[test]
    fn new_stores_have_a_random_pepper_and_keep_temp_data_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.store");
        let s = Store::create(&path, &pass(), CHEAP, None).unwrap();
        assert_ne!(
            s.pepper().expose_secret(),
            crypto::subkey(&s.data_key, b"pepper").expose_secret()
        );
        let opened = Store::open(&path, &unlock()).unwrap();
        assert_eq!(opened.pepper().expose_secret(), s.pepper().expose_secret());
        // 2 = MEMORY: sorts and temp tables of decrypted rows never reach a temp file.
        let temp: i64 = opened
            .conn()
            .query_row("PRAGMA temp_store", [], |r| r.get(0))
            .unwrap();
        assert_eq!(temp, 2);
    }
}
