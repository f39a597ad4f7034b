//! Issue 34: every answer counted once, from every front end, and `usage` / `top` / `show` /
//! `status` telling what every key did.

use crate::fleet::{export, serve_snapshot, verify_snap};
use crate::harness::{BIN, TestEnv};
use crate::server::Server;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};

/// The same token with another secret and a valid checksum: a guess at a real key's id.
pub fn wrong_secret(token: &str) -> String {
    let body = &token[..token.len() - 6];
    let last = body.chars().last().unwrap();
    let swapped = if last == 'a' { 'b' } else { 'a' };
    let body = format!("{}{swapped}", &body[..body.len() - 1]);
    format!("{body}{}", apikeys::token::checksum(&body))
}

/// A well-formed token naming no key of any store.
pub fn stranger(n: usize) -> String {
    let body = format!("ak_{:0>12}_{}", n, "s".repeat(43));
    format!("{body}{}", apikeys::token::checksum(&body))
}

/// `usage --format json` summed by (name or "-", outcome) → (count, cost).
fn usage_sums(env: &TestEnv, extra: &[&str]) -> BTreeMap<(String, String), (i64, i64)> {
    let mut args = vec!["usage", "--format", "json"];
    args.extend_from_slice(extra);
    let rows = env.run(&args).code(0).json();
    let mut out = BTreeMap::new();
    for r in rows.as_array().unwrap() {
        let name = r["name"].as_str().unwrap_or("-").to_string();
        let e = out
            .entry((name, r["outcome"].as_str().unwrap().to_string()))
            .or_insert((0, 0));
        e.0 += r["count"].as_i64().unwrap();
        e.1 += r["cost"].as_i64().unwrap();
    }
    out
}

fn sums(rows: &[(&str, &str, i64, i64)]) -> BTreeMap<(String, String), (i64, i64)> {
    rows.iter()
        .map(|(n, o, c, cost)| ((n.to_string(), o.to_string()), (*c, *cost)))
        .collect()
}

#[test]
fn usage_top_show_and_status_tell_a_scripted_mix_by_outcome() {
    let env = TestEnv::new();
    let a = env.create("a", &["--owner", "acme"]);
    let b = env.create("b", &[]);
    env.run(&["revoke", "b", "--yes"]).code(0);
    for _ in 0..5 {
        env.verify(&a, &["--ip", "192.0.2.1", "--cost", "2"])
            .code(0);
    }
    for _ in 0..2 {
        env.verify(&a, &["--scope", "missing"]).code(15);
    }
    for _ in 0..3 {
        env.verify(&b, &["--ip", "198.51.100.9"]).code(12);
    }
    env.verify(&wrong_secret(&a), &["--ip", "203.0.113.5"])
        .code(11);
    env.verify(&stranger(1), &["--ip", "203.0.113.5"]).code(11);
    env.verify(&stranger(2), &[]).code(11);
    env.verify("not-a-token", &[]).code(10);
    // `--at` answers as of another time and records nothing.
    env.verify(&a, &["--at", "2026-01-01"]).code(0);
    // Verifies append to the history's inbox, folded by the next reader.
    let inbox = std::fs::read(env.store.with_file_name("apikeys.store.history-log")).unwrap();
    assert!(!inbox.is_empty());
    let want = sums(&[
        ("a", "valid", 5, 10),
        ("a", "scope_denied", 2, 0),
        ("a", "unknown", 1, 0),
        ("b", "inactive", 3, 0),
        ("-", "unknown", 2, 0),
        ("-", "malformed", 1, 0),
    ]);
    assert_eq!(usage_sums(&env, &[]), want);
    assert_eq!(env.key("a")["use_count"], 10, "uses are the cost taken");
    // A key, an owner, an outcome.
    assert_eq!(usage_sums(&env, &["b"]), sums(&[("b", "inactive", 3, 0)]));
    assert_eq!(
        usage_sums(&env, &["--owner", "acme", "--outcome", "valid"]),
        sums(&[("a", "valid", 5, 10)])
    );
    // csv: one row per bucket × key × outcome, for spreadsheets.
    let csv = env.run(&["usage", "--format", "csv"]).code(0).stdout;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("bucket,key_id,name,owner,outcome,count,cost")
    );
    assert!(
        csv.lines().any(|l| l.ends_with(",a,acme,valid,5,10")),
        "{csv}"
    );
    // top: busiest first, and revoked keys still presented, with where from.
    let top = env.run(&["top", "--format", "json"]).code(0).json();
    assert_eq!(top[0]["name"], "a");
    assert_eq!(top[0]["count"], 8);
    assert_eq!(top[0]["by_outcome"]["valid"], 5);
    let leaked = env
        .run(&[
            "top",
            "--outcome",
            "inactive",
            "--outcome",
            "expired",
            "--format",
            "json",
        ])
        .code(0)
        .json();
    assert_eq!(leaked.as_array().unwrap().len(), 1, "{leaked}");
    assert_eq!(leaked[0]["name"], "b");
    assert_eq!(leaked[0]["ips"][0]["ip"], "198.51.100.9");
    let by_ip = env
        .run(&["top", "--by", "ip", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(by_ip[0]["ip"], "192.0.2.1");
    assert_eq!(by_ip[0]["count"], 5);
    // show: the week, the denials by code, the last refused attempts (newest first).
    let show = env.run(&["show", "a", "--format", "json"]).code(0).json();
    let days: Vec<i64> = show["last_7_days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_i64().unwrap())
        .collect();
    assert_eq!(days, [0, 0, 0, 0, 0, 0, 8]);
    assert_eq!(show["denied"]["scope_denied"], 2);
    assert_eq!(show["denied"]["unknown"], 1);
    assert_eq!(show["refused"].as_array().unwrap().len(), 3);
    assert_eq!(show["refused"][0]["code"], "unknown");
    assert_eq!(show["refused"][0]["ip"], "203.0.113.5");
    let table = env.run(&["show", "a"]).code(0).stdout;
    assert!(
        table.contains("last 7 days") && table.contains('█'),
        "{table}"
    );
    // status: the revoked key still presented, on the first screen.
    let status = env.run(&["status", "--format", "json"]).code(0).json();
    let p = &status["presented_while_revoked"];
    assert_eq!(p.as_array().unwrap().len(), 1, "{p}");
    assert_eq!(p[0]["name"], "b");
    assert_eq!(p[0]["count"], 3);
    assert_eq!(p[0]["last_ip"], "198.51.100.9");
    let text = env.run(&["status"]).code(0).stdout;
    assert!(text.contains("presented while revoked"), "{text}");
    // The history holds no token, secret or hash.
    let history_file = env.store.with_file_name("apikeys.store.history");
    let history = std::fs::read(&history_file).unwrap();
    let wal =
        std::fs::read(env.store.with_file_name("apikeys.store.history-wal")).unwrap_or_default();
    for t in [&a, &b] {
        let secret = &t[t.len() - 20..];
        for bytes in [&history, &wal, &inbox] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret reached the history"
            );
        }
    }
    assert_eq!(crate::harness::mode(&history_file), 0o600);
}

#[test]
fn parallel_verifies_a_batch_and_serve_are_counted_exactly() {
    let env = TestEnv::new();
    let t = env.create("ci", &[]);
    let children: Vec<_> = (0..12)
        .map(|_| {
            let mut c = env
                .cmd(&["verify"])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            std::io::Write::write_all(&mut c.stdin.take().unwrap(), t.as_bytes()).unwrap();
            c
        })
        .collect();
    for mut c in children {
        assert_eq!(c.wait().unwrap().code(), Some(0));
    }
    assert_eq!(env.key("ci")["use_count"], 12);
    let lines = format!("{t}\n{t}\nnope\n{t}\n{}\n", stranger(3));
    env.run_stdin(&["verify", "--batch"], &lines).code(10);
    assert_eq!(env.key("ci")["use_count"], 15);
    // serve on the store: 30 answers, then SIGTERM; nothing is lost.
    let s = Server::start(&env, &[]);
    for _ in 0..30 {
        assert_eq!(s.verify(&t).status, 200);
    }
    assert_eq!(s.verify(&wrong_secret(&t)).status, 401);
    assert_eq!(s.stop(), Some(0));
    assert_eq!(env.key("ci")["use_count"], 45);
    assert_eq!(
        usage_sums(&env, &[]),
        sums(&[
            ("ci", "valid", 45, 45),
            ("ci", "unknown", 1, 0),
            ("-", "malformed", 1, 0),
            ("-", "unknown", 1, 0),
        ])
    );
}

#[test]
fn a_snapshot_node_sends_its_history_home_once() {
    let env = TestEnv::new();
    let t = env.create("ci", &[]);
    export(&env, "v.snap", "v.key");
    let log = env.path("usage.log");
    let log_arg = log.to_str().unwrap().to_string();
    let args = ["--usage-log", log_arg.as_str()];
    for _ in 0..4 {
        verify_snap(&env, "v.snap", "v.key", &t, &args).code(0);
    }
    verify_snap(&env, "v.snap", "v.key", &stranger(4), &args).code(11);
    let s = serve_snapshot(&env, "v.snap", "v.key", &args);
    for _ in 0..3 {
        assert_eq!(s.verify(&t).status, 200);
    }
    assert_eq!(s.verify(&wrong_secret(&t)).status, 401);
    assert_eq!(s.stop(), Some(0));
    let want = sums(&[
        ("ci", "valid", 7, 7),
        ("ci", "unknown", 1, 0),
        ("-", "unknown", 1, 0),
    ]);
    let imported = env
        .run(&["usage", "import", &log_arg, "--format", "json"])
        .code(0)
        .json();
    assert_eq!(imported["answers"], 9, "{imported}");
    assert_eq!(usage_sums(&env, &[]), want);
    assert_eq!(env.key("ci")["use_count"], 7);
    // Imported again: nothing twice.
    env.run(&["usage", "import", &log_arg]).code(0);
    assert_eq!(usage_sums(&env, &[]), want);
    assert_eq!(env.key("ci")["use_count"], 7);
}

#[test]
fn history_grows_with_keys_not_requests() {
    let env = TestEnv::new();
    let t = env.create("ci", &[]);
    let size = || {
        [
            "apikeys.store.history",
            "apikeys.store.history-wal",
            "apikeys.store.history-log",
        ]
        .iter()
        .map(|f| std::fs::metadata(env.store.with_file_name(f)).map_or(0, |m| m.len()))
        .sum::<u64>()
    };
    let mut lines = String::new();
    for i in 0..3000 {
        lines.push_str(&t);
        lines.push('\n');
        // Random ids are counted under no key, never a row each.
        lines.push_str(&stranger(1000 + i));
        lines.push('\n');
    }
    env.run_stdin(&["verify", "--batch", "-q", "--ip", "192.0.2.1"], &lines)
        .code(11);
    let after_6k = size();
    for _ in 0..3 {
        env.run_stdin(&["verify", "--batch", "-q", "--ip", "192.0.2.1"], &lines)
            .code(11);
    }
    let rows = env.run(&["usage", "--format", "json"]).code(0).json();
    assert!(rows.as_array().unwrap().len() <= 4, "{rows}");
    assert_eq!(
        usage_sums(&env, &[]),
        sums(&[("ci", "valid", 12_000, 12_000), ("-", "unknown", 12_000, 0)])
    );
    assert!(
        size() <= after_6k.max(64 * 1024) * 2,
        "24,000 answers take no more room than 6,000 did: {after_6k} then {}",
        size()
    );
}

#[test]
fn the_chart_fits_the_terminal_and_reads_without_colour() {
    let env = TestEnv::new();
    let t = env.create("ci", &[]);
    env.verify(&t, &[]).code(0);
    env.verify("nope", &[]).code(10);
    for cols in [80u16, 200] {
        let mut c = Command::new("sh");
        c.args([
            "-c",
            &format!("stty cols {cols} rows 40 && exec \"$0\" usage --since 2h"),
            BIN,
        ]);
        let mut s = crate::pty::spawn_command(&env, c, true, true);
        s.get_process_mut().set_window_size(cols, 40).unwrap();
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut s, &mut out).ok();
        assert_eq!(crate::pty::exit_code(s), 0);
        let out = String::from_utf8_lossy(&out).into_owned();
        let widest = out
            .lines()
            .map(|l| l.trim_end().chars().count())
            .max()
            .unwrap();
        assert!(widest <= usize::from(cols), "{widest} > {cols}:\n{out}");
        assert!(
            widest > usize::from(cols) / 2,
            "the chart uses the width:\n{out}"
        );
        assert!(!out.contains('\u{1b}'), "NO_COLOR: no escapes\n{out}");
        assert!(
            out.contains("# valid 1") && out.contains("m malformed 1"),
            "{out}"
        );
    }
    // A key named like the subcommand is given with --key.
    let imp = env.create("import", &[]);
    env.verify(&imp, &[]).code(0);
    let rows = env
        .run(&["usage", "--key", "import", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["name"], "import");
    // --by minute past its 48 hours is a usage error with a hint.
    let err = env
        .run(&["usage", "--since", "3d", "--by", "minute"])
        .code(2);
    assert!(err.stderr.contains("hint:"), "{}", err.stderr);
}

/// A revoked key presented where no client address is known (a CLI verify without --ip)
/// still says when it was last seen, to the minute, in `status` and `top`, and so on the
/// console's status page, with the counts by status beside it.
#[test]
fn a_revoked_key_presented_without_an_address_still_says_when() {
    let env = TestEnv::new();
    let t = env.create("leaked", &[]);
    env.create("fine", &[]);
    env.run(&["revoke", "leaked", "--yes"]).code(0);
    let before = chrono::Utc::now().timestamp();
    for _ in 0..2 {
        env.run_stdin(&["verify"], &t).code(12);
    }
    let status = env.run(&["status", "--format", "json"]).code(0).json();
    let p = &status["presented_while_revoked"][0];
    assert_eq!(
        (p["name"].as_str(), p["count"].as_i64()),
        (Some("leaked"), Some(2))
    );
    assert!(p["last_ip"].is_null(), "{p}");
    let at = chrono::DateTime::parse_from_rfc3339(p["last_at"].as_str().expect("last_at"))
        .unwrap()
        .timestamp();
    assert!(
        at > before - 60 && at <= chrono::Utc::now().timestamp(),
        "{p}"
    );
    let top = env
        .run(&["top", "--outcome", "inactive", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(top[0]["last_at"], p["last_at"]);
    // The console's status page: the counts, and the key with its answers and when.
    let console = crate::console::start(&env);
    let page = crate::console::Session::new(&console).get("/status");
    let id = env.key("leaked")["id"].as_str().unwrap().to_string();
    assert!(page.body.contains("table id=\"counts\""), "{}", page.body);
    assert!(page.body.contains("Unused for 90 days"), "{}", page.body);
    let presented = &page.body[page.body.find("table id=\"presented\"").expect("the table")..];
    let shown = p["last_at"].as_str().unwrap().replace('T', " ");
    assert!(
        presented.contains(&id)
            && presented.contains("<td>2</td>")
            && presented.contains(&shown[..16]),
        "{presented}"
    );
}
