//! Issue 20: a revoked key never passes. One table of cases through all six front ends
//! (`verify`, `verify --batch`, `serve`, each on a store and on a snapshot) with the same
//! answer everywhere; arbitrary bytes never panic or echo; rotation chains; rollbacks; the
//! usage log as a shared ledger; one client cannot keep others out.

use crate::fleet::{export, serve_snapshot, snapshot_cmd, verify_snap};
use crate::harness::TestEnv;
use crate::server::{Server, get, raw};
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::Duration;

/// A token with its secret changed and its checksum made right again: well-formed, wrong.
fn wrong_secret(token: &str) -> String {
    let body = &token[..token.len() - 6];
    let last = body.chars().last().unwrap();
    let body = format!(
        "{}{}",
        &body[..body.len() - 1],
        if last == 'A' { 'B' } else { 'A' }
    );
    format!("{body}{}", apikeys::token::checksum(&body))
}

struct Case {
    what: &'static str,
    token: String,
    ip: &'static str,
    scope: Option<&'static str>,
    code: &'static str,
}

/// The answer of every front end to `case`.
fn answers(env: &TestEnv, s_store: &Server, s_snap: &Server, c: &Case) -> Vec<(String, String)> {
    let mut args = vec!["--format", "json", "--ip", c.ip];
    if let Some(s) = c.scope {
        args.extend(["--scope", s]);
    }
    let code = |out: crate::harness::Run| -> String {
        assert!(
            !out.stderr.contains("panicked"),
            "{}: {}",
            c.what,
            out.stderr
        );
        let line = out.stdout.lines().next().unwrap_or("").to_string();
        serde_json::from_str::<serde_json::Value>(&line).map_or(format!("no json: {out:?}"), |j| {
            j["code"].as_str().unwrap_or("").to_string()
        })
    };
    let log = env.path("u.log");
    let snap_args = [&args[..], &["--usage-log", log.to_str().unwrap()]].concat();
    let batch: Vec<&str> = [&["--batch"][..], &args].concat();
    let snap_batch: Vec<&str> = [&["--batch"][..], &snap_args].concat();
    let line = format!("{}\n", c.token);
    let mut headers: Vec<(&str, &str)> = vec![("X-API-Key", &c.token), ("X-Forwarded-For", c.ip)];
    if let Some(s) = c.scope {
        headers.push(("X-Required-Scope", s));
    }
    let http = |s: &Server| -> String {
        let a = get(&s.addr, "/verify", &headers);
        a.header("x-apikey-code").unwrap_or("").to_string()
    };
    vec![
        ("verify".into(), code(env.verify(&c.token, &args))),
        (
            "verify --batch".into(),
            code(env.run_stdin(&[&["verify"][..], &batch].concat(), &line)),
        ),
        ("serve".into(), http(s_store)),
        (
            "verify --verifier".into(),
            code(verify_snap(env, "v.snap", "v.key", &c.token, &snap_args)),
        ),
        (
            "verify --batch --verifier".into(),
            code(TestEnv::feed(
                snapshot_cmd(env, "verify", "v.snap", "v.key", &snap_batch),
                &line,
            )),
        ),
        ("serve --verifier".into(), http(s_snap)),
    ]
}

#[test]
fn every_front_end_gives_the_same_answer() {
    let env = TestEnv::new();
    let plain = env.create("plain", &["--scope", "read"]);
    let fenced = env.create("fenced", &["--allow-ip", "10.0.0.0/8"]);
    let revoked = env.create("revoked", &[]);
    env.run(&["revoke", "revoked", "--yes"]).code(0);
    let expired = env.create("expired", &["--expires", "1s"]);
    let rotated = env.create("rotated", &[]);
    env.run(&[
        "rotate",
        "rotated",
        "--grace",
        "1h",
        "--yes",
        "--no-clipboard",
    ])
    .code(0);
    let gone = env.create("gone", &[]);
    env.run(&["delete", "gone", "--yes"]).code(0);
    crate::harness::eventually("the short key to expire", || {
        env.key("expired")["status"] == "expired"
    });
    export(&env, "v.snap", "v.key");
    let trusted = ["--trusted-proxy", "127.0.0.1/32"];
    let s_store = Server::start(&env, &trusted);
    let state = env.path("state");
    let s_snap = serve_snapshot(
        &env,
        "v.snap",
        "v.key",
        &[&trusted[..], &["--state", state.to_str().unwrap()]].concat(),
    );
    let multibyte = format!("ak_é{}", "é".repeat(30));
    let cases = [
        Case {
            what: "valid",
            token: plain.clone(),
            ip: "192.0.2.1",
            scope: Some("read"),
            code: "valid",
        },
        Case {
            what: "ipv4-mapped",
            token: fenced.clone(),
            ip: "::ffff:10.1.2.3",
            scope: None,
            code: "valid",
        },
        Case {
            what: "ip denied",
            token: fenced.clone(),
            ip: "192.0.2.1",
            scope: None,
            code: "ip_denied",
        },
        Case {
            what: "scope denied",
            token: plain.clone(),
            ip: "192.0.2.1",
            scope: Some("admin"),
            code: "scope_denied",
        },
        Case {
            what: "revoked",
            token: revoked,
            ip: "192.0.2.1",
            scope: None,
            code: "inactive",
        },
        Case {
            what: "expired",
            token: expired,
            ip: "192.0.2.1",
            scope: None,
            code: "expired",
        },
        Case {
            what: "in grace",
            token: rotated,
            ip: "192.0.2.1",
            scope: None,
            code: "valid",
        },
        Case {
            what: "unknown",
            token: gone,
            ip: "192.0.2.1",
            scope: None,
            code: "unknown",
        },
        Case {
            what: "wrong secret",
            token: wrong_secret(&plain),
            ip: "192.0.2.1",
            scope: None,
            code: "unknown",
        },
        Case {
            what: "garbage",
            token: "hello world".into(),
            ip: "192.0.2.1",
            scope: None,
            code: "malformed",
        },
        Case {
            what: "multibyte",
            token: multibyte,
            ip: "192.0.2.1",
            scope: None,
            code: "malformed",
        },
    ];
    let mut wrong = Vec::new();
    for c in &cases {
        for (front, got) in answers(&env, &s_store, &s_snap, c) {
            if got != c.code {
                wrong.push(format!("{} via {front}: {got} (want {})", c.what, c.code));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A tiny deterministic generator: the inputs are the same on every run.
fn bytes(seed: &mut u64, n: usize) -> Vec<u8> {
    let pieces: [&[u8]; 8] = [
        b"ak_",
        b"_",
        "é".as_bytes(),
        "€".as_bytes(),
        b"\xff",
        b"Bearer ",
        b"A",
        b"\x00",
    ];
    (0..n)
        .flat_map(|_| {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (*seed >> 33) as usize;
            if r.is_multiple_of(3) {
                pieces[r % pieces.len()].to_vec()
            } else {
                vec![(r >> 8) as u8]
            }
        })
        .collect()
}

#[test]
fn arbitrary_bytes_never_panic_or_echo() {
    let env = TestEnv::new();
    env.create("k", &[]);
    let s = Server::start(&env, &[]);
    let mut seed = 20;
    for i in 0..40 {
        let input = bytes(&mut seed, 8 + i % 60);
        let marker = format!("ECHO{i}MARK");
        let mut fed = marker.as_bytes().to_vec();
        fed.extend_from_slice(&input);
        for args in [&["verify"][..], &["verify", "--batch"]] {
            let mut child = env
                .cmd(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(&fed).ok();
            let out = child.wait_with_output().unwrap();
            let (o, e) = (
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
            );
            assert!(!e.contains("panicked"), "{args:?} panicked: {e}");
            assert!(
                !o.contains(&marker) && !e.contains(&marker),
                "{args:?} echoed its input"
            );
            assert_eq!(out.status.code(), Some(10), "{args:?}: {o} {e}");
        }
        // The same bytes as a header value: answered, never a panic or an echo.
        let mut req =
            b"GET /verify HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-API-Key: ".to_vec();
        req.extend(fed.iter().filter(|b| !matches!(b, b'\r' | b'\n' | 0)));
        req.extend_from_slice(b"\r\n\r\n");
        if let Some(a) = raw(&s.addr, &req) {
            assert!(matches!(a.status, 400 | 401), "{a:?}");
            assert!(!a.body.contains(&marker));
        }
    }
    assert_eq!(
        get(&s.addr, "/healthz", &[]).status,
        200,
        "the server is still up"
    );
    assert!(!s.log().contains("panicked") && !s.log().contains("ECHO"));
}

/// Rotates `name` with an hour of grace; returns the new token.
fn rotate(env: &TestEnv, name: &str) -> String {
    let args = [
        "rotate",
        name,
        "--grace",
        "1h",
        "--yes",
        "--no-clipboard",
        "--format",
        "json",
    ];
    env.run(&args).code(0).json()["key"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn revoking_or_deleting_a_name_takes_its_rotation_chain_along() {
    let env = TestEnv::new();
    let first = env.create("rot", &[]);
    let second = rotate(&env, "rot");
    env.verify(&first, &[]).code(0);
    let out = env.run(&["revoke", "rot", "--yes"]).code(0);
    let first_id = first.split('_').nth(1).unwrap();
    assert!(
        out.stderr.contains(first_id),
        "the predecessor is named: {}",
        out.stderr
    );
    env.verify(&first, &[]).code(12);
    env.verify(&second, &[]).code(12);
    // delete: two rotations, then delete the name: no token of the chain stays valid, and no
    // key keeps the name.
    let a = env.create("chain", &[]);
    let b = rotate(&env, "chain");
    let c = rotate(&env, "chain");
    env.run(&["delete", "chain", "--yes"]).code(0);
    for t in [&a, &b, &c] {
        env.verify(t, &[]).code(11);
    }
    assert!(env.names(&["--status", "all"]).iter().all(|n| n != "chain"));
}

#[test]
fn parallel_appenders_to_one_usage_log_lose_nothing_and_share_the_ledger() {
    let env = TestEnv::new();
    let free = env.create("free", &[]);
    let limited = env.create("limited", &["--uses", "5"]);
    export(&env, "v.snap", "v.key");
    let log = env.path("u.log");
    let spawn = |token: &str| {
        let mut child = snapshot_cmd(
            &env,
            "verify",
            "v.snap",
            "v.key",
            &["--usage-log", log.to_str().unwrap()],
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{token}\n").as_bytes())
            .unwrap();
        child
    };
    let children: Vec<_> = (0..24).map(|_| spawn(&free)).collect();
    let limited_children: Vec<_> = (0..12).map(|_| spawn(&limited)).collect();
    for mut c in children {
        assert_eq!(c.wait().unwrap().code(), Some(0));
    }
    let valid = limited_children
        .into_iter()
        .map(|mut c| c.wait().unwrap().code())
        .filter(|c| *c == Some(0))
        .count();
    assert_eq!(
        valid, 5,
        "a 5-use key on one snapshot and one log is valid exactly 5 times"
    );
    verify_snap(
        &env,
        "v.snap",
        "v.key",
        &limited,
        &["--usage-log", log.to_str().unwrap()],
    )
    .code(16);
    // Without a log to count in, a limited key on a snapshot is denied (fail closed).
    let out = verify_snap(&env, "v.snap", "v.key", &limited, &[]).code(19);
    assert!(out.stdout.contains("--usage-log"), "{}", out.stdout);
    let out = env
        .run(&["usage", "import", log.to_str().unwrap(), "--format", "json"])
        .code(0);
    assert_eq!(out.json()["applied"], 29, "{}", out.stdout);
    assert_eq!(env.key("free")["use_count"], 24);
    assert_eq!(env.key("limited")["use_count"], 5);
    // After import and a new export, the ledger does not count those uses twice.
    env.run(&["edit", "limited", "--uses", "2"]).code(0);
    export(&env, "v.snap", "v.key");
    let with_log = ["--usage-log", log.to_str().unwrap()];
    for want in [0, 0, 16] {
        verify_snap(&env, "v.snap", "v.key", &limited, &with_log).code(want);
    }
}

#[test]
fn rollbacks_are_refused_mid_batch_and_across_serve_restarts() {
    let env = TestEnv::new();
    let token = env.create("k", &[]);
    export(&env, "v.snap", "v.key");
    let old = std::fs::read(env.path("v.snap")).unwrap();
    env.run(&["revoke", "k", "--yes"]).code(0);
    export(&env, "v.snap", "v.key");
    let mut batch = snapshot_cmd(&env, "verify", "v.snap", "v.key", &["--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = batch.stdin.take().unwrap();
    let mut output = BufReader::new(batch.stdout.take().unwrap());
    let mut ask = |input: &mut std::process::ChildStdin| {
        input.write_all(format!("{token}\n").as_bytes()).unwrap();
        let mut line = String::new();
        output.read_line(&mut line).unwrap();
        serde_json::from_str::<serde_json::Value>(&line).unwrap()["code"].clone()
    };
    assert_eq!(ask(&mut input), "inactive");
    // The older snapshot (where the key was valid) is put back under the running batch.
    std::fs::write(env.path("v.snap"), &old).unwrap();
    std::thread::sleep(Duration::from_millis(1300));
    for _ in 0..3 {
        assert_eq!(
            ask(&mut input),
            "inactive",
            "a rollback was accepted mid-batch"
        );
    }
    drop(input);
    let out = batch.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rollback refused"), "{err}");
    // serve keeps its floor in --state: restarted on the older file, it refuses to start.
    export(&env, "v.snap", "v.key");
    let state = env.path("state/floor");
    let s = serve_snapshot(
        &env,
        "v.snap",
        "v.key",
        &["--state", state.to_str().unwrap()],
    );
    assert_eq!(s.verify(&token).status, 401);
    assert_eq!(s.stop(), Some(0));
    assert_eq!(crate::harness::mode(&state), 0o600);
    std::fs::write(env.path("v.snap"), &old).unwrap();
    let out = snapshot_cmd(
        &env,
        "serve",
        "v.snap",
        "v.key",
        &[
            "--listen",
            "127.0.0.1:0",
            "--state",
            state.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("rollback refused") && err.contains("--accept-generation"),
        "{err}"
    );
    assert!(
        !err.contains("backup"),
        "speaks of the snapshot, not the store: {err}"
    );
}
