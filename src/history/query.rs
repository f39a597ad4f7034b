//! Reading the history: rows per bucket for `usage`, sums for `top`, a key's week for `show`,
//! and revoked or expired keys still presented for `status`.

use super::db::{History, outcome_name, outcome_no};
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
    /// When it was last seen (exact for an answer with an address, else the start of its
    /// minute), and the latest address known.
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
        let ids = self.key_ids()?;
        let keep = wanted(outcomes);
        // Rows in the primary key's order (a range of starts for each width kept), summed
        // here: cheaper than SQLite's GROUP BY through a temporary b-tree.
        let mut st = self.conn().prepare_cached(
            "SELECT start, k, o, count, cost FROM buckets \
             WHERE width IN (60, 3600, 86400) AND width <= ?1 AND start >= ?2 AND start < ?3",
        )?;
        let lo = since - since.rem_euclid(width);
        let mut rows = st.query(params![width, lo, until])?;
        let mut sums: BTreeMap<(i64, i64, i64), (i64, i64)> = BTreeMap::new();
        while let Some(r) = rows.next()? {
            let (start, k, o): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let b = start - start.rem_euclid(width);
            if b >= since && keep(o) {
                let e = sums.entry((b, k, o)).or_insert((0, 0));
                e.0 += r.get::<_, i64>(3)?;
                e.1 += r.get::<_, i64>(4)?;
            }
        }
        Ok(sums
            .into_iter()
            .filter(|(_, (count, _))| *count > 0)
            .map(|((bucket, k, o), (count, cost))| Row {
                bucket,
                key_id: ids.get(&k).cloned().unwrap_or_default(),
                outcome: outcome_name(o).to_string(),
                count,
                cost,
            })
            .collect())
    }

    /// Answers since `since` per key (`""`: no key), with their busiest addresses.
    pub fn by_key(&self, since: i64, outcomes: &[String]) -> Result<HashMap<String, Sum>> {
        let ids = self.key_ids()?;
        let keep = wanted(outcomes);
        let name = |k: i64| ids.get(&k).cloned().unwrap_or_default();
        let mut out: HashMap<String, Sum> = HashMap::new();
        let mut st = self.conn().prepare_cached(
            "SELECT k, o, count, start FROM buckets WHERE width IN (60, 3600, 86400) AND start >= ?1",
        )?;
        let mut rows = st.query([since - since.rem_euclid(MINUTE)])?;
        let mut sums: HashMap<(i64, i64), i64> = HashMap::new();
        // The start of each key's latest bucket: when it was last seen, to the minute, for
        // answers that carry no address (a CLI verify without --ip).
        let mut latest: HashMap<i64, i64> = HashMap::new();
        while let Some(r) = rows.next()? {
            let (k, o, n, start): (i64, i64, i64, i64) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            if keep(o) && n > 0 {
                *sums.entry((k, o)).or_insert(0) += n;
                let l = latest.entry(k).or_insert(start);
                *l = (*l).max(start);
            }
        }
        for ((k, o), n) in sums {
            let sum = out.entry(name(k)).or_default();
            sum.add(outcome_name(o).into(), n);
            sum.last_at = latest.get(&k).copied();
        }
        let mut st = self.conn().prepare(
            "SELECT k, ip, o, sum(count), max(last_at) FROM ips WHERE day >= ?1 GROUP BY k, ip, o",
        )?;
        let mut rows = st.query([since - since.rem_euclid(DAY)])?;
        let mut ips: HashMap<String, HashMap<String, (i64, i64)>> = HashMap::new();
        while let Some(r) = rows.next()? {
            let (k, ip, o, n, last): (i64, String, i64, i64, i64) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            if keep(o) {
                let e = ips.entry(name(k)).or_default().entry(ip).or_insert((0, 0));
                e.0 += n;
                e.1 = e.1.max(last);
            }
        }
        for (k, m) in ips {
            if let Some(sum) = out.get_mut(&k) {
                let mut v: Vec<(String, i64, i64)> =
                    m.into_iter().map(|(ip, (n, last))| (ip, n, last)).collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                // The exact time of the latest answer with an address, unless a later bucket
                // (answers without one) says it was seen since.
                if let Some(latest) = v.iter().max_by_key(|x| x.2) {
                    if sum.last_at.is_none_or(|t| t <= latest.2) {
                        sum.last_at = Some(latest.2);
                    }
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
        let keep = wanted(outcomes);
        let mut out: HashMap<String, Sum> = HashMap::new();
        let mut st = self.conn().prepare(
            "SELECT ip, o, sum(count), max(last_at) FROM ips WHERE day >= ?1 GROUP BY ip, o",
        )?;
        let mut rows = st.query([since - since.rem_euclid(DAY)])?;
        while let Some(r) = rows.next()? {
            let (ip, o, n, last): (String, i64, i64, i64) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            if keep(o) {
                let s = out.entry(ip).or_default();
                s.add(outcome_name(o).into(), n);
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
        let Some(k) = self.number_of(key)? else {
            return Ok((per_day, denied));
        };
        let mut st = self.conn().prepare_cached(
            "SELECT start - (start % 86400), o, sum(count) FROM buckets \
             WHERE k = ?1 AND start >= ?2 GROUP BY 1, 2",
        )?;
        let mut rows = st.query(params![k, from])?;
        while let Some(r) = rows.next()? {
            let (d, o, n): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            if let Some(slot) = usize::try_from((d - from) / DAY)
                .ok()
                .and_then(|i| per_day.get_mut(i))
            {
                *slot += n;
            }
            if o != 0 {
                *denied.entry(outcome_name(o).to_string()).or_insert(0) += n;
            }
        }
        Ok((per_day, denied))
    }

    /// A key's last refused attempts, newest first: (time, outcome, address).
    pub fn refused(&self, key: &str) -> Result<Vec<(i64, String, Option<String>)>> {
        let Some(k) = self.number_of(key)? else {
            return Ok(vec![]);
        };
        let mut st = self.conn().prepare_cached(
            "SELECT at, o, ip FROM refused WHERE k = ?1 ORDER BY at DESC, rowid DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![k, super::REFUSED_KEPT], |r| {
            Ok((r.get(0)?, outcome_name(r.get(1)?).to_string(), r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Whether an outcome's number is among those asked for (none asked: all).
fn wanted(outcomes: &[String]) -> impl Fn(i64) -> bool {
    let numbers: Vec<i64> = outcomes.iter().map(|o| outcome_no(o)).collect();
    move |o| numbers.is_empty() || numbers.contains(&o)
}
