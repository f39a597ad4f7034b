//! The one verification engine: a request and a clock in, an outcome out. The checks of a
//! token (format, checksum, existence, hash, status, expiry, IP, scopes, uses) run here, in
//! the order of SPEC §4, over the in-memory key set of [`keys`]. CLI `verify`, `--batch` and
//! `serve` are thin front ends on it, so the order of checks and the answers cannot drift.
//! Synchronous, with no I/O of its own.

mod check;
pub mod keys;
pub mod limits;
pub mod pipeline;

pub use check::Judged;
pub use keys::{Entry, KeySet};

use crate::text::ser_opt_time;
use crate::token;
use serde::Serialize;
use std::net::IpAddr;

/// The answer for one token (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Valid,
    Malformed,
    Unknown,
    Inactive,
    Expired,
    IpDenied,
    ScopeDenied,
    UsageExceeded,
    /// The snapshot being served is older than `--max-age`: no answer can be trusted.
    StaleSnapshot,
    /// Over a rate limit (SPEC §10).
    RateLimited,
    /// A limited key while the shared counters (`--counters`) cannot be reached: fail closed.
    CountersUnavailable,
}

impl Code {
    /// Every code, in the order of the checks.
    pub const ALL: [Code; 11] = [
        Code::Valid,
        Code::Malformed,
        Code::Unknown,
        Code::Inactive,
        Code::Expired,
        Code::IpDenied,
        Code::ScopeDenied,
        Code::UsageExceeded,
        Code::StaleSnapshot,
        Code::RateLimited,
        Code::CountersUnavailable,
    ];

    /// The exit code of SPEC §4.
    pub fn exit_code(self) -> i32 {
        match self {
            Code::Valid => 0,
            Code::Malformed => 10,
            Code::Unknown => 11,
            Code::Inactive => 12,
            Code::Expired => 13,
            Code::IpDenied => 14,
            Code::ScopeDenied => 15,
            Code::UsageExceeded => 16,
            Code::StaleSnapshot => 17,
            Code::RateLimited => 18,
            Code::CountersUnavailable => 19,
        }
    }

    /// The word used in json, headers and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Valid => "valid",
            Code::Malformed => "malformed",
            Code::Unknown => "unknown",
            Code::Inactive => "inactive",
            Code::Expired => "expired",
            Code::IpDenied => "ip_denied",
            Code::ScopeDenied => "scope_denied",
            Code::UsageExceeded => "usage_exceeded",
            Code::StaleSnapshot => "stale_snapshot",
            Code::RateLimited => "rate_limited",
            Code::CountersUnavailable => "counters_unavailable",
        }
    }
}

/// Why a token was not even looked up. Never carries the token itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paste {
    /// Nothing was given.
    Empty,
    /// `Bearer ak_…`: the header's scheme came along.
    Bearer,
    /// `"ak_…"`: quotes came along.
    Quoted,
    /// An invisible character (zero-width, bidirectional control) inside the token: its
    /// code point, never the token.
    Invisible(u32),
    /// More than one line was given where one token is read: which one is the token?
    Lines,
    /// The token itself is malformed.
    Token(token::Malformed),
}

impl std::fmt::Display for Paste {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Paste::Empty => f.write_str("no token on stdin (or in the request)"),
            Paste::Bearer => f.write_str(
                "the token starts with \"Bearer \": pass the token alone, without the header's scheme",
            ),
            Paste::Quoted => {
                f.write_str("the token is quoted: pass it without the quotes around it")
            }
            Paste::Invisible(c) => write!(
                f,
                "the token holds the invisible character U+{c:04X}: it came with the paste; type or copy the token again"
            ),
            Paste::Lines => f.write_str(
                "more than one line on stdin: pass one token, or use --batch for one token a line",
            ),
            Paste::Token(m) => m.fmt(f),
        }
    }
}

/// Parses a token as given, naming the common paste mistakes; nothing is stripped silently.
pub fn parse(text: &str) -> std::result::Result<token::ParsedToken<'_>, Paste> {
    // Invisible padding around a paste (a zero-width space, a byte-order mark) is removed like
    // white space is; inside the token it is named.
    let text = text.trim_matches(|c: char| c.is_whitespace() || crate::text::is_invisible(c));
    // Every invisible character is outside ASCII: a plain token is not scanned twice.
    if let Some(c) = (!text.is_ascii())
        .then(|| text.chars().find(|c| crate::text::is_invisible(*c)))
        .flatten()
    {
        return Err(Paste::Invisible(u32::from(c)));
    }
    if text.is_empty() {
        return Err(Paste::Empty);
    }
    // `get` and not an index: the input may be any bytes, and slicing inside a multibyte
    // character would panic (and a panic message would echo the input).
    if text
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
    {
        return Err(Paste::Bearer);
    }
    if text.starts_with(['"', '\'']) || text.ends_with(['"', '\'']) {
        return Err(Paste::Quoted);
    }
    token::parse(text).map_err(Paste::Token)
}

/// The context of one check: the client's address and the scopes it needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    pub ip: Option<IpAddr>,
    pub scopes: &'a [String],
    /// A required scope came in a form that cannot be decoded (bad percent-encoding, bytes
    /// that are not UTF-8): it is a scope no key has, so the check fails closed.
    pub unreadable_scope: bool,
}

/// Why a check failed, for the one line people read; never computed into text unless printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    None,
    Malformed(Paste),
    NoIp,
    Ip(IpAddr),
    Scope(String),
    /// A limited key on a snapshot with no usage log: its uses cannot be counted.
    Uncounted,
    /// The request's cost is not a whole number from 1 to 1000, or is given twice.
    BadCost,
    /// A client-IP header from a trusted proxy that is repeated, empty or not an address.
    BadClientIp,
}

/// The json result of SPEC §4; id and name only once the secret matched. Serialized with a
/// `reason` sentence (see [`Outcome::reason_sentence`]).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub valid: bool,
    pub code: Code,
    pub key_id: Option<String>,
    pub name: Option<String>,
    pub owner: Option<String>,
    pub meta: Option<std::collections::BTreeMap<String, String>>,
    pub expires_at: Option<i64>,
    /// Uses left after this one, for a key with a limit.
    pub remaining: Option<i64>,
    /// Seconds until asking again can help (a rate limit, or the next refill).
    pub retry_after: Option<i64>,
    /// When the uses are next refilled (RFC 3339).
    pub refills_at: Option<i64>,
    /// The tightest rate limit after this request, for `RateLimit-*` headers.
    pub headroom: Option<limits::Headroom>,
    pub scopes: Vec<String>,
    pub reason: Reason,
}

/// The json of an answer, as scripts read it (SPEC §4).
#[derive(Serialize)]
struct Wire<'a> {
    valid: bool,
    code: Code,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<&'a std::collections::BTreeMap<String, String>>,
    #[serde(serialize_with = "ser_opt_time")]
    expires_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remaining: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<i64>,
    #[serde(
        serialize_with = "ser_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    refills_at: Option<i64>,
    scopes: &'a [String],
    reason: String,
}

impl Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        Wire {
            valid: self.valid,
            code: self.code,
            key_id: self.key_id.as_deref(),
            name: self.name.as_deref(),
            owner: self.owner.as_deref(),
            meta: self.meta.as_ref(),
            expires_at: self.expires_at,
            remaining: self.remaining,
            retry_after: self.retry_after,
            refills_at: self.refills_at,
            scopes: &self.scopes,
            reason: self.reason_sentence(),
        }
        .serialize(s)
    }
}

impl Outcome {
    fn bare(code: Code, reason: Reason) -> Self {
        Outcome {
            valid: false,
            code,
            key_id: None,
            name: None,
            owner: None,
            meta: None,
            expires_at: None,
            remaining: None,
            retry_after: None,
            refills_at: None,
            headroom: None,
            scopes: vec![],
            reason,
        }
    }

    /// This (valid) answer with a limit decision applied (SPEC §10): still valid with what is
    /// left, or `rate_limited` / `usage_exceeded` with when to try again.
    pub fn limited(mut self, d: &limits::Decision) -> Self {
        self.remaining = d.remaining;
        self.refills_at = d.refills_at;
        self.retry_after = d.retry_after;
        self.headroom = d.headroom;
        match d.verdict {
            limits::Verdict::Allowed => {}
            limits::Verdict::RateLimited => {
                self.valid = false;
                self.code = Code::RateLimited;
            }
            limits::Verdict::UsageExceeded => {
                self.valid = false;
                self.code = Code::UsageExceeded;
                self.remaining = Some(d.remaining.unwrap_or(0).max(0));
            }
        }
        self
    }

    /// The answer for a key that is not there (any more).
    pub fn unknown() -> Self {
        Outcome::bare(Code::Unknown, Reason::None)
    }

    /// A request whose cost cannot be read: malformed, never a cost of 1.
    pub fn bad_cost() -> Self {
        Outcome::bare(Code::Malformed, Reason::BadCost)
    }

    /// A request whose client address cannot be believed: malformed, never the proxy's.
    pub fn bad_client_ip() -> Self {
        Outcome::bare(Code::Malformed, Reason::BadClientIp)
    }

    /// The answer of a node whose snapshot is past `--max-age`.
    pub fn stale() -> Self {
        Outcome::bare(Code::StaleSnapshot, Reason::None)
    }

    /// This (valid) answer denied because the key's uses or rates cannot be counted here (a
    /// snapshot verified with no usage log to keep the ledger in, and no shared counters):
    /// fail closed, as when the counters cannot be reached (19), and with no count to show.
    pub fn exhausted_uncounted(mut self) -> Self {
        self.valid = false;
        self.code = Code::CountersUnavailable;
        self.reason = Reason::Uncounted;
        self.remaining = None;
        self
    }

    /// This (valid) answer denied because the key is limited and the shared counters cannot
    /// be reached or did not answer in time: fail closed (SPEC §10).
    pub fn counters_unavailable(mut self) -> Self {
        self.valid = false;
        self.code = Code::CountersUnavailable;
        self
    }

    /// A malformed token's answer.
    pub fn malformed(why: Paste) -> Self {
        Outcome::bare(Code::Malformed, Reason::Malformed(why))
    }

    /// One sentence for json's `reason`: which check said no and why (never a secret), or
    /// that every check passed.
    pub fn reason_sentence(&self) -> String {
        if self.valid {
            return "every check passed".into();
        }
        let line = self.line();
        line.strip_prefix("invalid: ").unwrap_or(&line).to_string()
    }

    /// The one line for people.
    pub fn line(&self) -> String {
        let name = self
            .name
            .as_deref()
            .map(crate::text::sanitize)
            .unwrap_or_default();
        match (self.code, &self.reason) {
            (Code::Valid, _) => {
                let exp = self.expires_at.map_or("never expires".into(), |e| {
                    format!("expires {}", crate::text::time(e))
                });
                // A use-limited key says what is left, as json's `remaining` does.
                let left = self.remaining.map_or_else(String::new, |n| {
                    format!(", {} left", crate::text::count(n.max(0) as usize, "use"))
                });
                format!("valid: {name} ({exp}{left})")
            }
            (Code::Malformed, Reason::Malformed(why)) => format!("invalid: malformed token: {why}"),
            (Code::Inactive, _) => format!("invalid: key {name} is revoked"),
            (Code::Expired, _) => format!(
                "invalid: key {name} expired at {}",
                self.expires_at.map_or_else(String::new, crate::text::time)
            ),
            (Code::IpDenied, Reason::NoIp) => format!(
                "invalid: key {name} is limited to some addresses and no --ip was given (pass --ip CLIENT_IP)"
            ),
            (Code::IpDenied, Reason::Ip(ip)) => {
                format!("invalid: address {ip} is not allowed for key {name}")
            }
            (Code::IpDenied, _) => format!(
                "invalid: key {name} has an allowed-IP entry that cannot be read, so no address is allowed (fix it with `apikeys edit`)"
            ),
            (Code::ScopeDenied, Reason::Scope(s)) => format!(
                "invalid: scope {} is not granted to key {name}",
                crate::text::sanitize(s)
            ),
            (Code::StaleSnapshot, _) => {
                "invalid: the snapshot is older than --max-age (export and ship a new one)".into()
            }
            (Code::Malformed, Reason::BadCost) => {
                "invalid: malformed request: the cost is not a whole number from 1 to 1000, or is given twice".into()
            }
            (Code::Malformed, Reason::BadClientIp) => {
                "invalid: malformed request: the client-address header from the proxy is repeated, empty or not an address".into()
            }
            (Code::RateLimited, _) => format!(
                "invalid: key {name} is over its rate limit (try again in {})",
                crate::text::wait(self.retry_after.unwrap_or(1))
            ),
            (Code::CountersUnavailable, Reason::Uncounted) => format!(
                "invalid: key {name} is limited (uses or rates), and on a snapshot those are counted only with --usage-log PATH (or --counters URL)"
            ),
            (Code::CountersUnavailable, _) => format!(
                "invalid: key {name} is limited and the shared counters (--counters) did not answer in time: the request was not granted (a Redis that was only slow may still take its use; try again, and check Redis)"
            ),
            // With a refill, waiting helps: say when (json: `retry_after`, `refills_at`).
            (Code::UsageExceeded, _) => match self.retry_after {
                Some(secs) => format!(
                    "invalid: key {name} has no uses left until its refill in {} (or give it uses now with `apikeys edit KEY --uses N`)",
                    crate::text::wait(secs)
                ),
                None => format!(
                    "invalid: key {name} has no uses left (refill with `apikeys edit KEY --uses N`)"
                ),
            },
            _ => "invalid: unknown key or wrong secret".into(),
        }
    }
}
