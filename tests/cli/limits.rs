//! Issue 22, SPEC §10: rate limits, refills and weighted requests, on every front end.

use crate::fleet::{export, serve_snapshot, snapshot_cmd, verify_snap};
use crate::harness::TestEnv;
use crate::server::{Server, get};

fn code_of(out: &crate::harness::Run) -> String {
    serde_json::from_str::<serde_json::Value>(out.stdout.lines().next().unwrap_or("{}"))
        .map(|j| j["code"].as_str().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// The codes of three requests of `token` through one front end.
fn three(env: &TestEnv, front: &str, token: &str, log: &str) -> Vec<String> {
    let json = ["--format", "json"];
    let with_log = ["--format", "json", "--usage-log", log];
    match front {
        "verify" => (0..3).map(|_| code_of(&env.verify(token, &json))).collect(),
        "verify --verifier" => (0..3)
            .map(|_| code_of(&verify_snap(env, "v.snap", "v.key", token, &with_log)))
            .collect(),
        "verify --batch" | "verify --batch --verifier" => {
            let input = format!("{token}\n{token}\n{token}\n");
            let out = if front == "verify --batch" {
                env.run_stdin(&["verify", "--batch"], &input)
            } else {
                let args = ["--batch", "--usage-log", log];
                TestEnv::feed(
                    snapshot_cmd(env, "verify", "v.snap", "v.key", &args),
                    &input,
                )
            };
            out.stdout
                .lines()
                .map(|l| {
                    serde_json::from_str::<serde_json::Value>(l).unwrap()["code"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect()
        }
        _ => unreachable!(),
    }
}

#[test]
fn the_same_sequence_gives_the_same_answers_on_every_front_end() {
    let env = TestEnv::new();
    let fronts = [
        "verify",
        "verify --batch",
        "serve",
        "verify --verifier",
        "verify --batch --verifier",
        "serve --verifier",
    ];
    let mut rated = Vec::new();
    let mut used = Vec::new();
    for (i, _) in fronts.iter().enumerate() {
        rated.push(env.create(&format!("rated{i}"), &["--rate", "2/1h", "--uses", "10"]));
        used.push(env.create(&format!("used{i}"), &["--uses", "2"]));
    }
    export(&env, "v.snap", "v.key");
    let s = Server::start(&env, &[]);
    let state = env.path("state");
    let n = serve_snapshot(
        &env,
        "v.snap",
        "v.key",
        &["--state", state.to_str().unwrap()],
    );
    let log = env.path("u.log");
    let log = log.to_str().unwrap();
    for (i, front) in fronts.iter().enumerate() {
        let answers = |token: &str| match *front {
            "serve" | "serve --verifier" => {
                let srv = if *front == "serve" { &s } else { &n };
                (0..3)
                    .map(|_| {
                        srv.verify(token)
                            .header("x-apikey-code")
                            .unwrap_or("")
                            .to_string()
                    })
                    .collect::<Vec<_>>()
            }
            _ => three(&env, front, token, log),
        };
        assert_eq!(
            answers(&rated[i]),
            ["valid", "valid", "rate_limited"],
            "{front}: a rate of 2/1h"
        );
        assert_eq!(
            answers(&used[i]),
            ["valid", "valid", "usage_exceeded"],
            "{front}: 2 uses"
        );
    }
    // A denied request took nothing: the rated keys used 2 of their 10 uses (store fronts).
    assert_eq!(env.key("rated0")["remaining"], 8);
}

#[test]
fn the_cli_answers_rate_limits_with_when_to_retry() {
    let env = TestEnv::new();
    // A window long enough that a slow machine's verifies all fall inside it.
    let t = env.create("k", &["--rate", "3/30s", "--rate", "100/1h"]);
    for _ in 0..3 {
        env.verify(&t, &[]).code(0);
    }
    let out = env.verify(&t, &["--format", "json"]).code(18);
    let j = out.json();
    assert_eq!(j["code"], "rate_limited");
    let wait = j["retry_after"].as_i64().unwrap();
    assert!((1..=10).contains(&wait), "{j}");
    // A bucket refills with time: one more after the interval.
    let fast = env.create("fast", &["--rate", "1/1s"]);
    env.verify(&fast, &[]).code(0);
    env.verify(&fast, &[]).code(18);
    // As of two seconds on (given, not waited for): one more.
    env.verify(&fast, &["--at", &crate::harness::in_secs(2)])
        .code(0);
    // Shown in show, list and json, and kept by rotate.
    let k = env.key("k");
    assert_eq!(k["rates"], serde_json::json!(["3/30s", "100/1h"]));
    let shown = env.run(&["show", "k"]).code(0).stdout;
    assert!(
        shown.contains("3/30s") && shown.contains("100/1h"),
        "{shown}"
    );
    env.run(&["edit", "k", "--rate", "none"]).code(0);
    assert_eq!(env.key("k")["rates"], serde_json::json!([]));
    for bad in ["0/1s", "3", "3/1y", "x/1s"] {
        env.run(&["create", "--name", "bad", "--rate", bad]).code(2);
    }
    // Two limits over one window (however written): only the lower would ever count.
    let out = env
        .run(&[
            "create", "--name", "bad", "--rate", "10/60s", "--rate", "5/1m",
        ])
        .code(2);
    assert!(
        out.stderr
            .contains("two rates over one window: 10/1m and 5/1m"),
        "{}",
        out.stderr
    );
    // The same rate twice is that rate.
    env.run(&["edit", "k", "--rate", "4/1s", "--rate", "4/1000ms"])
        .code(0);
    assert_eq!(env.key("k")["rates"], serde_json::json!(["4/1s"]));
}

#[test]
fn a_cost_takes_all_or_nothing_and_a_bad_cost_is_malformed() {
    let env = TestEnv::new();
    let t = env.create("k", &["--uses", "3"]);
    let out = env.verify(&t, &["--cost", "2", "--format", "json"]).code(0);
    assert_eq!(out.json()["remaining"], 1);
    // People read what is left on the one line too.
    let copy = env.create("copy", &["--uses", "3"]);
    let line = env.verify(&copy, &[]).code(0).stdout;
    assert!(line.contains(", 2 uses left)"), "{line}");
    let line = env.verify(&copy, &[]).code(0).stdout;
    assert!(line.contains(", 1 use left)"), "{line}");
    let out = env
        .verify(&t, &["--cost", "2", "--format", "json"])
        .code(16);
    assert_eq!(
        out.json()["remaining"],
        1,
        "nothing taken by a denied request"
    );
    // On the command line a bad cost is a usage error (2), never a cost of 1.
    for bad in ["0", "1001", "abc", "-1", "1.5", ""] {
        env.verify(&t, &["--cost", bad]).code(2);
    }
    assert_eq!(env.key("k")["remaining"], 1);
    // Through HTTP: X-Apikey-Cost, and 400 for a bad one.
    let t = env.create("h", &["--uses", "3"]);
    let s = Server::start(&env, &[]);
    let a = get(
        &s.addr,
        "/verify",
        &[("X-API-Key", &t), ("X-Apikey-Cost", "2")],
    );
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["remaining"], 1);
    let a = get(
        &s.addr,
        "/verify",
        &[("X-API-Key", &t), ("X-Apikey-Cost", "2")],
    );
    assert_eq!(a.status, 429);
    for bad in ["0", "x", "5000"] {
        let a = get(
            &s.addr,
            "/verify",
            &[("X-API-Key", &t), ("X-Apikey-Cost", bad)],
        );
        assert_eq!(a.status, 400, "{bad}");
        assert_eq!(a.header("x-apikey-code"), Some("malformed"));
    }
}

#[test]
fn serve_sends_retry_after_and_ratelimit_headers() {
    let env = TestEnv::new();
    let t = env.create("k", &["--rate", "2/10s"]);
    let s = Server::start(&env, &[]);
    let ok = s.verify(&t);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("ratelimit-limit"), Some("2"));
    assert_eq!(ok.header("ratelimit-remaining"), Some("1"));
    assert_eq!(s.verify(&t).status, 200);
    let over = s.verify(&t);
    assert_eq!(over.status, 429);
    assert_eq!(over.header("x-apikey-code"), Some("rate_limited"));
    let wait: i64 = over.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=5).contains(&wait), "{wait}");
    assert_eq!(over.header("ratelimit-remaining"), Some("0"));
    assert_eq!(over.json()["retry_after"], wait);
}

#[test]
fn a_refill_sets_the_uses_back_each_period() {
    let env = TestEnv::new();
    // Periods count from creation in whole seconds: 3 s leaves at least 2 s for two verifies.
    let t = env.create("k", &["--uses", "1", "--refill", "1/3s"]);
    env.verify(&t, &[]).code(0);
    let out = env.verify(&t, &["--format", "json"]).code(16);
    let j = out.json();
    assert!(j["retry_after"].as_i64().unwrap() <= 3, "{j}");
    assert!(j["refills_at"].is_string(), "{j}");
    let out = env
        .verify(
            &t,
            &["--format", "json", "--at", &crate::harness::in_secs(4)],
        )
        .code(0);
    assert_eq!(out.json()["remaining"], 0, "replaced with 1, not added");
    assert!(env.key("k")["refill"] == "1/3s");
    env.run(&["create", "--name", "x", "--refill", "1/1d"])
        .code(2);
}

/// A denial people read says how long to wait when waiting helps, in words a person reads
/// (json keeps `retry_after` in seconds), and what else to do when it does not.
#[test]
fn a_limited_key_says_how_long_to_wait() {
    let env = TestEnv::new();
    let line = |t: &str, code: i32| env.verify(t, &[]).code(code).stdout;
    let rated = env.create("rated", &["--rate", "1/1h"]);
    line(&rated, 0);
    let out = line(&rated, 18);
    assert!(
        out.contains("over its rate limit (try again in 60 min)"),
        "{out}"
    );
    let refilled = env.create("refilled", &["--uses", "1", "--refill", "1/1d"]);
    line(&refilled, 0);
    let out = line(&refilled, 16);
    assert!(
        out.contains("no uses left until its refill in 24 h"),
        "{out}"
    );
    // A day from the key's creation, less the seconds the clock moved since (it is read per
    // command).
    let json = env.verify(&refilled, &["--format", "json"]).code(16).json();
    let wait = json["retry_after"].as_i64().unwrap();
    assert!((86_400 - 60..=86_400).contains(&wait), "{json}");
    let spent = env.create("spent", &["--uses", "1"]);
    line(&spent, 0);
    let out = line(&spent, 16);
    assert!(
        out.contains("no uses left (refill with `apikeys edit KEY --uses N`)"),
        "{out}"
    );
}
