//! Where the secret that opens a store comes from, in the order of SPEC §3: key file, passphrase
//! file, `APIKEYS_PASSPHRASE`, a prompt on a terminal; otherwise exit 3 at once, never a hang.

use crate::error::{Error, Result};
use crate::secret::{Key32, Passphrase};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The unlock options a command was given.
#[derive(Debug, Default)]
pub struct UnlockOptions {
    pub key_file: Option<PathBuf>,
    pub passphrase_file: Option<PathBuf>,
    /// `APIKEYS_PASSPHRASE`: held until a long-running command lets go of it
    /// ([`UnlockOptions::forget_env_passphrase`]), so that only the open store keeps a copy.
    pub passphrase_env: std::sync::Mutex<Option<Passphrase>>,
    /// An SSH private key or age identity file (`--identity`, `APIKEYS_IDENTITY`).
    pub identity: Option<PathBuf>,
    /// Who may be asked for a secret at a terminal (the commands' prompt on `/dev/tty`); none
    /// without a controlling terminal. The store never draws a prompt itself.
    pub asker: Option<std::sync::Arc<dyn Asker>>,
}

/// A way to ask a person for a secret, given to the store by the commands: the store decides
/// when a secret is needed, the terminal (crate::term::prompt) how it is asked.
pub trait Asker: Send + Sync + std::fmt::Debug {
    /// Asks for a secret without echo.
    fn secret(&self, prompt: &str) -> Result<Passphrase>;
    /// Says one line where the question was asked (a retry).
    fn say(&self, line: &str);
}

/// The secret chosen to unlock a store.
#[derive(Debug)]
pub enum Credential {
    KeyFile(PathBuf, Key32),
    Passphrase(Passphrase),
    Identity(PathBuf, Identities),
}

/// The identities of an `--identity` file.
pub struct Identities(pub Vec<Box<dyn age::Identity + Send + Sync>>);

impl std::fmt::Debug for Identities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Identities({})", self.0.len())
    }
}

impl Identities {
    /// As the age crate takes them.
    pub fn refs(&self) -> Vec<&dyn age::Identity> {
        self.0
            .iter()
            .map(|b| b.as_ref() as &dyn age::Identity)
            .collect()
    }
}

/// The hint shown whenever a store cannot be unlocked.
pub const UNLOCK_HINT: &str = "pass --identity, --key-file, --passphrase-file or APIKEYS_PASSPHRASE, or run on a terminal to be asked";

impl UnlockOptions {
    /// Picks the credential, reading files or prompting as needed.
    pub fn credential(&self, store: &Path) -> Result<Credential> {
        let fail = |reason: String| Error::Unlock {
            path: store.to_path_buf(),
            reason,
            hint: UNLOCK_HINT.into(),
        };
        if let Some(path) = &self.identity {
            return crate::store::slots::read_identities(path, self.asker.as_deref())
                .map(|ids| Credential::Identity(path.clone(), Identities(ids)))
                .map_err(fail);
        }
        if let Some(path) = &self.key_file {
            return read_key_file(path)
                .map(|k| Credential::KeyFile(path.clone(), k))
                .map_err(fail);
        }
        self.passphrase(store).map(Credential::Passphrase)
    }

    /// The passphrase alone, from the passphrase file, `APIKEYS_PASSPHRASE` or a prompt, in
    /// that order; `passwd` needs it to keep the passphrase slot when it re-keys.
    pub fn passphrase(&self, store: &Path) -> Result<Passphrase> {
        let fail = |reason: String| Error::Unlock {
            path: store.to_path_buf(),
            reason,
            hint: UNLOCK_HINT.into(),
        };
        if let Some(path) = &self.passphrase_file {
            return read_passphrase_file(path).map_err(fail);
        }
        if let Some(p) = self.env_passphrase().as_ref() {
            return Ok(Passphrase::new(
                String::from_utf8_lossy(p.expose_secret_bytes()).into_owned(),
            ));
        }
        if let Some(asker) = &self.asker {
            let prompt = format!("Passphrase for {}", store.display());
            return asker.secret(&prompt);
        }
        Err(fail(
            "no key file or passphrase was given and there is no terminal to ask on".into(),
        ))
    }

    fn env_passphrase(&self) -> std::sync::MutexGuard<'_, Option<Passphrase>> {
        self.passphrase_env
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Drops (and wipes) the copy of `APIKEYS_PASSPHRASE` held here: `serve` calls it once the
    /// store is open, so that the store's credential is the one copy it keeps in memory.
    pub fn forget_env_passphrase(&self) {
        self.env_passphrase().take();
    }

    /// Whether the credential comes from a prompt, so that a wrong one may be asked again.
    pub fn prompts(&self) -> bool {
        self.asker.is_some()
            && self.identity.is_none()
            && self.key_file.is_none()
            && self.passphrase_file.is_none()
            && self.env_passphrase().is_none()
    }
}

/// The largest passphrase, key or token file read: far above any real one, small enough that
/// `--passphrase-file /dev/zero` fails at once instead of filling memory.
pub const MAX_SECRET_FILE: u64 = 4096;

/// Reads a small secret file, refusing one larger than [`MAX_SECRET_FILE`].
pub fn read_capped(path: &Path, what: &str) -> std::result::Result<Zeroizing<Vec<u8>>, String> {
    read_capped_at(path, what, MAX_SECRET_FILE)
}

/// Reads a secret file of at most `max` bytes (an RSA private key is larger than a key file).
pub fn read_capped_at(
    path: &Path,
    what: &str,
    max: u64,
) -> std::result::Result<Zeroizing<Vec<u8>>, String> {
    use std::io::Read;
    let mut buf = Zeroizing::new(Vec::new());
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut buf))
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    if buf.len() as u64 > max {
        return Err(format!(
            "{what} {} is larger than {max} bytes: not a {what}",
            path.display()
        ));
    }
    Ok(buf)
}

/// Reads a passphrase file, dropping one trailing newline.
pub fn read_passphrase_file(path: &Path) -> std::result::Result<Passphrase, String> {
    let raw = read_capped(path, "passphrase file")?;
    let mut s = Zeroizing::new(
        String::from_utf8(raw.to_vec())
            .map_err(|_| format!("passphrase file {} is not UTF-8", path.display()))?,
    );
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    Ok(Passphrase::new(std::mem::take(&mut *s)))
}

/// Reads a key file: 64 hex digits (32 bytes) and an optional newline.
pub fn read_key_file(path: &Path) -> std::result::Result<Key32, String> {
    let raw = read_capped(path, "key file")?;
    let text = std::str::from_utf8(&raw).unwrap_or("").trim();
    let key = Zeroizing::new(crate::hex::decode::<32>(text).ok_or_else(|| {
        format!(
            "{} is not an apikeys key file (64 hex digits expected)",
            path.display()
        )
    })?);
    Ok(Key32::from_bytes(*key))
}

/// The text written to a new key file: 64 lowercase hex digits and a newline.
pub fn key_file_text(key: &Key32) -> Zeroizing<String> {
    let mut s = Zeroizing::new(crate::hex::encode(key.expose_secret()));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_round_trip_and_garbage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        let key = Key32::from_bytes([0xA5; 32]);
        std::fs::write(&p, key_file_text(&key).as_bytes()).unwrap();
        assert_eq!(
            read_key_file(&p).unwrap().expose_secret(),
            key.expose_secret()
        );
        std::fs::write(&p, "zz".repeat(32)).unwrap();
        assert!(read_key_file(&p).is_err());
        std::fs::write(&p, "ab").unwrap();
        assert!(read_key_file(&p).is_err());
    }

    #[test]
    fn passphrase_files_lose_one_trailing_newline_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p");
        std::fs::write(&p, "pass word \r\n").unwrap();
        assert_eq!(
            read_passphrase_file(&p).unwrap().expose_secret_bytes(),
            b"pass word "
        );
        std::fs::write(&p, "x\n\n").unwrap();
        assert_eq!(
            read_passphrase_file(&p).unwrap().expose_secret_bytes(),
            b"x\n"
        );
    }

    #[test]
    fn no_source_and_no_terminal_is_exit_3() {
        let err = UnlockOptions::default()
            .credential(Path::new("s"))
            .unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert!(err.hint().unwrap().contains("--key-file"));
    }
}
