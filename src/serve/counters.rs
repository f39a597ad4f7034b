//! The server's shared counters in Redis (SPEC §10): one multiplexed connection per node (or
//! a cluster connection), the script of `counters/redis.rs` awaited under
//! `--counters-timeout`, and reconnection with backoff in the background. While Redis is down,
//! a limited key is answered `counters_unavailable` at once, without waiting; unlimited keys
//! never come here.

use super::metrics::Histogram;
use super::state::Loaded;
use crate::counters::redis::{Seed, Target, Unavailable, install_tls_provider, invocation, replay};
use crate::engine::Entry;
use crate::engine::keys::IdHash;
use crate::engine::limits::Decision;
use arc_swap::ArcSwapOption;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, oneshot, watch};

/// The first wait before connecting again, doubled after each failure up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(25);
/// The longest wait between attempts: Redis back is noticed within this (and a connect).
const MAX_BACKOFF: Duration = Duration::from_millis(250);

/// Upper bounds (seconds) of the round-trip histogram's buckets.
const BUCKETS: [f64; 10] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
];

/// A live connection: both kinds are cheap handles onto one multiplexed pipe.
#[derive(Clone)]
enum Conn {
    Single(redis::aio::MultiplexedConnection),
    Cluster(redis::cluster_async::ClusterConnection),
}

/// What `/metrics` says of the counters.
#[derive(Debug, Default)]
pub struct CounterMetrics {
    pub round_trips: AtomicU64,
    /// Requests decided by a script's answer (several may share one round trip).
    pub decided: AtomicU64,
    pub errors: AtomicU64,
    /// Keys (re)seeded from the loaded snapshot: after a new export, or a Redis that lost them.
    pub seeds: AtomicU64,
    latency: Histogram<{ BUCKETS.len() + 1 }>,
}

impl CounterMetrics {
    /// The Prometheus text of the counters.
    pub fn render(&self, up: bool, s: &mut String) {
        use std::fmt::Write;
        let name = "apikeys_counters_duration_seconds";
        let _ = writeln!(
            s,
            "# HELP {name} Round trips to the shared counters (Redis).\n# TYPE {name} histogram"
        );
        self.latency.render(&BUCKETS, name, "", s);
        for (name, kind, help, v) in [
            (
                "apikeys_counters_round_trips_total",
                "counter",
                "Scripts run on the shared counters for limited keys.",
                self.round_trips.load(Ordering::Relaxed),
            ),
            (
                "apikeys_counters_requests_total",
                "counter",
                "Limited requests decided by the shared counters (requests that arrive together share a script).",
                self.decided.load(Ordering::Relaxed),
            ),
            (
                "apikeys_counters_errors_total",
                "counter",
                "Limited requests answered counters_unavailable: Redis down, silent or refusing.",
                self.errors.load(Ordering::Relaxed),
            ),
            (
                "apikeys_counters_seeds_total",
                "counter",
                "Keys whose remaining uses were (re)seeded into Redis from the loaded keys.",
                self.seeds.load(Ordering::Relaxed),
            ),
            (
                "apikeys_counters_up",
                "gauge",
                "1 while the shared counters are connected.",
                u64::from(up),
            ),
        ] {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
        }
    }
}

/// Shared counters for the whole server.
pub struct RedisPool {
    target: Target,
    conn: ArcSwapOption<ConnBox>,
    /// Asks the background task to connect again.
    wake: Notify,
    pub metrics: CounterMetrics,
    /// Per rotation chain (budget id, of a served key: no keyed hash needed) with a script in
    /// flight: the requests that came since, sent together as the next script when one
    /// returns.
    queues: Mutex<HashMap<String, Queue, IdHash>>,
}

/// Scripts of one key in flight at once, at most. Each is atomic in Redis, so several are as
/// exact as one; while this server writes one script's answers, Redis runs the next. One at a
/// time left this server idle a fifth of the time under load (waiting on the round trip).
/// Measured at 32 connections, alternated: 1, 2 and 3 in flight 62.6k, 64.2k and 70.5k
/// requests/s; 3, 4 and 6: 68.1k, 73.5k and 66.2k; about 10 requests a script at 4.
const IN_FLIGHT: usize = 4;

/// The requests of one rotation chain waiting for a script, and its drivers (one per script
/// in flight).
#[derive(Default)]
struct Queue {
    waiting: Vec<Waiter>,
    drivers: usize,
}

/// A request waiting for its key's next script.
struct Waiter {
    /// Its key: the snapshot it was judged on, and the key's place there.
    loaded: Arc<Loaded>,
    at: usize,
    cost: i64,
    /// `--counters-timeout` after it came: answered by then, one way or the other.
    deadline: Instant,
    reply: oneshot::Sender<Result<Decision, Unavailable>>,
}

impl Waiter {
    fn key(&self) -> Option<&Entry> {
        self.loaded.snap.at(self.at)
    }

    /// Whether two requests are of the same key with the same limits and seed: one script.
    fn same_key(&self, other: &Waiter) -> bool {
        self.at == other.at && Arc::ptr_eq(&self.loaded, &other.loaded)
    }
}

/// The connection behind the swap.
struct ConnBox(Conn);

impl std::fmt::Debug for RedisPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisPool")
            .field("target", &self.target)
            .field("up", &self.is_up())
            .finish_non_exhaustive()
    }
}

impl RedisPool {
    /// Not connected yet: [`RedisPool::maintain`] connects.
    pub fn new(target: Target) -> Arc<RedisPool> {
        install_tls_provider();
        Arc::new(RedisPool {
            target,
            conn: ArcSwapOption::empty(),
            wake: Notify::new(),
            metrics: CounterMetrics::default(),
            queues: Mutex::new(HashMap::default()),
        })
    }

    /// Whether a connection is up.
    pub fn is_up(&self) -> bool {
        self.conn.load().is_some()
    }

    async fn connect(&self) -> Result<Conn, redis::RedisError> {
        let t = self.target.timeout;
        if self.target.cluster {
            let client = self.target.cluster_client()?;
            return Ok(Conn::Cluster(client.get_async_connection().await?));
        }
        let client = self.target.client()?;
        let cfg = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(t))
            .set_response_timeout(Some(t));
        Ok(Conn::Single(
            client
                .get_multiplexed_async_connection_with_config(&cfg)
                .await?,
        ))
    }

    /// Keeps a connection up until `stop`: connects, and after a failure waits (25 ms,
    /// doubling to 250 ms) and connects again. Logs each change once.
    pub async fn maintain(self: Arc<Self>, mut stop: watch::Receiver<bool>, log: fn(&str)) {
        let mut backoff = MIN_BACKOFF;
        let mut said_down = false;
        loop {
            if *stop.borrow() {
                return;
            }
            if self.conn.load().is_none() {
                let attempt = tokio::time::timeout(self.target.timeout * 4, self.connect()).await;
                match attempt {
                    Ok(Ok(c)) => {
                        self.conn.store(Some(Arc::new(ConnBox(c))));
                        log("counters: connected to Redis");
                        backoff = MIN_BACKOFF;
                        said_down = false;
                    }
                    Ok(Err(e)) if !said_down => {
                        log(&format!(
                            "counters: cannot reach Redis ({}); limited keys answer counters_unavailable until it is back",
                            redis_why(&e)
                        ));
                        said_down = true;
                    }
                    Err(_) if !said_down => {
                        log(
                            "counters: Redis did not answer in time; limited keys answer counters_unavailable until it does",
                        );
                        said_down = true;
                    }
                    _ => {}
                }
            }
            let wait = if self.conn.load().is_some() {
                Duration::from_secs(3600)
            } else {
                let w = backoff;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                w
            };
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// The connection failed: drop it and connect again in the background.
    fn down(&self) {
        if self.conn.swap(None).is_some() {
            self.wake.notify_one();
        }
    }

    /// Decides one request of the key at `at` in `loaded` in Redis, within
    /// `--counters-timeout`. Never retried (the script may have run: a retry would count the
    /// request twice).
    ///
    /// Up to [`IN_FLIGHT`] scripts per rotation chain are in flight at a time: requests that
    /// come meanwhile wait and go together as the next script, which decides them in order
    /// (one round trip, one read and one write of the key in Redis for all of them). Under
    /// load that is many requests a round trip; alone, a request goes at once. Each is
    /// answered by its deadline: a script is given only the time its oldest request has left.
    pub async fn take(
        self: &Arc<Self>,
        loaded: &Arc<Loaded>,
        at: usize,
        cost: i64,
    ) -> Result<Decision, Unavailable> {
        let decided = match loaded.snap.at(at) {
            Some(key) if self.is_up() => self.queued(key, loaded, at, cost).await,
            // Down: answered at once, never queued behind a connect.
            Some(_) => Err(Unavailable("not connected".into())),
            None => Err(Unavailable("no such key".into())),
        };
        if decided.is_err() {
            self.metrics.errors.fetch_add(1, Ordering::Relaxed);
        }
        decided
    }

    async fn queued(
        self: &Arc<Self>,
        key: &Entry,
        loaded: &Arc<Loaded>,
        at: usize,
        cost: i64,
    ) -> Result<Decision, Unavailable> {
        let (reply, answer) = oneshot::channel();
        let waiter = Waiter {
            loaded: loaded.clone(),
            at,
            cost,
            deadline: Instant::now() + self.target.timeout,
            reply,
        };
        let budget = key.budget_id();
        let start = {
            let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
            let q = match queues.get_mut(budget) {
                Some(q) => q,
                None => queues.entry(budget.to_string()).or_default(),
            };
            q.waiting.push(waiter);
            let start = q.drivers < IN_FLIGHT;
            q.drivers += usize::from(start);
            start
        };
        if start {
            // Its own task: a client that goes away mid-request never strands the others.
            tokio::spawn(self.clone().drive(budget.to_string()));
        }
        // No timer of its own: the driver answers every request by its deadline.
        answer
            .await
            .unwrap_or_else(|_| Err(Unavailable("the request was dropped".into())))
    }

    /// Sends the queue of `budget` as scripts until it is empty, then ends (the next request
    /// starts another). Up to [`IN_FLIGHT`] drivers of one key run at once.
    async fn drive(self: Arc<Self>, budget: String) {
        // A driver leaves when it finds the queue empty, under the lock that queues requests
        // (so none is queued behind a driver that is leaving); the last one removes the queue.
        fn leave(queues: &mut HashMap<String, Queue, IdHash>, budget: &str) {
            if let Some(q) = queues.get_mut(budget) {
                q.drivers = q.drivers.saturating_sub(1);
                if q.drivers == 0 {
                    queues.remove(budget);
                }
            }
        }
        // Should this task end any other way (a panic), it leaves all the same; if it was the
        // last, its waiters go with the queue: they are answered counters_unavailable and the
        // next request starts afresh.
        struct Ending<'a>(&'a RedisPool, &'a str, bool);
        impl Drop for Ending<'_> {
            fn drop(&mut self) {
                if !self.2 {
                    leave(
                        &mut self.0.queues.lock().unwrap_or_else(|p| p.into_inner()),
                        self.1,
                    );
                }
            }
        }
        let mut ending = Ending(&self, &budget, false);
        loop {
            let mut batch = {
                let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
                match queues.get_mut(&budget) {
                    Some(q) if !q.waiting.is_empty() => std::mem::take(&mut q.waiting),
                    _ => {
                        leave(&mut queues, &budget);
                        ending.2 = true;
                        return;
                    }
                }
            };
            // A reload between two requests may change the key's limits or seed: each run
            // of requests judged on the same snapshot is one script.
            while !batch.is_empty() {
                let same = batch.iter().take_while(|w| w.same_key(&batch[0])).count();
                let rest = batch.split_off(same);
                self.script(&budget, batch).await;
                batch = rest;
            }
        }
    }

    /// Runs one script for `batch` (requests of one key on one snapshot) and answers each.
    async fn script(&self, budget: &str, mut batch: Vec<Waiter>) {
        let answer = |batch: Vec<Waiter>, why: &str| {
            for w in batch {
                let _ = w.reply.send(Err(Unavailable(why.into())));
            }
        };
        // Those whose time is up are answered now, and not sent.
        let started = Instant::now();
        let (late, on_time): (Vec<Waiter>, Vec<Waiter>) =
            batch.drain(..).partition(|w| w.deadline <= started);
        answer(late, "no answer in time");
        let batch = on_time;
        let (Some(first), Some(conn)) = (batch.first(), self.conn.load_full()) else {
            return answer(batch, "not connected");
        };
        let Some(key) = first.key() else {
            return answer(batch, "no such key");
        };
        let left = first.deadline.saturating_duration_since(started);
        let costs: Vec<i64> = batch.iter().map(|w| w.cost).collect();
        let seed = Seed::of(key);
        let inv = invocation(budget, key.limits(), seed, &costs, None);
        let call = async {
            match conn.0.clone() {
                Conn::Single(mut c) => inv.invoke_async::<redis::Value>(&mut c).await,
                Conn::Cluster(mut c) => inv.invoke_async::<redis::Value>(&mut c).await,
            }
        };
        let reply = tokio::time::timeout(left, call).await;
        self.metrics.round_trips.fetch_add(1, Ordering::Relaxed);
        self.metrics.latency.observe(&BUCKETS, started.elapsed());
        match reply {
            Ok(Ok(r)) => match replay(key.limits(), seed, &costs, &r) {
                Some(r) => {
                    let n = r.decisions.len() as u64;
                    self.metrics.decided.fetch_add(n, Ordering::Relaxed);
                    if r.seeded {
                        self.metrics.seeds.fetch_add(1, Ordering::Relaxed);
                    }
                    for (w, d) in batch.into_iter().zip(r.decisions) {
                        let _ = w.reply.send(Ok(d));
                    }
                }
                None => answer(batch, "an answer that cannot be read"),
            },
            Ok(Err(e)) => {
                if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() {
                    self.down();
                }
                answer(batch, "an error");
            }
            Err(_) => {
                // Silent for a whole timeout: connect afresh rather than queue behind it (a
                // script given less, as its oldest request had waited, proves nothing).
                if left >= self.target.timeout / 2 {
                    self.down();
                }
                answer(batch, "no answer in time");
            }
        }
    }
}

/// Why Redis could not be reached, in words (never the URL, which may carry a password).
fn redis_why(e: &redis::RedisError) -> String {
    if e.is_connection_refusal() {
        "connection refused".into()
    } else if e.is_timeout() {
        "timed out".into()
    } else if e.is_connection_dropped() {
        "connection dropped".into()
    } else if e.kind() == redis::ErrorKind::AuthenticationFailed {
        "authentication failed: check the user and --counters-password-file".into()
    } else {
        e.category().to_string()
    }
}
