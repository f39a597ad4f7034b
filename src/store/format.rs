//! The store file's layout (docs/store-format.md): header, key slots, header checksum, sealed payload.

use super::crypto::{self, KdfParams, NONCE_LEN, TAG_LEN};
use crate::secret::{Key32, Passphrase};

/// The file's first eight bytes.
pub const MAGIC: &[u8; 8] = b"APIKEYS\0";
/// The only format version this build reads and writes.
pub const VERSION: u16 = 1;
/// Bytes in one key slot.
pub const SLOT_LEN: usize = 1 + 12 + 16 + NONCE_LEN + 32 + TAG_LEN;
/// Bytes before the slots: magic, version, store id, slot count.
const FIXED_LEN: usize = 8 + 2 + 16 + 1;
/// The most slots a header may hold (one passphrase, one key file).
const MAX_SLOTS: usize = 2;
/// The longest header there can be: two slots.
pub const MAX_HEADER_LEN: usize = FIXED_LEN + MAX_SLOTS * SLOT_LEN + NONCE_LEN + 4;

/// What a slot is unlocked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    Passphrase = 1,
    KeyFile = 2,
}

/// One key slot: the data key wrapped under a key derived from a passphrase or a key file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub kind: SlotKind,
    /// Argon2id settings; zero for a key-file slot.
    pub kdf: KdfParams,
    pub salt: [u8; 16],
    pub nonce: [u8; NONCE_LEN],
    /// The data key, encrypted, followed by its tag.
    pub wrapped: [u8; 32 + TAG_LEN],
}

/// The parsed header of a store file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub store_id: [u8; 16],
    pub slots: Vec<Slot>,
    pub payload_nonce: [u8; NONCE_LEN],
}

/// Why a file could not be read as a store; each maps to exit 4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    NotAStore,
    UnknownVersion(u16),
    Truncated,
    HeaderChecksum,
    BadSlots,
    KdfOutOfBounds,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::NotAStore => f.write_str("not an apikeys store (bad magic bytes)"),
            FormatError::UnknownVersion(v) => {
                write!(
                    f,
                    "unknown format version {v} (this build reads version {VERSION})"
                )
            }
            FormatError::Truncated => f.write_str("the file is truncated"),
            FormatError::HeaderChecksum => f.write_str("the header checksum does not match"),
            FormatError::BadSlots => f.write_str("the key slots are malformed"),
            FormatError::KdfOutOfBounds => {
                f.write_str("the header asks for key-derivation parameters out of bounds")
            }
        }
    }
}

impl Slot {
    /// The slot's fields that its wrapping is bound to (everything but nonce and ciphertext).
    fn bound_fields(&self, store_id: &[u8; 16]) -> Vec<u8> {
        let mut v = Vec::with_capacity(64);
        v.extend_from_slice(MAGIC);
        v.extend_from_slice(&VERSION.to_be_bytes());
        v.extend_from_slice(store_id);
        v.push(self.kind as u8);
        v.extend_from_slice(&self.kdf.memory_kib.to_be_bytes());
        v.extend_from_slice(&self.kdf.iterations.to_be_bytes());
        v.extend_from_slice(&self.kdf.lanes.to_be_bytes());
        v.extend_from_slice(&self.salt);
        v
    }

    /// Wraps `data_key` under `wrap_key` into a new slot of `kind`.
    fn seal(
        kind: SlotKind,
        kdf: KdfParams,
        salt: [u8; 16],
        store_id: &[u8; 16],
        wrap_key: &Key32,
        data_key: &Key32,
    ) -> crate::Result<Slot> {
        let mut slot = Slot {
            kind,
            kdf,
            salt,
            nonce: crypto::random_nonce()?,
            wrapped: [0; 32 + TAG_LEN],
        };
        let mut buf = *data_key.expose_secret();
        let tag = crypto::seal_in_place(
            wrap_key,
            &slot.nonce,
            &slot.bound_fields(store_id),
            &mut buf,
        )?;
        slot.wrapped[..32].copy_from_slice(&buf);
        slot.wrapped[32..].copy_from_slice(&tag);
        Ok(slot)
    }

    /// A passphrase slot; runs the KDF.
    pub fn for_passphrase(
        pass: &Passphrase,
        kdf: KdfParams,
        store_id: &[u8; 16],
        data_key: &Key32,
    ) -> crate::Result<Slot> {
        let mut salt = [0u8; 16];
        crypto::fill_random(&mut salt)?;
        let wrap = crypto::derive_from_passphrase(pass, &salt, kdf)?;
        Slot::seal(SlotKind::Passphrase, kdf, salt, store_id, &wrap, data_key)
    }

    /// A key-file slot; the file's 32 bytes are the input of an HMAC with the slot's salt.
    pub fn for_key_file(
        file_key: &Key32,
        store_id: &[u8; 16],
        data_key: &Key32,
    ) -> crate::Result<Slot> {
        let mut salt = [0u8; 16];
        crypto::fill_random(&mut salt)?;
        let wrap = key_file_wrap_key(file_key, &salt);
        let none = KdfParams {
            memory_kib: 0,
            iterations: 0,
            lanes: 0,
        };
        Slot::seal(SlotKind::KeyFile, none, salt, store_id, &wrap, data_key)
    }

    /// Derives this slot's wrapping key from a passphrase (runs the KDF).
    pub fn passphrase_wrap_key(&self, pass: &Passphrase) -> crate::Result<Key32> {
        crypto::derive_from_passphrase(pass, &self.salt, self.kdf)
    }

    /// Derives this slot's wrapping key from a key file's secret.
    pub fn key_file_wrap_key(&self, file_key: &Key32) -> Key32 {
        key_file_wrap_key(file_key, &self.salt)
    }

    /// Unwraps the data key; `None` when `wrap_key` is not this slot's key.
    pub fn unwrap(&self, store_id: &[u8; 16], wrap_key: &Key32) -> Option<Key32> {
        let mut buf = zeroize::Zeroizing::new([0u8; 32]);
        buf.copy_from_slice(&self.wrapped[..32]);
        let tag: [u8; TAG_LEN] = self.wrapped[32..].try_into().ok()?;
        crypto::open_in_place(
            wrap_key,
            &self.nonce,
            &self.bound_fields(store_id),
            buf.as_mut(),
            &tag,
        )
        .then(|| Key32::from_bytes(*buf))
    }
}

fn key_file_wrap_key(file_key: &Key32, salt: &[u8; 16]) -> Key32 {
    Key32::from_bytes(crypto::hmac_sha256(
        file_key.expose_secret(),
        &[b"apikeys/v1/key-file-slot", salt],
    ))
}

impl Header {
    /// The slot of a kind, if the store has one.
    pub fn slot(&self, kind: SlotKind) -> Option<&Slot> {
        self.slots.iter().find(|s| s.kind == kind)
    }

    /// Replaces (or adds) the slot of `slot.kind`, keeping the passphrase slot first.
    pub fn set_slot(&mut self, slot: Slot) {
        self.slots.retain(|s| s.kind != slot.kind);
        self.slots.push(slot);
        self.slots.sort_by_key(|s| s.kind as u8);
    }

    /// The header's encoded length.
    pub fn encoded_len(&self) -> usize {
        FIXED_LEN + self.slots.len() * SLOT_LEN + NONCE_LEN + 4
    }

    /// Encodes the header, ending with the CRC32 of all bytes before it.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.encoded_len());
        v.extend_from_slice(MAGIC);
        v.extend_from_slice(&VERSION.to_be_bytes());
        v.extend_from_slice(&self.store_id);
        v.push(self.slots.len() as u8);
        for s in &self.slots {
            v.push(s.kind as u8);
            v.extend_from_slice(&s.kdf.memory_kib.to_be_bytes());
            v.extend_from_slice(&s.kdf.iterations.to_be_bytes());
            v.extend_from_slice(&s.kdf.lanes.to_be_bytes());
            v.extend_from_slice(&s.salt);
            v.extend_from_slice(&s.nonce);
            v.extend_from_slice(&s.wrapped);
        }
        v.extend_from_slice(&self.payload_nonce);
        let crc = crc32fast::hash(&v);
        v.extend_from_slice(&crc.to_be_bytes());
        v
    }

    /// Decodes the header at the start of `file`; returns it and its encoded length.
    ///
    /// Checks magic, version, checksum and KDF bounds, in that order, before any KDF can run.
    pub fn decode(file: &[u8]) -> Result<(Header, usize), FormatError> {
        if file.len() < 10 {
            return Err(
                if file.starts_with(&MAGIC[..file.len().min(8)]) && !file.is_empty() {
                    FormatError::Truncated
                } else {
                    FormatError::NotAStore
                },
            );
        }
        if &file[..8] != MAGIC {
            return Err(FormatError::NotAStore);
        }
        let version = u16::from_be_bytes([file[8], file[9]]);
        if version != VERSION {
            return Err(FormatError::UnknownVersion(version));
        }
        if file.len() < FIXED_LEN {
            return Err(FormatError::Truncated);
        }
        let count = file[26] as usize;
        let len = FIXED_LEN + count * SLOT_LEN + NONCE_LEN + 4;
        if file.len() < len {
            return Err(FormatError::Truncated);
        }
        let crc = u32::from_be_bytes(file[len - 4..len].try_into().expect("4 bytes"));
        if crc32fast::hash(&file[..len - 4]) != crc {
            return Err(FormatError::HeaderChecksum);
        }
        if count == 0 || count > MAX_SLOTS {
            return Err(FormatError::BadSlots);
        }
        let mut store_id = [0u8; 16];
        store_id.copy_from_slice(&file[10..26]);
        let mut slots = Vec::with_capacity(count);
        for i in 0..count {
            let b = &file[FIXED_LEN + i * SLOT_LEN..FIXED_LEN + (i + 1) * SLOT_LEN];
            let kind = match b[0] {
                1 => SlotKind::Passphrase,
                2 => SlotKind::KeyFile,
                _ => return Err(FormatError::BadSlots),
            };
            let u = |o: usize| u32::from_be_bytes(b[o..o + 4].try_into().expect("4 bytes"));
            let kdf = KdfParams {
                memory_kib: u(1),
                iterations: u(5),
                lanes: u(9),
            };
            if kind == SlotKind::Passphrase && !kdf.within_bounds() {
                return Err(FormatError::KdfOutOfBounds);
            }
            let mut slot = Slot {
                kind,
                kdf,
                salt: [0; 16],
                nonce: [0; NONCE_LEN],
                wrapped: [0; 32 + TAG_LEN],
            };
            slot.salt.copy_from_slice(&b[13..29]);
            slot.nonce.copy_from_slice(&b[29..29 + NONCE_LEN]);
            slot.wrapped.copy_from_slice(&b[29 + NONCE_LEN..]);
            if slots.iter().any(|s: &Slot| s.kind == kind) {
                return Err(FormatError::BadSlots);
            }
            slots.push(slot);
        }
        let mut payload_nonce = [0u8; NONCE_LEN];
        payload_nonce.copy_from_slice(&file[len - 4 - NONCE_LEN..len - 4]);
        Ok((
            Header {
                store_id,
                slots,
                payload_nonce,
            },
            len,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Header, Key32) {
        let data_key = Key32::from_bytes([9; 32]);
        let id = [3; 16];
        let kdf = KdfParams {
            memory_kib: 1024,
            iterations: 1,
            lanes: 1,
        };
        let slot =
            Slot::for_passphrase(&Passphrase::new("pw".into()), kdf, &id, &data_key).unwrap();
        (
            Header {
                store_id: id,
                slots: vec![slot],
                payload_nonce: [5; NONCE_LEN],
            },
            data_key,
        )
    }

    #[test]
    fn header_round_trips() {
        let (h, _) = sample();
        let bytes = h.encode();
        assert_eq!(bytes.len(), h.encoded_len());
        let (back, len) = Header::decode(&bytes).unwrap();
        assert_eq!(back, h);
        assert_eq!(len, bytes.len());
    }

    #[test]
    fn every_flipped_header_bit_is_caught_before_the_kdf() {
        let (h, _) = sample();
        let bytes = h.encode();
        for i in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[i / 8] ^= 1 << (i % 8);
            assert!(
                Header::decode(&b).is_err(),
                "bit {i} flipped went unnoticed"
            );
        }
    }

    #[test]
    fn forged_kdf_memory_is_refused_even_with_a_valid_checksum() {
        let (mut h, _) = sample();
        h.slots[0].kdf.memory_kib = u32::MAX;
        assert_eq!(
            Header::decode(&h.encode()).unwrap_err(),
            FormatError::KdfOutOfBounds
        );
    }

    #[test]
    fn slots_unwrap_only_with_their_key() {
        let (h, data_key) = sample();
        let slot = &h.slots[0];
        let good = slot
            .passphrase_wrap_key(&Passphrase::new("pw".into()))
            .unwrap();
        let bad = slot
            .passphrase_wrap_key(&Passphrase::new("pW".into()))
            .unwrap();
        assert_eq!(
            slot.unwrap(&h.store_id, &good).unwrap().expose_secret(),
            data_key.expose_secret()
        );
        assert!(slot.unwrap(&h.store_id, &bad).is_none());
        assert!(
            slot.unwrap(&[4; 16], &good).is_none(),
            "a slot moved to another store must not open"
        );
    }

    #[test]
    fn unknown_versions_and_garbage_are_named() {
        let (h, _) = sample();
        let mut b = h.encode();
        b[9] = 2;
        assert_eq!(
            Header::decode(&b).unwrap_err(),
            FormatError::UnknownVersion(2)
        );
        assert_eq!(
            Header::decode(b"hello world, not a store").unwrap_err(),
            FormatError::NotAStore
        );
        assert_eq!(
            Header::decode(&h.encode()[..40]).unwrap_err(),
            FormatError::Truncated
        );
    }
}
