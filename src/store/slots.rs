//! Key slots: one per admin (SPEC §13). Each wraps the store's data key for one credential:
//! a passphrase (Argon2id), a key file, an SSH public key (`ssh-ed25519`, `ssh-rsa`) or an age
//! X25519 recipient. Every slot of today is a *recipient*: the data key is encrypted to a
//! public key with age (rage's library), so re-keying (`admin remove`) can wrap a new data key
//! for every remaining admin without knowing their secrets. A passphrase or key-file slot
//! derives its X25519 identity from the credential (Argon2id, or HMAC of the key file), and
//! keeps only the public half.
//!
//! Stores made before teams have two *legacy* slots that wrap the data key directly with
//! XChaCha20-Poly1305 under the derived key; they still open, and are read as `passphrase`
//! and `key-file`.

use super::crypto::{self, KdfParams, NONCE_LEN, TAG_LEN};
use crate::error::{Error, Result};
use crate::secret::{Key32, Passphrase};
use std::io::Read;
use std::str::FromStr;

/// What a slot is unlocked with (the byte in the header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    /// Format 1: the data key sealed under Argon2id(passphrase).
    LegacyPassphrase = 1,
    /// Format 1: the data key sealed under HMAC(key file).
    LegacyKeyFile = 2,
    Passphrase = 3,
    KeyFile = 4,
    Ssh = 5,
    Age = 6,
}

impl SlotKind {
    /// From the header's byte.
    pub fn from_byte(b: u8) -> Option<SlotKind> {
        Some(match b {
            1 => SlotKind::LegacyPassphrase,
            2 => SlotKind::LegacyKeyFile,
            3 => SlotKind::Passphrase,
            4 => SlotKind::KeyFile,
            5 => SlotKind::Ssh,
            6 => SlotKind::Age,
            _ => return None,
        })
    }

    /// The word shown in `admin list`, `status` and json.
    pub fn word(self) -> &'static str {
        match self {
            SlotKind::LegacyPassphrase | SlotKind::Passphrase => "passphrase",
            SlotKind::LegacyKeyFile | SlotKind::KeyFile => "key-file",
            SlotKind::Ssh => "ssh",
            SlotKind::Age => "age",
        }
    }

    /// Whether a passphrase opens it (and so its KDF settings mean something).
    pub fn is_passphrase(self) -> bool {
        matches!(self, SlotKind::LegacyPassphrase | SlotKind::Passphrase)
    }

    /// Whether a key file opens it.
    pub fn is_key_file(self) -> bool {
        matches!(self, SlotKind::LegacyKeyFile | SlotKind::KeyFile)
    }

    /// Whether an identity file (SSH or age) opens it.
    pub fn is_identity(self) -> bool {
        matches!(self, SlotKind::Ssh | SlotKind::Age)
    }

    fn legacy(self) -> bool {
        matches!(self, SlotKind::LegacyPassphrase | SlotKind::LegacyKeyFile)
    }
}

/// One admin's slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub kind: SlotKind,
    /// The admin's name: the actor of what this slot unlocks.
    pub name: String,
    /// Unix seconds; 0 for slots from before teams.
    pub created_at: i64,
    /// Argon2id settings of a passphrase slot; zero otherwise.
    pub kdf: KdfParams,
    /// The KDF's or HMAC's salt; zero for SSH and age slots.
    pub salt: [u8; 16],
    /// The public key the data key is encrypted to (age `age1…`, or the SSH public key line);
    /// empty for a legacy slot.
    pub recipient: String,
    /// The age ciphertext of the data key; for a legacy slot, nonce ‖ sealed key ‖ tag.
    pub sealed: Vec<u8>,
}

/// No KDF: the settings of a slot that is not a passphrase's.
pub const NO_KDF: KdfParams = KdfParams {
    memory_kib: 0,
    iterations: 0,
    lanes: 0,
};

/// The longest admin name.
pub const MAX_NAME: usize = 64;

/// Checks an admin name: 1 to 64 characters of letters, digits, `.`, `_`, `-`, `@`.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(Error::usage(
            "invalid admin name",
            "use 1 to 64 letters, digits, '.', '_', '-' or '@' (e.g. alice, ci-deploy)",
        ))
    }
}

/// The age X25519 identity of a secret derived from a passphrase or a key file.
fn derived_identity(seed: &Key32) -> Result<age::x25519::Identity> {
    let hrp = bech32::Hrp::parse("age-secret-key-").expect("a valid prefix");
    let text = zeroize::Zeroizing::new(
        bech32::encode::<bech32::Bech32>(hrp, seed.expose_secret())
            .map_err(|_| Error::Internal("cannot encode an identity".into()))?
            .to_uppercase(),
    );
    age::x25519::Identity::from_str(&text)
        .map_err(|_| Error::Internal("cannot make an identity".into()))
}

fn key_file_seed(file_key: &Key32, salt: &[u8; 16], purpose: &[u8]) -> Key32 {
    Key32::from_bytes(crypto::hmac_sha256(
        file_key.expose_secret(),
        &[purpose, salt],
    ))
}

/// Encrypts the data key to one recipient with age.
fn encrypt_to(recipient: &dyn age::Recipient, data_key: &Key32) -> Result<Vec<u8>> {
    let enc = age::Encryptor::with_recipients(std::iter::once(recipient))
        .map_err(|e| Error::Internal(format!("cannot wrap the data key: {e}")))?;
    let mut out = Vec::with_capacity(256);
    let mut w = enc
        .wrap_output(&mut out)
        .map_err(|e| Error::Internal(format!("cannot wrap the data key: {e}")))?;
    std::io::Write::write_all(&mut w, data_key.expose_secret())
        .and_then(|_| w.finish().map(|_| ()))
        .map_err(|e| Error::Internal(format!("cannot wrap the data key: {e}")))?;
    Ok(out)
}

/// Decrypts a data key wrapped with age; `None` when the identity is not its recipient.
fn decrypt_with(identities: &[&dyn age::Identity], sealed: &[u8]) -> Option<Key32> {
    let dec = age::Decryptor::new_buffered(sealed).ok()?;
    let mut r = dec.decrypt(identities.iter().copied()).ok()?;
    let mut buf = zeroize::Zeroizing::new(Vec::with_capacity(32));
    r.read_to_end(&mut buf).ok()?;
    let key: [u8; 32] = buf.as_slice().try_into().ok()?;
    Some(Key32::from_bytes(key))
}

/// The recipient of an SSH or age public key as given to `admin add`.
pub enum Public {
    Ssh(String),
    Age(String),
}

impl Public {
    /// An SSH public key line (`ssh-ed25519 AAAA… comment`), checked by the age crate.
    pub fn ssh(line: &str) -> Result<Public> {
        let line = line.trim();
        age::ssh::Recipient::from_str(line).map_err(|_| {
            Error::usage(
                "not an SSH public key this store can use",
                "give an ssh-ed25519 or ssh-rsa public key file (e.g. ~/.ssh/id_ed25519.pub)",
            )
        })?;
        Ok(Public::Ssh(line.to_string()))
    }

    /// An age X25519 recipient (`age1…`).
    pub fn age(text: &str) -> Result<Public> {
        let text = text.trim();
        age::x25519::Recipient::from_str(text).map_err(|_| {
            Error::usage(
                "not an age X25519 recipient",
                "give the age1… public key (from `age-keygen -y KEYFILE` or `rage-keygen`)",
            )
        })?;
        Ok(Public::Age(text.to_string()))
    }
}

impl Slot {
    fn new(kind: SlotKind, name: &str, kdf: KdfParams, salt: [u8; 16]) -> Slot {
        Slot {
            kind,
            name: name.to_string(),
            created_at: crate::policy::now(),
            kdf,
            salt,
            recipient: String::new(),
            sealed: Vec::new(),
        }
    }

    /// A passphrase slot; runs the KDF.
    pub fn passphrase(
        name: &str,
        pass: &Passphrase,
        kdf: KdfParams,
        data_key: &Key32,
    ) -> Result<Slot> {
        let mut salt = [0u8; 16];
        crypto::fill_random(&mut salt)?;
        let seed = crypto::derive_from_passphrase(pass, &salt, kdf)?;
        let mut slot = Slot::new(SlotKind::Passphrase, name, kdf, salt);
        slot.recipient = derived_identity(&seed)?.to_public().to_string();
        slot.wrap(data_key)?;
        Ok(slot)
    }

    /// A key-file slot: the file's 32 bytes and the slot's salt give its identity.
    pub fn key_file(name: &str, file_key: &Key32, data_key: &Key32) -> Result<Slot> {
        let mut salt = [0u8; 16];
        crypto::fill_random(&mut salt)?;
        let seed = key_file_seed(file_key, &salt, b"apikeys/v2/key-file-slot");
        let mut slot = Slot::new(SlotKind::KeyFile, name, NO_KDF, salt);
        slot.recipient = derived_identity(&seed)?.to_public().to_string();
        slot.wrap(data_key)?;
        Ok(slot)
    }

    /// An SSH or age slot.
    pub fn public(name: &str, public: &Public, data_key: &Key32) -> Result<Slot> {
        let (kind, recipient) = match public {
            Public::Ssh(s) => (SlotKind::Ssh, s),
            Public::Age(s) => (SlotKind::Age, s),
        };
        let mut slot = Slot::new(kind, name, NO_KDF, [0; 16]);
        slot.recipient = recipient.clone();
        slot.wrap(data_key)?;
        Ok(slot)
    }

    /// Whether the slot is of today's kinds (not from before teams).
    pub fn kind_is_current(&self) -> bool {
        !self.kind.legacy()
    }

    /// Wraps `data_key` for this slot's recipient (re-keying needs no secret of the admin's).
    /// A legacy slot has no recipient: it must be made anew with its credential.
    pub fn wrap(&mut self, data_key: &Key32) -> Result<()> {
        self.sealed = match self.kind {
            SlotKind::Passphrase | SlotKind::KeyFile | SlotKind::Age => {
                let r = age::x25519::Recipient::from_str(&self.recipient)
                    .map_err(|_| Error::Internal("a slot's recipient cannot be read".into()))?;
                encrypt_to(&r, data_key)?
            }
            SlotKind::Ssh => {
                let r = age::ssh::Recipient::from_str(&self.recipient)
                    .map_err(|_| Error::Internal("a slot's SSH key cannot be read".into()))?;
                encrypt_to(&r, data_key)?
            }
            SlotKind::LegacyPassphrase | SlotKind::LegacyKeyFile => {
                return Err(Error::Internal(
                    "a slot from before teams can only be rewrapped with its own credential".into(),
                ));
            }
        };
        Ok(())
    }

    /// Unwraps the data key with a passphrase; `None` when it is not this slot's.
    pub fn open_passphrase(&self, store_id: &[u8; 16], pass: &Passphrase) -> Result<Option<Key32>> {
        let seed = crypto::derive_from_passphrase(pass, &self.salt, self.kdf)?;
        Ok(match self.kind {
            SlotKind::LegacyPassphrase => self.open_legacy(store_id, &seed),
            SlotKind::Passphrase => {
                let id = derived_identity(&seed)?;
                decrypt_with(&[&id], &self.sealed)
            }
            _ => None,
        })
    }

    /// Unwraps the data key with a key file's secret.
    pub fn open_key_file(&self, store_id: &[u8; 16], file_key: &Key32) -> Result<Option<Key32>> {
        Ok(match self.kind {
            SlotKind::LegacyKeyFile => {
                let wrap = key_file_seed(file_key, &self.salt, b"apikeys/v1/key-file-slot");
                self.open_legacy(store_id, &wrap)
            }
            SlotKind::KeyFile => {
                let seed = key_file_seed(file_key, &self.salt, b"apikeys/v2/key-file-slot");
                decrypt_with(&[&derived_identity(&seed)?], &self.sealed)
            }
            _ => None,
        })
    }

    /// Unwraps the data key with SSH or age identities.
    pub fn open_identity(&self, identities: &[&dyn age::Identity]) -> Option<Key32> {
        self.kind
            .is_identity()
            .then(|| decrypt_with(identities, &self.sealed))
            .flatten()
    }

    /// A legacy slot's bound fields: exactly what format 1 bound its wrapping to.
    fn legacy_bound(&self, store_id: &[u8; 16]) -> Vec<u8> {
        let mut v = Vec::with_capacity(64);
        v.extend_from_slice(super::format::MAGIC);
        v.extend_from_slice(&1u16.to_be_bytes());
        v.extend_from_slice(store_id);
        v.push(self.kind as u8);
        v.extend_from_slice(&self.kdf.memory_kib.to_be_bytes());
        v.extend_from_slice(&self.kdf.iterations.to_be_bytes());
        v.extend_from_slice(&self.kdf.lanes.to_be_bytes());
        v.extend_from_slice(&self.salt);
        v
    }

    fn open_legacy(&self, store_id: &[u8; 16], wrap: &Key32) -> Option<Key32> {
        if !self.kind.legacy() || self.sealed.len() != NONCE_LEN + 32 + TAG_LEN {
            return None;
        }
        let nonce: [u8; NONCE_LEN] = self.sealed[..NONCE_LEN].try_into().ok()?;
        let mut buf = zeroize::Zeroizing::new([0u8; 32]);
        buf.copy_from_slice(&self.sealed[NONCE_LEN..NONCE_LEN + 32]);
        let tag: [u8; TAG_LEN] = self.sealed[NONCE_LEN + 32..].try_into().ok()?;
        crypto::open_in_place(
            wrap,
            &nonce,
            &self.legacy_bound(store_id),
            buf.as_mut(),
            &tag,
        )
        .then(|| Key32::from_bytes(*buf))
    }

    /// A short public fingerprint: SSH's own `SHA256:…` for an SSH key (as `ssh-keygen -l`
    /// prints it), the recipient for age, a digest of the derived public key otherwise.
    pub fn fingerprint(&self) -> String {
        use base64::Engine;
        use sha2::Digest;
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
        match self.kind {
            SlotKind::Ssh => {
                let blob = self
                    .recipient
                    .split_whitespace()
                    .nth(1)
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                    .unwrap_or_default();
                format!("SHA256:{}", b64.encode(sha2::Sha256::digest(&blob)))
            }
            SlotKind::Age => self.recipient.clone(),
            SlotKind::Passphrase | SlotKind::KeyFile => {
                let d = sha2::Sha256::digest(self.recipient.as_bytes());
                format!("SHA256:{}", &b64.encode(d)[..16])
            }
            SlotKind::LegacyPassphrase | SlotKind::LegacyKeyFile => "-".into(),
        }
    }
}

/// Opens an encrypted SSH private key with its passphrase, asked at the terminal (three
/// tries). A wrong passphrase, or none to be had without a terminal, is said as such: never
/// as "no slot is for this identity", which would send the admin looking in the wrong place.
fn unlock_ssh_key(
    path: &std::path::Path,
    key: &age::ssh::EncryptedKey,
    asker: Option<&dyn super::unlock::Asker>,
) -> std::result::Result<age::ssh::Identity, String> {
    let shown = crate::text::sanitize(&path.display().to_string());
    let Some(asker) = asker else {
        return Err(format!(
            "the SSH key {shown} is encrypted, and there is no terminal to ask for its passphrase"
        ));
    };
    for attempt in 1..=3 {
        let typed = asker
            .secret(&format!("Passphrase for SSH key {shown}"))
            .map_err(|e| e.to_string())?;
        let secret = age::secrecy::SecretString::from(
            String::from_utf8_lossy(typed.expose_secret_bytes()).into_owned(),
        );
        match key.decrypt(secret) {
            Ok(k) => return Ok(age::ssh::Identity::Unencrypted(k)),
            Err(_) if attempt < 3 => asker.say("wrong passphrase for the SSH key, try again"),
            Err(_) => {}
        }
    }
    Err(format!("wrong passphrase for the SSH key {shown}"))
}

/// The identities in an `--identity` file: an SSH private key (OpenSSH or PEM; an encrypted
/// one has its passphrase asked through `asker`) or age identities (`AGE-SECRET-KEY-1…`).
pub fn read_identities(
    path: &std::path::Path,
    asker: Option<&dyn super::unlock::Asker>,
) -> std::result::Result<Vec<Box<dyn age::Identity + Send + Sync>>, String> {
    let raw = super::unlock::read_capped_at(path, "identity file", 64 * 1024)?;
    let text = std::str::from_utf8(&raw)
        .map_err(|_| format!("identity file {} is not text", path.display()))?;
    if text.contains("PRIVATE KEY-----") {
        let id = age::ssh::Identity::from_buffer(text.as_bytes(), Some(path.display().to_string()))
            .map_err(|_| {
                format!(
                    "{} is not an SSH private key this store can use",
                    path.display()
                )
            })?;
        let id = match id {
            age::ssh::Identity::Unsupported(_) => {
                return Err(format!(
                    "{} is an SSH key of a kind age cannot use (ssh-ed25519 and ssh-rsa only)",
                    path.display()
                ));
            }
            age::ssh::Identity::Encrypted(enc) => unlock_ssh_key(path, &enc, asker)?,
            plain => plain,
        };
        return Ok(vec![Box::new(id)]);
    }
    age::IdentityFile::from_buffer(text.as_bytes())
        .ok()
        .and_then(|f| f.into_identities().ok())
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| {
            format!(
                "{} holds no identity (an SSH private key, or age's AGE-SECRET-KEY-1…)",
                path.display()
            )
        })
}
