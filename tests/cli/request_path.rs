//! Issue 39: the request path. Its worker threads are a setting (`--threads`, default the
//! cores less one) and exactness holds with one or many; requests of one key that reach
//! Redis together share a script, and a Redis that stalls fails them closed without
//! stranding the ones after.

use crate::harness::TestEnv;
use crate::server::{Server, get};

#[test]
fn one_worker_or_many_grant_a_limited_key_exactly_once_per_use() {
    // One worker runs everything on one thread; four hand requests between threads.
    for threads in ["1", "4"] {
        exactly_once_per_use(threads);
    }
}

fn exactly_once_per_use(threads: &str) {
    let env = TestEnv::new();
    let token = env.create("limited", &["--uses", "30", "--rate", "1000/1s"]);
    let free = env.create("free", &[]);
    let s = Server::start(&env, &["--threads", threads]);
    let addr = s.addr.clone();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (addr, token) = (addr.clone(), token.clone());
            std::thread::spawn(move || {
                (0..10)
                    .filter(|_| get(&addr, "/verify", &[("X-API-Key", &token)]).status == 200)
                    .count()
            })
        })
        .collect();
    let granted: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(
        granted, 30,
        "{threads} threads: 80 asked, 30 uses: 30 granted"
    );
    for _ in 0..20 {
        assert_eq!(s.verify(&free).status, 200);
    }
    assert_eq!(s.stop(), Some(0));
    assert_eq!(env.key("limited")["use_count"], 30);
    assert_eq!(env.key("free")["use_count"], 20);
}

#[test]
fn the_number_of_threads_is_checked() {
    let env = TestEnv::new();
    for bad in ["0", "65", "many"] {
        let out = env.run(&["serve", "--threads", bad]).code(2);
        assert!(out.stderr.contains("--threads"), "{}", out.stderr);
    }
    let s = Server::start(&env, &["--threads", "1"]);
    assert_eq!(s.get("/healthz", &[]).status, 200);
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn a_redis_that_stalls_fails_the_waiting_requests_closed_and_the_next_are_answered() {
    let Some(redis) =
        crate::redis::Redis::with(&["--appendonly", "no", "--enable-debug-command", "yes"])
    else {
        return;
    };
    let env = TestEnv::new();
    let token = env.create("limited", &["--uses", "100000"]);
    let url = redis.url();
    let s = Server::start(&env, &["--counters", &url, "--counters-timeout", "100ms"]);
    s.until("counters up", |s| {
        s.get("/healthz", &[]).json()["counters"] == "ok"
    });
    assert_eq!(s.verify(&token).status, 200);
    // Redis stops answering for 600 ms while 8 clients ask until it is back: every request
    // is answered (granted, or 503 once the timeout passes), none waits for good.
    let port = redis.port;
    let back = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stall = {
        let back = back.clone();
        std::thread::spawn(move || {
            crate::redis::cli(port, &["DEBUG", "SLEEP", "0.6"]);
            back.store(true, std::sync::atomic::Ordering::SeqCst);
        })
    };
    let addr = s.addr.clone();
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (addr, token, back) = (addr.clone(), token.clone(), back.clone());
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                while !back.load(std::sync::atomic::Ordering::SeqCst) {
                    seen.push(get(&addr, "/verify", &[("X-API-Key", &token)]).status);
                }
                seen
            })
        })
        .collect();
    let statuses: Vec<u16> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    stall.join().unwrap();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&503),
        "the stall was never seen: {statuses:?}"
    );
    // Back: the key's requests are answered again (the queue was not left behind).
    s.until("granted again", |s| s.verify(&token).status == 200);
    // Never more granted than Redis took: every 200 taken from the 100,000 (a request that
    // timed out may still have taken its use, so Redis may hold fewer).
    let granted = 2 + statuses.iter().filter(|s| **s == 200).count();
    let id = env.key("limited")["id"].as_str().unwrap().to_string();
    let left: usize = redis
        .cli(&["HGET", &format!("apikeys:{{{id}}}"), "rem"])
        .trim()
        .parse()
        .unwrap();
    assert!(left + granted <= 100_000, "{left} left, {granted} granted");
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn uses_written_back_by_serve_count_once_whether_or_not_the_store_is_read_again() {
    let env = TestEnv::new();
    let token = env.create("limited", &["--uses", "10"]);
    let s = Server::start(&env, &[]);
    let generation = |s: &Server| {
        s.get("/healthz", &[]).json()["generation"]
            .as_u64()
            .unwrap()
    };
    let first = generation(&s);
    for _ in 0..4 {
        assert_eq!(s.verify(&token).status, 200);
    }
    // Written back within a second; nobody else wrote the store, so serve takes the store's
    // count for the key in place instead of reading every key again (same generation).
    crate::harness::eventually("4 uses in the store", || {
        env.key("limited")["remaining"] == 6
    });
    assert_eq!(generation(&s), first);
    for _ in 0..6 {
        assert_eq!(s.verify(&token).status, 200);
    }
    assert_eq!(s.verify(&token).status, 429, "10 uses, 10 granted");
    let written = || env.key("limited")["remaining"] == 0;
    crate::harness::eventually("all 10 uses in the store", written);
    // Another writer (an admin's edit) changes the store: serve reads it again and serves
    // the new count, exactly.
    env.run(&["edit", "limited", "--uses", "3"]).code(0);
    s.until("the new count served", |s| s.verify(&token).status == 200);
    assert_eq!(s.verify(&token).status, 200);
    assert_eq!(s.verify(&token).status, 200);
    assert_eq!(s.verify(&token).status, 429, "3 uses, 3 granted");
    assert!(generation(&s) > first);
    crate::harness::eventually("all 3 uses in the store", written);
    // And a CLI verify between two write-backs: both add up (the write that finds the store
    // changed reads it again).
    env.run(&["edit", "limited", "--uses", "4"]).code(0);
    s.until("the new count served", |s| s.verify(&token).status == 200);
    let before = generation(&s);
    env.verify(&token, &[]).code(0);
    // Serve sees the CLI's use once it has read the store again (it polls the file).
    s.until("the CLI's use read", |s| generation(s) > before);
    let granted = (0..4).filter(|_| s.verify(&token).status == 200).count();
    assert_eq!(
        granted, 2,
        "4 uses: 1 by serve, 1 by the CLI, 2 more by serve"
    );
    assert_eq!(s.stop(), Some(0));
    assert_eq!(env.key("limited")["remaining"], 0);
}
