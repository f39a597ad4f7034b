//! Verifier snapshots (SPEC §8): what verification needs, sealed under a verifier key and
//! signed by the store, so that CI runners and gateway nodes check keys without an admin
//! credential. The format is in docs/fleet.md.
//!
//! Format 1 (still read): `APIKVER\0` | version u16 | store id (16) | generation u64 | issued
//! at i64 | nonce (24) | ciphertext of the json payload | tag (16) | Ed25519 signature (64) over
//! all bytes before it. The AEAD's associated data is the header (magic to nonce). Format 2,
//! written by `verifier export`, is block-indexed: [`indexed`].

pub mod indexed;
pub mod payload;
pub mod usage_log;

use crate::error::{Error, Result};
use crate::secret::Key32;
use crate::store::crypto::{self, NONCE_LEN, TAG_LEN};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use payload::Payload;
use std::path::Path;
use zeroize::Zeroizing;

/// The first eight bytes of a snapshot file.
pub const MAGIC: &[u8; 8] = b"APIKVER\0";
/// The version of the single-sealed format (format 1), still read and, on request, written.
pub const VERSION: u16 = 1;
const HEADER_LEN: usize = 8 + 2 + 16 + 8 + 8 + NONCE_LEN;
const SIG_LEN: usize = 64;
/// The largest snapshot read (a store of a million keys is well under this).
const MAX_LEN: u64 = 1 << 30;

/// The verifier key file: the symmetric key and the store's public signing key.
pub struct VerifierKey {
    pub store_id: [u8; 16],
    key: Key32,
    pub public: [u8; 32],
}

impl std::fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierKey")
            .field("store_id", &hex(&self.store_id))
            .finish_non_exhaustive()
    }
}

/// Lowercase hex.
pub fn hex(b: &[u8]) -> String {
    crate::hex::encode(b)
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    crate::hex::decode(s.trim())
}

fn bad_key(path: &Path, why: &str) -> Error {
    Error::Unlock {
        path: path.to_path_buf(),
        reason: format!("not a verifier key file: {why}"),
        hint: "give the file `apikeys verifier export --verifier-key PATH` wrote".into(),
    }
}

impl VerifierKey {
    /// Reads a verifier key file (size-capped). Refused when others could have written it:
    /// whoever can write it can make this node accept snapshots of their own (as ssh refuses
    /// a group-writable key).
    pub fn read(path: &Path) -> Result<VerifierKey> {
        check_owner_only(path)?;
        let raw = crate::store::unlock::read_capped(path, "verifier key file").map_err(|e| {
            Error::Unlock {
                path: path.to_path_buf(),
                reason: e,
                hint: "check --verifier-key".into(),
            }
        })?;
        let text = std::str::from_utf8(&raw).map_err(|_| bad_key(path, "not text"))?;
        let mut lines = text.lines();
        if lines.next() != Some("apikeys verifier key v1") {
            return Err(bad_key(path, "no `apikeys verifier key v1` line"));
        }
        let mut field = |name: &str| {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .map(str::to_string)
                .ok_or_else(|| bad_key(path, &format!("no {}line", name)))
        };
        let store = field("store ")?;
        let key = Zeroizing::new(field("key ")?);
        let public = field("public ")?;
        Ok(VerifierKey {
            store_id: unhex::<16>(&store).ok_or_else(|| bad_key(path, "bad store id"))?,
            key: Key32::from_bytes(
                unhex::<32>(&key).ok_or_else(|| bad_key(path, "the key is not 32 bytes"))?,
            ),
            public: unhex::<32>(&public)
                .ok_or_else(|| bad_key(path, "the public key is not 32 bytes"))?,
        })
    }

    /// A public fingerprint of this key (`SHA256:` and 16 hex digits of a hash of the seal key
    /// under a label): tells keys apart, reveals nothing of them.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"apikeys/v1/verifier-key-fingerprint");
        h.update(self.key.expose_secret());
        format!("SHA256:{}", &hex(&h.finalize())[..16])
    }

    /// A new verifier key for a store.
    pub fn new(store_id: [u8; 16], public: [u8; 32]) -> Result<VerifierKey> {
        Ok(VerifierKey {
            store_id,
            key: Key32::random()?,
            public,
        })
    }

    /// Writes it to a new 0600 file.
    pub fn write_new(&self, path: &Path) -> Result<()> {
        use std::io::Write;
        crate::store::file::ensure_dir(path)?;
        let mut f = crate::store::file::create_private(path, "verifier key file")?;
        let text = Zeroizing::new(format!(
            "apikeys verifier key v1\nstore {}\nkey {}\npublic {}\n",
            hex(&self.store_id),
            hex(self.key.expose_secret()),
            hex(&self.public)
        ));
        let written = f.write_all(text.as_bytes()).and_then(|()| f.sync_all());
        if let Err(e) = written {
            let _ = std::fs::remove_file(path);
            return Err(Error::io("write verifier key file", path, e));
        }
        Ok(())
    }
}

/// Refuses a verifier key file that a group or others may write, or that belongs to another
/// user (root excepted).
fn check_owner_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(m) = std::fs::metadata(path) else {
        return Ok(()); // reading it says what is wrong
    };
    let me = rustix::process::geteuid().as_raw();
    let why = if m.mode() & 0o022 != 0 {
        Some(format!(
            "it is writable by its group or by others (mode {:o})",
            m.mode() & 0o777
        ))
    } else if m.uid() != me && m.uid() != 0 {
        Some(format!("it belongs to another user (uid {})", m.uid()))
    } else {
        None
    };
    match why {
        None => Ok(()),
        Some(why) => Err(Error::Unlock {
            path: path.to_path_buf(),
            reason: format!("verifier key file refused: {why}"),
            hint: format!(
                "whoever can write it can make this node trust their own snapshots: `chmod go-w {}` (or install it read-only, owned by root or this user; docs/fleet.md)",
                path.display()
            ),
        }),
    }
}

/// A snapshot's header fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    pub store_id: [u8; 16],
    pub generation: u64,
    pub issued_at: i64,
}

/// Seals and signs `snap` into the bytes of a snapshot file.
pub fn seal(
    payload: &Payload,
    meta: Meta,
    vkey: &VerifierKey,
    signing: &SigningKey,
) -> Result<Vec<u8>> {
    let mut payload = Zeroizing::new(serde_json::to_vec(payload)?);
    let nonce = crypto::random_nonce()?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + TAG_LEN + SIG_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    out.extend_from_slice(&meta.store_id);
    out.extend_from_slice(&meta.generation.to_be_bytes());
    out.extend_from_slice(&meta.issued_at.to_be_bytes());
    out.extend_from_slice(&nonce);
    let tag = crypto::seal_in_place(&vkey.key, &nonce, &out[..HEADER_LEN], &mut payload)?;
    out.extend_from_slice(&payload);
    out.extend_from_slice(&tag);
    let sig = signing.sign(&out);
    out.extend_from_slice(&sig.to_bytes());
    Ok(out)
}

/// The error for a snapshot that does not check out.
pub fn refused(path: &Path, why: &str) -> Error {
    Error::WrongKind {
        message: format!("{}: verifier snapshot refused: {why}", path.display()),
        hint: "export the snapshot again (`apikeys verifier export`) and ship it again; nothing was loaded from this file".into(),
    }
}

/// An error opening or reading a snapshot file: a missing file is said as such.
fn file_error(path: &Path, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => Error::Refused {
            message: format!(
                "no verifier snapshot at {}",
                crate::text::sanitize(&path.display().to_string())
            ),
            hint: "check --verifier; a snapshot is written by `apikeys verifier export --out FILE --verifier-key PATH` on the admin machine".into(),
        },
        std::io::ErrorKind::IsADirectory => Error::Refused {
            message: format!(
                "{} is a folder, not a verifier snapshot",
                crate::text::sanitize(&path.display().to_string())
            ),
            hint: "give --verifier the snapshot file that `apikeys verifier export --out FILE` wrote".into(),
        },
        _ => Error::io("read", path, e),
    }
}

/// Reads, checks (signature, store id, seal, in that order) and opens a snapshot file of
/// either format, whole.
pub fn open(path: &Path, vkey: &VerifierKey) -> Result<(Meta, Payload)> {
    if indexed::version_of(path)? == Some(indexed::VERSION) {
        let ((meta, pepper, usage_marks), keys) =
            indexed::open_all(path, vkey, Vec::with_capacity, |keys, _, k| {
                keys.push(k.into());
                Ok(())
            })?;
        return Ok((
            meta,
            Payload {
                pepper: pepper.to_string(),
                keys,
                usage_marks,
            },
        ));
    }
    open_sealed(path, vkey)
}

/// Reads and opens a format-1 snapshot (one sealed payload) whole.
pub fn open_sealed(path: &Path, vkey: &VerifierKey) -> Result<(Meta, Payload)> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_LEN).read_to_end(&mut bytes))
        .map_err(|e| file_error(path, e))?;
    open_bytes(path, &bytes, vkey)
}

/// Checks and opens the bytes of a snapshot file.
pub fn open_bytes(path: &Path, bytes: &[u8], vkey: &VerifierKey) -> Result<(Meta, Payload)> {
    if bytes.len() < HEADER_LEN + TAG_LEN + SIG_LEN || &bytes[..8] != MAGIC {
        return Err(refused(path, "not a verifier snapshot, or truncated"));
    }
    if u16::from_be_bytes([bytes[8], bytes[9]]) != VERSION {
        return Err(refused(path, "unknown snapshot version"));
    }
    let (signed, sig) = bytes.split_at(bytes.len() - SIG_LEN);
    let public = VerifyingKey::from_bytes(&vkey.public)
        .map_err(|_| refused(path, "the verifier key's public key is invalid"))?;
    let sig = Signature::from_bytes(sig.try_into().expect("64 bytes"));
    public
        .verify_strict(signed, &sig)
        .map_err(|_| refused(path, "the signature does not check out"))?;
    let meta = Meta {
        store_id: bytes[10..26].try_into().expect("16 bytes"),
        generation: u64::from_be_bytes(bytes[26..34].try_into().expect("8 bytes")),
        issued_at: i64::from_be_bytes(bytes[34..42].try_into().expect("8 bytes")),
    };
    if meta.store_id != vkey.store_id {
        return Err(refused(path, "it is from another store"));
    }
    let nonce: [u8; NONCE_LEN] = bytes[42..HEADER_LEN].try_into().expect("nonce");
    let (ct, tag) = signed[HEADER_LEN..].split_at(signed.len() - HEADER_LEN - TAG_LEN);
    let mut payload = Zeroizing::new(ct.to_vec());
    let tag: [u8; TAG_LEN] = tag.try_into().expect("tag");
    if !crypto::open_in_place(&vkey.key, &nonce, &bytes[..HEADER_LEN], &mut payload, &tag) {
        return Err(refused(
            path,
            "the seal does not open with this verifier key",
        ));
    }
    let payload = serde_json::from_slice(&payload)
        .map_err(|_| refused(path, "the sealed contents are not a snapshot"))?;
    Ok((meta, payload))
}

/// The signing key kept inside the store (created on first export), and its public half.
pub fn signing_key(seed: &[u8; 32]) -> SigningKey {
    SigningKey::from_bytes(seed)
}

/// The public half of a signing key.
pub fn public_of(k: &SigningKey) -> [u8; 32] {
    k.verifying_key().to_bytes()
}

/// Whether the file at `path` starts like a verifier snapshot.
pub fn looks_like(prefix: &[u8]) -> bool {
    prefix.starts_with(MAGIC)
}
