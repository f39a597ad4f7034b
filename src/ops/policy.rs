//! The store-wide rules, set the same way from `apikeys policy set` and from the console:
//! the lifetimes (in the store) and the history's days (in the history file).

use crate::error::{Error, Result};
use crate::policy::{Policy, parse_duration};
use crate::store::{Store, queries};

/// The lifetime rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    Max,
    Default,
}

impl Lifetime {
    fn word(self) -> &'static str {
        match self {
            Lifetime::Max => "max-lifetime",
            Lifetime::Default => "default-lifetime",
        }
    }
}

/// What setting a lifetime did.
#[derive(Debug)]
pub struct Set {
    pub policy: Policy,
    /// Keys (not revoked) whose expiry lies beyond the new max lifetime: they keep it.
    pub beyond: usize,
    /// The default lifetime lowered with the max, from and to (seconds).
    pub lowered: Option<(i64, i64)>,
}

/// Reads a lifetime's value: a duration, or `none` for the max lifetime; never 0.
pub fn parse_lifetime(which: Lifetime, value: &str) -> Result<Option<i64>> {
    let v = value.trim();
    let parsed = if which == Lifetime::Max && v.eq_ignore_ascii_case("none") {
        None
    } else {
        Some(parse_duration(v)?)
    };
    if parsed == Some(0) {
        return Err(Error::usage(
            "a lifetime must be longer than 0",
            "give a duration such as 90d",
        ));
    }
    Ok(parsed)
}

/// Sets a lifetime rule in one write. Lowering the max below the default lowers the default
/// with it; a default beyond the max is refused (exit 7).
pub fn set_lifetime(
    store: &mut Store,
    which: Lifetime,
    value: &str,
    actor: &str,
    now: i64,
) -> Result<Set> {
    let parsed = parse_lifetime(which, value)?;
    store.write(|tx, _| {
        let mut p = Policy::load(tx)?;
        match which {
            Lifetime::Max => p.max_lifetime = parsed,
            Lifetime::Default => p.default_lifetime = parsed.unwrap_or(p.default_lifetime),
        }
        let mut lowered = None;
        if let Some(m) = p.max_lifetime.filter(|m| p.default_lifetime > *m) {
            if which == Lifetime::Default {
                return Err(Error::policy(
                    "the default lifetime cannot exceed the max lifetime",
                    "give a shorter default-lifetime, or raise max-lifetime first",
                ));
            }
            lowered = Some((p.default_lifetime, m));
            p.default_lifetime = m;
        }
        p.save(tx)?;
        queries::audit(
            tx,
            now,
            actor,
            "policy set",
            None,
            &format!("{} {}", which.word(), value.trim()),
        )?;
        let beyond = beyond_limit(tx, &p)?;
        Ok(Set {
            policy: p,
            beyond,
            lowered,
        })
    })
}

/// Reads a number of days of history: 1 to 730 (all the history keeps).
pub fn parse_history_days(value: &str) -> Result<i64> {
    use crate::history::{DAY, DAYS_KEPT};
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=DAYS_KEPT / DAY).contains(d))
        .ok_or_else(|| {
            Error::usage(
                format!("invalid history-days {:?}", crate::text::sanitize(value)),
                "give a whole number of days from 1 to 730 (2 years, the most kept)",
            )
        })
}

/// Sets how many days of history are kept: in the history file, which applies it at once
/// (and at every roll-up); logged in the store's audit trail.
pub fn set_history_days(store: &mut Store, value: &str, actor: &str, now: i64) -> Result<i64> {
    let days = parse_history_days(value)?;
    if let Some(mut h) = crate::history::db::History::open(store.path(), true)? {
        h.set_days(days, now)?;
    }
    store.write(|tx, _| {
        queries::audit(
            tx,
            now,
            actor,
            "policy set",
            None,
            &format!("history-days {days}"),
        )
    })?;
    Ok(days)
}

/// Keys (not revoked) whose expiry lies beyond the max lifetime counted from their creation:
/// they keep it, and are counted so that an admin can decide.
pub fn beyond_limit(conn: &rusqlite::Connection, p: &Policy) -> Result<usize> {
    let Some(max) = p.max_lifetime else {
        return Ok(0);
    };
    Ok(queries::all_keys(conn)?
        .iter()
        .filter(|k| !k.revoked && k.expires_at.is_none_or(|e| e > k.created_at + max))
        .count())
}
