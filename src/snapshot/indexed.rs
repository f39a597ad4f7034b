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

/// One block read and opened.
struct Opening {
    plain: Zeroizing<Vec<u8>>,
    leaf: [u8; 32],
    /// The block's first tag as the index gives it: the block must say the same.
    first: [u8; 16],
}

/// A format-2 file opened for reading, its header's signature checked.
struct Reader<'a> {
    path: &'a Path,
    file: File,
    len: u64,
    h: Header,
    vkey: &'a VerifierKey,
}

impl<'a> Reader<'a> {
    fn open(path: &'a Path, vkey: &'a VerifierKey) -> Result<Reader<'a>> {
        let file = File::open(path).map_err(|e| file_error(path, e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io("read", path, e))?
            .len();
        let mut head = [0u8; HEADER_LEN + SIG_LEN];
        file.read_exact_at(&mut head, 0)
            .map_err(|_| refused(path, "not a verifier snapshot, or truncated"))?;
        let (header, sig) = head.split_at(HEADER_LEN);
        if &header[..8] != MAGIC || header[8..10] != VERSION.to_be_bytes() {
            return Err(refused(path, "not a format-2 verifier snapshot"));
        }
        let public = VerifyingKey::from_bytes(&vkey.public)
            .map_err(|_| refused(path, "the verifier key's public key is invalid"))?;
        public
            .verify_strict(header, &Signature::from_bytes(sig.try_into().expect("64")))
            .map_err(|_| refused(path, "the signature does not check out"))?;
        let h = Header::decode(header.try_into().expect("header"));
        if h.meta.store_id != vkey.store_id {
            return Err(refused(path, "it is from another store"));
        }
        let tree_len = level_sizes(h.blocks as usize).iter().sum::<usize>() as u64 * 32;
        let fits = h.blocks_at <= h.index_at
            && h.index_at.checked_add(h.blocks as u64 * ENTRY_LEN as u64) == Some(h.tree_at)
            && h.tree_at.checked_add(tree_len) == Some(len);
        if !fits {
            return Err(refused(path, "truncated, or its sections do not add up"));
        }
        Ok(Reader {
            path,
            file,
            len,
            h,
            vkey,
        })
    }

    fn bad(&self, why: &str) -> Error {
        refused(self.path, why)
    }

    fn read(&self, at: u64, len: u64) -> Result<Vec<u8>> {
        if len > MAX_SECTION || at.checked_add(len).is_none_or(|end| end > self.len) {
            return Err(self.bad("a section lies outside the file"));
        }
        let mut buf = vec![0u8; len as usize];
        self.file
            .read_exact_at(&mut buf, at)
            .map_err(|e| Error::io("read", self.path, e))?;
        Ok(buf)
    }

    fn global(&self) -> Result<Global> {
        let at = (HEADER_LEN + SIG_LEN) as u64;
        let n = u32::from_be_bytes(self.read(at, 4)?.try_into().expect("4"));
        let sealed = self.read(at + 4, n as u64)?;
        if at + 4 + n as u64 != self.h.blocks_at
            || <[u8; 32]>::from(Sha256::digest(&sealed)) != self.h.global_hash
        {
            return Err(self.bad("its global section does not check out"));
        }
        let plain = open_section(self.vkey, &self.h.meta, u32::MAX, &sealed)
            .ok_or_else(|| self.bad("the seal does not open with this verifier key"))?;
        serde_json::from_slice(&plain)
            .map_err(|_| self.bad("the sealed contents are not a snapshot"))
    }

    fn entry(&self, i: u32) -> Result<([u8; 16], u64, u64)> {
        let e = self.read(
            self.h.index_at + i as u64 * ENTRY_LEN as u64,
            ENTRY_LEN as u64,
        )?;
        Ok((
            e[..16].try_into().expect("16"),
            u64::from_be_bytes(e[16..24].try_into().expect("8")),
            u32::from_be_bytes(e[24..28].try_into().expect("4")) as u64,
        ))
    }

    /// Block `i`, checked against the root by the hashes on its path, and opened: its
    /// plain text (parse it with [`Reader::parse`]), its leaf hash, and the first tag the
    /// index gives it.
    fn block(&self, i: u32, check_path: bool) -> Result<Opening> {
        let (first, at, len) = self.entry(i)?;
        let sealed = self.read(at, len)?;
        let l = leaf(i, &sealed);
        if check_path {
            let sizes = level_sizes(self.h.blocks as usize);
            let mut h = l;
            let mut idx = i as usize;
            let mut level_at = self.h.tree_at;
            for &size in &sizes[..sizes.len() - 1] {
                let sib = if idx ^ 1 < size { idx ^ 1 } else { idx };
                let s: [u8; 32] = self
                    .read(level_at + sib as u64 * 32, 32)?
                    .try_into()
                    .expect("32");
                h = if idx.is_multiple_of(2) {
                    node(&h, &s)
                } else {
                    node(&s, &h)
                };
                idx /= 2;
                level_at += size as u64 * 32;
            }
            // The root stored last in the tree must be the signed one too.
            let top = self.h.tree_at + (sizes.iter().sum::<usize>() as u64 - 1) * 32;
            if h != self.h.root || self.read(top, 32)? != self.h.root {
                return Err(self.bad("a block does not match the signed hash tree"));
            }
        }
        let plain = open_section(self.vkey, &self.h.meta, i, &sealed)
            .ok_or_else(|| self.bad("a block's seal does not open"))?;
        Ok(Opening {
            plain,
            leaf: l,
            first,
        })
    }

    /// What a caller gets of the header and the global section.
    fn opened(&self, g: &Global) -> Opened {
        (
            self.h.meta,
            Zeroizing::new(g.pepper.clone()),
            g.usage_marks.clone(),
        )
    }

    fn parse<'p>(&self, plain: &'p [u8]) -> Result<Block<'p>> {
        serde_json::from_slice(plain)
            .map_err(|_| self.bad("a block's contents are not a snapshot's"))
    }
}

/// Whether block `i` is where `tag` belongs: from its first tag (from the start, for the
/// first block) to the next block's.
fn in_range(i: u32, block: &Block<'_>, tag: &[u8; 16]) -> bool {
    let t = crate::hex::encode(tag);
    (i == 0 || block.lo <= t) && block.hi.as_ref().is_none_or(|hi| &t < hi)
}

/// The header, pepper (hex) and usage marks of a format-2 snapshot.
pub type Opened = (
    Meta,
    Zeroizing<String>,
    std::collections::BTreeMap<String, i64>,
);

/// Opens one key of a format-2 snapshot: the header, a binary search of the index, one block
/// and its path in the tree. `each` is given that key, if the snapshot holds it.
pub fn open_one(
    path: &Path,
    vkey: &VerifierKey,
    id: &str,
    mut each: impl FnMut(&Meta, &EntryView<'_>) -> Result<()>,
) -> Result<Opened> {
    let r = Reader::open(path, vkey)?;
    let g = r.global()?;
    if r.h.blocks > 0 {
        let tag = Tagger::new(vkey).tag(id);
        // The last block whose first tag is at most the key's.
        let (mut lo, mut hi) = (0u32, r.h.blocks);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if r.entry(mid)?.0 <= tag {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let opening = r.block(lo, true)?;
        let block = r.parse(&opening.plain)?;
        if !in_range(lo, &block, &tag) || crate::hex::encode(&opening.first) != block.lo {
            return Err(r.bad("its index does not match its blocks"));
        }
        for k in block.keys.iter().filter(|k| k.id == id) {
            each(&r.h.meta, k)?;
        }
    } else if r.h.root != EMPTY_ROOT || r.read(r.h.tree_at, 32)? != EMPTY_ROOT {
        // No block to walk a path from: the tree is its one all-zero root, signed and stored,
        // checked here as a full load checks it.
        return Err(r.bad("a block does not match the signed hash tree"));
    }
    Ok(r.opened(&g))
}

/// Opens every key of a format-2 snapshot, block by block (each checked, the tree rebuilt and
/// compared with the signed root), handing each key to `each` with what `start` made of the
/// number of keys the signed header gives (a collection sized for them).
pub fn open_all<T>(
    path: &Path,
    vkey: &VerifierKey,
    start: impl FnOnce(usize) -> T,
    mut each: impl FnMut(&mut T, &Meta, &EntryView<'_>) -> Result<()>,
) -> Result<(Opened, T)> {
    let r = Reader::open(path, vkey)?;
    let meta = r.h.meta;
    let g = r.global()?;
    // A key takes more than 16 bytes of the file: a count past that is not believed.
    let mut into = start(usize::try_from(r.h.keys.min(r.len / 16)).unwrap_or(0));
    let mut leaves = Vec::with_capacity(r.h.blocks as usize);
    let mut count = 0u64;
    let mut prev_hi: Option<String> = None;
    // Two stages on two threads: one reads, hashes and opens the blocks in order, the other
    // parses them and hands their keys on. A few blocks wait between them at most.
    std::thread::scope(|s| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel(16);
        let reader = &r;
        s.spawn(move || {
            for i in 0..reader.h.blocks {
                let opened = reader.block(i, false);
                let failed = opened.is_err();
                // A closed channel: the parser stopped at a refusal of its own.
                if tx.send(opened).is_err() || failed {
                    break;
                }
            }
        });
        for (i, opened) in (0..r.h.blocks).zip(rx) {
            let opening = opened?;
            let block = r.parse(&opening.plain)?;
            // The blocks tile the tag space in order, with no gap or overlap, and the index
            // says where each begins.
            if i > 0 && prev_hi.as_deref() != Some(block.lo.as_str()) {
                return Err(r.bad("its blocks are out of order"));
            }
            if crate::hex::encode(&opening.first) != block.lo {
                return Err(r.bad("its index does not match its blocks"));
            }
            prev_hi = block.hi.clone();
            leaves.push(opening.leaf);
            count += block.keys.len() as u64;
            for k in &block.keys {
                each(&mut into, &meta, k)?;
            }
        }
        Ok(())
    })?;
    if leaves.len() != r.h.blocks as usize || prev_hi.is_some() || count != r.h.keys {
        return Err(r.bad("its blocks do not add up"));
    }
    // The tree as computed, against the signed root and against every hash stored (which a
    // single-key verify reads on its path).
    let levels = tree(leaves);
    if levels.last().expect("a root")[0] != r.h.root {
        return Err(r.bad("a block does not match the signed hash tree"));
    }
    let stored = r.read(r.h.tree_at, r.len - r.h.tree_at)?;
    if stored != levels.concat().concat() {
        return Err(r.bad("its stored hash tree does not match its blocks"));
    }
    Ok((r.opened(&g), into))
}

/// The version of a snapshot file, from its first ten bytes.
pub fn version_of(path: &Path) -> Result<Option<u16>> {
    let f = File::open(path).map_err(|e| file_error(path, e))?;
    let mut b = [0u8; 10];
    Ok(f.read_exact_at(&mut b, 0)
        .ok()
        .filter(|_| &b[..8] == MAGIC)
        .map(|_| u16::from_be_bytes([b[8], b[9]])))
}
