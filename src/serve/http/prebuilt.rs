//! The answer of a valid key, built once per key and snapshot: its body and headers depend on
//! the key alone, but for a limited key's figures after this request (uses left, when they
//! refill, the rate's headroom), which are spliced in. So a valid request costs a copy of
//! the headers and a reference to the body, not a json encoding and a dozen allocations.

use super::wire::{Figures, Reply, Whole, Wire};
use super::{Answer, RATE_HEADERS, verification_answer};
use crate::engine::limits::Decision;
use crate::engine::{Code, Judged, KeySet, Outcome, Reason};
use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::header::{HeaderMap, HeaderValue};
use std::cell::RefCell;
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
    /// Whether the headers begin with the stand-ins, in the order of [`RATE_HEADERS`]:
    /// replaced in place, with no lookup of their names.
    stand_ins: bool,
    /// The `RateLimit-Limit` of each of its rates, made once.
    limits: Vec<(u64, HeaderValue)>,
    /// The headers as sent (`name: value` lines), but for the stand-ins: the answer on the
    /// wire (the fast lane's) after its status line and headroom.
    lines: Bytes,
    /// For a key with no limit: its status line and `lines`, as the fast lane sends them,
    /// and its body.
    unlimited: Option<std::sync::Arc<Whole>>,
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
        let answer = std::mem::take(verification_answer(valid).headers_mut());
        let mut headers = HeaderMap::with_capacity(answer.len() + RATE_HEADERS.len());
        // A key with rates: stand-ins for its headroom, first, which each request replaces in
        // place (no growing of the headers, no lookup); never shown, as such a key is only
        // answered by [`Prebuilt::allowed`].
        if !rates.is_empty() {
            for name in RATE_HEADERS {
                headers.insert(name, HeaderValue::from_static("0"));
            }
        }
        headers.extend(answer);
        // In order at the front (else they are replaced by name).
        let stand_ins = !rates.is_empty()
            && headers
                .keys()
                .take(RATE_HEADERS.len())
                .eq(RATE_HEADERS.iter());
        let mut lines = Vec::new();
        let skip = if stand_ins { RATE_HEADERS.len() } else { 0 };
        super::header_lines(&mut lines, headers.iter().skip(skip));
        let unlimited = rates.is_empty().then(|| {
            let mut top = b"HTTP/1.1 200 OK\r\n".to_vec();
            top.extend_from_slice(&lines);
            std::sync::Arc::new(Whole {
                top: Bytes::from(top),
                body: whole.clone(),
            })
        });
        Prebuilt {
            unlimited,
            lines: Bytes::from(lines),
            head: whole.slice(..cut),
            tail: whole.slice(cut..),
            whole,
            headers,
            stand_ins,
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
        // The figures first, on the stack (at most about 110 bytes): the body is then one
        // allocation of its exact size (a `Vec` with room to spare would cost `Bytes` a
        // second one).
        let figures = Figures::of(d);
        let figures = figures.as_bytes();
        let mut body = Vec::with_capacity(self.head.len() + figures.len() + self.tail.len());
        body.extend_from_slice(&self.head);
        body.extend_from_slice(figures);
        body.extend_from_slice(&self.tail);
        let mut r = self.response(Bytes::from(body));
        let h = r.headers_mut();
        match d.headroom {
            Some(hr) => {
                let made = self.limits.iter().find(|(n, _)| *n == hr.limit);
                let values = [
                    made.map_or_else(|| number(hr.limit), |(_, v)| v.clone()),
                    number(hr.remaining),
                    number(hr.reset_secs.max(0) as u64),
                ];
                if self.stand_ins {
                    for ((_, slot), v) in h.iter_mut().zip(values) {
                        *slot = v;
                    }
                } else {
                    for (name, v) in RATE_HEADERS.into_iter().zip(values) {
                        h.insert(name, v);
                    }
                }
            }
            // No headroom to show (no rate): the stand-ins, if any, go.
            None if !self.limits.is_empty() => {
                for name in RATE_HEADERS {
                    h.remove(name);
                }
            }
            None => {}
        }
        r
    }
}

impl Prebuilt {
    /// This answer as the fast lane writes it ([`Prebuilt::answer`] with no decision, else
    /// [`Prebuilt::allowed`]), with no header map: the status line and the headroom written
    /// here, the other headers as built once, the figures between the body's two halves.
    /// `None` where the headroom's stand-ins are not first (then the map is used).
    pub fn wire(&self, d: Option<&Decision>) -> Option<Reply> {
        let Some(d) = d else {
            // No limit: the same bytes as every time before.
            return self.unlimited.clone().map(Reply::Whole);
        };
        let has_rates = !self.limits.is_empty();
        if has_rates && !self.stand_ins {
            return None;
        }
        let mut top = Figures::default();
        top.put(b"HTTP/1.1 200 OK\r\n");
        if let Some(hr) = d.headroom {
            if !has_rates {
                return None;
            }
            for (name, n) in [
                (b"ratelimit-limit: ".as_slice(), hr.limit),
                (b"ratelimit-remaining: ", hr.remaining),
                (b"ratelimit-reset: ", hr.reset_secs.max(0) as u64),
            ] {
                top.put(name);
                top.unsigned(n);
                top.put(b"\r\n");
            }
        }
        Some(Reply::Wire(Box::new(Wire {
            top,
            lines: self.lines.clone(),
            head: self.head.clone(),
            figures: Figures::of(d),
            tail: self.tail.clone(),
        })))
    }
}

/// A header value of a number: those below 4,096 (a rate's usual limits, headroom and reset
/// times) made once and shared; larger ones (a fast rate's limit and headroom, which moves
/// by a little from one request to the next) kept among this thread's recent ones.
fn number(n: u64) -> HeaderValue {
    const SHARED: u64 = 4096;
    const RECENT: u64 = 256;
    static VALUES: OnceLock<Vec<HeaderValue>> = OnceLock::new();
    thread_local! {
        /// By the number's last digits in base 256: the latest number of each.
        static LATELY: RefCell<Vec<Option<(u64, HeaderValue)>>> =
            RefCell::new(vec![None; RECENT as usize]);
    }
    if n < SHARED {
        let values = VALUES.get_or_init(|| (0..SHARED).map(HeaderValue::from).collect());
        return values[n as usize].clone();
    }
    LATELY.with_borrow_mut(|lately| match &mut lately[(n % RECENT) as usize] {
        Some((m, v)) if *m == n => v.clone(),
        slot => {
            // One allocation (`HeaderValue::from(u64)` takes two).
            let v = HeaderValue::from_bytes(itoa::Buffer::new().format(n).as_bytes())
                .unwrap_or_else(|_| HeaderValue::from(n));
            *slot = Some((n, v.clone()));
            v
        }
    })
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
    fn a_number_is_its_digits_whether_made_shared_or_recent() {
        // Below 4,096, beyond it, again (recent), and two that share a place among the recent.
        for n in [
            0,
            7,
            4095,
            4096,
            999_999,
            999_998,
            999_999,
            999_999 + 256,
            999_999,
            u64::MAX,
        ] {
            assert_eq!(number(n).as_bytes(), n.to_string().as_bytes(), "{n}");
        }
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
        // And as bytes (the fast lane's): the same answer.
        let wire = pre.wire(None).expect("an unlimited key's answer as bytes");
        let Reply::Whole(whole) = &wire else {
            panic!("an unlimited key's answer is the same bytes each time: {wire:?}");
        };
        assert_eq!(whole.body, pre.whole);
        assert!(whole.top.starts_with(b"HTTP/1.1 200 OK\r\n") && whole.top.ends_with(b"\r\n"));
        assert_eq!(seen(wire.into_answer()), seen(verification_answer(&long)));
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
                let wire = pre.wire(Some(&d)).expect("a limited key's answer as bytes");
                assert_eq!(seen(wire.into_answer()), want, "{id} request {i}, as bytes");
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
