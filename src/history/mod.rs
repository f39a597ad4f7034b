//! What every key did (SPEC §14): answers counted per key, per outcome, per time bucket, in
//! a file of its own beside the store (`db.rs`), so that recording an answer never rewrites
//! the sealed store. Front ends gather answers in a [`Batch`] (one per CLI verify, one per
//! flush of `serve`) and write it in one transaction, or append it to a node's usage log to
//! be merged by `usage import`.
//!
//! A bucket's size is bounded by keys × outcomes, never by requests: tokens that name no key
//! of the store are counted under no key (`unknown`, `malformed`), never under their random
//! id, and client addresses are kept per key and day up to [`MAX_IPS`], the rest as `other`.
//! Nothing here holds a token, a secret or a hash.

pub mod db;
pub mod pending;
pub mod query;

use crate::engine::{Code, KeySet, Outcome};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;

/// Widths of the buckets kept: minutes for 48 hours, hours for 90 days, days for 2 years.
pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;
/// How long each width is kept before it is rolled up into the next.
pub const MINUTES_KEPT: i64 = 48 * HOUR;
pub const HOURS_KEPT: i64 = 90 * DAY;
pub const DAYS_KEPT: i64 = 730 * DAY;
/// Client addresses kept per key and day; more are counted as `other`.
pub const MAX_IPS: i64 = 64;
/// The address under which the addresses past [`MAX_IPS`] are counted.
pub const OTHER_IP: &str = "other";
/// Refused attempts kept per key for `show`.
pub const REFUSED_KEPT: i64 = 10;

/// The key an answer is counted under: the key it named when the token's id is a key of this
/// set (a wrong secret on a real key is counted there as `unknown`: someone is guessing it),
/// else none.
pub fn subject<'a>(
    outcome: &Outcome,
    parsed_id: Option<&'a str>,
    keys: &KeySet,
) -> Option<&'a str> {
    // A key's id is its token's id part: the one the token named.
    parsed_id.filter(|id| {
        outcome.key_id.is_some() || (outcome.code != Code::Malformed && keys.get(id).is_some())
    })
}

/// Records of answers, as a node sends them home in its usage log and as the history file
/// takes them. Key ids are `""` for answers that named no key.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Records {
    /// (minute start, key id, outcome, count, cost)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub b: Vec<(i64, String, String, i64, i64)>,
    /// (day start, key id, client address, outcome, count, last time)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip: Vec<(i64, String, String, String, i64, i64)>,
    /// (time, key id, outcome, client address): refused answers under a key, newest last
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub r: Vec<(i64, String, String, Option<String>)>,
}

impl Records {
    pub fn is_empty(&self) -> bool {
        self.b.is_empty() && self.ip.is_empty() && self.r.is_empty()
    }

    /// Checks every field's range: a forged record is refused, not merged.
    pub fn check(&self, now: i64) -> std::result::Result<(), &'static str> {
        let time = |t: i64| (946_684_800..=now + DAY).contains(&t);
        let key = |k: &str| {
            k.is_empty() || (k.len() == crate::token::ID_LEN && crate::token::is_base62(k))
        };
        let code = |c: &str| Code::ALL.iter().any(|x| x.as_str() == c);
        let ip = |s: &str| s == OTHER_IP || s.parse::<std::net::IpAddr>().is_ok();
        let n = |c: i64| (0..=crate::snapshot::usage_log::MAX_RECORD_USES).contains(&c);
        for (t, k, o, c, cost) in &self.b {
            if !(time(*t) && key(k) && code(o) && n(*c) && n(*cost)) {
                return Err("a history bucket is out of range");
            }
        }
        for (d, k, a, o, c, last) in &self.ip {
            if !(time(*d) && key(k) && ip(a) && code(o) && n(*c) && time(*last)) {
                return Err("a history address is out of range");
            }
        }
        for (t, k, o, a) in &self.r {
            if !(time(*t) && key(k) && !k.is_empty() && code(o) && a.as_deref().is_none_or(ip)) {
                return Err("a refused attempt is out of range");
            }
        }
        Ok(())
    }
}

/// One key's counts: what → (count, cost or last time). Hashed fast: its keys are times and
/// outcomes (and addresses, which a client chooses: those keep the default, keyed hash).
type PerKey<K, S = crate::engine::keys::IdHash> = HashMap<K, (i64, i64), S>;

/// A key's uses in the tally: (uses, last time, last client address).
pub type Tallied = (i64, i64, Option<String>);

/// Answers gathered before they are written: one map entry per key × outcome × minute, so a
/// busy server's batch grows with its keys, not its requests.
#[derive(Debug, Default)]
pub struct Batch {
    /// key id ("" for none) → (minute, outcome) → (count, cost)
    buckets: HashMap<String, PerKey<(i64, Code)>, crate::engine::keys::IdHash>,
    /// key id → (address, day, outcome) → (count, last time)
    ips: HashMap<String, PerKey<(IpAddr, i64, Code), std::hash::RandomState>>,
    refused: Vec<(i64, String, Code, Option<String>)>,
    answers: u64,
    /// The latest answers that are alike (key, minute, outcome, address), not yet in the
    /// maps: a busy key's answers to one client cost a comparison each, not four lookups.
    run: Option<Run>,
}

/// Like answers in a row, counted together.
#[derive(Debug)]
struct Run {
    key: String,
    minute: i64,
    code: Code,
    ip: Option<IpAddr>,
    count: i64,
    cost: i64,
    last: i64,
}

impl Batch {
    pub fn new() -> Self {
        Batch::default()
    }

    /// Answers noted since the batch was made.
    pub fn len(&self) -> u64 {
        self.answers
    }

    pub fn is_empty(&self) -> bool {
        self.answers == 0
    }

    /// Notes one answer at `at` (unix seconds). A refused answer counts 1 with cost 0.
    pub fn note(&mut self, at: i64, key: Option<&str>, code: Code, cost: i64, ip: Option<IpAddr>) {
        self.answers += 1;
        let cost = if code == Code::Valid { cost } else { 0 };
        let k = key.unwrap_or("");
        let minute = at - at.rem_euclid(MINUTE);
        match &mut self.run {
            // (The same minute is the same day.)
            Some(r) if r.minute == minute && r.code == code && r.ip == ip && r.key == k => {
                r.count += 1;
                r.cost += cost;
                r.last = r.last.max(at);
            }
            run => {
                // The run before goes into the maps; its key's room is kept for this one.
                let mut key = String::new();
                if let Some(before) = run.take() {
                    self.add(&before);
                    key = before.key;
                    key.clear();
                }
                key.push_str(k);
                self.run = Some(Run {
                    key,
                    minute,
                    code,
                    ip,
                    count: 1,
                    cost,
                    last: at,
                });
            }
        }
        if code != Code::Valid && !k.is_empty() {
            self.refused
                .push((at, k.to_string(), code, ip.map(|i| i.to_string())));
            // Only the last few per key are ever kept; a flood is trimmed as it comes.
            if self.refused.len() > 4096 {
                self.trim_refused();
            }
        }
    }

    /// A run's answers into the maps.
    fn add(&mut self, r: &Run) {
        let k = r.key.as_str();
        let per_key = match self.buckets.get_mut(k) {
            Some(m) => m,
            None => self.buckets.entry(k.to_string()).or_default(),
        };
        let e = per_key.entry((r.minute, r.code)).or_insert((0, 0));
        e.0 += r.count;
        e.1 += r.cost;
        if let Some(ip) = r.ip {
            // A day is whole minutes: the run's minute tells its day.
            let day = r.minute - r.minute.rem_euclid(DAY);
            let per_key = match self.ips.get_mut(k) {
                Some(m) => m,
                None => self.ips.entry(k.to_string()).or_default(),
            };
            let e = per_key.entry((ip, day, r.code)).or_insert((0, r.last));
            e.0 += r.count;
            e.1 = e.1.max(r.last);
        }
    }

    fn trim_refused(&mut self) {
        let mut seen: HashMap<String, i64> = HashMap::new();
        let mut kept: Vec<_> = std::mem::take(&mut self.refused)
            .into_iter()
            .rev()
            .filter(|r| {
                let n = seen.entry(r.1.clone()).or_insert(0);
                *n += 1;
                *n <= REFUSED_KEPT
            })
            .collect();
        kept.reverse();
        self.refused = kept;
    }

    /// The records, for the history file or a usage log.
    pub fn records(mut self) -> Records {
        if let Some(r) = self.run.take() {
            self.add(&r);
        }
        self.trim_refused();
        let mut out = Records::default();
        for (k, m) in self.buckets {
            for ((minute, code), (count, cost)) in m {
                out.b
                    .push((minute, k.clone(), code.as_str().into(), count, cost));
            }
        }
        for (k, m) in self.ips {
            for ((ip, day, code), (count, last)) in m {
                out.ip.push((
                    day,
                    k.clone(),
                    ip.to_string(),
                    code.as_str().into(),
                    count,
                    last,
                ));
            }
        }
        out.r = self
            .refused
            .into_iter()
            .map(|(at, k, c, ip)| (at, k, c.as_str().into(), ip))
            .collect();
        out.b.sort();
        out.ip.sort();
        out
    }
}

/// Uses of keys with no use limit counted in the history file (see `db.rs`): what `list`,
/// `show` and `status` add to the store's `use_count` and `last_used_*`.
#[derive(Debug, Default)]
pub struct Tally(HashMap<String, Tallied>);

impl Tally {
    /// The tally beside the store at `store` (empty when it has no history file).
    pub fn of(store: &std::path::Path) -> crate::error::Result<Tally> {
        Ok(Tally(match db::History::open(store, false)? {
            Some(h) => h.tally()?,
            None => HashMap::new(),
        }))
    }

    /// A key's record as shown: its stored uses plus those of the tally.
    pub fn apply(&self, k: &mut crate::model::KeyRecord) {
        if let Some((n, at, ip)) = self.0.get(&k.id) {
            k.use_count += n;
            if k.last_used_at.is_none_or(|l| *at >= l) {
                k.last_used_at = Some(*at);
                if ip.is_some() {
                    k.last_used_ip.clone_from(ip);
                }
            }
        }
    }
}

/// The file `<store><suffix>` beside the store (the history, its inbox).
pub fn beside(store: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    store.with_file_name(name)
}

/// The refusal of a history file that is not a regular file: a planted link must not make
/// apikeys write its records elsewhere.
pub fn not_regular(path: &std::path::Path, what: &str) -> crate::error::Error {
    crate::error::Error::Refused {
        message: format!(
            "the {what} {} is not a regular file (a symlink?)",
            crate::text::sanitize(&path.display().to_string())
        ),
        hint: format!("remove it; apikeys creates the {what} beside the store, mode 0600"),
    }
}

/// Parses a `--by` width.
pub fn width_of(by: &str) -> Option<i64> {
    match by {
        "minute" => Some(MINUTE),
        "hour" => Some(HOUR),
        "day" => Some(DAY),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_grows_with_keys_not_requests() {
        let mut b = Batch::new();
        for i in 0..10_000 {
            b.note(
                1_800_000_000 + i % 50,
                Some("k"),
                Code::Valid,
                2,
                "10.0.0.1".parse().ok(),
            );
            b.note(1_800_000_000, None, Code::Unknown, 1, None);
        }
        let r = b.records();
        assert_eq!(r.b.len(), 2);
        let valid = r.b.iter().find(|x| x.1 == "k").unwrap();
        assert_eq!((valid.3, valid.4), (10_000, 20_000));
        let unknown = r.b.iter().find(|x| x.1.is_empty()).unwrap();
        assert_eq!((unknown.3, unknown.4), (10_000, 0));
        assert_eq!(r.ip.len(), 1);
    }

    #[test]
    fn answers_in_a_row_count_as_each_alone() {
        // Runs of like answers broken by every field in turn: key, outcome, address, minute
        // and day, then back to the first.
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        // A minute before a day ends: t + 70 is in the next minute and the next day.
        let t = 1_800_000_000 - 1_800_000_000 % DAY + DAY - MINUTE;
        let notes = [
            (t, Some("a"), Code::Valid, 2, ip("10.0.0.1")),
            (t + 1, Some("a"), Code::Valid, 3, ip("10.0.0.1")),
            (t + 1, Some("b"), Code::Valid, 1, ip("10.0.0.1")),
            (t + 2, Some("a"), Code::RateLimited, 5, ip("10.0.0.1")),
            (t + 2, Some("a"), Code::Valid, 1, ip("10.0.0.2")),
            (t + 2, Some("a"), Code::Valid, 1, None),
            (t + 30, Some("a"), Code::Valid, 1, ip("10.0.0.1")),
            (t + 70, Some("a"), Code::Valid, 1, ip("10.0.0.1")),
            (t + 3, Some("a"), Code::Valid, 4, ip("10.0.0.1")),
        ];
        let mut b = Batch::new();
        for (at, k, c, cost, a) in notes {
            b.note(at, k, c, cost, a);
        }
        let r = b.records();
        let m = t;
        let bucket = |k: &str, minute: i64, c: Code, n: i64, cost: i64| {
            (minute, k.to_string(), c.as_str().to_string(), n, cost)
        };
        let mut want_b = vec![
            bucket("a", m, Code::Valid, 6, 12),
            bucket("b", m, Code::Valid, 1, 1),
            bucket("a", m, Code::RateLimited, 1, 0),
            bucket("a", m + MINUTE, Code::Valid, 1, 1),
        ];
        want_b.sort();
        assert_eq!(r.b, want_b);
        let d = t - t.rem_euclid(DAY);
        let addr = |k: &str, day: i64, a: &str, c: Code, n: i64, last: i64| {
            (
                day,
                k.to_string(),
                a.to_string(),
                c.as_str().to_string(),
                n,
                last,
            )
        };
        let mut want_ip = vec![
            addr("a", d, "10.0.0.1", Code::Valid, 4, t + 30),
            addr("b", d, "10.0.0.1", Code::Valid, 1, t + 1),
            addr("a", d, "10.0.0.1", Code::RateLimited, 1, t + 2),
            addr("a", d, "10.0.0.2", Code::Valid, 1, t + 2),
            addr("a", d + DAY, "10.0.0.1", Code::Valid, 1, t + 70),
        ];
        want_ip.sort();
        assert_eq!(r.ip, want_ip);
        assert_eq!(r.r.len(), 1, "the refusal is kept as one attempt");
    }

    #[test]
    fn refused_attempts_keep_the_last_ten_per_key() {
        let mut b = Batch::new();
        for i in 0..5000 {
            b.note(1_800_000_000 + i, Some("k"), Code::Inactive, 1, None);
        }
        let r = b.records();
        assert_eq!(r.r.len(), 10);
        assert_eq!(r.r.last().unwrap().0, 1_800_000_000 + 4999);
    }
}
