//! Zeroizing newtypes for secrets, with a redacted `Debug` and no `Clone`, `Copy` or `Serialize`.

use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// A passphrase typed by the user or read from a file.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps a passphrase; the string is wiped when this value is dropped.
    pub fn new(s: String) -> Self {
        Passphrase(Zeroizing::new(s))
    }

    /// Another copy of the same secret (zeroized on drop like this one).
    pub fn clone_secret(&self) -> Passphrase {
        Passphrase::new(self.0.as_str().to_owned())
    }

    /// The plaintext bytes. Named loudly so that a reader sees where secrets flow.
    pub fn expose_secret_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Whether the passphrase is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Length in characters.
    pub fn char_len(&self) -> usize {
        self.0.chars().count()
    }
}

/// Its string is a `Zeroizing<String>`, wiped when dropped.
impl zeroize::ZeroizeOnDrop for Passphrase {}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase([REDACTED])")
    }
}

/// A 256-bit key: the store's data key, a key-file secret or a wrapping key.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Key32([u8; 32]);

impl Key32 {
    /// Wraps 32 bytes of key material.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Key32(bytes)
    }

    /// 32 fresh bytes from the OS CSPRNG.
    pub fn random() -> crate::Result<Self> {
        let mut k = Key32([0; 32]);
        fill_random(&mut k.0)?;
        Ok(k)
    }

    /// The key bytes. Named loudly so that a reader sees where secrets flow.
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }

    /// A copy that is itself zeroized on drop.
    pub fn duplicate(&self) -> Self {
        Key32(self.0)
    }
}

impl fmt::Debug for Key32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key32([REDACTED])")
    }
}

/// A full API token (`prefix_id_secretcheck`), shown once and then forgotten.
pub struct TokenString(Zeroizing<String>);

impl TokenString {
    /// Wraps a token; the string is wiped when this value is dropped.
    pub fn new(s: String) -> Self {
        TokenString(Zeroizing::new(s))
    }

    /// The plaintext token. Named loudly so that a reader sees where secrets flow.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

/// Its string is a `Zeroizing<String>`, wiped when dropped.
impl zeroize::ZeroizeOnDrop for TokenString {}

impl fmt::Debug for TokenString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenString([REDACTED])")
    }
}

/// HMAC-SHA-256 of the concatenated `parts` under `key`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key)
        .expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// The keyed hash stored for a token: HMAC-SHA-256 under the pepper of `id` and the secret.
pub fn secret_hash(pepper: &Key32, id: &str, secret: &str) -> [u8; 32] {
    Pepper::new(pepper).secret_hash(id, secret)
}

/// Whether two digests are equal, in time that does not depend on where they differ: their
/// words' differences gathered with no early exit, then one constant-time comparison
/// (`subtle`'s byte-by-byte comparison costs a barrier per byte, on every verification).
pub fn digests_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    use subtle::ConstantTimeEq;
    let word = |d: &[u8; 32], i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&d[i * 8..i * 8 + 8]);
        u64::from_ne_bytes(w)
    };
    let diff = (0..4).fold(0u64, |acc, i| acc | (word(a, i) ^ word(b, i)));
    diff.ct_eq(&0).into()
}

/// The pepper made ready for HMAC-SHA-256: its two key blocks hashed once, when the keys are
/// loaded, so that a verification hashes only its own message and one block more (three
/// compressions, not five). The state is worth the key: wiped on drop (sha2's `zeroize`),
/// never shown.
#[derive(Clone)]
pub struct Pepper(hmac::Hmac<sha2::Sha256>);

impl Pepper {
    /// The pepper `key`, ready.
    pub fn new(key: &Key32) -> Pepper {
        use hmac::KeyInit;
        Pepper(
            <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key.expose_secret())
                .expect("HMAC takes any key length"),
        )
    }

    /// [`secret_hash`] under this pepper.
    pub fn secret_hash(&self, id: &str, secret: &str) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = self.0.clone();
        for p in [id.as_bytes(), b":", secret.as_bytes()] {
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pepper([REDACTED])")
    }
}

/// Fills `buf` from the OS CSPRNG.
pub fn fill_random(buf: &mut [u8]) -> crate::Result<()> {
    getrandom::fill(buf)
        .map_err(|e| crate::Error::Internal(format!("the OS random generator failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_equal_only_when_every_byte_is() {
        let a: [u8; 32] = std::array::from_fn(|i| i as u8 * 7 + 3);
        assert!(digests_equal(&a, &a.clone()));
        for i in 0..32 {
            for bit in [1u8, 0x80] {
                let mut b = a;
                b[i] ^= bit;
                assert!(!digests_equal(&a, &b), "byte {i}");
            }
        }
        assert!(digests_equal(&[0; 32], &[0; 32]));
        assert!(!digests_equal(&[0; 32], &[0xff; 32]));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let p = Passphrase::new("hunter2-correct-horse".into());
        let k = Key32::from_bytes([0xAB; 32]);
        let t = TokenString::new("ak_abc_supersecret".into());
        for s in [format!("{p:?}"), format!("{k:?}"), format!("{t:?}")] {
            assert!(s.contains("REDACTED"), "{s}");
            assert!(!s.contains("hunter2") && !s.contains("171") && !s.contains("supersecret"));
            assert!(!s.to_lowercase().contains("ab, ab"));
        }
    }

    #[test]
    fn a_ready_pepper_hashes_as_hmac_every_time() {
        let k = Key32::from_bytes([0x5A; 32]);
        let ready = Pepper::new(&k);
        for (id, secret) in [("abc123", "s3cret"), ("", ""), ("x", &"long".repeat(40))] {
            let want = hmac_sha256(k.expose_secret(), &[id.as_bytes(), b":", secret.as_bytes()]);
            // Twice: a use leaves the ready state as it was.
            assert_eq!(ready.secret_hash(id, secret), want, "{id}");
            assert_eq!(ready.secret_hash(id, secret), want, "{id}");
            assert_eq!(secret_hash(&k, id, secret), want, "{id}");
        }
        assert_ne!(
            Pepper::new(&Key32::from_bytes([0x5B; 32])).secret_hash("abc123", "s3cret"),
            ready.secret_hash("abc123", "s3cret")
        );
        assert_eq!(format!("{ready:?}"), "Pepper([REDACTED])");
    }

    #[test]
    fn key_is_zeroized_in_place() {
        let mut k = Key32::from_bytes([7; 32]);
        k.zeroize();
        assert_eq!(k.expose_secret(), &[0; 32]);
    }
}
