//! Snapshot format 2 (SPEC §8 "Scale"): a sorted, block-indexed table of keys, each block
//! sealed on its own, under a signed header that covers a hash tree over the blocks. A CLI
//! verify reads the header, a few index entries, one block and the hashes on its path (with
//! `pread`: no mmap, `unsafe` stays forbidden), so its cost does not grow with the number of
//! keys; `serve` reads the blocks in order. docs/store-format.md has every field.
//!
//! ```text
//! header (142) | signature (64) | global section | blocks | index | hash tree
//! ```

use super::payload::EntryView;
use super::{MAGIC, Meta, VerifierKey, file_error, refused};
use crate::error::{Error, Result};
use crate::store::crypto::{self, NONCE_LEN, TAG_LEN};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use zeroize::Zeroizing;

mod read;
pub use read::{Opened, open_all, open_one, version_of};

/// This format's version.
pub const VERSION: u16 = 2;
/// Keys per block: a verify decrypts and parses one block (about 20 KB).
pub const KEYS_PER_BLOCK: usize = 64;
/// magic, version, store id, generation, issued at, key count, block count, offsets of the
/// blocks, index and tree, the root and the global section's hash.
pub const HEADER_LEN: usize = 8 + 2 + 16 + 8 + 8 + 8 + 4 + 8 + 8 + 8 + 32 + 32;
const SIG_LEN: usize = 64;
/// An index entry: the block's first tag, offset and length.
const ENTRY_LEN: usize = 16 + 8 + 4;
/// The largest block or global section read.
const MAX_SECTION: u64 = 64 << 20;

/// A key's place in the table: HMAC of its id under a sub-key of the verifier key, so the
/// file's index tells nothing of the ids (which the seal hides everywhere else).
pub struct Tagger(hmac::Hmac<Sha256>);

impl Tagger {
    pub fn new(vkey: &VerifierKey) -> Tagger {
        let k = crypto::subkey(&vkey.key, b"snapshot-index");
        Tagger(
            <hmac::Hmac<Sha256> as hmac::KeyInit>::new_from_slice(k.expose_secret())
                .expect("HMAC takes any key length"),
        )
    }

    /// The tag of key `id`: the keyed state is cloned, not derived again for every key.
    pub fn tag(&self, id: &str) -> [u8; 16] {
        use hmac::Mac;
        let mut mac = self.0.clone();
        mac.update(id.as_bytes());
        mac.finalize().into_bytes()[..16]
            .try_into()
            .expect("16 bytes")
    }

    /// The record of one key.
    pub fn record(&self, e: &EntryView<'_>) -> std::io::Result<Record> {
        Ok((self.tag(&e.id), serde_json::to_vec(e)?.into_boxed_slice()))
    }
}

/// One key of a snapshot being written: its tag, and its entry as a block holds it (json).
pub type Record = ([u8; 16], Box<[u8]>);

/// The fixed header of a format-2 file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    meta: Meta,
    keys: u64,
    blocks: u32,
    blocks_at: u64,
    index_at: u64,
    tree_at: u64,
    root: [u8; 32],
    global_hash: [u8; 32],
}

impl Header {
    fn encode(&self) -> [u8; HEADER_LEN] {
        let mut v = Vec::with_capacity(HEADER_LEN);
        v.extend_from_slice(MAGIC);
        v.extend_from_slice(&VERSION.to_be_bytes());
        v.extend_from_slice(&self.meta.store_id);
        v.extend_from_slice(&self.meta.generation.to_be_bytes());
        v.extend_from_slice(&self.meta.issued_at.to_be_bytes());
        v.extend_from_slice(&self.keys.to_be_bytes());
        v.extend_from_slice(&self.blocks.to_be_bytes());
        v.extend_from_slice(&self.blocks_at.to_be_bytes());
        v.extend_from_slice(&self.index_at.to_be_bytes());
        v.extend_from_slice(&self.tree_at.to_be_bytes());
        v.extend_from_slice(&self.root);
        v.extend_from_slice(&self.global_hash);
        v.try_into().expect("the header's length")
    }

    fn decode(b: &[u8; HEADER_LEN]) -> Header {
        let u64_at = |o: usize| u64::from_be_bytes(b[o..o + 8].try_into().expect("8"));
        Header {
            meta: Meta {
                store_id: b[10..26].try_into().expect("16"),
                generation: u64_at(26),
                issued_at: u64_at(34) as i64,
            },
            keys: u64_at(42),
            blocks: u32::from_be_bytes(b[50..54].try_into().expect("4")),
            blocks_at: u64_at(54),
            index_at: u64_at(62),
            tree_at: u64_at(70),
            root: b[78..110].try_into().expect("32"),
            global_hash: b[110..142].try_into().expect("32"),
        }
    }
}

/// What every verify needs besides the key: the pepper and the usage marks.
#[derive(Serialize, Deserialize)]
struct Global {
    pepper: String,
    #[serde(default)]
    usage_marks: std::collections::BTreeMap<String, i64>,
}

impl Drop for Global {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.pepper);
    }
}

/// One block's sealed contents: its keys, and the range of tags it holds (`lo` ≤ tag < `hi`),
/// so that a tampered index can only ever lead to a refusal, never to "unknown".
/// Its keys are read borrowing from the decrypted block.
#[derive(Deserialize)]
struct Block<'a> {
    lo: String,
    hi: Option<String>,
    #[serde(borrow)]
    keys: Vec<EntryView<'a>>,
}

/// The associated data of a sealed section: store id, generation, block number (`u32::MAX`
/// for the global section), so no block can be moved, nor come from another generation.
fn aad(meta: &Meta, block: u32) -> [u8; 28] {
    let mut a = [0u8; 28];
    a[..16].copy_from_slice(&meta.store_id);
    a[16..24].copy_from_slice(&meta.generation.to_be_bytes());
    a[24..].copy_from_slice(&block.to_be_bytes());
    a
}

/// nonce ‖ ciphertext ‖ tag, sealed in the buffer it is returned in (the plain text is
/// overwritten there by the seal, before the buffer leaves).
fn seal_section(vkey: &VerifierKey, meta: &Meta, block: u32, plain: &[u8]) -> Result<Vec<u8>> {
    let nonce = crypto::random_nonce()?;
    let mut out = Vec::with_capacity(NONCE_LEN + plain.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plain);
    let tag = crypto::seal_in_place(&vkey.key, &nonce, &aad(meta, block), &mut out[NONCE_LEN..]);
    match tag {
        Ok(tag) => {
            out.extend_from_slice(&tag);
            Ok(out)
        }
        Err(e) => {
            zeroize::Zeroize::zeroize(&mut out);
            Err(e)
        }
    }
}

fn open_section(
    vkey: &VerifierKey,
    meta: &Meta,
    block: u32,
    sealed: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let nonce: [u8; NONCE_LEN] = sealed[..NONCE_LEN].try_into().ok()?;
    let (ct, tag) = sealed[NONCE_LEN..].split_at(sealed.len() - NONCE_LEN - TAG_LEN);
    let mut buf = Zeroizing::new(ct.to_vec());
    crypto::open_in_place(
        &vkey.key,
        &nonce,
        &aad(meta, block),
        &mut buf,
        tag.try_into().ok()?,
    )
    .then_some(buf)
}

/// The root of a snapshot with no blocks.
const EMPTY_ROOT: [u8; 32] = [0u8; 32];

fn leaf(block: u32, sealed: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(block.to_be_bytes());
    h.update(sealed);
    h.finalize().into()
}

fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The sizes of the tree's levels, leaves first: each level halves (rounding up; an odd
/// last node is paired with itself).
fn level_sizes(blocks: usize) -> Vec<usize> {
    let mut sizes = vec![blocks.max(1)];
    while *sizes.last().expect("one level") > 1 {
        let n = *sizes.last().expect("one level");
        sizes.push(n.div_ceil(2));
    }
    sizes
}

/// Every level of the tree, leaves first; the last holds the root.
fn tree(leaves: Vec<[u8; 32]>) -> Vec<Vec<[u8; 32]>> {
    let mut levels = vec![if leaves.is_empty() {
        vec![EMPTY_ROOT]
    } else {
        leaves
    }];
    while levels.last().expect("a level").len() > 1 {
        let prev = levels.last().expect("a level");
        let next = prev
            .chunks(2)
            .map(|p| node(&p[0], p.get(1).unwrap_or(&p[0])))
            .collect();
        levels.push(next);
    }
    levels
}

/// Who seals and signs a snapshot, and its header's fields.
pub struct Sealer<'a> {
    pub meta: Meta,
    pub vkey: &'a VerifierKey,
    pub signing: &'a SigningKey,
}

/// Writes a format-2 snapshot of `records` (in any order) to `f`, streaming: blocks are
/// sealed and written one by one; only their tags, offsets and hashes are kept.
pub fn write(
    f: &mut File,
    mut records: Vec<Record>,
    pepper: &str,
    usage_marks: &std::collections::BTreeMap<String, i64>,
    by: &Sealer<'_>,
    progress: &mut dyn FnMut(u64),
) -> std::io::Result<u64> {
    let (meta, vkey, signing) = (by.meta, by.vkey, by.signing);
    let io = |e: Error| std::io::Error::other(e.to_string());
    records.sort_unstable_by_key(|r| r.0);
    let keys = records.len() as u64;
    f.write_all(&[0u8; HEADER_LEN + SIG_LEN])?;
    let global = serde_json::to_vec(&Global {
        pepper: pepper.to_string(),
        usage_marks: usage_marks.clone(),
    })?;
    let global = seal_section(vkey, &meta, u32::MAX, &Zeroizing::new(global)).map_err(io)?;
    f.write_all(&(global.len() as u32).to_be_bytes())?;
    f.write_all(&global)?;
    let global_hash: [u8; 32] = Sha256::digest(&global).into();
    let blocks_at = (HEADER_LEN + SIG_LEN + 4 + global.len()) as u64;
    let mut at = blocks_at;
    let mut index = Vec::new();
    let mut leaves = Vec::new();
    let firsts: Vec<[u8; 16]> = records.chunks(KEYS_PER_BLOCK).map(|c| c[0].0).collect();
    let mut plain = Zeroizing::new(Vec::new());
    for (i, chunk) in records.chunks(KEYS_PER_BLOCK).enumerate() {
        let lo = &firsts[i];
        // {"lo":…,"hi":…,"keys":[…]}, the keys' json as made.
        plain.clear();
        plain.extend_from_slice(b"{\"lo\":\"");
        plain.extend_from_slice(crate::hex::encode(lo).as_bytes());
        plain.extend_from_slice(b"\",\"hi\":");
        match firsts.get(i + 1) {
            Some(hi) => {
                plain.push(b'"');
                plain.extend_from_slice(crate::hex::encode(hi).as_bytes());
                plain.push(b'"');
            }
            None => plain.extend_from_slice(b"null"),
        }
        plain.extend_from_slice(b",\"keys\":[");
        for (n, (_, json)) in chunk.iter().enumerate() {
            if n > 0 {
                plain.push(b',');
            }
            plain.extend_from_slice(json);
        }
        plain.extend_from_slice(b"]}");
        let sealed = seal_section(vkey, &meta, i as u32, &plain).map_err(io)?;
        f.write_all(&sealed)?;
        leaves.push(leaf(i as u32, &sealed));
        progress(chunk.len() as u64);
        index.extend_from_slice(lo);
        index.extend_from_slice(&at.to_be_bytes());
        index.extend_from_slice(&(sealed.len() as u32).to_be_bytes());
        at += sealed.len() as u64;
    }
    drop(records);
    let index_at = at;
    f.write_all(&index)?;
    let tree_at = index_at + index.len() as u64;
    let levels = tree(leaves);
    for level in &levels {
        for h in level {
            f.write_all(h)?;
        }
    }
    let header = Header {
        meta,
        keys,
        blocks: firsts.len() as u32,
        blocks_at,
        index_at,
        tree_at,
        root: levels.last().expect("a root")[0],
        global_hash,
    }
    .encode();
    let sig = signing.sign(&header);
    f.seek(SeekFrom::Start(0))?;
    f.write_all(&header)?;
    f.write_all(&sig.to_bytes())?;
    Ok(keys)
}
