//! Reading a format-2 snapshot: a single key through the index and the path of its block in the hash tree, or every block in order, each checked.

use super::*;

/// One block read and opened.
pub(super) struct Opening {
    plain: Zeroizing<Vec<u8>>,
    leaf: [u8; 32],
    /// The block's first tag as the index gives it: the block must say the same.
    first: [u8; 16],
}

/// A format-2 file opened for reading, its header's signature checked.
pub(super) struct Reader<'a> {
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
pub(super) fn in_range(i: u32, block: &Block<'_>, tag: &[u8; 16]) -> bool {
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
