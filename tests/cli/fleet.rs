//! Issue 13: verify-only snapshots for CI runners and gateway fleets, through the real
//! binary; and docs/fleet.md's walkthrough (two nodes behind nginx, a revocation rolled out
//! under load, usage logs imported back).

use crate::harness::{TestEnv, mode};
use crate::server::{Server, free_port, get};
use std::process::Command;
use std::time::{Duration, Instant};

/// Exports a snapshot of `env` to `snap` with the verifier key `key`.
pub fn export(env: &TestEnv, snap: &str, key: &str) -> serde_json::Value {
    let (s, k) = (env.path(snap), env.path(key));
    env.run(&[
        "verifier",
        "export",
        "--out",
        s.to_str().unwrap(),
        "--verifier-key",
        k.to_str().unwrap(),
        "--format",
        "json",
    ])
    .code(0)
    .json()
}

/// `serve --verifier` on a free port from the snapshot `snap` (key `key`) of `env`, with no
/// store or admin credential in its environment, and `extra` arguments.
pub fn serve_snapshot(env: &TestEnv, snap: &str, key: &str, extra: &[&str]) -> Server {
    let extra = [&["--listen", "127.0.0.1:0"][..], extra].concat();
    Server::spawn(snapshot_cmd(env, "serve", snap, key, &extra))
}

/// `verify --verifier` with no store, key file or passphrase anywhere in sight.
pub fn verify_snap(
    env: &TestEnv,
    snap: &str,
    key: &str,
    token: &str,
    extra: &[&str],
) -> crate::harness::Run {
    TestEnv::feed(
        snapshot_cmd(env, "verify", snap, key, extra),
        &format!("{token}\n"),
    )
}

/// `command --verifier SNAP --verifier-key KEY extra…`, with no store in its environment.
pub fn snapshot_cmd(
    env: &TestEnv,
    command: &str,
    snap: &str,
    key: &str,
    extra: &[&str],
) -> Command {
    let (s, k) = (env.path(snap), env.path(key));
    let mut args = vec![
        command,
        "--verifier",
        s.to_str().unwrap(),
        "--verifier-key",
        k.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let mut cmd = env.bare_cmd(&args);
    cmd.env_remove("APIKEYS_STORE");
    cmd
}

#[test]
fn a_snapshot_verifies_without_any_admin_credential() {
    let env = TestEnv::new();
    let token = env.create(
        "ci",
        &[
            "--scope",
            "deploy",
            "--owner",
            "acme",
            "--description",
            "very-private-note",
        ],
    );
    let gone = env.create("gone", &[]);
    env.run(&["revoke", "gone", "--yes"]).code(0);
    let first = export(&env, "v.snap", "v.key");
    assert_eq!(first["generation"], 1);
    assert_eq!(mode(&env.path("v.key")), 0o600);
    assert_eq!(mode(&env.path("v.snap")), 0o600);
    let v = verify_snap(
        &env,
        "v.snap",
        "v.key",
        &token,
        &["--scope", "deploy", "--format", "json"],
    )
    .code(0)
    .json();
    assert_eq!(v["owner"], "acme");
    verify_snap(&env, "v.snap", "v.key", &token, &["--scope", "admin"]).code(15);
    verify_snap(&env, "v.snap", "v.key", &gone, &[]).code(12);
    let batch = verify_snap(
        &env,
        "v.snap",
        "v.key",
        &format!("{token}\n{gone}"),
        &["--batch"],
    );
    assert_eq!(batch.code, 12);
    assert_eq!(batch.stdout.lines().count(), 2);
    // What it holds: what verification needs, no description, no audit trail.
    let vkey = apikeys::snapshot::VerifierKey::read(&env.path("v.key")).unwrap();
    let (meta, payload) = apikeys::snapshot::open(&env.path("v.snap"), &vkey).unwrap();
    assert_eq!(meta.generation, 1);
    let held = serde_json::to_string(&payload).unwrap();
    assert!(
        !held.contains("very-private-note") && !held.contains("tester"),
        "{held}"
    );
    // Each export is a new generation; the key file is reused.
    let key_before = std::fs::read(env.path("v.key")).unwrap();
    assert_eq!(export(&env, "v.snap", "v.key")["generation"], 2);
    assert_eq!(std::fs::read(env.path("v.key")).unwrap(), key_before);
    // Admin commands refuse a snapshot.
    let out = env
        .cmd(&["list"])
        .env("APIKEYS_STORE", env.path("v.snap"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("verifier snapshot"));
}

#[test]
fn a_snapshot_that_does_not_check_out_is_refused() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    export(&env, "v.snap", "v.key");
    let good = std::fs::read(env.path("v.snap")).unwrap();
    // Every byte flipped: exit 4, never 0.
    for i in 0..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0x20;
        std::fs::write(env.path("t.snap"), &bad).unwrap();
        let code = verify_snap(&env, "t.snap", "v.key", &token, &["-q"]).code;
        assert_eq!(code, 4, "byte {i} flipped gave {code}");
    }
    std::fs::write(env.path("t.snap"), &good[..good.len() - 10]).unwrap();
    verify_snap(&env, "t.snap", "v.key", &token, &[]).code(4);
    // Another store's snapshot, with this store's key: refused.
    let other = TestEnv::new();
    let other_token = other.create("ci", &[]);
    export(&other, "o.snap", "o.key");
    std::fs::copy(other.path("o.snap"), env.path("o.snap")).unwrap();
    verify_snap(&env, "o.snap", "v.key", &other_token, &[]).code(4);
    // This store's key file cannot be used to export another store.
    let k = env.path("v.key");
    other
        .run(&[
            "verifier",
            "export",
            "--out",
            other.path("x.snap").to_str().unwrap(),
            "--verifier-key",
            k.to_str().unwrap(),
        ])
        .code(6);
    // A verifier key file of the wrong size or shape.
    std::fs::write(
        env.path("short.key"),
        "apikeys verifier key v1\nstore 00\nkey 00\npublic 00\n",
    )
    .unwrap();
    verify_snap(&env, "v.snap", "short.key", &token, &[]).code(3);
}

#[test]
fn serve_follows_new_generations_refuses_rollback_and_fails_closed_when_old() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let other = env.create("other", &[]);
    export(&env, "v.snap", "v.key");
    let old = std::fs::read(env.path("v.snap")).unwrap();
    let log = env.path("node/usage.log");
    let snap = env.path("v.snap");
    let s = serve_snapshot(
        &env,
        "v.snap",
        "v.key",
        &["--usage-log", log.to_str().unwrap()],
    );
    assert_eq!(s.verify(&token).status, 200);
    assert_eq!(s.verify(&other).status, 200);
    env.run(&["revoke", "other", "--yes"]).code(0);
    export(&env, "v.snap", "v.key");
    s.until("the new generation is served", |s| {
        s.verify(&other).status == 401
    });
    assert_eq!(s.get("/healthz", &[]).json()["generation"], 2);
    // An older snapshot put back (a rollback) is refused; generation 2 stays.
    std::fs::write(&snap, &old).unwrap();
    s.until("the rollback is refused", |s| {
        s.get("/healthz", &[]).json()["status"] == "stale"
    });
    assert_eq!(s.verify(&other).status, 401);
    assert!(s.log().contains("rollback refused"), "{}", s.log());
    assert_eq!(s.stop(), Some(0));
    // The uses went to the log; importing it twice counts them once.
    let lines = std::fs::read_to_string(&log).unwrap();
    let uses = lines.lines().filter(|l| !l.contains("\"history\"")).count();
    assert_eq!(uses, 2, "{lines}");
    assert_eq!(mode(&log), 0o600);
    let imported = env
        .run(&["usage", "import", log.to_str().unwrap(), "--format", "json"])
        .code(0)
        .json();
    assert_eq!(imported["applied"], 2);
    env.run(&["usage", "import", log.to_str().unwrap()]).code(0);
    assert_eq!(env.key("ci")["use_count"], 1);
    assert!(env.key("other")["use_count"].as_u64().unwrap() >= 1);

    // --max-age: once the snapshot is older than that, 503 (fail closed).
    export(&env, "v.snap", "v.key");
    let s = serve_snapshot(&env, "v.snap", "v.key", &["--max-age", "2s"]);
    assert_eq!(s.verify(&token).status, 200);
    s.until("the snapshot is too old", |s| {
        s.verify(&token).status == 503
    });
    let stale = s.verify(&token);
    assert_eq!(stale.header("x-apikey-code"), Some("stale_snapshot"));
    assert_eq!(stale.json()["code"], "stale_snapshot");
    let health = s.get("/healthz", &[]);
    assert_eq!(health.status, 503);
    assert_eq!(health.json()["status"], "too_old");
    assert_eq!(health.json()["counters"], "none");
    // verify --verifier --max-age answers the same: stale_snapshot, exit 17.
    let out = verify_snap(
        &env,
        "v.snap",
        "v.key",
        &token,
        &["--max-age", "2s", "--format", "json"],
    )
    .code(17);
    assert_eq!(out.json()["code"], "stale_snapshot");
    assert!(out.stderr.contains("--max-age"), "{}", out.stderr);
    verify_snap(&env, "v.snap", "v.key", &token, &["--max-age", "1h"]).code(0);
}

#[test]
fn usage_import_refuses_bad_logs_whole_and_skips_only_a_torn_end() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let id = token.split('_').nth(1).unwrap();
    let rec = |seq: i64, key: &str, uses: &str, at: &str| {
        format!(
            "{{\"node\":\"n1\",\"seq\":{seq},\"key_id\":\"{key}\",\"uses\":{uses},\"last_used\":\"{at}\"}}\n"
        )
    };
    let good = rec(1, id, "3", "2026-01-01T00:00:00Z");
    let bad: &[(&str, String)] = &[
        (
            "garbage between good lines",
            format!(
                "{good}this is not json\n{}",
                rec(2, id, "1", "2026-01-01T00:00:00Z")
            ),
        ),
        (
            "absurd uses",
            format!("{good}{}", rec(2, id, "1000000000", "2026-01-01T00:00:00Z")),
        ),
        (
            "i64::MAX uses",
            format!(
                "{good}{}",
                rec(2, id, "9223372036854775807", "2026-01-01T00:00:00Z")
            ),
        ),
        (
            "negative uses",
            format!("{good}{}", rec(2, id, "-5", "2026-01-01T00:00:00Z")),
        ),
        (
            "not a date",
            format!("{good}{}", rec(2, id, "1", "not a date")),
        ),
        (
            "a future date",
            format!("{good}{}", rec(2, id, "1", "2999-01-01T00:00:00Z")),
        ),
        (
            "an empty node",
            format!(
                "{good}{}",
                rec(2, id, "1", "2026-01-01T00:00:00Z").replace("n1", "")
            ),
        ),
    ];
    for (what, text) in bad {
        let log = env.write("bad.log", text);
        let out = env.run(&["usage", "import", log.to_str().unwrap()]).code(4);
        assert!(out.stderr.contains("line 2"), "{what}: {}", out.stderr);
        assert_eq!(env.key("ci")["use_count"], 0, "{what}: nothing merged");
    }
    // A store file, or random bytes, is not a usage log.
    let store = env.store.clone();
    let out = env
        .run(&["usage", "import", store.to_str().unwrap()])
        .code(4);
    assert!(out.stderr.contains("line 1"), "{}", out.stderr);
    // A torn last line (a node killed mid-write) is skipped; the rest merges.
    let log = env.write(
        "u.log",
        &format!(
            "{good}{}{{\"node\":\"n1\",\"seq\":4,\"key_id\":\"{id}\",\"uses\":50,\"la",
            rec(2, "AAAAAAAAAAAA", "1", "2026-01-01T00:00:00Z")
        ),
    );
    let out = env
        .run(&["usage", "import", log.to_str().unwrap(), "--format", "json"])
        .code(0);
    let j = out.json();
    assert_eq!(j["applied"], 1);
    assert_eq!(j["unknown_keys"], 1);
    assert_eq!(j["torn_lines"], 1);
    assert!(out.stderr.contains("torn"), "{}", out.stderr);
    assert_eq!(env.key("ci")["use_count"], 3);
}

/// docs/fleet.md, as a test: one admin store; two `serve --verifier` nodes behind one nginx
/// `upstream`; a revocation rolled out by re-export while load runs; usage logs imported.
#[test]
fn the_fleet_walkthrough_rolls_out_a_revocation_under_load() {
    let has_nginx = Command::new("sh")
        .args(["-c", "command -v nginx"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_nginx {
        crate::harness::missing("nginx is not installed");
        return;
    }
    let env = TestEnv::new();
    let good = env.create("good", &[]);
    let leaked = env.create("leaked", &[]);
    export(&env, "fleet.snap", "fleet.key");
    let node = |n: &str| {
        let log = env.path(&format!("{n}/usage.log"));
        let extra = [
            "--trusted-proxy",
            "127.0.0.1/32",
            "--usage-log",
            log.to_str().unwrap(),
        ];
        (serve_snapshot(&env, "fleet.snap", "fleet.key", &extra), log)
    };
    let (a, log_a) = node("node-a");
    let (b, log_b) = node("node-b");
    let port = free_port();
    let dir = env.path("nginx");
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    let user = if rustix::process::geteuid().as_raw() == 0 {
        "user root;"
    } else {
        ""
    };
    let conf = format!(
        "daemon off;\n{user}\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n\
         access_log off;\nclient_body_temp_path {d}/body;\nproxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fcgi;\nuwsgi_temp_path {d}/uwsgi;\nscgi_temp_path {d}/scgi;\n\
         upstream apikeys {{ server {a}; server {b}; keepalive 16; }}\n\
         server {{ listen 127.0.0.1:{port};\n\
           location = /_apikeys {{ internal; proxy_pass http://apikeys/verify; proxy_method HEAD;\n\
             proxy_pass_request_body off; proxy_set_header Content-Length \"\";\n\
             proxy_set_header X-Real-IP $remote_addr; proxy_http_version 1.1; proxy_set_header Connection \"\"; }}\n\
           location / {{ auth_request /_apikeys; root {d}; try_files /ok.txt =404; }}\n\
         }}\n}}\n",
        d = dir.display(),
        a = a.addr,
        b = b.addr,
    );
    std::fs::write(dir.join("ok.txt"), "ok\n").unwrap();
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let nginx = crate::gateways::launch(
        Command::new("nginx")
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf")),
        port,
        "nginx",
    );
    let gateway = format!("127.0.0.1:{port}");
    // Load through nginx with the good key while the revocation rolls out.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Requests answered so far, so that the test waits for load, never for a clock.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let answered = || done.load(std::sync::atomic::Ordering::Relaxed);
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (addr, token, stop) = (gateway.clone(), good.clone(), stop.clone());
            let done = done.clone();
            std::thread::spawn(move || {
                let (mut ok, mut failed) = (0u64, 0u64);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    match get(&addr, "/", &[("X-API-Key", &token)]).status {
                        200 => ok += 1,
                        _ => failed += 1,
                    }
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                (ok, failed)
            })
        })
        .collect();
    crate::harness::eventually("load through the gateway", || answered() >= 200);
    assert_eq!(get(&gateway, "/", &[("X-API-Key", &leaked)]).status, 200);
    env.run(&["revoke", "leaked", "--yes"]).code(0);
    export(&env, "fleet.snap", "fleet.key");
    let exported = Instant::now();
    for n in [&a, &b] {
        n.until("the revocation reaches the node", |n| {
            n.verify(&leaked).status == 401
        });
    }
    let took = exported.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "the revocation took {took:?} to reach both nodes"
    );
    assert_eq!(get(&gateway, "/", &[("X-API-Key", &leaked)]).status, 401);
    let after = answered();
    crate::harness::eventually("more load after the revocation", || {
        answered() >= after + 200
    });
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (ok, failed): (u64, u64) = workers
        .into_iter()
        .map(|w| w.join().unwrap())
        .fold((0, 0), |acc, x| (acc.0 + x.0, acc.1 + x.1));
    assert_eq!(
        failed,
        0,
        "{failed} of {} requests failed during the rollout",
        ok + failed
    );
    assert!(ok > 50, "only {ok} requests went through");
    drop(nginx);
    assert_eq!(a.stop(), Some(0));
    assert_eq!(b.stop(), Some(0));
    env.run(&[
        "usage",
        "import",
        log_a.to_str().unwrap(),
        log_b.to_str().unwrap(),
    ])
    .code(0);
    let used = env.key("good")["use_count"].as_u64().unwrap();
    assert!(used >= ok, "{used} uses imported, {ok} granted");
}

#[test]
fn a_verifier_key_file_others_can_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    export(&env, "v.snap", "v.key");
    let key = env.path("v.key");
    for mode in [0o620, 0o602, 0o664] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        let out = verify_snap(&env, "v.snap", "v.key", &token, &[]).code(3);
        assert!(
            out.stderr.contains("writable by its group or by others"),
            "{out:?}"
        );
        assert!(out.stderr.contains("chmod go-w"), "{out:?}");
    }
    // Read-only for everyone is fine (a provisioned, root-owned 0444 file, say).
    for mode in [0o400, 0o444, 0o640] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        verify_snap(&env, "v.snap", "v.key", &token, &[]).code(0);
    }
}

/// An export that cannot write its snapshot says so in the audit log, where it used to log
/// "generation N to PATH" for a file never written. The generation stays spent (a number is
/// never given to two snapshots). An --out that is a folder is refused before anything.
#[test]
fn an_export_that_cannot_write_its_snapshot_says_so_in_the_log() {
    let env = TestEnv::new();
    env.create("ci", &[]);
    assert_eq!(export(&env, "v.snap", "v.key")["generation"], 1);
    let key = env.path("v.key");
    let key = key.to_str().unwrap();
    let export_to = |out: &std::path::Path| {
        env.run(&[
            "verifier",
            "export",
            "--out",
            out.to_str().unwrap(),
            "--verifier-key",
            key,
        ])
    };
    let folder = env.path("snaps");
    std::fs::create_dir(&folder).unwrap();
    let out = export_to(&folder).code(2);
    assert!(out.stderr.contains("is a folder"), "{}", out.stderr);
    // Beneath a file: known only when the write fails, after the generation was spent.
    let blocked = env.path("v.snap").join("x.snap");
    let out = export_to(&blocked).code(1);
    assert!(
        out.stderr.contains("generation 2 was not written") && out.stderr.contains("audit log"),
        "{}",
        out.stderr
    );
    let log = env.run(&["log", "--format", "json"]).code(0).json_lines();
    let said: Vec<(String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("verifier export"))
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["details"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(said.len(), 3, "{said:?}");
    assert!(said.iter().all(|(_, d)| !d.contains("snaps")), "{said:?}");
    assert!(
        said.iter()
            .any(|(a, d)| a == "verifier export failed"
                && d.starts_with("generation 2 was not written")),
        "{said:?}"
    );
    // The next export is generation 3, and the snapshot of generation 1 is untouched.
    assert_eq!(export(&env, "v.snap", "v.key")["generation"], 3);
}
