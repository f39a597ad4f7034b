//! Durations, expiries and the store-wide lifetime policy.

use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate};
use rusqlite::Connection;

/// Seconds in a year as this tool counts it: 365 days.
pub const YEAR: i64 = 365 * 86_400;

/// The preset expiries offered by the wizard.
pub const PRESETS: &[&str] = &["1h", "12h", "1d", "5d", "1y"];

const DURATION_HINT: &str =
    "use a number and a unit: s, m, h, d, w or y (e.g. 30m, 36h, 10d, 6w, 1y)";

/// Parses a duration such as `30m`, `36h`, `10d`, `6w`, `1y` (365 days), or `0`.
pub fn parse_duration(s: &str) -> Result<i64> {
    let s = s.trim();
    if s == "0" {
        return Ok(0);
    }
    let bad = || {
        Error::usage(
            format!("invalid duration {:?}", crate::text::sanitize(s)),
            DURATION_HINT,
        )
    };
    let unit_at = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (num, unit) = s.split_at(unit_at);
    let n: i64 = num.parse().map_err(|_| bad())?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        "y" => YEAR,
        _ => return Err(bad()),
    };
    n.checked_mul(mult)
        .filter(|v| *v <= 1000 * YEAR)
        .ok_or_else(bad)
}

/// Writes a duration in its largest exact unit, e.g. `1y`, `36h`.
pub fn format_duration(secs: i64) -> String {
    for (unit, mult) in [
        ("y", YEAR),
        ("w", 7 * 86_400),
        ("d", 86_400),
        ("h", 3600),
        ("m", 60),
    ] {
        if secs >= mult && secs % mult == 0 {
            return format!("{}{unit}", secs / mult);
        }
    }
    format!("{secs}s")
}

/// When a key expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    At(i64),
    Never,
}

impl Expiry {
    /// As stored: `None` for never.
    pub fn as_option(self) -> Option<i64> {
        match self {
            Expiry::At(t) => Some(t),
            Expiry::Never => None,
        }
    }
}

/// Parses an expiry: a preset or duration from `now`, an RFC 3339 time, a `YYYY-MM-DD` date
/// (midnight UTC), or `never`. A time not in the future is a usage error.
pub fn parse_expiry(s: &str, now: i64) -> Result<Expiry> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("never") {
        return Ok(Expiry::Never);
    }
    let at = if let Ok(d) = parse_duration(t) {
        now.checked_add(d)
            .ok_or_else(|| Error::usage("expiry too far in the future", DURATION_HINT))?
    } else if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        dt.timestamp()
    } else if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0)
            .map(|x| x.and_utc().timestamp())
            .unwrap_or(0)
    } else {
        return Err(Error::usage(
            format!("invalid expiry {:?}", crate::text::sanitize(t)),
            "use a preset (1h, 12h, 1d, 5d, 1y), a duration (30m, 10d, 6w), a date (2026-12-31), an RFC 3339 time, or `never`",
        ));
    };
    if at <= now {
        return Err(Error::usage(
            format!("expiry {} is not in the future", crate::text::time(at)),
            "give a later date or a duration such as 30d",
        ));
    }
    Ok(Expiry::At(at))
}

/// Parses a `--since` point in time: a date, an RFC 3339 time, or a duration back from `now`.
pub fn parse_since(s: &str, now: i64) -> Result<i64> {
    let t = s.trim();
    if let Ok(d) = parse_duration(t) {
        return Ok(now - d);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp());
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .map(|x| x.and_utc().timestamp())
            .unwrap_or(0));
    }
    Err(Error::usage(
        format!("invalid time {:?}", crate::text::sanitize(t)),
        "use a date (2026-11-01), an RFC 3339 time, or a duration back from now (7d)",
    ))
}

/// The current time in unix seconds.
pub fn now() -> i64 {
    now_ms().div_euclid(1000)
}

/// The time now, unix milliseconds: rate limits are exact to the millisecond. Read from the
/// system clock as it is (no calendar arithmetic: this is on every request's path).
pub fn now_ms() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// A request's cost as given (`--cost`, `X-Apikey-Cost`): a whole number from 1 to 1000, or
/// `None` (never a silent 1).
pub fn parse_cost(s: &str) -> Option<i64> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse()
        .ok()
        .filter(|c| (1..=crate::engine::limits::MAX_COST).contains(c))
}

/// The store-wide lifetime rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The longest a key may live, counted from its creation; `None` allows `never`.
    pub max_lifetime: Option<i64>,
    /// The lifetime of a key created without `--expires`.
    pub default_lifetime: i64,
}

impl Policy {
    /// Reads the policy from the store.
    pub fn load(conn: &Connection) -> Result<Policy> {
        let get = |name: &str| -> Result<String> {
            Ok(
                conn.query_row("SELECT value FROM policy WHERE name = ?1", [name], |r| {
                    r.get(0)
                })?,
            )
        };
        let max = get("max_lifetime")?;
        let max_lifetime = if max == "none" {
            None
        } else {
            Some(max.parse().unwrap_or(YEAR))
        };
        let default_lifetime = get("default_lifetime")?.parse().unwrap_or(YEAR);
        Ok(Policy {
            max_lifetime,
            default_lifetime,
        })
    }

    /// Writes the policy to the store.
    pub fn save(&self, conn: &Connection) -> Result<()> {
        let max = self
            .max_lifetime
            .map_or("none".to_string(), |m| m.to_string());
        conn.execute(
            "UPDATE policy SET value = ?1 WHERE name = 'max_lifetime'",
            [max],
        )?;
        conn.execute(
            "UPDATE policy SET value = ?1 WHERE name = 'default_lifetime'",
            [self.default_lifetime.to_string()],
        )?;
        Ok(())
    }

    /// The expiry of a key created at `created_at` without `--expires`.
    pub fn default_expiry(&self, created_at: i64) -> Expiry {
        Expiry::At(created_at + self.default_lifetime)
    }

    /// `expiry` brought within the max lifetime counted from `created_at`.
    pub fn cap(&self, created_at: i64, expiry: Expiry) -> Expiry {
        match (self.max_lifetime, expiry) {
            (None, e) => e,
            (Some(max), Expiry::Never) => Expiry::At(created_at + max),
            (Some(max), Expiry::At(t)) => Expiry::At(t.min(created_at + max)),
        }
    }

    /// Refuses (exit 7) an expiry beyond the max lifetime counted from `created_at`.
    pub fn check(&self, created_at: i64, expiry: Expiry) -> Result<()> {
        let Some(max) = self.max_lifetime else {
            return Ok(());
        };
        let limit = created_at + max;
        match expiry {
            Expiry::Never => Err(Error::policy(
                "keys that never expire are not allowed by this store's policy",
                format!(
                    "give an expiry up to {} (policy max-lifetime {})",
                    crate::text::time(limit),
                    format_duration(max)
                ),
            )),
            Expiry::At(t) if t > limit => Err(Error::policy(
                format!(
                    "expiry {} is beyond the max lifetime of {}",
                    crate::text::time(t),
                    format_duration(max)
                ),
                format!(
                    "give an expiry up to {}, or change the policy with `apikeys policy set max-lifetime`",
                    crate::text::time(limit)
                ),
            )),
            Expiry::At(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("30m").unwrap(), 1800);
        assert_eq!(parse_duration("36h").unwrap(), 36 * 3600);
        assert_eq!(parse_duration("10d").unwrap(), 864_000);
        assert_eq!(parse_duration("6w").unwrap(), 6 * 7 * 86_400);
        assert_eq!(parse_duration("1y").unwrap(), YEAR);
        assert_eq!(parse_duration("0").unwrap(), 0);
        for bad in [
            "",
            "10",
            "d",
            "-1d",
            "1.5h",
            "3x",
            "99999999999999999999y",
            "1d2h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(YEAR), "1y");
        assert_eq!(format_duration(36 * 3600), "36h");
    }

    #[test]
    fn expiries_accept_presets_dates_and_never() {
        let now = 1_700_000_000;
        for p in PRESETS {
            assert!(matches!(parse_expiry(p, now).unwrap(), Expiry::At(t) if t > now));
        }
        assert_eq!(parse_expiry("never", now).unwrap(), Expiry::Never);
        assert_eq!(
            parse_expiry("2099-01-02", now).unwrap(),
            Expiry::At(4_070_995_200)
        );
        assert_eq!(
            parse_expiry("2099-01-02T00:00:00+01:00", now).unwrap(),
            Expiry::At(4_070_991_600)
        );
        assert_eq!(parse_expiry("2001-01-01", now).unwrap_err().exit_code(), 2);
        assert_eq!(parse_expiry("soon", now).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn policy_limits_count_from_creation() {
        let p = Policy {
            max_lifetime: Some(YEAR),
            default_lifetime: YEAR,
        };
        assert!(p.check(100, Expiry::At(100 + YEAR)).is_ok());
        assert_eq!(
            p.check(100, Expiry::At(101 + YEAR))
                .unwrap_err()
                .exit_code(),
            7
        );
        assert_eq!(p.check(100, Expiry::Never).unwrap_err().exit_code(), 7);
        let open = Policy {
            max_lifetime: None,
            ..p
        };
        assert!(open.check(0, Expiry::Never).is_ok());
    }
}
