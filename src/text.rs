//! Text on the ground floor: control characters made visible, and times as people and
//! scripts read them. Every room may use it.

use chrono::{DateTime, SecondsFormat};
use serde::Serializer;

/// Whether `c` is invisible or reorders text: zero-width and bidirectional-control characters,
/// with which two names that look alike can differ, or a table can be shown reversed.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
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
