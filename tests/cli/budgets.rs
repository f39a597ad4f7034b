//! Issue 34, SPEC §3 "Rotation budgets": during a grace period the old and the new token draw
//! from one budget of uses and rate, in the store, on a snapshot, in serve, and in Redis and
//! a Redis Cluster. A rotation never adds uses or rate.

use crate::fleet::{export, serve_snapshot, verify_snap};
use crate::harness::TestEnv;
use crate::redis::{Cluster, Redis};
use crate::server::Server;

/// A key of 3 uses and 3 an hour, one use spent, then rotated with an hour of grace: the
/// old and the new token.
fn rotated(env: &TestEnv) -> (String, String) {
    let old = env.create("ci", &["--uses", "3", "--rate", "3/1h"]);
    env.verify(&old, &[]).code(0);
    let new = env
        .run(&["rotate", "ci", "--grace", "1h", "--yes", "--no-clipboard"])
        .code(0)
        .stdout
        .trim()
        .to_string();
    (old, new)
}

/// The two tokens taken in turn, `n` times: the exit codes (or statuses) of each.
fn alternate<T>(old: &str, new: &str, n: usize, mut ask: impl FnMut(&str) -> T) -> Vec<T> {
    (0..n)
        .map(|i| ask(if i % 2 == 0 { old } else { new }))
        .collect()
}

#[test]
fn a_rotation_shares_one_budget_in_the_store() {
    let env = TestEnv::new();
    let (old, new) = rotated(&env);
    assert_eq!(
        env.key("ci")["remaining"],
        2,
        "the successor takes what is left"
    );
    let codes = alternate(&old, &new, 4, |t| env.verify(t, &[]).code);
    assert_eq!(codes, [0, 0, 18, 18], "3 in all, never 3 each");
    // Both keys' uses are counted where they were made.
    let old_id = env.key("ci")["rotated_from"].as_str().unwrap().to_string();
    assert_eq!(env.key(&old_id)["use_count"], 2);
    assert_eq!(env.key("ci")["use_count"], 1);
    assert_eq!(env.key("ci")["remaining"], 0);
}

#[test]
fn a_rotation_shares_one_budget_on_a_snapshot_and_in_serve() {
    let env = TestEnv::new();
    let (old, new) = rotated(&env);
    export(&env, "v.snap", "v.key");
    let log = env.path("usage.log");
    let args = ["--usage-log", log.to_str().unwrap()];
    let codes = alternate(&old, &new, 4, |t| {
        verify_snap(&env, "v.snap", "v.key", t, &args).code
    });
    // A snapshot carries the chain's uses left (its rate buckets start afresh on a node).
    assert_eq!(codes, [0, 0, 16, 16]);
    // serve in memory, on the store and on a fresh snapshot and log.
    let fresh = TestEnv::new();
    let (fold, fnew) = rotated(&fresh);
    let f = Server::start(&fresh, &[]);
    let statuses = alternate(&fold, &fnew, 4, |t| f.verify(t).status);
    assert_eq!(statuses, [200, 200, 429, 429]);
    assert_eq!(f.stop(), Some(0));
    // Written back to the store: the chain's budget is spent there too.
    fresh.verify(&fnew, &[]).code(16);
    fresh.verify(&fold, &[]).code(16);
    let other = TestEnv::new();
    let (sold, snew) = rotated(&other);
    export(&other, "v.snap", "v.key");
    let log = other.path("usage.log");
    let node = serve_snapshot(
        &other,
        "v.snap",
        "v.key",
        &["--usage-log", log.to_str().unwrap()],
    );
    let statuses = alternate(&sold, &snew, 4, |t| node.verify(t).status);
    assert_eq!(statuses, [200, 200, 429, 429]);
    assert_eq!(node.stop(), Some(0));
}

/// Both tokens on two serve nodes sharing one Redis (or Cluster): 2 of them granted in all.
fn shared_budget(url: &str) {
    let env = TestEnv::new();
    let (old, new) = rotated(&env);
    export(&env, "v.snap", "v.key");
    let args = ["--counters", url, "--counters-timeout", "5s"];
    let a = serve_snapshot(&env, "v.snap", "v.key", &args);
    let b = serve_snapshot(&env, "v.snap", "v.key", &args);
    // Both connected first: until then a limited key is answered 503 (not granted), by design.
    for s in [&a, &b] {
        s.until("counters up", |s| {
            s.get("/healthz", &[]).json()["counters"] == "ok"
        });
    }
    let mut granted = 0;
    for i in 0..8 {
        let node = if i % 3 == 0 { &a } else { &b };
        let token = if i % 2 == 0 { &old } else { &new };
        if node.verify(token).status == 200 {
            granted += 1;
        }
    }
    assert_eq!(granted, 2, "the chain's 2 uses left, once");
    // The CLI with the same counters agrees: no use left for either token.
    for t in [&old, &new] {
        verify_snap(&env, "v.snap", "v.key", t, &args).code(16);
    }
    assert_eq!(a.stop(), Some(0));
    assert_eq!(b.stop(), Some(0));
}

#[test]
fn a_rotation_shares_one_budget_in_redis() {
    let Some(redis) = Redis::start() else { return };
    shared_budget(&redis.url());
    // One key's state in Redis, not one per token.
    assert_eq!(redis.keys().len(), 1, "{:?}", redis.keys());
}

#[test]
fn a_rotation_shares_one_budget_in_a_redis_cluster() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    shared_budget(&cluster.url());
}
