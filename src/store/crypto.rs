//! The primitives the store is built from: XChaCha20-Poly1305, Argon2id, HMAC-SHA-256, the OS CSPRNG.

use crate::error::{Error, Result};
use crate::secret::{Key32, Passphrase};
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

/// Length of an XChaCha20 nonce.
pub const NONCE_LEN: usize = 24;
/// Length of a Poly1305 tag.
pub const TAG_LEN: usize = 16;

/// Argon2id cost settings of a passphrase slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
}

impl KdfParams {
    /// SPEC §6 defaults: 64 MiB, 3 iterations, 1 lane.
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 3,
        lanes: 1,
    };

    /// Whether this cost is below OWASP's least Argon2id settings (46 MiB with 1 iteration,
    /// 19 MiB with 2, 12 with 3, 9 with 4, 7 with 5): a stolen copy of the store is then cheap
    /// to guess at. Allowed (tests and benchmarks want a fast KDF), and said.
    pub fn below_owasp(&self) -> bool {
        let mib = self.memory_kib / 1024;
        match self.iterations {
            0 => true,
            1 => mib < 46,
            2 => mib < 19,
            3 => mib < 12,
            4 => mib < 9,
            _ => mib < 7,
        }
    }

    /// The warning for a passphrase slot set to this cost, if it is below OWASP's minimum.
    pub fn warning(&self) -> Option<String> {
        self.below_owasp().then(|| {
            format!(
                "warning: Argon2id at {} MiB and {} is below OWASP's minimum (19 MiB with 2 iterations, or 46 MiB with 1): a stolen copy of the store is cheap to guess at; `apikeys passwd --kdf-memory 64 --kdf-iterations 3` raises it",
                self.memory_kib / 1024,
                crate::text::count(self.iterations as usize, "iteration")
            )
        })
    }

    /// The largest memory a store may ask for (2 GiB); a header asking for more is refused
    /// before anything is allocated. docs/security.md says why these caps are right.
    pub const MAX_MEMORY_KIB: u32 = 2 * 1024 * 1024;
    /// The smallest memory accepted (1 MiB).
    pub const MIN_MEMORY_KIB: u32 = 1024;
    /// The most iterations a store may ask for.
    pub const MAX_ITERATIONS: u32 = 16;
    /// The most lanes a store may ask for.
    pub const MAX_LANES: u32 = 16;

    /// Whether these parameters are within the bounds this tool will ever run.
    pub fn within_bounds(&self) -> bool {
        (Self::MIN_MEMORY_KIB..=Self::MAX_MEMORY_KIB).contains(&self.memory_kib)
            && (1..=Self::MAX_ITERATIONS).contains(&self.iterations)
            && (1..=Self::MAX_LANES).contains(&self.lanes)
            && self.memory_kib >= 8 * self.lanes
    }
}

pub use crate::secret::{fill_random, hmac_sha256, secret_hash};

/// Derives a 256-bit wrapping key from a passphrase with Argon2id.
pub fn derive_from_passphrase(pass: &Passphrase, salt: &[u8], p: KdfParams) -> Result<Key32> {
    if !p.within_bounds() {
        return Err(Error::Internal("KDF parameters out of bounds".into()));
    }
    let params = argon2::Params::new(p.memory_kib, p.iterations, p.lanes, Some(32))
        .map_err(|e| Error::Internal(format!("invalid KDF parameters: {e}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(pass.expose_secret_bytes(), salt, out.as_mut())
        .map_err(|e| Error::Internal(format!("key derivation failed: {e}")))?;
    Ok(Key32::from_bytes(*out))
}

/// Derives a sub-key of `key` for one purpose, so that one key never serves two roles.
pub fn subkey(key: &Key32, purpose: &[u8]) -> Key32 {
    Key32::from_bytes(hmac_sha256(key.expose_secret(), &[b"apikeys/v1/", purpose]))
}

fn cipher(key: &Key32) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.expose_secret().into())
}

/// Encrypts `buf` in place and returns the tag.
pub fn seal_in_place(
    key: &Key32,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
) -> Result<[u8; TAG_LEN]> {
    let tag = cipher(key)
        .encrypt_inout_detached(&XNonce::from(*nonce), aad, buf.into())
        .map_err(|_| Error::Internal("encryption failed".into()))?;
    Ok(tag.into())
}

/// Decrypts `buf` in place; returns false (and leaves `buf` undefined) when the tag does not match.
#[must_use]
pub fn open_in_place(
    key: &Key32,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> bool {
    cipher(key)
        .decrypt_inout_detached(&XNonce::from(*nonce), aad, buf.into(), &Tag::from(*tag))
        .is_ok()
}

/// A fresh random nonce.
pub fn random_nonce() -> Result<[u8; NONCE_LEN]> {
    let mut n = [0u8; NONCE_LEN];
    fill_random(&mut n)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_round_trips_and_detects_changes() {
        let key = Key32::from_bytes([1; 32]);
        let nonce = [2; NONCE_LEN];
        let mut buf = b"hello store".to_vec();
        let tag = seal_in_place(&key, &nonce, b"hdr", &mut buf).unwrap();
        assert_ne!(&buf, b"hello store");
        let mut copy = buf.clone();
        assert!(open_in_place(&key, &nonce, b"hdr", &mut copy, &tag));
        assert_eq!(&copy, b"hello store");
        let mut copy = buf.clone();
        assert!(!open_in_place(&key, &nonce, b"hdX", &mut copy, &tag));
        let mut copy = buf.clone();
        copy[0] ^= 1;
        assert!(!open_in_place(&key, &nonce, b"hdr", &mut copy, &tag));
    }

    #[test]
    fn kdf_bounds_refuse_forged_sizes() {
        assert!(KdfParams::DEFAULT.within_bounds());
        let huge = KdfParams {
            memory_kib: u32::MAX,
            ..KdfParams::DEFAULT
        };
        assert!(!huge.within_bounds());
        assert!(derive_from_passphrase(&Passphrase::new("x".into()), &[0; 16], huge).is_err());
        assert!(
            !KdfParams {
                iterations: 0,
                ..KdfParams::DEFAULT
            }
            .within_bounds()
        );
        assert!(
            !KdfParams {
                lanes: 1000,
                ..KdfParams::DEFAULT
            }
            .within_bounds()
        );
    }

    #[test]
    fn kdf_depends_on_passphrase_and_salt() {
        let p = KdfParams {
            memory_kib: 1024,
            iterations: 1,
            lanes: 1,
        };
        let a = derive_from_passphrase(&Passphrase::new("a".into()), &[0; 16], p).unwrap();
        let b = derive_from_passphrase(&Passphrase::new("b".into()), &[0; 16], p).unwrap();
        let c = derive_from_passphrase(&Passphrase::new("a".into()), &[1; 16], p).unwrap();
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert_ne!(a.expose_secret(), c.expose_secret());
    }
}
