//! Issue 23: exact limits across a fleet with shared counters in a real Redis (and a real
//! three-master Redis Cluster) started by the tests; fail closed when Redis is gone or silent.

use crate::fleet::{export, serve_snapshot, snapshot_cmd, verify_snap};
use crate::harness::TestEnv;
use crate::redis::{Cluster, Redis};
use crate::server::{Answer, Server, get};
use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A store with a 40-use key, a 20/1m key, a 4-use key and an unlimited one, exported.
pub struct Fleet {
    pub env: TestEnv,
    pub forty: String,
    pub twenty: String,
    pub four: String,
    pub free: String,
}

pub fn fleet() -> Fleet {
    let env = TestEnv::new();
    let forty = env.create("partner-forty", &["--uses", "40", "--owner", "acme-owner"]);
    let twenty = env.create("partner-twenty", &["--rate", "20/1m"]);
    let four = env.create("partner-four", &["--uses", "4"]);
    let free = env.create("partner-free", &[]);
    export(&env, "v.snap", "v.key");
    Fleet {
        env,
        forty,
        twenty,
        four,
        free,
    }
}

/// Two `serve --verifier` nodes on the fleet's snapshot sharing the counters at `url`, both
/// connected to them.
fn two_nodes(f: &Fleet, url: &str) -> (Server, Server) {
    let args = ["--counters", url, "--counters-timeout", "5s"];
    let a = serve_snapshot(&f.env, "v.snap", "v.key", &args);
    let b = serve_snapshot(&f.env, "v.snap", "v.key", &args);
    for s in [&a, &b] {
        s.until("counters up", |s| {
            s.get("/healthz", &[]).json()["counters"] == "ok"
        });
    }
    (a, b)
}

/// `n` requests of `token`, spread over `nodes` by 8 threads at once: the count of each status.
fn hammer(nodes: &[&Server], token: &str, n: usize) -> BTreeMap<u16, usize> {
    let addrs: Vec<String> = nodes.iter().map(|s| s.addr.clone()).collect();
    let per = n / 8;
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let addrs = addrs.clone();
            let token = token.to_string();
            std::thread::spawn(move || {
                (0..per)
                    .map(|i| {
                        get(
                            &addrs[(t + i) % addrs.len()],
                            "/verify",
                            &[("X-API-Key", &token)],
                        )
                    })
                    .map(|a| a.status)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut counts = BTreeMap::new();
    for h in handles {
        for s in h.join().unwrap() {
            *counts.entry(s).or_insert(0) += 1;
        }
    }
    counts
}

/// Starts `cmd` with `token` and a newline on its stdin (closed after), output discarded.
fn spawn_fed(mut cmd: std::process::Command, token: &str) -> std::process::Child {
    use std::io::Write;
    let mut c = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    c.stdin
        .take()
        .unwrap()
        .write_all(format!("{token}\n").as_bytes())
        .unwrap();
    c
}

/// `n` CLI verifies of `token` on the snapshot at once; the count of each exit code.
fn parallel_verifies(env: &TestEnv, token: &str, n: usize, extra: &[&str]) -> BTreeMap<i32, usize> {
    let children: Vec<_> = (0..n)
        .map(|_| spawn_fed(snapshot_cmd(env, "verify", "v.snap", "v.key", extra), token))
        .collect();
    let mut counts = BTreeMap::new();
    for c in children {
        let code = c.wait_with_output().unwrap().status.code().unwrap_or(-1);
        *counts.entry(code).or_insert(0) += 1;
    }
    counts
}

#[test]
fn two_nodes_on_one_redis_grant_exactly_the_uses_and_the_rate_of_a_key() {
    let Some(redis) = Redis::start() else { return };
    let f = fleet();
    // Everything Redis is asked during the test, to look for secrets afterwards.
    let monitor_out = f.env.path("monitor.txt");
    let mut monitor = std::process::Command::new("redis-cli")
        .args(["-p", &redis.port.to_string(), "MONITOR"])
        .stdout(std::fs::File::create(&monitor_out).unwrap())
        .spawn()
        .unwrap();
    // MONITOR says OK once it is attached: every command after that is seen.
    crate::harness::eventually("MONITOR to attach", || {
        std::fs::read_to_string(&monitor_out).is_ok_and(|t| t.starts_with("OK"))
    });
    let url = redis.url();
    let (a, b) = two_nodes(&f, &url);
    let counts = hammer(&[&a, &b], &f.forty, 120);
    assert_eq!(counts.get(&200), Some(&40), "{counts:?}");
    assert_eq!(counts.get(&429), Some(&80), "{counts:?}");
    let counts = hammer(&[&a, &b], &f.twenty, 64);
    assert_eq!(counts.get(&200), Some(&20), "{counts:?}");
    let over = a.verify(&f.twenty);
    assert_eq!(over.status, 429);
    assert_eq!(over.header("x-apikey-code"), Some("rate_limited"));
    assert!(over.header("retry-after").is_some());
    // An unlimited key never touches Redis.
    assert_eq!(b.verify(&f.free).status, 200);
    // Every limited request was decided by a script (requests that came together on one
    // node share one), and none failed.
    let figure = |metrics: &str, name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .unwrap()
            .parse()
            .unwrap()
    };
    let (ma, mb) = (a.get("/metrics", &[]).body, b.get("/metrics", &[]).body);
    let decided = |m: &str| figure(m, "apikeys_counters_requests_total");
    let trips = |m: &str| figure(m, "apikeys_counters_round_trips_total");
    assert_eq!(decided(&ma) + decided(&mb), 120 + 64 + 1, "{ma}\n{mb}");
    assert!(trips(&ma) >= 1 && trips(&ma) <= decided(&ma), "{ma}");
    assert_eq!(figure(&ma, "apikeys_counters_errors_total"), 0, "{ma}");
    assert!(ma.contains("apikeys_counters_up 1"));
    let _ = monitor.kill();
    let _ = monitor.wait();

    // Redis holds key ids and numbers only: every key is apikeys:{<id>}, and nothing Redis
    // was asked holds a secret, a hash or a name.
    let keys = redis.keys();
    assert_eq!(keys.len(), 2, "{keys:?}");
    for k in &keys {
        let id = k
            .strip_prefix("apikeys:{")
            .and_then(|r| r.strip_suffix('}'))
            .unwrap();
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{k}");
    }
    let seen = std::fs::read_to_string(&monitor_out).unwrap();
    assert!(seen.contains("EVALSHA"), "{seen}");
    for token in [&f.forty, &f.twenty, &f.four, &f.free] {
        let secret = token.rsplit('_').next().unwrap();
        assert!(!seen.contains(secret));
    }
    for word in ["partner", "acme-owner"] {
        assert!(!seen.contains(word), "{word} reached Redis");
    }
    for line in seen
        .lines()
        .filter(|l| !l.contains("\"EVAL\"") && !l.contains("\"LOAD\""))
    {
        // `<time> [<db> <client>] "ARG" "ARG" …`: each argument a command, a number (or the
        // costs of requests sent together), a key, a rate's field or value, or the script's SHA1. Never 64 hex digits (a hash).
        for arg in line.split('"').skip(1).step_by(2) {
            let ok = arg.is_empty()
                || arg
                    .chars()
                    .all(|c| c.is_ascii_digit() || "-:/r,".contains(c))
                || arg.starts_with("apikeys:{")
                || (arg.len() == 40 && arg.chars().all(|c| c.is_ascii_hexdigit()))
                || arg
                    .chars()
                    .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_' || c == '.');
            assert!(ok, "an argument Redis should not see: {arg:?} in {line}");
        }
    }
}

#[test]
fn ten_parallel_cli_verifies_of_a_four_use_key_grant_exactly_four() {
    let Some(redis) = Redis::start() else { return };
    let f = fleet();
    let url = redis.url();
    let log = f.env.path("uses.log");
    let counts = parallel_verifies(
        &f.env,
        &f.four,
        10,
        &[
            "--counters",
            &url,
            "--counters-timeout",
            "5s",
            "--usage-log",
            log.to_str().unwrap(),
        ],
    );
    assert_eq!(counts.get(&0), Some(&4), "{counts:?}");
    assert_eq!(counts.get(&16), Some(&6), "{counts:?}");
    // The uses still go back to the store: show stays true.
    f.env
        .run(&["usage", "import", log.to_str().unwrap()])
        .code(0);
    let k = f.env.key("partner-four");
    assert_eq!(k["remaining"], 0, "{k}");
    assert_eq!(k["use_count"], 4, "{k}");

    // The same on the admin store itself, written back under its lock.
    let t = f.env.create("store-three", &["--uses", "3"]);
    let kids: Vec<_> = (0..8)
        .map(|_| {
            let cmd = f
                .env
                .cmd(&["verify", "--counters", &url, "--counters-timeout", "5s"]);
            spawn_fed(cmd, &t)
        })
        .collect();
    let valid = kids
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code())
        .filter(|c| *c == Some(0))
        .count();
    assert_eq!(valid, 3);
    let k = f.env.key("store-three");
    assert_eq!(
        (k["remaining"].as_i64(), k["use_count"].as_i64()),
        (Some(0), Some(3)),
        "{k}"
    );
    // An admin's new figure is newer than Redis's: it is taken (re-seeded), and counted down.
    f.env.run(&["edit", "store-three", "--uses", "2"]).code(0);
    let extra = ["--counters", url.as_str(), "--counters-timeout", "5s"];
    f.env.verify(&t, &extra).code(0);
    f.env.verify(&t, &extra).code(0);
    f.env.verify(&t, &extra).code(16);
}

#[test]
fn a_three_master_redis_cluster_is_exact_too() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let f = fleet();
    let url = cluster.url();
    let counts = parallel_verifies(
        &f.env,
        &f.four,
        10,
        &["--counters", &url, "--counters-timeout", "5s"],
    );
    assert_eq!(counts.get(&0), Some(&4), "{counts:?}");
    let (a, b) = two_nodes(&f, &url);
    let counts = hammer(&[&a, &b], &f.forty, 96);
    assert_eq!(counts.get(&200), Some(&40), "{counts:?}");
    let counts = hammer(&[&a, &b], &f.twenty, 40);
    assert_eq!(counts.get(&200), Some(&20), "{counts:?}");
    // Each key's state sits in one slot, on one master; the three keys spread.
    let keys = cluster.keys();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.iter().all(|k| k.starts_with("apikeys:{")));
}

/// Asks `/verify` and times it.
fn timed(s: &Server, token: &str) -> (Answer, Duration) {
    let t = Instant::now();
    let a = s.verify(token);
    (a, t.elapsed())
}

#[test]
fn redis_killed_mid_load_fails_closed_for_limited_keys_then_recovers() {
    // AOF with an fsync per write: what Redis answered survives its kill -9.
    let Some(mut redis) = Redis::with(&["--appendonly", "yes", "--appendfsync", "always"]) else {
        return;
    };
    let f = fleet();
    let url = redis.url();
    let s = serve_snapshot(
        &f.env,
        "v.snap",
        "v.key",
        &["--counters", &url, "--counters-timeout", "300ms"],
    );
    s.until("counters up", |s| {
        s.get("/healthz", &[]).json()["counters"] == "ok"
    });
    let mut granted = 0;
    for _ in 0..10 {
        granted += usize::from(s.verify(&f.forty).status == 200);
    }
    assert_eq!(granted, 10);
    redis.kill9();
    let (a, took) = timed(&s, &f.forty);
    assert_eq!(a.status, 503, "{}", a.body);
    assert_eq!(a.header("x-apikey-code"), Some("counters_unavailable"));
    assert_eq!(a.json()["code"], "counters_unavailable");
    assert!(took < Duration::from_secs(1), "{took:?}");
    // Unlimited keys are unaffected.
    let (a, _) = timed(&s, &f.free);
    assert_eq!(a.status, 200);
    s.until("healthz says down", |s| {
        let h = s.get("/healthz", &[]);
        h.status == 200 && h.json()["counters"] == "down"
    });
    // The log says why in words (never a Debug name such as "Io", never the URL).
    s.until("the log says why", |s| {
        s.log().contains("cannot reach Redis (connection refused)")
    });
    assert!(!s.log().contains("(Io)"), "{}", s.log());
    // While down, a limited key is answered at once, never after a wait.
    for _ in 0..5 {
        let (a, took) = timed(&s, &f.forty);
        assert_eq!(a.status, 503);
        assert!(took < Duration::from_secs(1), "{took:?}");
    }
    let back = Instant::now();
    redis.launch();
    s.until("limited keys pass again", |s| {
        s.verify(&f.forty).status == 200
    });
    eprintln!("recovered {:?} after Redis was back", back.elapsed());
    granted += 1;
    assert_eq!(s.get("/healthz", &[]).json()["counters"], "ok");
    // Nothing counted twice nor lost: exactly 40 in all.
    for _ in 0..40 {
        granted += usize::from(s.verify(&f.forty).status == 200);
    }
    assert_eq!(granted, 40);
    let metrics = s.get("/metrics", &[]).body;
    assert!(
        !metrics.contains("apikeys_counters_errors_total 0\n"),
        "{metrics}"
    );
}

#[test]
fn a_redis_that_accepts_and_never_answers_gets_503_within_a_second() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://{}", silent.local_addr().unwrap());
    let held = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let h = held.clone();
    std::thread::spawn(move || {
        for c in silent.incoming().map_while(Result::ok) {
            h.lock().unwrap().push(c);
        }
    });
    let f = fleet();
    let s = serve_snapshot(&f.env, "v.snap", "v.key", &["--counters", &url]);
    for _ in 0..3 {
        let (a, took) = timed(&s, &f.four);
        assert_eq!(a.status, 503);
        assert_eq!(a.header("x-apikey-code"), Some("counters_unavailable"));
        assert!(took < Duration::from_secs(1), "{took:?}");
        // The answer tells the truth: not granted, and a slow Redis may still take the use
        // (it never says that nothing was counted).
        let reason = a.json()["reason"].as_str().unwrap().to_string();
        assert!(
            reason.contains("not granted") && reason.contains("may still take its use"),
            "{reason}"
        );
    }
    assert_eq!(s.verify(&f.free).status, 200);
    assert_eq!(s.get("/healthz", &[]).json()["counters"], "down");
    let t = Instant::now();
    let v = verify_snap(&f.env, "v.snap", "v.key", &f.four, &["--counters", &url]).code(19);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert!(v.stdout.contains("counters"), "{v:?}");
    verify_snap(&f.env, "v.snap", "v.key", &f.free, &["--counters", &url]).code(0);
    // The URL's password never shows.
    let v = verify_snap(
        &f.env,
        "v.snap",
        "v.key",
        &f.four,
        &[
            "--counters",
            "redis://:hunter2-pw@127.0.0.1:1",
            "--format",
            "json",
        ],
    )
    .code(19);
    assert!(
        !v.stdout.contains("hunter2") && !v.stderr.contains("hunter2"),
        "{v:?}"
    );
    let bad = verify_snap(
        &f.env,
        "v.snap",
        "v.key",
        &f.four,
        &["--counters", "http://:hunter2@x"],
    )
    .code(2);
    assert!(!bad.stderr.contains("hunter2"), "{bad:?}");
    assert_eq!(
        bad.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1
    );
}
