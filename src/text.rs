//! Text on the ground floor: control characters made visible, and times as people and
//! scripts read them. Every room may use it.

use chrono::{DateTime, SecondsFormat};
use serde::Serializer;

/// Whether `c` is invisible or reorders text: zero-width and bidirectional-control characters,
/// with which two names that look alike can differ, or a table can be shown reversed.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// `n` and `noun`, plural unless `n` is 1: "1 key", "3 keys".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A wait for people, rounded up: "40 s", "5 min", "3 h", "2 days".
pub fn wait(secs: i64) -> String {
    let up = |unit: i64| (secs + unit - 1) / unit;
    match secs.max(1) {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", up(60)),
        s if s < 2 * 86_400 => format!("{} h", up(3600)),
        _ => format!("{} days", up(86_400)),
    }
}

/// "1 key expires" or "N keys expire".
pub fn keys_expire(n: usize) -> String {
    let verb = if n == 1 { "expires" } else { "expire" };
    format!("{} {verb}", count(n, "key"))
}

/// Replaces control characters (terminal escapes among them) and invisible or
/// bidirectional-control characters with visible escapes, so that stored text can never drive
/// the terminal nor turn a line around.
pub fn sanitize(s: &str) -> String {
    let hidden = |c: char| c.is_control() || is_invisible(c);
    if !s.chars().any(hidden) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().collect::<String>()
            } else if is_invisible(c) {
                // Zero-width and bidirectional controls (U+202E turns the rest of a line
                // around): shown as what they are, never applied to the terminal.
                c.escape_unicode().collect::<String>()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A time for tables: `2026-11-23 02:20Z`.
pub fn time(t: i64) -> String {
    DateTime::from_timestamp(t, 0).map_or_else(
        || t.to_string(),
        |d| d.format("%Y-%m-%d %H:%MZ").to_string(),
    )
}

/// A time for json: RFC 3339 in UTC, `2026-11-23T02:20:37Z`.
pub fn rfc3339(t: i64) -> String {
    DateTime::from_timestamp(t, 0).map_or_else(
        || t.to_string(),
        |d| d.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

/// serde helper: a unix time as RFC 3339.
pub fn ser_time<S: Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

/// serde helper: an optional unix time as RFC 3339 or null.
pub fn ser_opt_time<S: Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&rfc3339(*t)),
        None => s.serialize_none(),
    }
}

/// What [`percent_decode`] does with a `%` that does not start two hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadEscape {
    /// The value cannot be read (`None`): where a wrong reading could grant something.
    Refuse,
    /// The `%` stays as it is: a browser's form, which escapes every `%` it sends.
    Keep,
}

/// Decodes the `%XX` escapes and `+` (a space) of a query or form value, as bytes.
pub fn percent_decode(s: &[u8], bad: BadEscape) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                let escape = s
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match (escape, bad) {
                    (Some(b), _) => {
                        out.push(b);
                        i += 3;
                    }
                    (None, BadEscape::Keep) => {
                        out.push(b'%');
                        i += 1;
                    }
                    (None, BadEscape::Refuse) => return None,
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}

/// Percent-encodes every byte of `s` but ASCII letters, digits and the bytes of `keep` (a
/// URI's unreserved set, and `/` for a path).
pub fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_reads_as_a_person_would_say_it() {
        let said: Vec<String> = [0, 45, 119, 120, 3599, 3600, 7200, 86_400, 172_800, 200_000]
            .into_iter()
            .map(wait)
            .collect();
        assert_eq!(
            said,
            [
                "1 s", "45 s", "119 s", "2 min", "60 min", "60 min", "2 h", "24 h", "2 days",
                "3 days"
            ]
        );
    }

    #[test]
    fn a_malformed_escape_is_refused_or_kept_as_asked() {
        let both = |s: &str| {
            (
                percent_decode(s.as_bytes(), BadEscape::Refuse),
                percent_decode(s.as_bytes(), BadEscape::Keep),
            )
        };
        let some = |s: &str| Some(s.as_bytes().to_vec());
        assert_eq!(both("a+b%2Cc%c3%a9"), (some("a b,cé"), some("a b,cé")));
        // Not two hex digits (a sign is not one): unreadable, or the `%` stays as text and
        // what follows is read on its own (`+` a space).
        for (bad, kept) in [("%zz", "%zz"), ("a%", "a%"), ("%+1", "% 1"), ("%4", "%4")] {
            assert_eq!(both(bad), (None, some(kept)), "{bad}");
        }
    }
}
