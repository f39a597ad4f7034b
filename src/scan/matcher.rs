//! Finding tokens in bytes: the literal `<prefix>_` anchors (memchr's SIMD substring search),
//! then the exact shape and the CRC32 checksum of SPEC §1, so that a random string of the
//! right shape is not a finding. Never keeps or returns a secret: a match is its position,
//! its masked form and its id.

use crate::token;

/// One token found in a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The masked token (`ak_<id>_…<check>`).
    pub masked: String,
    pub key_id: String,
    /// Where the token starts in the buffer (for the status check, which needs the secret).
    pub offset: usize,
    pub len: usize,
}

/// Searches buffers for tokens of a set of prefixes, or of any prefix.
pub struct Matcher {
    finders: Vec<(String, memchr::memmem::Finder<'static>)>,
    /// Every token of the shape of SPEC §1 whatever its prefix (nothing known to check the
    /// findings against: the checksum alone decides).
    any: bool,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field(
                "prefixes",
                &self.finders.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn is_base62(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

impl Matcher {
    /// A matcher for these prefixes (duplicates once; invalid ones dropped).
    pub fn new(prefixes: impl IntoIterator<Item = String>) -> Matcher {
        let mut seen = std::collections::BTreeSet::new();
        let finders = prefixes
            .into_iter()
            .filter(|p| token::check_prefix(p).is_ok() && seen.insert(p.clone()))
            .map(|p| {
                let anchor = format!("{p}_");
                (
                    p,
                    memchr::memmem::Finder::new(anchor.as_bytes()).into_owned(),
                )
            })
            .collect();
        Matcher {
            finders,
            any: false,
        }
    }

    /// A matcher for tokens of any valid prefix.
    pub fn any_prefix() -> Matcher {
        Matcher {
            finders: vec![],
            any: true,
        }
    }

    /// Every token in `buf`, in order of position.
    pub fn find(&self, buf: &[u8]) -> Vec<Hit> {
        if self.any {
            return self.find_any(buf);
        }
        let total = token::ID_LEN + 1 + token::SECRET_LEN + token::CHECK_LEN;
        let mut hits = Vec::new();
        for (prefix, finder) in &self.finders {
            for start in finder.find_iter(buf) {
                // A prefix glued to a longer word (`oak_…` for `ak`) is not this prefix.
                if start > 0 && (is_base62(buf[start - 1]) || buf[start - 1] == b'_') {
                    continue;
                }
                let end = start + prefix.len() + 1 + total;
                if end > buf.len() || buf.get(end).is_some_and(|b| is_base62(*b)) {
                    continue;
                }
                hits.extend(hit_at(buf, start, end));
            }
        }
        hits.sort_by_key(|h| h.offset);
        locate(buf, &mut hits);
        hits
    }

    /// Every token whatever its prefix: anchored on the `_` between prefix and id, the prefix
    /// is the word before it (a lowercase letter, then up to 15 lowercase letters or digits).
    fn find_any(&self, buf: &[u8]) -> Vec<Hit> {
        let tail = token::ID_LEN + 1 + token::SECRET_LEN + token::CHECK_LEN;
        let mut hits = Vec::new();
        for u in memchr::memchr_iter(b'_', buf) {
            // The id and the rest must follow: a cheap test first.
            let Some(after) = buf.get(u + 1..u + 1 + tail) else {
                break;
            };
            if after[token::ID_LEN] != b'_' || !after[..token::ID_LEN].iter().all(|&b| is_base62(b))
            {
                continue;
            }
            if buf.get(u + 1 + tail).is_some_and(|b| is_base62(*b)) {
                continue;
            }
            let mut start = u;
            while start > 0 && u - start <= 16 && is_base62(buf[start - 1]) {
                start -= 1;
            }
            // A word glued to something longer, or to another `_`, is not a prefix.
            if u == start || u - start > 16 || (start > 0 && buf[start - 1] == b'_') {
                continue;
            }
            hits.extend(hit_at(buf, start, u + 1 + tail));
        }
        locate(buf, &mut hits);
        hits
    }
}

/// The token at `buf[start..end]`, if those bytes are one (shape and checksum); its line and
/// column are filled in later, for all hits at once.
fn hit_at(buf: &[u8], start: usize, end: usize) -> Option<Hit> {
    let text = std::str::from_utf8(buf.get(start..end)?).ok()?;
    let parsed = token::parse(text).ok()?;
    Some(Hit {
        line: 0,
        column: 0,
        masked: token::mask(parsed.prefix, parsed.id, parsed.check),
        key_id: parsed.id.to_string(),
        offset: start,
        len: end - start,
    })
}

/// Fills in line and column (in characters) of each hit, in one pass over the buffer.
fn locate(buf: &[u8], hits: &mut [Hit]) {
    let (mut line, mut line_start, mut pos) = (1usize, 0usize, 0usize);
    for h in hits.iter_mut() {
        for nl in memchr::memchr_iter(b'\n', &buf[pos..h.offset]) {
            line += 1;
            line_start = pos + nl + 1;
        }
        pos = h.offset;
        h.line = line;
        h.column = String::from_utf8_lossy(&buf[line_start..h.offset])
            .chars()
            .count()
            + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tokens_by_shape_and_checksum_only() {
        let good = token::generate("ak").unwrap();
        let good = good.token.expose_secret().to_string();
        let mut bad = good.clone();
        // A wrong checksum: same shape, not a token.
        let last = bad.pop().unwrap();
        bad.push(if last == 'A' { 'B' } else { 'A' });
        let text = format!(
            "x = \"{good}\"\néé {good}\n{bad}\noak_{}\n{good}Z\n",
            &good[3..]
        );
        let m = Matcher::new(["ak".to_string()]);
        let hits = m.find(text.as_bytes());
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!((hits[0].line, hits[0].column), (1, 6));
        assert_eq!(
            (hits[1].line, hits[1].column),
            (2, 4),
            "columns count characters"
        );
        assert!(!hits[0].masked.contains(&good[16..40]), "masked");
    }

    #[test]
    fn with_no_prefix_known_tokens_of_any_prefix_are_found_by_checksum() {
        let tok = |p: &str| {
            token::generate(p)
                .unwrap()
                .token
                .expose_secret()
                .to_string()
        };
        let (custom, long, default) = (tok("mycorp"), tok("a234567890123456"), tok("ak"));
        let mut bad = tok("zz");
        let last = bad.pop().unwrap();
        bad.push(if last == 'A' { 'B' } else { 'A' });
        let text = format!(
            "snake_case_word = \"{custom}\"\nX{long}\n{long} {bad}\nfoo_{default}\n({default})\n"
        );
        let hits = Matcher::any_prefix().find(text.as_bytes());
        let found: Vec<(usize, &str)> = hits
            .iter()
            .map(|h| (h.line, h.masked.split('_').next().unwrap()))
            .collect();
        // Glued to a capital (`X…`) or to another word with `_`: not a token of that prefix.
        assert_eq!(
            found,
            [(1, "mycorp"), (3, "a234567890123456"), (5, "ak")],
            "{hits:?}"
        );
        assert_eq!(hits[0].column, 20);
    }
}
