//! Counters in Redis (or Valkey, or a Redis Cluster), shared by every node and CI runner that
//! names the same `--counters` URL (SPEC §10): one script per request decides the rates and
//! uses of a key and keeps the result atomically, with Redis's clock.
//!
//! Here: the URL, the script and its arguments, the reply, and the blocking client of the CLI.
//! `serve` awaits the same script over its own multiplexed connection (`serve/counters.rs`).
//! Redis only ever sees `apikeys:{<key id>}` and numbers: no secret, hash or name.

use super::{Counters, Take};
use crate::engine::Entry;
use crate::engine::limits::{Decision, Limits, State, Verdict, decide};
use crate::error::{Error, Result};
use redis::{ConnectionInfo, IntoConnectionInfo};
use std::path::Path;
use std::time::Duration;

/// The script: the mirror of `limits::decide`.
pub const SCRIPT: &str = include_str!("gcra.lua");

/// The default of `--counters-timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(50);

/// The one script object (its SHA1 is computed once): called by EVALSHA, loaded on NOSCRIPT.
pub fn script() -> &'static redis::Script {
    static SCRIPT_OBJ: std::sync::OnceLock<redis::Script> = std::sync::OnceLock::new();
    SCRIPT_OBJ.get_or_init(|| redis::Script::new(SCRIPT))
}

/// Where the counters are, as given by `--counters`.
#[derive(Clone)]
pub struct Target {
    /// One node, or the seed nodes of a cluster.
    pub nodes: Vec<ConnectionInfo>,
    pub cluster: bool,
    pub timeout: Duration,
}

/// The URL holds a password: never shown.
impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("nodes", &self.nodes.len())
            .field("cluster", &self.cluster)
            .finish_non_exhaustive()
    }
}

fn bad_url(why: &str) -> Error {
    // The URL may hold a password: it is never echoed.
    Error::usage(
        format!("invalid --counters URL: {why}"),
        "give redis://[USER@]HOST:PORT[/DB] (the password in --counters-password-file), rediss://…, unix://PATH or redis+cluster://HOST:PORT,HOST:PORT,…",
    )
}

impl Target {
    /// Parses `--counters`, with the password of `--counters-password-file` if given.
    pub fn parse(url: &str, password_file: Option<&Path>, timeout: Duration) -> Result<Target> {
        let url = url.trim();
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad_url("no scheme"))?;
        let (cluster, node_scheme) = match scheme.to_ascii_lowercase().as_str() {
            "redis" | "valkey" => (false, "redis"),
            "rediss" | "valkeys" => (false, "rediss"),
            "unix" | "redis+unix" | "valkey+unix" => (false, "unix"),
            "redis+cluster" | "valkey+cluster" => (true, "redis"),
            "rediss+cluster" | "valkeys+cluster" => (true, "rediss"),
            _ => return Err(bad_url("unknown scheme")),
        };
        let urls: Vec<String> = if cluster {
            // redis+cluster://[USER:PASS@]HOST:PORT,HOST:PORT: the credentials go to every node.
            let (auth, hosts) = match rest.rsplit_once('@') {
                Some((a, h)) => (format!("{a}@"), h),
                None => (String::new(), rest),
            };
            let hosts = hosts.trim_end_matches('/');
            hosts
                .split(',')
                .filter(|h| !h.trim().is_empty())
                .map(|h| format!("{node_scheme}://{auth}{}", h.trim()))
                .collect()
        } else {
            vec![format!("{node_scheme}://{rest}")]
        };
        if urls.is_empty() {
            return Err(bad_url("no host"));
        }
        let password = password_file.map(read_password).transpose()?;
        let nodes = urls
            .iter()
            .map(|u| {
                let info = u
                    .as_str()
                    .into_connection_info()
                    .map_err(|_| bad_url("it does not parse"))?;
                Ok(match &password {
                    Some(p) => {
                        let settings = info.redis_settings().clone().set_password(p.as_str());
                        info.set_redis_settings(settings)
                    }
                    None => info,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Target {
            nodes,
            cluster,
            timeout,
        })
    }
}

impl Target {
    /// A client of the cluster's seed nodes: timeouts of `--counters-timeout`, and no retry
    /// (a script sent again could be counted twice).
    pub fn cluster_client(&self) -> redis::RedisResult<redis::cluster::ClusterClient> {
        redis::cluster::ClusterClientBuilder::new(self.nodes.clone())
            .connection_timeout(self.timeout)
            .response_timeout(self.timeout)
            .retries(0)
            .build()
    }

    /// A client of the one node.
    pub fn client(&self) -> redis::RedisResult<redis::Client> {
        redis::Client::open(self.nodes[0].clone())
    }
}

/// The first line of `--counters-password-file`.
fn read_password(path: &Path) -> Result<zeroize::Zeroizing<String>> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        Error::Io(format!(
            "cannot read --counters-password-file {}: {e}",
            path.display()
        ))
    })?);
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.is_empty() {
        return Err(Error::usage(
            format!("--counters-password-file {} is empty", path.display()),
            "write the Redis password on its first line",
        ));
    }
    Ok(zeroize::Zeroizing::new(line.to_string()))
}

/// The Redis key of one API key's state: the hash tag puts all of it in one cluster slot.
pub fn redis_key(id: &str) -> String {
    format!("apikeys:{{{id}}}")
}

/// What a node knows of a key's uses: the figure it loaded, its refill period, and when that
/// figure was true (the script takes it only if it is newer than Redis's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seed {
    pub remaining: Option<i64>,
    pub period: i64,
    pub at: i64,
}

impl Seed {
    /// The seed of a loaded key.
    pub fn of(key: &Entry) -> Seed {
        Seed {
            remaining: key.remaining(),
            period: key.refill_period(),
            at: key.seed_order(),
        }
    }
}

/// The script's arguments for requests of `costs` (SPEC §10), decided in that order; `now_ms`
/// only in tests, otherwise Redis's own clock is used.
pub fn script_args(l: &Limits, seed: Seed, costs: &[i64], now_ms: Option<i64>) -> Vec<String> {
    let (refill_n, every) = l.refill.map_or((-1, 1), |r| (r.n, r.every));
    let mut joined = String::with_capacity(costs.len() * 2);
    for (i, c) in costs.iter().enumerate() {
        if i > 0 {
            joined.push(',');
        }
        let _ = std::fmt::Write::write_fmt(&mut joined, format_args!("{c}"));
    }
    let mut a = vec![
        joined,
        now_ms.map(|t| t.to_string()).unwrap_or_default(),
        l.created_at.to_string(),
        refill_n.to_string(),
        every.to_string(),
        seed.at.to_string(),
        seed.remaining.map(|r| r.to_string()).unwrap_or_default(),
        seed.period.to_string(),
        l.rates.len().to_string(),
    ];
    for r in &l.rates {
        a.push(r.n.to_string());
        a.push(r.per_ms.to_string());
    }
    a
}

/// The script invocation for requests of `costs` of the key with id `id`: one request, or
/// several that arrived together (answered in order, as if one call each).
pub fn invocation(
    id: &str,
    l: &Limits,
    seed: Seed,
    costs: &[i64],
    now_ms: Option<i64>,
) -> redis::ScriptInvocation<'static> {
    let mut inv = script().prepare_invoke();
    inv.key(redis_key(id));
    for a in script_args(l, seed, costs, now_ms) {
        inv.arg(a);
    }
    inv
}

/// What one call decided for requests of `costs`, in order: the engine's own decision for
/// each (`limits::decide`, on the state the script read, as `verify` would on its own), and
/// whether the key was (re)seeded. `None` unless the reply can be read and the script's
/// verdicts are the engine's, one for one: what Redis kept is what every answer says.
pub fn replay(l: &Limits, seed: Seed, costs: &[i64], reply: &redis::Value) -> Option<Replayed> {
    let redis::Value::Array(items) = reply else {
        return None;
    };
    let (redis::Value::BulkString(verdicts), numbers) = items.split_first()? else {
        return None;
    };
    let mut ints = numbers.iter().map(|v| match v {
        redis::Value::Int(i) => Some(*i),
        _ => None,
    });
    let mut next = || ints.next().flatten();
    let (now_ms, seeded, remaining, period) = (next()?, next()?, next()?, next()?);
    let mut tats = Vec::with_capacity(l.rates.len());
    for r in &l.rates {
        let (ms, fraction) = (next()?, next()?);
        let n = i64::try_from(r.n).ok()?;
        tats.push(ms.checked_mul(n)?.checked_add(fraction)?);
    }
    if next().is_some() || verdicts.len() != costs.len() {
        return None;
    }
    let mut state = State {
        tats,
        remaining: seed.remaining.map(|_| remaining),
        period,
    };
    let mut decisions = Vec::with_capacity(costs.len());
    for (&cost, &said) in costs.iter().zip(verdicts) {
        let d = decide(l, &state, cost, now_ms);
        let verdict = match d.verdict {
            Verdict::Allowed => b'0',
            Verdict::RateLimited => b'1',
            Verdict::UsageExceeded => b'2',
        };
        if verdict != said {
            return None;
        }
        if d.verdict == Verdict::Allowed {
            state.clone_from(&d.state);
        }
        decisions.push(d);
    }
    Some(Replayed {
        decisions,
        seeded: seeded == 1,
    })
}

/// The decisions of one call, in order, and whether it (re)seeded the key.
#[derive(Debug)]
pub struct Replayed {
    pub decisions: Vec<Decision>,
    pub seeded: bool,
}

/// The counters could not be reached, or did not answer in time, or answered nonsense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

fn unavailable(e: &redis::RedisError) -> Unavailable {
    // A redis-rs error names the command and the server's words, never our arguments'
    // values (key ids and numbers at most), and never the URL.
    Unavailable(format!("{:?}", e.kind()))
}

/// A blocking connection: the CLI's.
enum Blocking {
    Single(redis::Connection),
    Cluster(Box<redis::cluster::ClusterConnection>),
}

/// Counters in Redis for one CLI process: connected on the first limited key.
pub struct RedisCounters {
    target: Target,
    conn: Option<Blocking>,
}

impl std::fmt::Debug for RedisCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCounters")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl RedisCounters {
    /// Not connected yet: an unlimited key never touches Redis.
    pub fn new(target: Target) -> RedisCounters {
        crate::counters::redis::install_tls_provider();
        RedisCounters { target, conn: None }
    }

    fn connect(&self) -> std::result::Result<Blocking, Unavailable> {
        let t = self.target.timeout;
        if self.target.cluster {
            let c = self
                .target
                .cluster_client()
                .and_then(|c| c.get_connection())
                .map_err(|e| unavailable(&e))?;
            return Ok(Blocking::Cluster(Box::new(c)));
        }
        let client = self.target.client().map_err(|e| unavailable(&e))?;
        let c = client
            .get_connection_with_timeout(t)
            .map_err(|e| unavailable(&e))?;
        c.set_read_timeout(Some(t)).map_err(|e| unavailable(&e))?;
        c.set_write_timeout(Some(t)).map_err(|e| unavailable(&e))?;
        Ok(Blocking::Single(c))
    }

    /// Decides one request of `key` in Redis.
    pub fn decide(
        &mut self,
        key: &Entry,
        cost: i64,
    ) -> std::result::Result<(Decision, bool), Unavailable> {
        if self.conn.is_none() {
            self.conn = Some(self.connect()?);
        }
        let seed = Seed::of(key);
        let inv = invocation(key.budget_id(), key.limits(), seed, &[cost], None);
        let reply: std::result::Result<redis::Value, _> = match self.conn.as_mut() {
            Some(Blocking::Single(c)) => inv.invoke(c),
            Some(Blocking::Cluster(c)) => inv.invoke(c.as_mut()),
            None => return Err(Unavailable("not connected".into())),
        };
        let reply = reply.map_err(|e| {
            // Never retried: the script may have run, and a retry would count it twice.
            self.conn = None;
            unavailable(&e)
        })?;
        let mut r = replay(key.limits(), seed, &[cost], &reply)
            .ok_or_else(|| Unavailable("an answer that cannot be read".into()))?;
        let d = r
            .decisions
            .pop()
            .ok_or_else(|| Unavailable("no answer".into()))?;
        Ok((d, r.seeded))
    }
}

impl Counters for RedisCounters {
    fn take(&mut self, key: &Entry, t: Take<'_>) -> Result<Option<Decision>> {
        self.decide(key, t.cost)
            .map(|(d, _)| Some(d))
            .map_err(|Unavailable(why)| Error::CountersUnavailable(why))
    }
}

/// rustls needs one crypto provider for the process: ring, the one built in.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_without_echoing_them() {
        let t = Target::parse("redis://127.0.0.1:6380/2", None, DEFAULT_TIMEOUT).unwrap();
        assert!(!t.cluster);
        assert_eq!(t.nodes[0].redis_settings().db(), 2);
        let t = Target::parse(
            "redis+cluster://u:pw@10.0.0.1:7000,10.0.0.2:7001",
            None,
            DEFAULT_TIMEOUT,
        )
        .unwrap();
        assert!(t.cluster);
        assert_eq!(t.nodes.len(), 2);
        assert_eq!(t.nodes[1].redis_settings().password(), Some("pw"));
        assert!(Target::parse("unix:///run/redis.sock", None, DEFAULT_TIMEOUT).is_ok());
        for bad in [
            "http://h:1",
            "hunter2",
            "redis+cluster://",
            "memcached://secretpw@h",
        ] {
            let e = Target::parse(bad, None, DEFAULT_TIMEOUT).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(!e.to_string().contains("secretpw") && !e.to_string().contains("hunter2"));
        }
        assert!(!format!("{t:?}").contains("pw"));
    }

    #[test]
    fn a_reply_is_replayed_by_the_engine_and_refused_unless_its_verdicts_agree() {
        use crate::engine::limits::Rate;
        use redis::Value::{Array, BulkString, Int};
        let l = Limits {
            rates: vec![Rate { n: 2, per_ms: 1000 }],
            refill: None,
            created_at: 0,
        };
        let seed = Seed {
            remaining: Some(5),
            period: 0,
            at: 1,
        };
        let reply = |verdicts: &str, tail: &[i64]| {
            let mut v = vec![BulkString(verdicts.as_bytes().to_vec())];
            v.extend(tail.iter().map(|&i| Int(i)));
            Array(v)
        };
        // A fresh bucket of 2 and 5 uses: two pass, the third is rate limited.
        let now = 1_790_000_000_000;
        let r = replay(&l, seed, &[1, 1, 1], &reply("001", &[now, 1, 5, 0, 0, 0])).unwrap();
        assert!(r.seeded);
        let v: Vec<_> = r.decisions.iter().map(|d| d.verdict).collect();
        assert_eq!(
            v,
            [Verdict::Allowed, Verdict::Allowed, Verdict::RateLimited]
        );
        assert_eq!(r.decisions[1].remaining, Some(3));
        assert_eq!(r.decisions[1].headroom.unwrap().remaining, 0);
        assert_eq!(r.decisions[2].retry_after, Some(1));
        // The rate's time as kept: "<ms>:<fraction>" of units of 1/N ms.
        let r = replay(&l, seed, &[1], &reply("0", &[now, 0, 4, 0, now + 200, 1])).unwrap();
        assert_eq!(r.decisions[0].state.tats, [(now + 200) * 2 + 1 + 1000]);
        assert_eq!(r.decisions[0].remaining, Some(3));
        // Verdicts the engine does not reach, a count that is not one a request, a number too
        // few or too many, a word where a number goes: nothing is trusted.
        for bad in [
            reply("000", &[now, 1, 5, 0, 0, 0]),
            reply("01", &[now, 1, 5, 0, 0, 0]),
            reply("0011", &[now, 1, 5, 0, 0, 0]),
            reply("001", &[now, 1, 5, 0, 0]),
            reply("001", &[now, 1, 5, 0, 0, 0, 0]),
            Array(vec![BulkString(b"001".to_vec()), BulkString(b"1".to_vec())]),
            Int(0),
        ] {
            assert!(replay(&l, seed, &[1, 1, 1], &bad).is_none(), "{bad:?}");
        }
    }
}
