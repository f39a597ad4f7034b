//! The encrypted store: one file holding a SQLite image sealed under a data key (SPEC §6).

pub mod crypto;
pub mod file;
pub mod format;
pub mod queries;
pub mod schema;
pub mod unlock;

use crate::error::{Error, Result};
use crate::secret::{Key32, Passphrase};
use crypto::{KdfParams, TAG_LEN};
use format::{FormatError, Header, Slot, SlotKind};
use rusqlite::{Connection, MAIN_DB, Transaction};
use std::path::{Path, PathBuf};
use unlock::{Credential, UnlockOptions};
use zeroize::Zeroizing;

/// An unlocked store: the decrypted database, and what is needed to seal it again.
pub struct Store {
    path: PathBuf,
    header: Header,
    data_key: Key32,
    conn: Connection,
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

fn read_store_file(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Zeroizing::new(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(Error::NoStore(path.to_path_buf()))
        }
        Err(e) => Err(Error::io("read", path, e)),
    }
}

fn decode_header(path: &Path, bytes: &[u8]) -> Result<(Header, usize)> {
    Header::decode(bytes).map_err(|e| match e {
        FormatError::UnknownVersion(_) => Error::Unsupported {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
        _ => corrupt(path, e.to_string()),
    })
}

/// Decrypts the payload in place (no extra copy of the plaintext) and loads it into SQLite.
fn open_payload(
    path: &Path,
    bytes: &mut [u8],
    header_len: usize,
    header: &Header,
    data_key: &Key32,
) -> Result<Connection> {
    let (aad, payload) = bytes.split_at_mut(header_len);
    if payload.len() < TAG_LEN {
        return Err(corrupt(path, "the file is truncated"));
    }
    let (body, tag) = payload.split_at_mut(payload.len() - TAG_LEN);
    let tag: [u8; TAG_LEN] = (&*tag).try_into().expect("tag length");
    if !crypto::open_in_place(data_key, &header.payload_nonce, aad, body, &tag) {
        return Err(corrupt(path, "the sealed contents fail authentication"));
    }
    let mut conn = Connection::open_in_memory()?;
    conn.deserialize_read_exact(MAIN_DB, &*body, body.len(), false)
        .map_err(|_| corrupt(path, "the decrypted contents are not a database"))?;
    body.fill(0);
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
    schema::migrate(&conn)?;
    Ok(conn)
}

/// Serializes the database and seals it under a fresh nonce; returns header and sealed bytes.
fn seal(
    conn: &mut Connection,
    header: &mut Header,
    data_key: &Key32,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>)> {
    header.payload_nonce = crypto::random_nonce()?;
    let aad = header.encode();
    let image = conn.serialize(MAIN_DB)?;
    let mut body = Zeroizing::new(Vec::with_capacity(image.len() + TAG_LEN));
    body.extend_from_slice(&image);
    drop(image);
    let tag = crypto::seal_in_place(data_key, &header.payload_nonce, &aad, &mut body)?;
    body.extend_from_slice(&tag);
    Ok((aad, body))
}

impl Store {
    /// Creates a new store at `path` and returns it unlocked; refuses (exit 6) if one exists.
    pub fn create(
        path: &Path,
        pass: &Passphrase,
        kdf: KdfParams,
        key_file: Option<&Key32>,
    ) -> Result<Store> {
        let data_key = Key32::random()?;
        let mut store_id = [0u8; 16];
        crypto::fill_random(&mut store_id)?;
        // The KDF runs before the lock is taken, so that a slow KDF never holds up other writers.
        let mut slots = vec![Slot::for_passphrase(pass, kdf, &store_id, &data_key)?];
        if let Some(k) = key_file {
            slots.push(Slot::for_key_file(k, &store_id, &data_key)?);
        }
        let mut header = Header {
            store_id,
            slots,
            payload_nonce: [0; crypto::NONCE_LEN],
        };
        let mut conn = Connection::open_in_memory()?;
        schema::migrate(&conn)?;
        file::ensure_dir(path)?;
        let lock = file::lock(path)?;
        if path.exists() {
            return Err(already_exists(path));
        }
        let (head, body) = seal(&mut conn, &mut header, &data_key)?;
        file::remove_stale_temps(path, &lock);
        file::replace_atomically(path, &[&head, &body], &lock)?;
        Ok(Store {
            path: path.to_path_buf(),
            header,
            data_key,
            conn,
        })
    }

    /// Opens and unlocks the store: a snapshot for reading, and the means to write.
    pub fn open(path: &Path, unlock: &UnlockOptions) -> Result<Store> {
        let mut bytes = read_store_file(path)?;
        let (header, header_len) = decode_header(path, &bytes)?;
        let credential = unlock.credential(path)?;
        let data_key = unwrap_data_key(path, &header, &credential)?;
        let conn = open_payload(path, &mut bytes, header_len, &header, &data_key)?;
        Ok(Store {
            path: path.to_path_buf(),
            header,
            data_key,
            conn,
        })
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

    /// The key under which secrets are hashed: derived from the data key, never stored.
    pub fn pepper(&self) -> Key32 {
        crypto::subkey(&self.data_key, b"pepper")
    }

    /// Applies `change` as one sealed write: lock, re-read the current file (so that no
    /// concurrent writer's change is lost), run `change` in a transaction, seal, replace.
    pub fn write<T>(
        &mut self,
        change: impl FnOnce(&Transaction<'_>, &mut Header) -> Result<T>,
    ) -> Result<T> {
        let lock = file::lock(&self.path)?;
        let mut bytes = read_store_file(&self.path)?;
        let (mut header, header_len) = decode_header(&self.path, &bytes)?;
        if header.store_id != self.header.store_id {
            return Err(corrupt(
                &self.path,
                "the file was replaced by another store while this command ran",
            ));
        }
        let mut conn = open_payload(&self.path, &mut bytes, header_len, &header, &self.data_key)?;
        drop(bytes);
        let tx = conn.transaction()?;
        let out = change(&tx, &mut header)?;
        tx.commit()?;
        let (head, body) = seal(&mut conn, &mut header, &self.data_key)?;
        file::remove_stale_temps(&self.path, &lock);
        file::replace_atomically(&self.path, &[&head, &body], &lock)?;
        self.conn = conn;
        self.header = header;
        Ok(out)
    }
}

fn already_exists(path: &Path) -> Error {
    Error::conflict(
        format!("a store already exists at {}", path.display()),
        "choose another --store path, or remove the old store yourself if you really mean to",
    )
}

/// Unwraps the data key with the chosen credential; a wrong secret is exit 3.
fn unwrap_data_key(path: &Path, header: &Header, credential: &Credential) -> Result<Key32> {
    let fail = |reason: &str, hint: &str| Error::Unlock {
        path: path.to_path_buf(),
        reason: reason.into(),
        hint: hint.into(),
    };
    match credential {
        Credential::KeyFile(_, key) => {
            let slot = header.slot(SlotKind::KeyFile).ok_or_else(|| {
                fail("this store has no key-file slot", "add one with `apikeys passwd --add-key-file PATH`, or unlock with the passphrase")
            })?;
            slot.unwrap(&header.store_id, &slot.key_file_wrap_key(key))
                .ok_or_else(|| {
                    fail(
                        "wrong key file",
                        "check --key-file / APIKEYS_KEY_FILE, or unlock with the passphrase",
                    )
                })
        }
        Credential::Passphrase(pass) => {
            let slot = header
                .slot(SlotKind::Passphrase)
                .ok_or_else(|| fail("this store has no passphrase slot", unlock::UNLOCK_HINT))?;
            let wrap = slot.passphrase_wrap_key(pass)?;
            slot.unwrap(&header.store_id, &wrap)
                .ok_or_else(|| fail("wrong passphrase", "try again, or unlock with --key-file"))
        }
    }
}
