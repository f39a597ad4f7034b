//! Streaming XChaCha20-Poly1305 for the payload, byte for byte the construction of the
//! `chacha20poly1305` crate (tested against it below), so that the database is decrypted
//! straight into the buffer SQLite owns and sealed straight into the file: the store never
//! holds a second copy of the database in memory.

use super::crypto::{NONCE_LEN, TAG_LEN};
use crate::secret::Key32;
use chacha20::XChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use poly1305::Poly1305;
use poly1305::universal_hash::{KeyInit, UniversalHash};
use std::io::{self, Read, Write};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// How much is read, authenticated and decrypted at a time.
const PIECE: usize = 64 * 1024;

/// Poly1305 fed in pieces of any length, padded with zeros as the AEAD construction pads.
struct Mac {
    mac: Poly1305,
    pending: [u8; 16],
    pending_len: usize,
    aad_len: u64,
    ct_len: u64,
}

impl Mac {
    fn update(&mut self, mut data: &[u8]) {
        self.ct_len += data.len() as u64;
        if self.pending_len > 0 {
            let take = (16 - self.pending_len).min(data.len());
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&data[..take]);
            self.pending_len += take;
            data = &data[take..];
            if self.pending_len < 16 {
                return;
            }
            self.mac.update_padded(&self.pending);
            self.pending_len = 0;
        }
        // A multiple of 16 bytes: update_padded adds no padding to it.
        let full = data.len() / 16 * 16;
        self.mac.update_padded(&data[..full]);
        self.pending[..data.len() - full].copy_from_slice(&data[full..]);
        self.pending_len = data.len() - full;
    }

    fn finish(mut self) -> [u8; TAG_LEN] {
        self.mac.update_padded(&self.pending[..self.pending_len]);
        let mut lengths = [0u8; 16];
        lengths[..8].copy_from_slice(&self.aad_len.to_le_bytes());
        lengths[8..].copy_from_slice(&self.ct_len.to_le_bytes());
        self.mac.update_padded(&lengths);
        self.mac.finalize().into()
    }
}

fn start(key: &Key32, nonce: &[u8; NONCE_LEN], aad: &[u8]) -> (XChaCha20, Mac) {
    let mut cipher = XChaCha20::new(key.expose_secret().into(), nonce.into());
    let mut mac_key = Zeroizing::new([0u8; 32]);
    cipher.apply_keystream(mac_key.as_mut());
    let mut mac = Poly1305::new((&*mac_key).into());
    // The keystream's first block made the MAC key; the message starts at block 1.
    cipher.seek(64u64);
    mac.update_padded(aad);
    (
        cipher,
        Mac {
            mac,
            pending: [0; 16],
            pending_len: 0,
            aad_len: aad.len() as u64,
            ct_len: 0,
        },
    )
}

/// Decrypts `len` bytes of ciphertext from `inner` as they are read. What it yields is
/// unauthenticated until [`DecryptReader::verify`] accepts the tag that follows.
pub struct DecryptReader<R> {
    inner: R,
    remaining: u64,
    cipher: XChaCha20,
    mac: Mac,
}

impl<R: Read> DecryptReader<R> {
    /// Starts decrypting `len` bytes of ciphertext read from `inner`.
    pub fn new(inner: R, len: u64, key: &Key32, nonce: &[u8; NONCE_LEN], aad: &[u8]) -> Self {
        let (cipher, mac) = start(key, nonce, aad);
        DecryptReader {
            inner,
            remaining: len,
            cipher,
            mac,
        }
    }

    /// Reads the tag that follows the ciphertext and checks it in constant time.
    pub fn verify(mut self) -> io::Result<bool> {
        if self.remaining != 0 {
            return Ok(false);
        }
        let mut tag = [0u8; TAG_LEN];
        self.inner.read_exact(&mut tag)?;
        let mut extra = [0u8; 1];
        if self.inner.read(&mut extra)? != 0 {
            return Ok(false); // trailing bytes: not what was sealed
        }
        Ok(bool::from(self.mac.finish().ct_eq(&tag)))
    }
}

impl<R: Read> Read for DecryptReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One piece at a time, small enough to stay in cache from the read through the MAC
        // to the keystream: one pass over memory, not three.
        let want = buf
            .len()
            .min(PIECE)
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.mac.update(&buf[..n]);
        self.cipher.apply_keystream(&mut buf[..n]);
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Encrypts `plaintext` into `out` in 64 KiB pieces, then writes the tag.
pub fn seal_to(
    out: &mut impl Write,
    key: &Key32,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> io::Result<()> {
    let (mut cipher, mut mac) = start(key, nonce, aad);
    let mut buf = Zeroizing::new(vec![0u8; PIECE]);
    for chunk in plaintext.chunks(buf.len()) {
        let piece = &mut buf[..chunk.len()];
        // Encrypted on the way into the buffer: one pass over the database, not a copy and
        // then another (the lengths are equal, so this cannot fail).
        cipher
            .try_apply_keystream_b2b(chunk, piece)
            .map_err(|_| io::Error::other("the keystream ended"))?;
        mac.update(piece);
        out.write_all(piece)?;
    }
    out.write_all(&mac.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::crypto;

    fn reference_seal(key: &Key32, nonce: &[u8; NONCE_LEN], aad: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut buf = msg.to_vec();
        let tag = crypto::seal_in_place(key, nonce, aad, &mut buf).unwrap();
        buf.extend_from_slice(&tag);
        buf
    }

    #[test]
    fn sealing_matches_the_chacha20poly1305_crate_for_every_length() {
        let key = Key32::from_bytes([0x42; 32]);
        let nonce = [7u8; NONCE_LEN];
        for len in [0, 1, 15, 16, 17, 63, 64, 65, 1000, 64 * 1024 + 3, 200_001] {
            let msg: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            for aad in [&b""[..], b"header", &[9u8; 257]] {
                let mut ours = Vec::new();
                seal_to(&mut ours, &key, &nonce, aad, &msg).unwrap();
                assert_eq!(
                    ours,
                    reference_seal(&key, &nonce, aad, &msg),
                    "len {len}, aad {}",
                    aad.len()
                );
            }
        }
    }

    fn open(
        sealed: &[u8],
        key: &Key32,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        piece: usize,
    ) -> Option<Vec<u8>> {
        let ct_len = sealed.len().checked_sub(TAG_LEN)? as u64;
        let mut r = DecryptReader::new(sealed, ct_len, key, nonce, aad);
        let mut out = Vec::new();
        let mut buf = vec![0u8; piece];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        r.verify().unwrap().then_some(out)
    }

    /// ChaCha20 one block at a time, as RFC 8439 writes it, with XChaCha20's HChaCha20
    /// subkey: a reference that shares no code with whichever SIMD backend `chacha20` picks.
    fn plain_xchacha20_keystream(key: &[u8; 32], nonce: &[u8; NONCE_LEN], len: usize) -> Vec<u8> {
        fn rounds(s: &mut [u32; 16]) {
            let mut q = |a: usize, b: usize, c: usize, d: usize| {
                s[a] = s[a].wrapping_add(s[b]);
                s[d] = (s[d] ^ s[a]).rotate_left(16);
                s[c] = s[c].wrapping_add(s[d]);
                s[b] = (s[b] ^ s[c]).rotate_left(12);
                s[a] = s[a].wrapping_add(s[b]);
                s[d] = (s[d] ^ s[a]).rotate_left(8);
                s[c] = s[c].wrapping_add(s[d]);
                s[b] = (s[b] ^ s[c]).rotate_left(7);
            };
            for _ in 0..10 {
                q(0, 4, 8, 12);
                q(1, 5, 9, 13);
                q(2, 6, 10, 14);
                q(3, 7, 11, 15);
                q(0, 5, 10, 15);
                q(1, 6, 11, 12);
                q(2, 7, 8, 13);
                q(3, 4, 9, 14);
            }
        }
        fn words(b: &[u8]) -> Vec<u32> {
            b.chunks(4)
                .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                .collect()
        }
        fn state(key: &[u32], tail: &[u32]) -> [u32; 16] {
            let mut s = [0u32; 16];
            s[..4].copy_from_slice(&[0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574]);
            s[4..12].copy_from_slice(key);
            s[12..].copy_from_slice(tail);
            s
        }
        let mut h = state(&words(key), &words(&nonce[..16]));
        rounds(&mut h);
        let subkey = [&h[..4], &h[12..]].concat();
        let tail = words(&nonce[16..]);
        let mut out = Vec::with_capacity(len + 64);
        for counter in 0u32.. {
            if out.len() >= len {
                break;
            }
            let start = state(&subkey, &[counter, 0, tail[0], tail[1]]);
            let mut s = start;
            rounds(&mut s);
            for (w, x) in s.iter().zip(start) {
                out.extend_from_slice(&w.wrapping_add(x).to_le_bytes());
            }
        }
        out.truncate(len);
        out
    }

    #[test]
    fn the_payload_cipher_is_plain_xchacha20_poly1305_whatever_the_backend() {
        // draft-irtf-cfrg-xchacha-03, appendix A.3.1.
        let key: [u8; 32] = std::array::from_fn(|i| 0x80 + i as u8);
        let nonce: [u8; NONCE_LEN] = std::array::from_fn(|i| 0x40 + i as u8);
        let aad = [
            0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
        ];
        let msg = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip \
            for the future, sunscreen would be it.";
        let mut sealed = Vec::new();
        seal_to(&mut sealed, &Key32::from_bytes(key), &nonce, &aad, msg).unwrap();
        assert_eq!(
            crate::hex::encode(&sealed[msg.len()..]),
            "c0875924c1c7987947deafd8780acf49"
        );
        assert_eq!(
            crate::hex::encode(&sealed[..16]),
            "bd6d179d3e83d43b9576579493c0e939"
        );
        // Long enough for every SIMD path (16 blocks at a time with AVX-512), at odd lengths.
        for len in [1, 64, 1000, 1024, 4099, 300_001] {
            let mut sealed = Vec::new();
            seal_to(
                &mut sealed,
                &Key32::from_bytes(key),
                &nonce,
                b"",
                &vec![0; len],
            )
            .unwrap();
            // The first block keys Poly1305; the payload starts at block 1.
            let stream = plain_xchacha20_keystream(&key, &nonce, 64 + len);
            assert!(sealed[..len] == stream[64..], "length {len}");
        }
    }

    #[test]
    fn reading_decrypts_what_the_crate_sealed_in_any_piece_size() {
        let key = Key32::from_bytes([3; 32]);
        let nonce = [1u8; NONCE_LEN];
        let msg: Vec<u8> = (0..70_000).map(|i| (i % 256) as u8).collect();
        let sealed = reference_seal(&key, &nonce, b"aad", &msg);
        for piece in [1, 7, 16, 4096, 100_000] {
            assert_eq!(open(&sealed, &key, &nonce, b"aad", piece).unwrap(), msg);
        }
    }

    #[test]
    fn any_change_fails_verification() {
        let key = Key32::from_bytes([3; 32]);
        let nonce = [1u8; NONCE_LEN];
        let sealed = reference_seal(&key, &nonce, b"aad", b"some database bytes");
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x80;
            assert!(open(&bad, &key, &nonce, b"aad", 5).is_none(), "byte {i}");
        }
        assert!(open(&sealed, &key, &nonce, b"aaX", 5).is_none());
        assert!(open(&sealed, &Key32::from_bytes([4; 32]), &nonce, b"aad", 5).is_none());
        let mut longer = sealed.clone();
        longer.push(0);
        let ct_len = (sealed.len() - TAG_LEN) as u64;
        let mut r = DecryptReader::new(&longer[..], ct_len, &key, &nonce, b"aad");
        std::io::copy(&mut r.by_ref().take(ct_len), &mut std::io::sink()).unwrap();
        assert!(!r.verify().unwrap(), "trailing bytes are refused");
    }
}
