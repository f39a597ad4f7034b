//! The answer of a valid key, built once per key and snapshot: its body and headers depend on
//! the key alone, but for a limited key's figures after this request (uses left, when they
//! refill, the rate's headroom), which are spliced in. So a valid request costs a copy of
//! the headers and a reference to the body, not a json encoding and a dozen allocations.

use super::{Answer, RATE_HEADERS, verification_answer};
use crate::engine::limits::Decision;
use crate::engine::{Code, Judged, KeySet, Outcome, Reason};
use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::header::{HeaderMap, HeaderValue};
use std::sync::OnceLock;

/// One key's valid answer.
#[derive(Debug)]
pub struct Prebuilt {
    /// The whole body, for a key with no limit.
    whole: Bytes,
    /// The body up to the figures of a limited key, and after them.
    head: Bytes,
    tail: Bytes,
    /// Every header; for a key with rates, the headroom's with a stand-in value to replace.
    headers: HeaderMap,
    /// The `RateLimit-Limit` of each of its rates, made once.
    limits: Vec<(u64, HeaderValue)>,
}

/// The answers built so far for the keys of one snapshot, by the keys' places.
#[derive(Debug, Default)]
pub struct Answers(Vec<OnceLock<Box<Prebuilt>>>);

impl Answers {
    /// Room for `n` keys, none built yet.
    pub fn for_keys(n: usize) -> Answers {
        Answers((0..n).map(|_| OnceLock::new()).collect())
    }

    /// The answer of the key at `at` in `keys`, built on its first valid request; `None`
    /// for a place out of range (then the caller builds the answer the long way).
    pub fn get(&self, keys: &KeySet, at: usize, key: &crate::engine::Entry) -> Option<&Prebuilt> {
        let slot = self.0.get(at)?;
        Some(slot.get_or_init(|| {
            let mut valid = keys.outcome(Judged {
                key: Some((at, key)),
                code: Code::Valid,
                reason: Reason::None,
            });
            // A limited key's figures are each request's, spliced in.
            valid.remaining = None;
            Box::new(Prebuilt::of(&valid, &key.limits().rates))
        }))
    }
}

impl Prebuilt {
    /// From the valid outcome of a key, before any limit is applied, and its rate limits (its
    /// answers then carry their headroom).
    pub fn of(valid: &Outcome, rates: &[crate::engine::limits::Rate]) -> Prebuilt {
        let body = serde_json::to_string(valid).unwrap_or_else(|_| "{}".into());
        let whole = Bytes::from(body);
        // The figures go just before the scopes: the last `,"scopes":[` at the top level (a
        // string's quotes are escaped, and no other value is a list).
        let cut = whole
            .windows(11)
            .rposition(|w| w == b",\"scopes\":[")
            .map_or(whole.len(), |i| i + 1);
        let mut headers = std::mem::take(verification_answer(valid).headers_mut());
        // A key with rates: stand-ins for its headroom, which each request replaces in place
        // (no growing of the headers); never shown, as such a key is only answered by
        // [`Prebuilt::allowed`].
        if !rates.is_empty() {
            for name in RATE_HEADERS {
                headers.insert(name, HeaderValue::from_static("0"));
            }
        }
        Prebuilt {
            head: whole.slice(..cut),
            tail: whole.slice(cut..),
            whole,
            headers,
            limits: rates
                .iter()
                .map(|r| (r.n, HeaderValue::from(r.n)))
                .collect(),
        }
    }

    fn response(&self, body: Bytes) -> Answer {
        let mut r = Response::new(Full::new(body));
        *r.headers_mut() = self.headers.clone();
        r
    }

    /// The answer of a key with no limit.
    pub fn answer(&self) -> Answer {
        self.response(self.whole.clone())
    }

    /// The answer of a limited key that `d` allowed: its figures spliced in, as
    /// `Outcome::limited` would give them.
    pub fn allowed(&self, d: &Decision) -> Answer {
        use std::io::Write;
        let figures = |w: &mut dyn Write| -> std::io::Result<()> {
            if let Some(n) = d.remaining {
                write!(w, "\"remaining\":{n},")?;
            }
            if let Some(s) = d.retry_after {
                write!(w, "\"retry_after\":{s},")?;
            }
            if let Some(t) = d.refills_at {
                write!(w, "\"refills_at\":\"{}\",", crate::text::rfc3339(t))?;
            }
            Ok(())
        };
        // The figures first, on the stack (they fit: at most about 110 bytes): the body is
        // then one allocation of its exact size (a `Vec` with room to spare would cost
        // `Bytes` a second one).
        let mut stack = std::io::Cursor::new([0u8; 160]);
        let mut spilled = Vec::new();
        let figures: &[u8] = match figures(&mut stack) {
            Ok(()) => &stack.get_ref()[..stack.position() as usize],
            Err(_) => {
                let _ = figures(&mut spilled);
                &spilled
            }
        };
        let mut body = Vec::with_capacity(self.head.len() + figures.len() + self.tail.len());
        body.extend_from_slice(&self.head);
        body.extend_from_slice(figures);
        body.extend_from_slice(&self.tail);
        let mut r = self.response(Bytes::from(body));
        let h = r.headers_mut();
        match d.headroom {
            Some(hr) => {
                let [limit, remaining, reset] = RATE_HEADERS;
                let made = self.limits.iter().find(|(n, _)| *n == hr.limit);
                h.insert(
                    limit,
                    made.map_or_else(|| number(hr.limit), |(_, v)| v.clone()),
                );
                h.insert(remaining, number(hr.remaining));
                h.insert(reset, number(hr.reset_secs.max(0) as u64));
            }
            None => {
                for name in RATE_HEADERS {
                    h.remove(name);
                }
            }
        }
        r
    }
}

/// A header value of a number: those below 4,096 (a rate's usual limits, headroom and reset
/// times) made once and shared, others made each time.
fn number(n: u64) -> HeaderValue {
    const SHARED: u64 = 4096;
    static VALUES: OnceLock<Vec<HeaderValue>> = OnceLock::new();
    if n >= SHARED {
        // One allocation (`HeaderValue::from(u64)` takes two).
        let mut digits = std::io::Cursor::new([0u8; 20]);
        let _ = std::io::Write::write_fmt(&mut digits, format_args!("{n}"));
        let len = digits.position() as usize;
        return HeaderValue::from_bytes(&digits.get_ref()[..len])
            .unwrap_or_else(|_| HeaderValue::from(n));
    }
    let values = VALUES.get_or_init(|| (0..SHARED).map(HeaderValue::from).collect());
    values[n as usize].clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::limits::{Verdict, decide};
    use crate::snapshot::payload::Text;
    use std::borrow::Cow;
    use std::collections::BTreeMap;

    /// An answer's status, sorted headers and body, to compare two answers.
    fn seen(a: Answer) -> (u16, Vec<(String, String)>, String) {
        use http_body_util::BodyExt;
        let status = a.status().as_u16();
        let mut headers: Vec<(String, String)> = a
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
            .collect();
        headers.sort();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let body = rt.block_on(a.into_body().collect()).unwrap().to_bytes();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    fn keys() -> KeySet {
        use crate::engine::keys::fixtures::{set, view};
        let t = |v: &[&'static str]| v.iter().map(|s| Text(Cow::Borrowed(*s))).collect();
        // Quotes, a comma and what looks like the scopes field, in every string.
        let mut plain = view("AAAAAAAAAAAA", &[], &[]);
        plain.name = Cow::Borrowed("say \"hi\",\"scopes\":[ ü");
        plain.scopes = t(&["read", "a\"b", "x,\"scopes\":["]);
        plain.owner = Some(Cow::Borrowed("team \u{7f} a"));
        plain.meta = Cow::Owned(BTreeMap::from([
            ("scopes".to_string(), ",\"scopes\":[".to_string()),
            ("env".to_string(), "prod".to_string()),
        ]));
        let mut limited = view("BBBBBBBBBBBB", &[], &[]);
        limited.expires_at = Some(1_900_000_000);
        limited.remaining = Some(3);
        limited.rates = t(&["2/1m", "100/1h"]);
        limited.refill = Some(Cow::Borrowed("3/1d"));
        limited.created_at = 1_700_000_000;
        let mut uses_only = view("CCCCCCCCCCCC", &[], &[]);
        uses_only.expires_at = Some(1_900_000_000);
        uses_only.remaining = Some(3);
        // The largest figures: uses near the cap, a rate whose headroom is not a shared number.
        let mut large = view("DDDDDDDDDDDD", &[], &[]);
        large.expires_at = Some(1_900_000_000);
        large.remaining = Some(999_999_999_999);
        large.rates = t(&["1000000/1s"]);
        large.refill = Some(Cow::Borrowed("1000000000000/366d"));
        large.created_at = 1_700_000_000;
        set(&[plain, limited, uses_only, large])
    }

    #[test]
    fn a_prebuilt_answer_is_the_answer_built_the_long_way() {
        let keys = keys();
        let answers = Answers::for_keys(keys.len());
        let valid = |id: &str| {
            let (at, key) = keys.find(id).unwrap();
            let long = keys.outcome(Judged {
                key: Some((at, key)),
                code: Code::Valid,
                reason: Reason::None,
            });
            (answers.get(&keys, at, key).unwrap(), key, long)
        };
        // No limit: the same status, headers and body, byte for byte.
        let (pre, _, long) = valid("AAAAAAAAAAAA");
        assert_eq!(seen(pre.answer()), seen(verification_answer(&long)));
        // Limited: each granted request's figures spliced in as Outcome::limited gives them
        // (uses left, the refill, the tightest rate's headroom), until a denial.
        for id in ["BBBBBBBBBBBB", "CCCCCCCCCCCC", "DDDDDDDDDDDD"] {
            let (pre, key, long) = valid(id);
            let mut state = key.state();
            let mut granted = 0;
            for i in 0..4 {
                let d = decide(key.limits(), &state, 1, 1_800_000_000_000 + i * 1000);
                if d.verdict != Verdict::Allowed {
                    break;
                }
                granted += 1;
                let want = seen(verification_answer(&long.clone().limited(&d)));
                assert_eq!(seen(pre.allowed(&d)), want, "{id} request {i}");
                assert_eq!(
                    want.1.iter().any(|(k, _)| k == "ratelimit-remaining"),
                    id != "CCCCCCCCCCCC"
                );
                state = d.state;
            }
            assert!(granted >= 2, "{id}");
        }
    }
}
