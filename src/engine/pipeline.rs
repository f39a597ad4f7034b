//! The one sequence of a verification, the same for every front end (`verify`, `--batch`,
//! `serve`; on a store or a snapshot): first the checks that need no keys (the token's format
//! and checksum, then the request's own fields), then the snapshot's age, then the key's own
//! checks ([`KeySet::check_parsed`]). Rates and uses come last, decided where a front end
//! keeps their state. So the same request gets the same answer everywhere (SPEC §8 "One
//! engine"): `ak_bad` on a snapshot past `--max-age` is `malformed` from all three.

use super::{Code, KeySet, Outcome, Paste, Reason, Request};
use crate::token::{Malformed, ParsedToken};

/// What a request brings, as its front end read it.
#[derive(Debug, Clone, Copy)]
pub struct Given<'a> {
    /// The token as given, or why there is none to read.
    pub token: Result<&'a str, Paste>,
    /// The request's cost; `None` when it cannot be read (or was given twice).
    pub cost: Option<i64>,
    /// Whether the client's address could be believed (a proxy's header that is repeated,
    /// empty or not an address cannot).
    pub client_ok: bool,
}

/// The checks that need no keys, in order: format, checksum, cost, client address. A token
/// that passes comes back parsed, with the request's cost; one that does not, with its answer.
pub fn admit(g: Given<'_>) -> Result<(ParsedToken<'_>, i64), Box<Outcome>> {
    let refuse = |o: Outcome| Box::new(o);
    let text = g.token.map_err(|p| refuse(Outcome::malformed(p)))?;
    let parsed = super::parse(text).map_err(|p| refuse(Outcome::malformed(p)))?;
    let cost = g.cost.ok_or_else(|| refuse(Outcome::bad_cost()))?;
    if !g.client_ok {
        return Err(refuse(Outcome::bad_client_ip()));
    }
    Ok((parsed, cost))
}

/// Whether a snapshot issued at `issued_at` is past `max_age` at `now` (a store never is).
pub fn stale(issued_at: Option<i64>, max_age: Option<i64>, now: i64) -> bool {
    matches!((issued_at, max_age), (Some(i), Some(a)) if now - i > a)
}

/// The checks against the keys, after [`admit`]: a snapshot past `--max-age` answers
/// `stale_snapshot` for every key, then the key's own checks in the order of SPEC §4.
pub fn judge(
    keys: &KeySet,
    stale: bool,
    t: &ParsedToken<'_>,
    req: &Request<'_>,
    now: i64,
) -> Outcome {
    if stale {
        return Outcome::stale();
    }
    keys.check_parsed(t, req, now)
}

/// The checks, in the order they run, with the code each can answer.
const CHECKS: [&str; 12] = [
    "format",
    "checksum",
    "request (cost, client address)",
    "snapshot age (--max-age)",
    "key and secret",
    "revocation",
    "expiry",
    "client address (allowed IPs)",
    "scopes",
    "rate limits",
    "uses",
    "shared counters",
];

/// Which of [`CHECKS`] said no (none for a valid answer).
fn failed_at(o: &Outcome) -> Option<usize> {
    Some(match (o.code, &o.reason) {
        (Code::Valid, _) => return None,
        (Code::Malformed, Reason::Malformed(Paste::Token(Malformed::Checksum))) => 1,
        (Code::Malformed, Reason::BadCost | Reason::BadClientIp) => 2,
        (Code::Malformed, _) => 0,
        (Code::StaleSnapshot, _) => 3,
        (Code::Unknown, _) => 4,
        (Code::Inactive, _) => 5,
        (Code::Expired, _) => 6,
        (Code::IpDenied, _) => 7,
        (Code::ScopeDenied, _) => 8,
        (Code::RateLimited, _) => 9,
        (Code::UsageExceeded, _) => 10,
        (Code::CountersUnavailable, _) => 11,
    })
}

/// Each check in order with what it said, for `verify --explain`: `ok` up to the one that
/// said no (with why), `not reached` after it. Never the secret: only what the answer holds.
pub fn explain(o: &Outcome) -> Vec<String> {
    let failed = failed_at(o);
    CHECKS
        .iter()
        .enumerate()
        .map(|(i, name)| match failed {
            Some(f) if i == f => {
                format!("check {}: {name}: FAILED: {}", i + 1, o.reason_sentence())
            }
            Some(f) if i > f => format!("check {}: {name}: not reached", i + 1),
            _ => format!("check {}: {name}: ok", i + 1),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(token: &str) -> Given<'_> {
        Given {
            token: Ok(token),
            cost: Some(1),
            client_ok: true,
        }
    }

    #[test]
    fn the_checks_that_need_no_keys_come_first_in_order() {
        let t = crate::token::generate("ak").unwrap();
        let good = t.token.expose_secret().to_string();
        assert!(admit(given(&good)).is_ok());
        // A bad token is malformed whatever else is wrong with the request.
        let bad = Given {
            token: Ok("ak_bad"),
            cost: None,
            client_ok: false,
        };
        let o = admit(bad).unwrap_err();
        assert_eq!((o.code, failed_at(&o)), (Code::Malformed, Some(0)));
        let mut typo = good.clone();
        let last = typo.pop().unwrap();
        typo.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(failed_at(&admit(given(&typo)).unwrap_err()), Some(1));
        let costly = Given {
            cost: None,
            ..given(&good)
        };
        assert_eq!(failed_at(&admit(costly).unwrap_err()), Some(2));
        let proxied = Given {
            client_ok: false,
            ..given(&good)
        };
        assert_eq!(failed_at(&admit(proxied).unwrap_err()), Some(2));
        let none = Given {
            token: Err(Paste::Empty),
            ..given(&good)
        };
        assert_eq!(admit(none).unwrap_err().code, Code::Malformed);
    }

    #[test]
    fn explain_says_ok_up_to_the_check_that_said_no_then_not_reached() {
        let lines = explain(&Outcome::stale());
        assert_eq!(lines.len(), CHECKS.len());
        assert!(lines[2].ends_with(": ok"), "{lines:?}");
        assert!(
            lines[3].contains("snapshot age (--max-age): FAILED: "),
            "{lines:?}"
        );
        assert!(lines[4].ends_with("not reached"), "{lines:?}");
        assert!(stale(Some(100), Some(10), 111));
        assert!(!stale(Some(100), Some(10), 110));
        assert!(!stale(None, Some(10), 1_000_000));
    }
}
