//! Issue 14: owners, meta and usage limits through the CLI and serve; status and backup.

use crate::harness::{TestEnv, mode};
use crate::server::Server;
use std::io::Write;
use std::process::Stdio;

#[test]
fn owner_and_meta_are_checked_stored_and_returned() {
    let env = TestEnv::new();
    let token = env.create(
        "ci",
        &[
            "--owner",
            "acme-corp",
            "--meta",
            "plan=pro",
            "--meta",
            "region=eu",
        ],
    );
    let k = env.key("ci");
    assert_eq!(k["owner"], "acme-corp");
    assert_eq!(
        k["meta"],
        serde_json::json!({"plan": "pro", "region": "eu"})
    );
    assert!(k["remaining"].is_null());
    let v = env.verify(&token, &["--format", "json"]).code(0).json();
    assert_eq!(v["owner"], "acme-corp");
    assert_eq!(v["meta"]["plan"], "pro");
    assert!(v.get("remaining").is_none(), "no limit, no remaining: {v}");
    let csv = env.run(&["list", "--format", "csv"]).code(0).stdout;
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",owner,remaining,rates,refill")
    );
    assert!(csv.contains(",acme-corp,"), "{csv}");
    for bad in [
        vec!["--meta", "Plan=pro"],
        vec!["--meta", "novalue"],
        vec!["--owner", " padded"],
    ] {
        let mut args = vec!["create", "--name", "bad", "--no-clipboard"];
        args.extend(bad.iter());
        let out = env.run(&args).code(2);
        assert!(out.stderr.contains("hint:"), "{}", out.stderr);
    }
    let too_many: Vec<String> = (0..17).map(|i| format!("k{i}=v")).collect();
    let mut args = vec!["create", "--name", "bad", "--no-clipboard"];
    for m in &too_many {
        args.extend(["--meta", m.as_str()]);
    }
    env.run(&args).code(2);
    env.run(&["edit", "ci", "--remove-meta", "plan", "--owner", "globex"])
        .code(0);
    let k = env.key("ci");
    assert_eq!(k["owner"], "globex");
    assert_eq!(k["meta"], serde_json::json!({"region": "eu"}));
    assert_eq!(
        env.run(&["list", "--owner", "globex", "--format", "json"])
            .code(0)
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn twelve_parallel_verifies_of_a_five_use_key_grant_exactly_five() {
    let env = TestEnv::new();
    let token = env.create("limited", &["--uses", "5"]);
    let children: Vec<_> = (0..12)
        .map(|_| {
            let mut c = env
                .cmd(&["verify", "-q"])
                .stdin(Stdio::piped())
                .spawn()
                .unwrap();
            c.stdin.take().unwrap().write_all(token.as_bytes()).unwrap();
            c
        })
        .collect();
    let codes: Vec<i32> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code().unwrap())
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 5, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 16).count(), 7, "{codes:?}");
    let k = env.key("limited");
    assert_eq!(k["remaining"], 0);
    assert_eq!(k["use_count"], 5);
    let v = env.verify(&token, &["--format", "json"]).code(16).json();
    assert_eq!(v["code"], "usage_exceeded");
    // A refill brings it back.
    env.run(&["edit", "limited", "--uses", "2"]).code(0);
    let v = env.verify(&token, &["--format", "json"]).code(0).json();
    assert_eq!(v["remaining"], 1);
    env.run(&["edit", "limited", "--uses", "none"]).code(0);
    assert!(env.key("limited")["remaining"].is_null());
}

#[test]
fn serve_counts_limited_uses_in_memory_and_adds_up_with_the_cli() {
    let env = TestEnv::new();
    let token = env.create("limited", &["--uses", "5", "--owner", "acme"]);
    let s = Server::start(&env, &[]);
    let first = s.verify(&token);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-apikey-owner"), Some("acme"));
    assert_eq!(first.json()["remaining"], 4);
    assert_eq!(s.verify(&token).status, 200);
    // The deltas reach the store within about a second while they change.
    s.until("2 uses written back", |_| {
        env.key("limited")["remaining"] == 3
    });
    // The CLI takes one too; serve sees it on reload, and the two add up.
    let reloads = s.log().matches("reload:").count();
    env.verify(&token, &[]).code(0);
    // A changed store is picked up within a second.
    s.until("the changed store is loaded", |s| {
        s.log().matches("reload:").count() > reloads
    });
    let a = s.verify(&token);
    assert_eq!(
        (a.status, a.json()["remaining"].clone()),
        (200, 1.into()),
        "{a:?}"
    );
    let last = s.verify(&token);
    assert_eq!(
        (last.status, last.json()["remaining"].clone()),
        (200, 0.into())
    );
    let over = s.verify(&token);
    assert_eq!(over.status, 429, "{over:?}");
    assert_eq!(over.header("x-apikey-code"), Some("usage_exceeded"));
    assert_eq!(s.stop(), Some(0));
    let k = env.key("limited");
    assert_eq!(k["remaining"], 0);
    assert_eq!(k["use_count"], 5);
}

#[test]
fn unused_keys_are_found() {
    let env = TestEnv::new();
    let used = env.create("used", &[]);
    env.create("never", &[]);
    let names = |filters: &[&str]| env.names(filters);
    // SPEC §9: never used counts only once the key is older than the window, as in `status`.
    assert!(names(&["--unused-since", "90d"]).is_empty());
    let status = env.run(&["status", "--format", "json"]).code(0).json();
    assert_eq!(status["keys"]["unused_90d"], 0);
    let never_at =
        chrono::DateTime::parse_from_rfc3339(env.key("never")["created_at"].as_str().unwrap())
            .unwrap()
            .timestamp();
    crate::harness::eventually("the keys to be older than 1 s", || {
        chrono::Utc::now().timestamp() > never_at + 1
    });
    env.verify(&used, &[]).code(0);
    assert_eq!(names(&["--unused-since", "1s"]), ["never"]);
    env.run(&["list", "--unused-since", "soon"]).code(2);
}

#[test]
fn status_tells_the_store_at_a_glance() {
    let env = TestEnv::new();
    env.create("a", &["--expires", "2d"]);
    env.create("b", &[]);
    env.run(&["revoke", "b", "--yes"]).code(0);
    let s = env.run(&["status", "--format", "json"]).code(0).json();
    assert_eq!(s["keys"]["total"], 2);
    assert_eq!(s["keys"]["active"], 1);
    assert_eq!(s["keys"]["inactive"], 1);
    assert_eq!(s["keys"]["expiring_within_7d"], 1);
    assert_eq!(s["format_version"], 2);
    assert_eq!(s["schema_version"], 6);
    assert_eq!(s["slots"][0]["kind"], "passphrase");
    assert_eq!(s["slots"][0]["kdf"]["memory_mib"], 1);
    assert_eq!(s["slots"][1]["kind"], "key-file");
    assert_eq!(s["slots"][1]["you"], true);
    assert_eq!(s["unlocked_by"], "key-file");
    assert_eq!(s["last_write"]["action"], "revoke");
    assert_eq!(s["last_write"]["actor"], "key-file (tester)");
    assert_eq!(s["clipboard"]["reachable"], false, "no display in tests");
    let table = env.run(&["status"]).code(0).stdout;
    assert!(
        table.contains("admins") && table.contains("key-file (key-file, you)"),
        "{table}"
    );
}

#[test]
fn backup_is_a_checked_private_copy_that_restores() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let dest = env.path("backups/one.store");
    let out = env.run(&["backup", dest.to_str().unwrap()]).code(0);
    assert!(out.stderr.contains("(1 key);"), "{}", out.stderr);
    assert_eq!(mode(&dest), 0o600);
    // Never over an existing file.
    env.run(&["backup", dest.to_str().unwrap()]).code(6);
    // The copy works like a store: status, and a restore by copying it back.
    let status = env
        .cmd(&["status", "--format", "json"])
        .env("APIKEYS_STORE", &dest)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0));
    env.run(&["revoke", "ci", "--yes"]).code(0);
    env.verify(&token, &[]).code(12);
    std::fs::copy(&dest, &env.store).unwrap();
    env.verify(&token, &[]).code(0);
    // A damaged store points to backups.
    let mut bytes = env.store_bytes();
    let n = bytes.len();
    bytes[n - 30] ^= 1;
    std::fs::write(&env.store, bytes).unwrap();
    let out = env.run(&["list"]).code(4);
    assert!(out.stderr.contains("apikeys backup"), "{}", out.stderr);
    env.run(&["backup", env.path("two.store").to_str().unwrap()])
        .code(4);
    assert!(
        !env.path("two.store").exists(),
        "a copy that does not open is removed"
    );
}
