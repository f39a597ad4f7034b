//! The store file's layout (docs/store-format.md): header, key slots, header checksum, sealed payload.

use super::crypto::{KdfParams, NONCE_LEN, TAG_LEN};

/// The file's first eight bytes.
pub const MAGIC: &[u8; 8] = b"APIKEYS\0";
/// The format version this build writes: 2, with named slots of any number (SPEC §13).
pub const VERSION: u16 = 2;
/// The version of stores made before teams: two fixed-size, unnamed slots. Still read.
pub const LEGACY_VERSION: u16 = 1;
/// Bytes in one format-1 slot.
const LEGACY_SLOT_LEN: usize = 1 + 12 + 16 + NONCE_LEN + 32 + TAG_LEN;
/// Bytes before the slots: magic, version, store id, slot count.
const FIXED_LEN: usize = 8 + 2 + 16 + 1;
/// The most slots a header may hold.
pub const MAX_SLOTS: usize = 64;
/// The longest recipient (an SSH public key line) and sealed data key a slot may hold.
const MAX_RECIPIENT: usize = 4096;
const MAX_SEALED: usize = 4096;
/// The longest header there can be.
pub const MAX_HEADER_LEN: usize = FIXED_LEN
    + MAX_SLOTS * (1 + 1 + MAX_NAME + 8 + 12 + 16 + 2 + MAX_RECIPIENT + 2 + MAX_SEALED)
    + NONCE_LEN
    + 4;

pub use super::slots::{MAX_NAME, Slot, SlotKind};

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
                    "unknown format version {v} (this build reads versions {LEGACY_VERSION} and {VERSION})"
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

/// A cursor over the header's bytes.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let end = self.at.checked_add(n).ok_or(FormatError::Truncated)?;
        let s = self.b.get(self.at..end).ok_or(FormatError::Truncated)?;
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, FormatError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, FormatError> {
        Ok(u16::from_be_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }
    fn u32(&mut self) -> Result<u32, FormatError> {
        Ok(u32::from_be_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn i64(&mut self) -> Result<i64, FormatError> {
        Ok(i64::from_be_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn kdf(&mut self) -> Result<KdfParams, FormatError> {
        Ok(KdfParams {
            memory_kib: self.u32()?,
            iterations: self.u32()?,
            lanes: self.u32()?,
        })
    }
}

/// Checks the bounds of one slot read from a header.
fn check_slot(slot: &Slot) -> Result<(), FormatError> {
    if slot.kind.is_passphrase() && !slot.kdf.within_bounds() {
        return Err(FormatError::KdfOutOfBounds);
    }
    if slot.name.is_empty() || super::slots::check_name(&slot.name).is_err() {
        return Err(FormatError::BadSlots);
    }
    Ok(())
}

impl Header {
    /// The first slot of a kind, if the store has one.
    pub fn slot(&self, kind: SlotKind) -> Option<&Slot> {
        self.slots.iter().find(|s| s.kind == kind)
    }

    /// The slot named `name`.
    pub fn named(&self, name: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.name == name)
    }

    /// The header's encoded length.
    pub fn encoded_len(&self) -> usize {
        FIXED_LEN
            + self
                .slots
                .iter()
                .map(|s| {
                    1 + 1 + s.name.len() + 8 + 12 + 16 + 2 + s.recipient.len() + 2 + s.sealed.len()
                })
                .sum::<usize>()
            + NONCE_LEN
            + 4
    }

    /// Encodes the header (format 2), ending with the CRC32 of all bytes before it.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.encoded_len());
        v.extend_from_slice(MAGIC);
        v.extend_from_slice(&VERSION.to_be_bytes());
        v.extend_from_slice(&self.store_id);
        v.push(self.slots.len() as u8);
        for s in &self.slots {
            v.push(s.kind as u8);
            v.push(s.name.len() as u8);
            v.extend_from_slice(s.name.as_bytes());
            v.extend_from_slice(&s.created_at.to_be_bytes());
            v.extend_from_slice(&s.kdf.memory_kib.to_be_bytes());
            v.extend_from_slice(&s.kdf.iterations.to_be_bytes());
            v.extend_from_slice(&s.kdf.lanes.to_be_bytes());
            v.extend_from_slice(&s.salt);
            v.extend_from_slice(&(s.recipient.len() as u16).to_be_bytes());
            v.extend_from_slice(s.recipient.as_bytes());
            v.extend_from_slice(&(s.sealed.len() as u16).to_be_bytes());
            v.extend_from_slice(&s.sealed);
        }
        v.extend_from_slice(&self.payload_nonce);
        let crc = crc32fast::hash(&v);
        v.extend_from_slice(&crc.to_be_bytes());
        v
    }

    /// Decodes the header at the start of `file`; returns it and its encoded length.
    ///
    /// Checks magic, version, checksum and KDF bounds, in that order, before any KDF can run.
    /// `Truncated` may mean that more of the file must be read.
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
        match version {
            LEGACY_VERSION => Self::decode_v1(file),
            VERSION => Self::decode_v2(file),
            v => Err(FormatError::UnknownVersion(v)),
        }
    }

    fn finish(file: &[u8], len: usize, slots: Vec<Slot>) -> Result<(Header, usize), FormatError> {
        let mut store_id = [0u8; 16];
        store_id.copy_from_slice(&file[10..26]);
        let mut payload_nonce = [0u8; NONCE_LEN];
        payload_nonce.copy_from_slice(&file[len - 4 - NONCE_LEN..len - 4]);
        for (i, s) in slots.iter().enumerate() {
            check_slot(s)?;
            if slots[..i].iter().any(|o| o.name == s.name) {
                return Err(FormatError::BadSlots);
            }
        }
        Ok((
            Header {
                store_id,
                slots,
                payload_nonce,
            },
            len,
        ))
    }

    /// Format 1: at most one passphrase and one key-file slot, of fixed size, unnamed: they
    /// are read as `passphrase` and `key-file`.
    fn decode_v1(file: &[u8]) -> Result<(Header, usize), FormatError> {
        if file.len() < FIXED_LEN {
            return Err(FormatError::Truncated);
        }
        let count = file[26] as usize;
        let len = FIXED_LEN + count * LEGACY_SLOT_LEN + NONCE_LEN + 4;
        if file.len() < len {
            return Err(FormatError::Truncated);
        }
        let crc = u32::from_be_bytes(file[len - 4..len].try_into().expect("4 bytes"));
        if crc32fast::hash(&file[..len - 4]) != crc {
            return Err(FormatError::HeaderChecksum);
        }
        if count == 0 || count > 2 {
            return Err(FormatError::BadSlots);
        }
        let mut r = Reader {
            b: &file[..len - 4 - NONCE_LEN],
            at: FIXED_LEN,
        };
        let mut slots = Vec::with_capacity(count);
        for _ in 0..count {
            let (kind, name) = match r.u8()? {
                1 => (SlotKind::LegacyPassphrase, "passphrase"),
                2 => (SlotKind::LegacyKeyFile, "key-file"),
                _ => return Err(FormatError::BadSlots),
            };
            let kdf = r.kdf()?;
            let salt: [u8; 16] = r.take(16)?.try_into().expect("16 bytes");
            let sealed = r.take(NONCE_LEN + 32 + TAG_LEN)?.to_vec();
            slots.push(Slot {
                kind,
                name: name.into(),
                created_at: 0,
                kdf,
                salt,
                recipient: String::new(),
                sealed,
            });
        }
        Self::finish(file, len, slots)
    }

    fn decode_v2(file: &[u8]) -> Result<(Header, usize), FormatError> {
        if file.len() < FIXED_LEN {
            return Err(FormatError::Truncated);
        }
        let count = file[26] as usize;
        // Walk the slots to find the header's end, then check its checksum before anything
        // in them is trusted.
        let mut r = Reader {
            b: file,
            at: FIXED_LEN,
        };
        for _ in 0..count {
            r.take(1)?;
            let n = r.u8()? as usize;
            r.take(n + 8 + 12 + 16)?;
            let n = r.u16()? as usize;
            r.take(n)?;
            let n = r.u16()? as usize;
            r.take(n)?;
        }
        r.take(NONCE_LEN + 4)?;
        let len = r.at;
        let crc = u32::from_be_bytes(file[len - 4..len].try_into().expect("4 bytes"));
        if crc32fast::hash(&file[..len - 4]) != crc {
            return Err(FormatError::HeaderChecksum);
        }
        if count == 0 || count > MAX_SLOTS {
            return Err(FormatError::BadSlots);
        }
        let mut r = Reader {
            b: &file[..len],
            at: FIXED_LEN,
        };
        let mut slots = Vec::with_capacity(count);
        for _ in 0..count {
            let kind = SlotKind::from_byte(r.u8()?).ok_or(FormatError::BadSlots)?;
            let n = r.u8()? as usize;
            let name = String::from_utf8(r.take(n)?.to_vec()).map_err(|_| FormatError::BadSlots)?;
            let created_at = r.i64()?;
            let kdf = r.kdf()?;
            let salt: [u8; 16] = r.take(16)?.try_into().expect("16 bytes");
            let n = r.u16()? as usize;
            if n > MAX_RECIPIENT {
                return Err(FormatError::BadSlots);
            }
            let recipient =
                String::from_utf8(r.take(n)?.to_vec()).map_err(|_| FormatError::BadSlots)?;
            let n = r.u16()? as usize;
            if n > MAX_SEALED {
                return Err(FormatError::BadSlots);
            }
            let sealed = r.take(n)?.to_vec();
            slots.push(Slot {
                kind,
                name,
                created_at,
                kdf,
                salt,
                recipient,
                sealed,
            });
        }
        Self::finish(file, len, slots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::{Key32, Passphrase};

    const CHEAP: KdfParams = KdfParams {
        memory_kib: 1024,
        iterations: 1,
        lanes: 1,
    };

    fn sample() -> (Header, Key32) {
        let data_key = Key32::from_bytes([9; 32]);
        let id = [3; 16];
        let slot =
            Slot::passphrase("alice", &Passphrase::new("pw".into()), CHEAP, &data_key).unwrap();
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
        let (mut h, key) = sample();
        h.slots
            .push(Slot::key_file("ci", &Key32::from_bytes([7; 32]), &key).unwrap());
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
    fn slots_unwrap_only_with_their_key_and_rewrap_without_it() {
        let (mut h, data_key) = sample();
        let id = h.store_id;
        let open = |h: &Header, pw: &str| {
            h.slots[0]
                .open_passphrase(&id, &Passphrase::new(pw.into()))
                .unwrap()
                .map(|k| *k.expose_secret())
        };
        assert_eq!(open(&h, "pw"), Some(*data_key.expose_secret()));
        assert_eq!(open(&h, "pW"), None);
        // Re-keying wraps a new data key for the slot without its passphrase.
        let new_key = Key32::from_bytes([1; 32]);
        h.slots[0].wrap(&new_key).unwrap();
        assert_eq!(open(&h, "pw"), Some([1; 32]));
    }

    #[test]
    fn unknown_versions_and_garbage_are_named() {
        let (h, _) = sample();
        let mut b = h.encode();
        b[9] = 3;
        assert_eq!(
            Header::decode(&b).unwrap_err(),
            FormatError::UnknownVersion(3)
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
