//! Reading a store file: the header checked before any KDF runs, the data key unwrapped by
//! the credential given, the payload decrypted straight into SQLite and authenticated, and the
//! sealed write that replaces the file.

use super::unlock::Credential;
use super::{OnDisk, crypto, file, format, schema, stream};
use crate::error::{Error, Result};
use crate::secret::Key32;
use crypto::TAG_LEN;
use format::{FormatError, Header, Slot};
use rusqlite::{Connection, MAIN_DB};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

pub(super) fn corrupt(path: &Path, reason: impl Into<String>) -> Error {
    Error::Corrupt {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// A store file opened for reading, its header checked, positioned at the payload.
pub(super) struct Opened {
    pub(super) file: File,
    pub(super) header: Header,
    pub(super) header_bytes: Vec<u8>,
    pub(super) payload_len: u64,
    pub(super) ident: file::Ident,
}

/// Opens the file and reads and checks the header, before any KDF could run.
pub(super) fn open_file(path: &Path) -> Result<Opened> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NoStore(path.to_path_buf()));
        }
        Err(e) => return Err(Error::io("open", path, e)),
    };
    let meta = file.metadata().map_err(|e| Error::io("read", path, e))?;
    if meta.is_dir() {
        return Err(Error::WrongKind {
            message: format!("{} is a folder, not a store", path.display()),
            hint: "point --store / APIKEYS_STORE at the store file (apikeys.store by default) inside it".into(),
        });
    }
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
pub(super) fn memory_db() -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch("PRAGMA temp_store = MEMORY")?;
    Ok(conn)
}

/// Decrypts the payload as it is read, straight into the buffer SQLite owns, and checks its
/// tag before SQLite reads a byte of it. Returns the database and its pepper.
pub(super) fn load_payload(
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
pub(super) fn compact(conn: &Connection) {
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
pub(super) fn write_sealed(
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

/// Unwraps the data key with the chosen credential, trying every slot it could open (a team
/// has several passphrase slots, say); returns the name of the slot that opened it. A wrong
/// secret is exit 3.
pub(super) fn unwrap_data_key(
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
