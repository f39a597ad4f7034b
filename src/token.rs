//! The key format of SPEC §1: `<prefix>_<id>_<secret><check>`, generated, parsed, checked and masked.

use crate::error::{Error, Result};
use crate::secret::TokenString;
use zeroize::Zeroizing;

/// The base62 alphabet, `0-9A-Za-z` in that order.
pub const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Length of the public identifier.
pub const ID_LEN: usize = 12;
/// Length of the secret part: 32 bytes in base62.
pub const SECRET_LEN: usize = 43;
/// Length of the CRC32 check in base62.
pub const CHECK_LEN: usize = 6;
/// The prefix used when none is given.
pub const DEFAULT_PREFIX: &str = "ak";

/// A token that passed the format and checksum checks. Holds the secret, so no `Debug` of it.
pub struct ParsedToken<'a> {
    pub prefix: &'a str,
    pub id: &'a str,
    secret: &'a str,
    pub check: &'a str,
}

impl ParsedToken<'_> {
    /// The secret part. Named loudly so that a reader sees where secrets flow.
    pub fn expose_secret(&self) -> &str {
        self.secret
    }
}

impl std::fmt::Debug for ParsedToken<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ParsedToken({})", mask(self.prefix, self.id, self.check))
    }
}

/// Why a string is not a well-formed token. Never carries the token itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    Shape,
    Prefix,
    Id,
    Secret,
    Checksum,
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Malformed::Shape => "not of the form <prefix>_<id>_<secret><check>",
            Malformed::Prefix => "the prefix is not [a-z][a-z0-9]{0,15}",
            Malformed::Id => "the identifier is not 12 base62 characters",
            Malformed::Secret => "the secret is not 43 base62 characters plus a 6-character check",
            Malformed::Checksum => "the checksum does not match (a typo or a truncated paste?)",
        })
    }
}

/// Whether `p` is a valid prefix: `[a-z][a-z0-9]{0,15}`.
pub fn valid_prefix(p: &str) -> bool {
    let b = p.as_bytes();
    !b.is_empty()
        && b.len() <= 16
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// Checks a prefix given on the command line.
pub fn check_prefix(p: &str) -> Result<()> {
    if valid_prefix(p) {
        Ok(())
    } else {
        Err(Error::usage(
            format!("invalid prefix {p:?}"),
            "a prefix is a lowercase letter followed by up to 15 lowercase letters or digits, e.g. `ak` or `prod`",
        ))
    }
}

/// Whether every byte of `s` is in the base62 alphabet.
pub fn is_base62(s: &str) -> bool {
    // Every byte looked at (no early exit): a few vector instructions.
    s.bytes().fold(true, |ok, c| ok & c.is_ascii_alphanumeric())
}

/// Parses a token and checks its checksum, without touching any store.
pub fn parse(token: &str) -> std::result::Result<ParsedToken<'_>, Malformed> {
    // `<prefix>_<id>_<rest>` split at its first two underscores, as `splitn(3, '_')` would
    // (found as bytes: every request parses its token).
    let b = token.as_bytes();
    let Some(first) = memchr::memchr(b'_', b) else {
        return Err(Malformed::Shape);
    };
    let Some(second) = memchr::memchr(b'_', &b[first + 1..]).map(|i| first + 1 + i) else {
        return Err(Malformed::Shape);
    };
    let (prefix, id, rest) = (
        &token[..first],
        &token[first + 1..second],
        &token[second + 1..],
    );
    if !valid_prefix(prefix) {
        return Err(Malformed::Prefix);
    }
    if id.len() != ID_LEN || !is_base62(id) {
        return Err(Malformed::Id);
    }
    if rest.len() != SECRET_LEN + CHECK_LEN || !is_base62(rest) {
        return Err(Malformed::Secret);
    }
    let (secret, check) = rest.split_at(SECRET_LEN);
    let body = &token[..token.len() - CHECK_LEN];
    if checksum_bytes(body) != check.as_bytes() {
        return Err(Malformed::Checksum);
    }
    Ok(ParsedToken {
        prefix,
        id,
        secret,
        check,
    })
}

/// The CRC32 (IEEE) of `body`, big-endian in base62, left-padded with `0` to 6 characters.
pub fn checksum(body: &str) -> String {
    String::from_utf8_lossy(&checksum_bytes(body)).into_owned()
}

/// [`checksum`] as bytes, with no allocation (every verification computes it).
fn checksum_bytes(body: &str) -> [u8; CHECK_LEN] {
    let crc = crc32fast::hash(body.as_bytes());
    let mut out = [b'0'; CHECK_LEN];
    let mut n = crc as u64;
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// Whether `s` has the shape of a token (`<prefix>_<id>_<49 base62>`), checksum or not.
pub fn has_token_shape(s: &str) -> bool {
    let mut parts = s.splitn(3, '_');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(p), Some(id), Some(rest)) if valid_prefix(p)
            && id.len() == ID_LEN && is_base62(id)
            && rest.len() == SECRET_LEN + CHECK_LEN && is_base62(rest)
    )
}

/// How a KEY argument may be shown in a message: a token (or anything shaped like one, such
/// as a token with a typo) is masked, so that its secret never reaches a log.
pub fn display_ref(key_ref: &str) -> String {
    if has_token_shape(key_ref) {
        let mut parts = key_ref.splitn(3, '_');
        let (p, id, rest) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        return mask(p, id, &rest[SECRET_LEN..]);
    }
    let mut parts = key_ref.splitn(3, '_');
    if let (Some(p), Some(id), Some(rest)) = (parts.next(), parts.next(), parts.next())
        && valid_prefix(p)
        && rest.len() >= 16
        && !rest.contains('_')
    {
        // Near a token but not one (truncated, mistyped): still never echo the rest. (A
        // secret has no `_`: a name such as `billing_service_key_for_prod` is not one.)
        return format!("{p}_{id}_…");
    }
    crate::text::sanitize(key_ref)
}

/// The key id of `s` when it is a token, or one with a typo or cut short (`<prefix>_<id>_`
/// and 16 or more base62 characters): what a search box given a pasted token looks for.
pub fn pasted_id(s: &str) -> Option<&str> {
    let s = s.trim();
    let mut parts = s.splitn(3, '_');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(p), Some(id), Some(rest))
            if valid_prefix(p)
                && id.len() == ID_LEN
                && is_base62(id)
                && rest.len() >= 16
                && is_base62(rest) =>
        {
            Some(id)
        }
        _ => None,
    }
}

/// `text` with anything secret-like masked: every token as lists show it (`ak_<id>_…<check>`),
/// and every other run of 24 or more letters and digits that mixes upper case, lower case
/// and digits (a secret, part of a token, a token with a typo) as `…`. For every message that
/// quotes what it was given (an error about a flag's value, a path, a subcommand; a log
/// line), so that a token pasted into the wrong place never reaches a terminal's scrollback
/// or a CI log. Names, ids, paths and hex digests are left as they are.
pub fn mask_all(text: &str) -> String {
    let in_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(in_word) {
        out.push_str(&rest[..start]);
        let len = rest[start..]
            .find(|c| !in_word(c))
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + len];
        // A token, or one with a typo or cut short, as a KEY argument is shown.
        let shown = display_ref(word);
        if shown != word {
            out.push_str(&shown);
        } else {
            for (i, part) in word.split('_').enumerate() {
                if i > 0 {
                    out.push('_');
                }
                out.push_str(if looks_random(part) { "…" } else { part });
            }
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// Whether a run of letters and digits looks like random base62 (a secret or part of one):
/// 24 or more characters mixing upper case, lower case and digits, or 40 or more mixing upper
/// and lower case (43 random base62 characters lack a digit about once in 2,000, and a case
/// about once in 10^10). Hex digests and lower-case encodings (an age recipient) are not.
fn looks_random(s: &str) -> bool {
    let b = s.as_bytes();
    let has = |f: fn(&u8) -> bool| b.iter().any(f);
    b.len() >= 24
        && has(u8::is_ascii_uppercase)
        && has(u8::is_ascii_lowercase)
        && (b.len() >= 40 || has(u8::is_ascii_digit))
}

/// The masked form shown after creation: `<prefix>_<id>_…<check>`.
pub fn mask(prefix: &str, id: &str, check: &str) -> String {
    format!("{prefix}_{id}_…{check}")
}

/// Encodes 32 bytes as exactly 43 base62 characters (big-endian, left-padded with `0`).
fn encode_secret(bytes: &[u8; 32]) -> Zeroizing<String> {
    // Repeated division of a big-endian number by 62; 62^43 > 2^256, so 43 digits suffice.
    let mut num = Zeroizing::new(*bytes);
    let mut digits = Zeroizing::new([b'0'; SECRET_LEN]);
    for slot in digits.iter_mut().rev() {
        let mut rem: u32 = 0;
        for byte in num.iter_mut() {
            let acc = (rem << 8) | u32::from(*byte);
            *byte = (acc / 62) as u8;
            rem = acc % 62;
        }
        *slot = ALPHABET[rem as usize];
    }
    Zeroizing::new(digits.iter().map(|&c| c as char).collect())
}

/// `n` random base62 characters, without modulo bias.
pub fn random_base62(n: usize) -> Result<String> {
    let mut out = String::with_capacity(n);
    let mut buf = [0u8; 64];
    while out.len() < n {
        crate::secret::fill_random(&mut buf)?;
        for &b in &buf {
            // 248 = 4 * 62: accept only bytes below it so that every character is equally likely.
            if b < 248 && out.len() < n {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    Ok(out)
}

/// A freshly minted token and its public parts.
pub struct NewToken {
    pub token: TokenString,
    pub id: String,
    pub check: String,
}

/// Mints a token: a random 12-character id and a 256-bit secret from the OS CSPRNG.
pub fn generate(prefix: &str) -> Result<NewToken> {
    let id = random_base62(ID_LEN)?;
    let mut raw = Zeroizing::new([0u8; 32]);
    crate::secret::fill_random(raw.as_mut())?;
    let secret = encode_secret(&raw);
    let mut body = Zeroizing::new(format!("{prefix}_{id}_"));
    body.push_str(&secret);
    let check = checksum(&body);
    body.push_str(&check);
    Ok(NewToken {
        token: TokenString::new(std::mem::take(&mut *body)),
        id,
        check,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_parse_and_mask() {
        let t = generate("ak").unwrap();
        let s = t.token.expose_secret();
        let p = parse(s).unwrap();
        assert_eq!(p.prefix, "ak");
        assert_eq!(p.id, t.id);
        assert_eq!(p.expose_secret().len(), SECRET_LEN);
        assert_eq!(s.len(), 2 + 1 + ID_LEN + 1 + SECRET_LEN + CHECK_LEN);
        let m = mask(p.prefix, p.id, p.check);
        assert!(!m.contains(p.expose_secret()));
        assert!(m.starts_with(&format!("ak_{}_…", t.id)));
    }

    #[test]
    fn secret_encoding_is_fixed_width_and_ordered() {
        assert_eq!(encode_secret(&[0; 32]).as_str(), "0".repeat(43));
        let mut one = [0u8; 32];
        one[31] = 61;
        assert!(encode_secret(&one).ends_with("0z"));
        assert_eq!(encode_secret(&[0xFF; 32]).len(), 43);
    }

    #[test]
    fn checksum_is_crc32_in_base62() {
        // CRC32("123456789") = 0xCBF43926 = 3421780262 = base62 "3jbHNk"... computed by hand below.
        let mut n = 0xCBF4_3926u64;
        let mut expect = Vec::new();
        for _ in 0..6 {
            expect.push(ALPHABET[(n % 62) as usize]);
            n /= 62;
        }
        expect.reverse();
        assert_eq!(checksum("123456789").as_bytes(), expect.as_slice());
    }

    #[test]
    fn typos_and_truncations_are_rejected() {
        let t = generate("prod1").unwrap();
        let s = t.token.expose_secret().to_string();
        assert_eq!(parse(&s[..s.len() - 1]).unwrap_err(), Malformed::Secret);
        let mut b = s.clone().into_bytes();
        let i = b.len() - 10;
        b[i] = if b[i] == b'a' { b'b' } else { b'a' };
        assert_eq!(
            parse(std::str::from_utf8(&b).unwrap()).unwrap_err(),
            Malformed::Checksum
        );
        assert_eq!(parse("").unwrap_err(), Malformed::Shape);
        assert_eq!(
            parse(&s.replacen("prod1", "Prod1", 1)).unwrap_err(),
            Malformed::Prefix
        );
    }

    #[test]
    fn a_message_quoting_a_token_or_part_of_one_shows_no_secret() {
        let t = generate("ak").unwrap();
        let s = t.token.expose_secret().to_string();
        let p = parse(&s).unwrap();
        let (secret, check) = (p.expose_secret().to_string(), p.check.to_string());
        let masked = mask("ak", &t.id, &check);
        let cases = [
            format!("invalid --since \"{s}\""),
            format!("no store at /tmp/{s}/x.store"),
            format!("unrecognized subcommand '{s}'"),
            format!("invalid value '\u{1b}[1m{s}\u{1b}[0m' for '--status'"),
            format!("a typo: {}", &s[..s.len() - 1]),
            format!("the secret alone: {secret}."),
            format!("k={s},{s}"),
        ];
        for c in &cases {
            let m = mask_all(c);
            assert!(
                !m.contains(&secret[..20]) && !m.contains(&secret[23..]),
                "{m}"
            );
            assert!(m.contains(&t.id) || c.contains("alone"), "{m}");
        }
        assert_eq!(mask_all(&cases[0]), format!("invalid --since \"{masked}\""));
        assert_eq!(mask_all(&cases[6]), format!("k={masked},{masked}"));
        // What is not secret-like stays as it was: names, ids, paths, hex digests, prose.
        for keep in [
            "no such key: billing_service_key_for_production_use (see `apikeys list`)",
            "commit 3f786850e387550fdab836ed7e6dc881de23001b4a8c6c7f2d0e1b2a3c4d5e6f",
            "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
            "é /home/Ünïcode/ak_store/2026-12-05T10:11:08Z.store: Fd7unb6URwFC",
            "",
        ] {
            assert_eq!(mask_all(keep), keep);
        }
    }

    #[test]
    fn a_pasted_token_gives_its_id_and_nothing_else_does() {
        let t = generate("prod1").unwrap();
        let s = t.token.expose_secret().to_string();
        assert_eq!(pasted_id(&s), Some(t.id.as_str()));
        assert_eq!(pasted_id(&format!(" {s}\n")), Some(t.id.as_str()));
        assert_eq!(pasted_id(&s[..s.len() - 20]), Some(t.id.as_str()));
        for other in [
            &t.id,
            "billing_service_key_for_production",
            "ak_short_x",
            "",
            &s[..20],
        ] {
            assert_eq!(pasted_id(other), None, "{other}");
        }
    }

    #[test]
    fn parse_splits_and_refuses_as_the_three_part_split_it_replaced() {
        // The split of the contract, written plainly: what `parse` must refuse, and why.
        fn model(s: &str) -> Result<(), Malformed> {
            let mut parts = s.splitn(3, '_');
            let (Some(p), Some(id), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(Malformed::Shape);
            };
            if !valid_prefix(p) {
                return Err(Malformed::Prefix);
            }
            if id.len() != ID_LEN || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(Malformed::Id);
            }
            if rest.len() != SECRET_LEN + CHECK_LEN
                || !rest.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err(Malformed::Secret);
            }
            Ok(())
        }
        let t = generate("ak").unwrap();
        let s = t.token.expose_secret().to_string();
        let (id, rest) = (&t.id, &s[3 + ID_LEN + 1..]);
        let cases = [
            s.clone(),
            format!("ak{id}_{rest}"),
            format!("ak_{id}{rest}"),
            format!("ak__{id}_{rest}"),
            format!("ak_{id}__{}", &rest[1..]),
            format!("ak_{id}_{}_{}", &rest[..10], &rest[11..]),
            format!("_ak_{id}_{rest}"),
            format!("ak_{}é_{rest}", &id[..ID_LEN - 2]),
            format!("ak_{id}_{}é", &rest[..rest.len() - 2]),
            "___".into(),
            "_".into(),
            "ak_".into(),
        ];
        for c in &cases {
            let got = parse(c).map(|_| ());
            // The model does not check the checksum: a shape it accepts may fail only that.
            match model(c) {
                Ok(()) => assert!(
                    matches!(got, Ok(()) | Err(Malformed::Checksum)),
                    "{c}: {got:?}"
                ),
                Err(e) => assert_eq!(got, Err(e), "{c}"),
            }
        }
        assert!(parse(&s).is_ok());
        assert_eq!(parse(&cases[5]).unwrap_err(), Malformed::Secret);
        assert_eq!(parse(&cases[2]).unwrap_err(), Malformed::Shape);
    }

    #[test]
    fn prefixes_follow_the_contract() {
        assert!(valid_prefix("ak") && valid_prefix("a") && valid_prefix("a123456789abcdef"));
        assert!(!valid_prefix("") && !valid_prefix("1a") && !valid_prefix("a_b"));
        assert!(!valid_prefix("a1234567890abcdef") && !valid_prefix("AK"));
    }

    #[test]
    fn random_base62_uses_the_whole_alphabet() {
        let s = random_base62(4000).unwrap();
        assert_eq!(s.len(), 4000);
        assert!(s.bytes().all(|c| ALPHABET.contains(&c)));
        assert!(s.contains('0') && s.contains('z') && s.contains('Z'));
    }
}
