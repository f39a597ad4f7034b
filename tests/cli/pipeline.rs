//! Issue 32: one pipeline for every front end. The same table of requests, a stale snapshot
//! included, through `verify`, `verify --batch` and `serve` gets the same codes; `--at`
//! answers as of another time and records nothing; `--explain` says each check in order; every
//! json answer carries a `reason`.

use crate::fleet::{export, serve_snapshot, snapshot_cmd};
use crate::harness::TestEnv;

/// A token of `t` with its last character changed: same shape, wrong checksum.
fn typo(t: &str) -> String {
    let mut s = t.to_string();
    let last = s.pop().unwrap();
    s.push(if last == 'A' { 'B' } else { 'A' });
    s
}

fn code_of(status: u16) -> &'static str {
    match status {
        200 => "valid",
        401 => "401",
        403 => "403",
        503 => "503",
        _ => "other",
    }
}

#[test]
fn every_front_end_gives_the_same_answer_to_the_same_request() {
    let env = TestEnv::new();
    let valid = env.create("valid", &[]);
    let revoked = env.create("revoked", &[]);
    env.run(&["revoke", "revoked", "--yes"]).code(0);
    let elsewhere = TestEnv::new().create("elsewhere", &[]);
    export(&env, "v.snap", "v.key");
    let table: Vec<(String, &str, i32)> = vec![
        ("ak_bad".into(), "malformed", 10),
        (typo(&valid), "malformed", 10),
        (valid.clone(), "valid", 0),
        (revoked.clone(), "inactive", 12),
        (elsewhere.clone(), "unknown", 11),
    ];
    // A fresh snapshot, then the same one past --max-age: a malformed token stays malformed
    // (its format needs no keys), every other answer is stale_snapshot.
    for stale in [false, true] {
        let extra: Vec<&str> = if stale {
            vec!["--max-age", "0s"]
        } else {
            vec![]
        };
        // The CLI is told the time (an hour on), serve waits until its snapshot is too old.
        let at = chrono::Utc::now() + chrono::Duration::hours(1);
        let at = at.to_rfc3339();
        let mut cli_extra = extra.clone();
        if stale {
            cli_extra.extend(["--at", at.as_str()]);
        }
        let server = serve_snapshot(&env, "v.snap", "v.key", &extra);
        if stale {
            server.until("the snapshot is too old", |s| {
                s.get("/healthz", &[]).status == 503
            });
        }
        let batch: String = table.iter().map(|(t, ..)| format!("{t}\n")).collect();
        let out = TestEnv::feed(
            snapshot_cmd(
                &env,
                "verify",
                "v.snap",
                "v.key",
                &[&["--batch"][..], &cli_extra].concat(),
            ),
            &batch,
        );
        let batch_codes: Vec<String> = out
            .stdout
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                assert!(v["reason"].is_string(), "no reason: {l}");
                v["code"].as_str().unwrap().to_string()
            })
            .collect();
        for (i, (token, want, exit)) in table.iter().enumerate() {
            let (want, exit) = if stale && *want != "malformed" {
                ("stale_snapshot", 17)
            } else {
                (*want, *exit)
            };
            let single = TestEnv::feed(
                snapshot_cmd(
                    &env,
                    "verify",
                    "v.snap",
                    "v.key",
                    &[&["--format", "json"][..], &cli_extra].concat(),
                ),
                &format!("{token}\n"),
            );
            assert_eq!(single.code, exit, "single {i}: {single:?}");
            assert_eq!(single.json()["code"], want, "single {i}");
            assert_eq!(batch_codes[i], want, "batch {i}");
            let http = server.verify(token);
            assert_eq!(
                http.header("x-apikey-code"),
                Some(want),
                "serve {i}: {http:?}"
            );
            let status = match want {
                "valid" => "valid",
                "stale_snapshot" => "503",
                _ => "401",
            };
            assert_eq!(code_of(http.status), status, "serve {i}");
            assert_eq!(http.json()["reason"], single.json()["reason"], "serve {i}");
        }
        assert_eq!(server.stop(), Some(0));
    }
}

#[test]
fn at_answers_as_of_another_time_and_records_nothing() {
    let env = TestEnv::new();
    let now = chrono::Utc::now();
    let at = |hours: i64| (now + chrono::Duration::hours(hours)).to_rfc3339();
    let day = env.create("day", &["--expires", "1d"]);
    env.verify(&day, &["--at", &at(23)]).code(0);
    env.verify(&day, &["--at", &at(25)]).code(13);
    // A rotation's grace period, ahead of time.
    let old = env.create("rot", &[]);
    env.run(&["rotate", "rot", "--grace", "1h", "--yes", "--no-clipboard"])
        .code(0);
    env.verify(&old, &["--at", &at(0)]).code(0);
    env.verify(&old, &["--at", &at(2)]).code(13);
    // Uses and a daily refill; a rate of one an hour.
    let quota = env.create(
        "quota",
        &["--uses", "1", "--refill", "1/1d", "--rate", "1/1h"],
    );
    env.verify(&quota, &[]).code(0);
    env.verify(&quota, &[]).code(18);
    env.verify(&quota, &["--at", &at(2)]).code(16);
    let tomorrow = env
        .verify(&quota, &["--at", &at(25), "--format", "json"])
        .code(0);
    assert_eq!(tomorrow.json()["remaining"], 0);
    // Nothing was recorded by any of them: one use in all, none left, as before.
    let k = env.key("quota");
    assert_eq!(
        (k["use_count"].as_i64(), k["remaining"].as_i64()),
        (Some(1), Some(0))
    );
    env.verify(&quota, &[]).code(18);
    // The same in --batch, and a bad time is a usage error.
    let out = env.run_stdin(
        &["verify", "--batch", "--at", &at(25)],
        &format!("{day}\n{quota}\n"),
    );
    let codes: Vec<String> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["code"].to_string())
        .collect();
    assert_eq!(codes, ["\"expired\"", "\"valid\""]);
    let out = env.verify(&day, &["--at", "tomorrow"]).code(2);
    assert!(out.stderr.contains("--at"), "{}", out.stderr);
}

#[test]
fn explain_says_each_check_in_order_and_never_the_secret() {
    let env = TestEnv::new();
    let token = env.create("svc", &["--scope", "read"]);
    env.run(&["revoke", "svc", "--yes"]).code(0);
    let out = env
        .verify(&token, &["--explain", "--scope", "write"])
        .code(12);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 12, "{}", out.stderr);
    assert_eq!(lines[0], "check 1: format: ok");
    assert_eq!(lines[4], "check 5: key and secret: ok");
    assert!(
        lines[5].starts_with("check 6: revocation: FAILED: key svc is revoked"),
        "{}",
        lines[5]
    );
    assert_eq!(lines[8], "check 9: scopes: not reached");
    assert!(!out.stderr.contains(&token[16..50]), "the secret was shown");
    // A valid answer: every check ok; in --batch each line says which token it is.
    let good = env.create("good", &[]);
    let out = env.run_stdin(
        &["verify", "--batch", "--explain"],
        &format!("{good}\nak_bad\n"),
    );
    assert!(
        out.stderr.contains("line 1: check 12: shared counters: ok"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("line 2: check 1: format: FAILED"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("line 2: check 2: checksum: not reached"),
        "{}",
        out.stderr
    );
    // Every json answer carries a reason sentence.
    let out = env.verify(&token, &["--format", "json"]).code(12);
    assert_eq!(out.json()["reason"], "key svc is revoked");
    let out = env.verify(&good, &["--format", "json"]).code(0);
    assert_eq!(out.json()["reason"], "every check passed");
}
