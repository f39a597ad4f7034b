//! Rates, uses, refills and cost: pure arithmetic, no I/O (SPEC §10). Given a key's limits,
//! the state kept for it, the cost of a request and the time, [`decide`] returns the answer
//! and the state after it. Every place that keeps state (memory, the store, a snapshot's
//! usage log, and Redis through a script that mirrors this file) calls it or mirrors it.
//!
//! A rate `N/P` is GCRA, a token bucket of rate N per P and burst N: at most N requests in any
//! window of P. Time is kept in integer units of 1/N millisecond, so one request advances the
//! bucket's theoretical arrival time (TAT) by exactly P units: no float, no drift, no rounding
//! that could grant one request too many.

use serde::{Deserialize, Serialize};

/// The largest N of a rate: keeps `ms × N` inside an i64 for centuries.
pub const MAX_RATE_N: u64 = 1_000_000;
/// The longest period of a rate or a refill: a year.
pub const MAX_PERIOD_MS: u64 = 366 * 86_400_000;
/// The most uses a key may hold, or a refill may set back (`--uses`, `--refill`): far beyond
/// any quota, and far from overflowing the arithmetic (here, in Redis's Lua, in a reader).
pub const MAX_USES: i64 = 1_000_000_000_000;
/// The heaviest single request (`--cost`, `X-Apikey-Cost`).
pub const MAX_COST: i64 = 1000;

/// At most `n` requests per `per_ms` milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub n: u64,
    pub per_ms: u64,
}

/// Remaining uses set back to `n` at the start of each period of `every` seconds counted from
/// the key's creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refill {
    pub n: i64,
    pub every: i64,
}

/// A duration as `1s`, `250ms`, `10m`, `1h`, `30d`, `6w`, in milliseconds.
pub fn parse_period_ms(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = num.parse().ok()?;
    let mult = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return None,
    };
    n.checked_mul(mult)
        .filter(|ms| (1..=MAX_PERIOD_MS).contains(ms))
}

/// `N/DUR` split and checked: N from 1 to `max_n`, DUR a period.
fn parse_n_per(s: &str, max_n: u64) -> Option<(u64, u64)> {
    let (n, per) = s.trim().split_once('/')?;
    let n: u64 = n.trim().parse().ok().filter(|n| (1..=max_n).contains(n))?;
    Some((n, parse_period_ms(per)?))
}

fn show_ms(ms: u64) -> String {
    for (unit, size) in [
        ("w", 604_800_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
    ] {
        if ms.is_multiple_of(size) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

impl Rate {
    /// Parses `N/DUR` (`100/1s`, `6000/1h`).
    pub fn parse(s: &str) -> Option<Rate> {
        parse_n_per(s, MAX_RATE_N).map(|(n, per_ms)| Rate { n, per_ms })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.n, show_ms(self.per_ms))
    }
}

impl Refill {
    /// Parses `N/DUR` (`1000/30d`); the period is whole seconds, at least one.
    pub fn parse(s: &str) -> Option<Refill> {
        let (n, ms) = parse_n_per(s, MAX_USES as u64)?;
        ms.is_multiple_of(1000).then_some(Refill {
            n: n as i64,
            every: (ms / 1000) as i64,
        })
    }

    /// The index of the period `now` falls in, counted from `created_at`.
    pub fn period(&self, created_at: i64, now: i64) -> i64 {
        (now - created_at).max(0) / self.every.max(1)
    }

    /// When period number `period` begins (unix seconds).
    pub fn start_of(&self, created_at: i64, period: i64) -> i64 {
        created_at + period * self.every.max(1)
    }

    /// When the period after `now`'s begins (unix seconds).
    pub fn next_at(&self, created_at: i64, now: i64) -> i64 {
        self.start_of(created_at, self.period(created_at, now) + 1)
    }
}

impl std::fmt::Display for Refill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.n, show_ms(self.every as u64 * 1000))
    }
}

/// A key's limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    pub rates: Vec<Rate>,
    pub refill: Option<Refill>,
    /// Unix seconds: refill periods count from here.
    pub created_at: i64,
}

impl Limits {
    /// Whether a request of this key needs any state at all.
    pub fn any(&self, remaining: Option<i64>) -> bool {
        !self.rates.is_empty() || remaining.is_some()
    }
}

/// What is kept between requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Per rate, in order: the theoretical arrival time in units of 1/N ms (0: never used).
    #[serde(default)]
    pub tats: Vec<i64>,
    /// Uses left; `None` for no limit.
    pub remaining: Option<i64>,
    /// The refill period `remaining` belongs to.
    #[serde(default)]
    pub period: i64,
}

/// Why a request was denied, or that it was not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    RateLimited,
    UsageExceeded,
}

/// The tightest rate limit after a request, for `RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headroom {
    pub limit: u64,
    /// Requests of cost 1 that would pass right now.
    pub remaining: u64,
    /// Seconds until the bucket is full again (rounded up).
    pub reset_secs: i64,
}

/// The answer for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    /// The state to keep: changed only when the request is allowed.
    pub state: State,
    /// Seconds until waiting helps (rounded up): the rate's, or until the next refill.
    pub retry_after: Option<i64>,
    pub headroom: Option<Headroom>,
    /// Uses left after this request (or now, when denied).
    pub remaining: Option<i64>,
    /// When the next refill comes (unix seconds).
    pub refills_at: Option<i64>,
}

/// The remaining uses as of `now`: a new refill period replaces them with the refill's N.
pub fn refreshed(limits: &Limits, state: &State, now_ms: i64) -> (Option<i64>, i64) {
    let now = now_ms.div_euclid(1000);
    match (limits.refill, state.remaining) {
        (Some(r), Some(_)) => {
            let period = r.period(limits.created_at, now);
            if period > state.period {
                (Some(r.n), period)
            } else {
                (state.remaining, state.period)
            }
        }
        _ => (state.remaining, state.period),
    }
}

/// `a / b` rounded up, for `b > 0`. In 64 bits when both fit, as they do but for a bucket
/// read from a damaged state: an `i128` division is a library call, on every request.
fn ceil_div(a: i128, b: i128) -> i128 {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) if b > 0 => i128::from(a.div_ceil(b)),
        _ => (a + b - 1).div_euclid(b),
    }
}

/// `a / b` rounded down, for `b > 0`; in 64 bits when both fit, as [`ceil_div`].
fn floor_div(a: i128, b: i128) -> i128 {
    match (u64::try_from(a), u64::try_from(b)) {
        (Ok(a), Ok(b)) if b > 0 => i128::from(a / b),
        _ => a.div_euclid(b),
    }
}

/// Decides one request of `cost` at `now_ms` (unix milliseconds): every rate limit, then the
/// uses, all or nothing (SPEC §10). A denied request leaves the state as it was.
pub fn decide(limits: &Limits, state: &State, cost: i64, now_ms: i64) -> Decision {
    let cost = cost.max(1);
    let now = now_ms.div_euclid(1000);
    let (remaining, period) = refreshed(limits, state, now_ms);
    let refills_at = limits
        .refill
        .filter(|_| remaining.is_some())
        .map(|r| r.next_at(limits.created_at, now));
    let mut tats = Vec::with_capacity(limits.rates.len());
    // The longest wait, and the limit of the rate that sets it: the one that said no.
    let mut rate_wait: Option<(i128, u64)> = None;
    let mut headroom: Option<Headroom> = None;
    for (i, rate) in limits.rates.iter().enumerate() {
        let (n, per) = (rate.n as i128, rate.per_ms as i128);
        let now_u = now_ms as i128 * n;
        let stored = state.tats.get(i).copied().unwrap_or(0) as i128;
        let tat = stored.max(now_u);
        let new_tat = tat + cost as i128 * per;
        let capacity = n * per;
        let over = new_tat - now_u - capacity;
        if over > 0 {
            let wait_ms = ceil_div(over, n);
            if rate_wait.is_none_or(|(w, _)| wait_ms > w) {
                rate_wait = Some((wait_ms, rate.n));
            }
            tats.push(stored as i64);
            continue;
        }
        tats.push(new_tat as i64);
        let left = floor_div(capacity - (new_tat - now_u), per) as u64;
        let reset = ceil_div(ceil_div(new_tat - now_u, n), 1000) as i64;
        if headroom.is_none_or(|h| left < h.remaining) {
            headroom = Some(Headroom {
                limit: rate.n,
                remaining: left,
                reset_secs: reset,
            });
        }
    }
    let denied = |verdict, retry_after: Option<i64>| Decision {
        verdict,
        state: state.clone(),
        retry_after,
        headroom: None,
        remaining,
        refills_at,
    };
    if let Some((wait_ms, limit)) = rate_wait {
        let retry = ceil_div(wait_ms, 1000).max(1) as i64;
        let mut d = denied(Verdict::RateLimited, Some(retry));
        // The tightest limit is the one that said no for longest: nothing left until then.
        d.headroom = Some(Headroom {
            limit,
            remaining: 0,
            reset_secs: retry,
        });
        return d;
    }
    if remaining.is_some_and(|r| r < cost) {
        return denied(Verdict::UsageExceeded, refills_at.map(|t| (t - now).max(1)));
    }
    let remaining = remaining.map(|r| r - cost);
    Decision {
        verdict: Verdict::Allowed,
        state: State {
            tats,
            remaining,
            period,
        },
        retry_after: None,
        headroom,
        remaining,
        refills_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn limits(rates: &[(u64, u64)]) -> Limits {
        Limits {
            rates: rates
                .iter()
                .map(|&(n, per_ms)| Rate { n, per_ms })
                .collect(),
            refill: None,
            created_at: 0,
        }
    }

    #[test]
    fn rates_and_refills_parse_and_print() {
        assert_eq!(
            Rate::parse("100/1s"),
            Some(Rate {
                n: 100,
                per_ms: 1000
            })
        );
        assert_eq!(Rate::parse("6000/1h").unwrap().to_string(), "6000/1h");
        assert_eq!(Rate::parse("5/250ms").unwrap().to_string(), "5/250ms");
        for bad in [
            "0/1s", "1/0s", "x/1s", "10", "10/", "10/1y", "-1/1s", "1/2x",
        ] {
            assert_eq!(Rate::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Refill::parse("1000/30d"),
            Some(Refill {
                n: 1000,
                every: 2_592_000
            })
        );
        assert_eq!(Refill::parse("1/500ms"), None);
        // Bounded like --uses: a refill of i64::MAX would overflow what reads it.
        assert!(Refill::parse("1000000000000/30d").is_some());
        assert_eq!(Refill::parse("1000000000001/30d"), None);
        assert_eq!(Refill::parse("9223372036854775807/1d"), None);
    }

    #[test]
    fn divisions_round_the_same_in_64_bits_and_beyond() {
        let big = i128::from(u64::MAX) + 7;
        for (a, b) in [
            (0, 1),
            (1, 1000),
            (999, 1000),
            (1000, 1000),
            (1001, 1000),
            (-1, 1000),
            (-1001, 1000),
            (big, 3),
            (big, big),
            (5, big),
        ] {
            assert_eq!(ceil_div(a, b), (a + b - 1).div_euclid(b), "{a} / {b}");
            assert_eq!(floor_div(a, b), a.div_euclid(b), "{a} / {b}");
        }
        assert_eq!(ceil_div(1001, 1000), 2);
        assert_eq!(floor_div(1999, 1000), 1);
    }

    #[test]
    fn a_bucket_grants_its_burst_then_one_per_interval() {
        let l = limits(&[(3, 1000)]);
        let mut s = State::default();
        let t = 1_700_000_000_000;
        for i in 0..3 {
            let d = decide(&l, &s, 1, t);
            assert_eq!(d.verdict, Verdict::Allowed, "request {i}");
            s = d.state;
        }
        let d = decide(&l, &s, 1, t);
        assert_eq!(d.verdict, Verdict::RateLimited);
        assert_eq!(d.retry_after, Some(1));
        assert_eq!(d.state, s, "a denied request changes nothing");
        // One interval (333.3 ms) later, exactly one more.
        assert_eq!(decide(&l, &s, 1, t + 333).verdict, Verdict::RateLimited);
        let d = decide(&l, &s, 1, t + 334);
        assert_eq!(d.verdict, Verdict::Allowed);
        assert_eq!(
            decide(&l, &d.state, 1, t + 334).verdict,
            Verdict::RateLimited
        );
    }

    #[test]
    fn every_limit_must_pass_and_a_denial_takes_nothing() {
        let mut l = limits(&[(10, 1000), (2, 60_000)]);
        l.created_at = 0;
        let s = State {
            remaining: Some(5),
            ..State::default()
        };
        let d1 = decide(&l, &s, 1, 1000);
        let d2 = decide(&l, &d1.state, 1, 1001);
        let d3 = decide(&l, &d2.state, 1, 1002);
        assert_eq!(d3.verdict, Verdict::RateLimited);
        assert_eq!(d3.state.remaining, Some(3), "no use taken by a rate denial");
        assert_eq!(
            d2.headroom.unwrap().limit,
            2,
            "the tightest limit is reported"
        );
        // A denial names the rate that said no for longest (2/1m: one more in 30 s), not the
        // first one listed (10/1s, which would have allowed this request).
        let h = d3.headroom.unwrap();
        assert_eq!((h.limit, h.remaining), (2, 0));
        assert_eq!(Some(h.reset_secs), d3.retry_after);
        assert_eq!(h.reset_secs, 30, "{h:?}");
        // Both rates over: the longer wait wins, though its rate is listed second.
        let two = limits(&[(1, 1000), (2, 60_000)]);
        let d1 = decide(&two, &State::default(), 1, 0);
        let d2 = decide(&two, &d1.state, 1, 1500);
        assert_eq!(d2.verdict, Verdict::Allowed);
        let d3 = decide(&two, &d2.state, 1, 1600);
        assert_eq!(d3.verdict, Verdict::RateLimited);
        assert_eq!(d3.headroom.unwrap().limit, 2);
        assert_eq!(d3.retry_after, Some(29));
        // Uses run out before the rate: nothing taken from the buckets.
        let s = State {
            remaining: Some(1),
            ..State::default()
        };
        let d = decide(&l, &s, 2, 1000);
        assert_eq!(d.verdict, Verdict::UsageExceeded);
        assert_eq!(d.state, s);
    }

    #[test]
    fn a_refill_replaces_the_count_at_each_period() {
        let l = Limits {
            rates: vec![],
            refill: Some(Refill { n: 3, every: 100 }),
            created_at: 1000,
        };
        let s = State {
            remaining: Some(0),
            period: 0,
            ..State::default()
        };
        let d = decide(&l, &s, 1, 1_050_000);
        assert_eq!(d.verdict, Verdict::UsageExceeded);
        assert_eq!(d.retry_after, Some(50));
        assert_eq!(d.refills_at, Some(1100));
        let d = decide(&l, &s, 1, 1_100_000);
        assert_eq!(d.verdict, Verdict::Allowed);
        assert_eq!(d.state.remaining, Some(2), "replaced with 3, not added");
        assert_eq!(d.state.period, 1);
        // Unused uses do not carry over.
        let d = decide(&l, &d.state, 1, 1_205_000);
        assert_eq!(d.state.remaining, Some(2));
    }

    #[test]
    fn a_cost_takes_from_every_bucket_and_the_uses() {
        let l = limits(&[(10, 1000)]);
        let s = State {
            remaining: Some(10),
            ..State::default()
        };
        let d = decide(&l, &s, 7, 0);
        assert_eq!(d.verdict, Verdict::Allowed);
        assert_eq!(d.remaining, Some(3));
        assert_eq!(d.headroom.unwrap().remaining, 3);
        assert_eq!(decide(&l, &d.state, 4, 0).verdict, Verdict::RateLimited);
        assert_eq!(decide(&l, &s, 11, 0).verdict, Verdict::RateLimited);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Never more than the burst plus rate × elapsed is granted, however requests and
        /// costs arrive; a denied request changes no state.
        #[test]
        fn never_more_than_burst_plus_rate(
            n in 1u64..50,
            per_ms in 1u64..5000,
            steps in proptest::collection::vec((0i64..400, 1i64..5), 1..200),
        ) {
            let l = limits(&[(n, per_ms)]);
            let mut s = State::default();
            let start = 1_700_000_000_000i64;
            let mut now = start;
            let mut granted = 0i128;
            for (gap, cost) in steps {
                now += gap;
                let d = decide(&l, &s, cost, now);
                if d.verdict == Verdict::Allowed {
                    granted += cost as i128;
                    s = d.state;
                } else {
                    prop_assert_eq!(&d.state, &s);
                }
                let elapsed = (now - start) as i128;
                // burst + rate × elapsed, in requests
                let bound = n as i128 + elapsed * n as i128 / per_ms as i128;
                prop_assert!(granted <= bound, "{} > {}", granted, bound);
            }
        }

        /// Refills replace: the uses after any sequence never exceed the refill's N.
        #[test]
        fn refills_never_add(
            n in 1i64..20,
            every in 1i64..100,
            steps in proptest::collection::vec((0i64..50_000, 1i64..4), 1..100),
        ) {
            let l = Limits { rates: vec![], refill: Some(Refill { n, every }), created_at: 0 };
            let mut s = State { remaining: Some(n), ..State::default() };
            let mut now = 0;
            for (gap, cost) in steps {
                now += gap;
                let d = decide(&l, &s, cost, now);
                prop_assert!(d.remaining.unwrap() <= n);
                if d.verdict == Verdict::Allowed {
                    s = d.state;
                }
            }
        }
    }
}
