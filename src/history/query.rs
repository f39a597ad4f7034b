//! Reading the history: rows per bucket for `usage`, sums for `top`, a key's week for `show`,
//! and revoked or expired keys still presented for `status`.

use super::db::History;
use super::{DAY, MINUTE};
use crate::error::Result;
use rusqlite::params;
use std::collections::{BTreeMap, HashMap};

/// One bucket × key × outcome: what `usage` prints. `key_id` is `""` for answers that named
/// no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub bucket: i64,
    pub key_id: String,
    pub outcome: String,
    pub count: i64,
    pub cost: i64,
}

/// Sums over a window, per key (or address) and outcome.
#[derive(Debug, Default, Clone)]
pub struct Sum {
    pub count: i64,
    pub by_outcome: BTreeMap<String, i64>,
    /// Client addresses with their counts, busiest first (for keys).
    pub ips: Vec<(String, i64)>,
    /// The latest answer and its address, when known.
    pub last_at: Option<i64>,
    pub last_ip: Option<String>,
}

impl Sum {
    fn add(&mut self, outcome: String, n: i64) {
        self.count += n;
        *self.by_outcome.entry(outcome).or_insert(0) += n;
    }
}

impl History {
    /// The buckets of `width` seconds whose start lies in [since, until), summed from the
    /// finer ones kept. `outcomes` empty means all.
    pub fn rows(
        &self,
        width: i64,
        since: i64,
        until: i64,
        outcomes: &[String],
    ) -> Result<Vec<Row>> {
        let mut st = self.conn().prepare(
            "SELECT start - (start % ?1) AS b, key_id, outcome, sum(count), sum(cost) FROM buckets \
             WHERE width <= ?1 AND start >= ?2 AND start < ?3 GROUP BY b, key_id, outcome \
             HAVING b >= ?4 ORDER BY b, key_id, outcome",
        )?;
        let lo = since - since.rem_euclid(width);
        let rows = st.query_map(params![width, lo, until, since], |r| {
            Ok(Row {
                bucket: r.get(0)?,
                key_id: r.get(1)?,
                outcome: r.get(2)?,
                count: r.get(3)?,
                cost: r.get(4)?,
            })
        })?;
        let mut out = Vec::new();
        for r in rows {
            let r = r?;
            if r.count > 0 && (outcomes.is_empty() || outcomes.contains(&r.outcome)) {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Answers since `since` per key (`""`: no key), with their busiest addresses.
    pub fn by_key(&self, since: i64, outcomes: &[String]) -> Result<HashMap<String, Sum>> {
        let mut out: HashMap<String, Sum> = HashMap::new();
        let mut st = self.conn().prepare(
            "SELECT key_id, outcome, sum(count) FROM buckets WHERE start >= ?1 \
             GROUP BY key_id, outcome",
        )?;
        let rows = st.query_map([since - since.rem_euclid(MINUTE)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for r in rows {
            let (k, o, n) = r?;
            if outcomes.is_empty() || outcomes.contains(&o) {
                out.entry(k).or_default().add(o, n);
            }
        }
        let mut st = self.conn().prepare(
            "SELECT key_id, ip, outcome, sum(count), max(last_at) FROM ips WHERE day >= ?1 \
             GROUP BY key_id, ip, outcome",
        )?;
        let rows = st.query_map([since - since.rem_euclid(DAY)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut ips: HashMap<String, HashMap<String, (i64, i64)>> = HashMap::new();
        for r in rows {
            let (k, ip, o, n, last) = r?;
            if outcomes.is_empty() || outcomes.contains(&o) {
                let e = ips.entry(k).or_default().entry(ip).or_insert((0, 0));
                e.0 += n;
                e.1 = e.1.max(last);
            }
        }
        for (k, m) in ips {
            if let Some(sum) = out.get_mut(&k) {
                let mut v: Vec<(String, i64, i64)> =
                    m.into_iter().map(|(ip, (n, last))| (ip, n, last)).collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                if let Some(latest) = v.iter().max_by_key(|x| x.2) {
                    sum.last_at = Some(latest.2);
                    sum.last_ip = Some(latest.0.clone());
                }
                sum.ips = v.into_iter().map(|(ip, n, _)| (ip, n)).collect();
            }
        }
        Ok(out)
    }

    /// Answers since `since` per client address (kept per day: a window starts at its
    /// day's midnight UTC).
    pub fn by_ip(&self, since: i64, outcomes: &[String]) -> Result<HashMap<String, Sum>> {
        let mut out: HashMap<String, Sum> = HashMap::new();
        let mut st = self.conn().prepare(
            "SELECT ip, outcome, sum(count), max(last_at) FROM ips WHERE day >= ?1 \
             GROUP BY ip, outcome",
        )?;
        let rows = st.query_map([since - since.rem_euclid(DAY)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for r in rows {
            let (ip, o, n, last) = r?;
            if outcomes.is_empty() || outcomes.contains(&o) {
                let s = out.entry(ip).or_default();
                s.add(o, n);
                s.last_at = Some(s.last_at.unwrap_or(0).max(last));
            }
        }
        Ok(out)
    }

    /// A key's answers per day for the `days` days that end today (oldest first), and its
    /// denials by outcome over the same days.
    pub fn week(
        &self,
        key: &str,
        now: i64,
        days: usize,
    ) -> Result<(Vec<i64>, BTreeMap<String, i64>)> {
        let today = now - now.rem_euclid(DAY);
        let from = today - (days as i64 - 1) * DAY;
        let mut per_day = vec![0; days];
        let mut denied = BTreeMap::new();
        let mut st = self.conn().prepare_cached(
            "SELECT start - (start % 86400), outcome, sum(count) FROM buckets \
             WHERE key_id = ?1 AND start >= ?2 GROUP BY 1, 2",
        )?;
        let rows = st.query_map(params![key, from], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for r in rows {
            let (d, o, n) = r?;
            if let Some(slot) = usize::try_from((d - from) / DAY)
                .ok()
                .and_then(|i| per_day.get_mut(i))
            {
                *slot += n;
            }
            if o != "valid" {
                *denied.entry(o).or_insert(0) += n;
            }
        }
        Ok((per_day, denied))
    }

    /// A key's last refused attempts, newest first: (time, outcome, address).
    pub fn refused(&self, key: &str) -> Result<Vec<(i64, String, Option<String>)>> {
        let mut st = self.conn().prepare_cached(
            "SELECT at, outcome, ip FROM refused WHERE key_id = ?1 ORDER BY at DESC, rowid DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![key, super::REFUSED_KEPT], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
