//! Issue 33: the gates around the verdict fail closed. A reader that goes away never passes a
//! gate; scan never runs what the scanned repository configures and finds custom prefixes
//! with only a snapshot or with nothing; a typo in a verifier key path cannot cut a fleet off;
//! the CLI refuses older snapshots; rotations and revivals are what the expiry gate says.

use crate::fleet::{export, verify_snap};
use crate::harness::{BIN, TestEnv};
use std::path::Path;
use std::process::Command;

/// `sh -c 'set -o pipefail; <apikeys args> | <reader>'` in `env` (key file unlocking), with
/// `input` on stdin: the exit code of the pipeline as a CI step sees it.
fn piped(env: &TestEnv, args: &str, reader: &str, input: &str) -> i32 {
    let base = env.cmd(&[]);
    let mut sh = Command::new("bash");
    sh.arg("-c")
        .arg(format!("set -o pipefail; '{BIN}' {args} | {reader}"))
        .env_clear()
        .envs(base.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
    TestEnv::feed(sh, input).code
}

#[test]
fn a_gate_keeps_its_verdict_when_its_reader_goes_away() {
    let env = TestEnv::new();
    let live = env.create("live", &[]);
    let tree = env.path("tree");
    std::fs::create_dir_all(&tree).unwrap();
    // Enough findings that the answer does not fit in a pipe: the reader leaves mid-write.
    let text: String = (0..3000).map(|i| format!("k{i} = {live}\n")).collect();
    std::fs::write(tree.join("leak.txt"), text).unwrap();
    let t = tree.to_str().unwrap();
    for format in ["table", "json", "sarif"] {
        let all = piped(
            &env,
            &format!("scan --format {format} {t}"),
            "cat >/dev/null",
            "",
        );
        assert_eq!(all, 20, "{format}: read to the end");
        let cut = piped(
            &env,
            &format!("scan --format {format} {t}"),
            "head -c 100 >/dev/null",
            "",
        );
        assert_eq!(cut, 20, "{format}: the reader left after 100 bytes");
    }
    // A listing still ends quietly: the reader had what it wanted.
    let lines: String = (0..400)
        .map(|i| format!("{{\"name\":\"many-{i}\"}}\n"))
        .collect();
    let input = env.write("many.jsonl", &lines);
    let secrets = env.path("many.tokens");
    env.run(&[
        "import",
        input.to_str().unwrap(),
        "--secret-file",
        secrets.to_str().unwrap(),
    ])
    .code(0);
    assert_eq!(piped(&env, "list", "head -1 >/dev/null", ""), 0);
    // verify --batch: a failing line before the reader left is the exit code…
    let mut batch = format!("ak_bad\n{live}\n");
    batch.push_str(&format!("{live}\n").repeat(20_000));
    assert_eq!(
        piped(&env, "verify --batch", "head -1 >/dev/null", &batch),
        10
    );
    // …and answers that never reached the reader are no pass: 141, as SIGPIPE would end it.
    let valid = format!("{live}\n").repeat(20_000);
    assert_eq!(
        piped(&env, "verify --batch", "head -1 >/dev/null", &valid),
        141
    );
    assert_eq!(piped(&env, "verify --batch", "cat >/dev/null", &valid), 0);
    // A single verify's failing verdict survives a closed stdout too.
    assert_eq!(piped(&env, "verify", "true", "ak_bad\n"), 10);
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.fsmonitor=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_typo_in_the_verifier_key_path_cannot_cut_a_fleet_off() {
    let env = TestEnv::new();
    let token = env.create("svc", &[]);
    let first = export(&env, "fleet.snap", "fleet.key");
    assert_eq!(first["verifier_key_status"], "created");
    let again = export(&env, "fleet.snap", "fleet.key");
    assert_eq!(again["verifier_key_status"], "reused");
    // fleet.kye for fleet.key: refused, nothing exported, the known key named.
    let typo = env.path("fleet.kye");
    let out = env
        .run(&[
            "verifier",
            "export",
            "--out",
            env.path("fleet.snap").to_str().unwrap(),
            "--verifier-key",
            typo.to_str().unwrap(),
        ])
        .code(5);
    assert!(
        out.stderr.contains("no verifier key at")
            && out.stderr.contains("known keys:")
            && out.stderr.contains("fleet.key (SHA256:")
            && out.stderr.contains("--new-verifier-key"),
        "{}",
        out.stderr
    );
    assert!(!typo.exists(), "no key file made");
    // The nodes still verify the last snapshot, whose generation did not move.
    verify_snap(&env, "fleet.snap", "fleet.key", &token, &[]).code(0);
    let third = export(&env, "fleet.snap", "fleet.key");
    assert_eq!(
        third["generation"], 3,
        "the refused export took no generation"
    );
    // On purpose: a new key, said so.
    let out = env
        .run(&[
            "verifier",
            "export",
            "--out",
            env.path("new.snap").to_str().unwrap(),
            "--verifier-key",
            env.path("new.key").to_str().unwrap(),
            "--new-verifier-key",
        ])
        .code(0);
    assert!(out.stderr.contains("(created)"), "{}", out.stderr);
    verify_snap(&env, "new.snap", "new.key", &token, &[]).code(0);
}

#[test]
fn verify_on_a_snapshot_refuses_an_older_generation_than_it_accepted() {
    let env = TestEnv::new();
    let token = env.create("svc", &[]);
    export(&env, "v.snap", "v.key");
    std::fs::copy(env.path("v.snap"), env.path("old.snap")).unwrap();
    env.run(&["revoke", "svc", "--yes"]).code(0);
    export(&env, "v.snap", "v.key");
    let state = env.path("state");
    let st = state.to_str().unwrap();
    verify_snap(&env, "v.snap", "v.key", &token, &["--state", st]).code(12);
    // The old copy, which still calls the revoked key valid: refused as a rollback.
    let out = verify_snap(&env, "old.snap", "v.key", &token, &["--state", st]).code(4);
    assert!(out.stderr.contains("rollback"), "{}", out.stderr);
    verify_snap(
        &env,
        "old.snap",
        "v.key",
        &token,
        &["--state", st, "--batch"],
    )
    .code(4);
    // The default state file (in the platform state dir) keeps the floor as well.
    verify_snap(&env, "v.snap", "v.key", &token, &[]).code(12);
    verify_snap(&env, "old.snap", "v.key", &token, &[]).code(4);
    // Lowering the floor is an explicit act.
    verify_snap(
        &env,
        "old.snap",
        "v.key",
        &token,
        &["--state", st, "--accept-generation", "1"],
    )
    .code(0);
}

/// Waits (polling, at most 5 s) until `name` has the status `want`.
fn until_status(env: &TestEnv, name: &str, want: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while env.key(name)["status"] != want {
        assert!(
            std::time::Instant::now() < deadline,
            "{name} never became {want}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_graceful_rotation_is_not_an_expiry_and_a_revival_is_explicit() {
    let env = TestEnv::new();
    env.create("svc2", &[]);
    env.create("soon", &["--expires", "5d"]);
    env.run(&["rotate", "svc2", "--grace", "1h", "--yes", "--no-clipboard"])
        .code(0);
    // The superseded svc2 ends as planned in an hour: only "soon" counts.
    let out = env
        .run(&[
            "status",
            "--expiring-within",
            "7d",
            "--fail",
            "--format",
            "json",
        ])
        .code(7);
    let json = out.json();
    let names: Vec<&str> = json["expiring"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["soon"]);
    assert_eq!(env.names(&["--expiring-within", "7d"]), ["soon"]);
    env.run(&["edit", "soon", "--expires", "30d"]).code(0);
    env.run(&["status", "--expiring-within", "7d", "--fail"])
        .code(0);
    // An expired key is revived only on purpose.
    let token = env.create("old", &["--expires", "1s"]);
    until_status(&env, "old", "expired");
    let out = env.run(&["edit", "old", "--expires", "30d"]).code(8);
    assert!(out.stderr.contains("--yes"), "{}", out.stderr);
    env.verify(&token, &[]).code(13);
    env.run(&["edit", "old", "--expires", "30d", "--yes"])
        .code(0);
    env.verify(&token, &[]).code(0);
    let log = env
        .run(&["log", "--key", "old", "--format", "json"])
        .code(0)
        .stdout;
    assert!(log.contains("\"revive\""), "{log}");
}

#[test]
fn serve_refuses_a_second_cost_and_a_client_address_it_cannot_believe() {
    use crate::server::Server;
    let env = TestEnv::new();
    let token = env.create("svc", &["--allow-ip", "203.0.113.0/24", "--uses", "100"]);
    let s = Server::start(&env, &["--trusted-proxy", "127.0.0.1/32"]);
    let key = ("X-API-Key", token.as_str());
    let ok = s.get("/verify", &[key, ("X-Forwarded-For", "203.0.113.9")]);
    assert_eq!(ok.status, 200, "{ok:?}");
    // The gateway's cost and a client's beside it: never "the first one".
    let two = s.get(
        "/verify",
        &[
            key,
            ("X-Forwarded-For", "203.0.113.9"),
            ("X-Apikey-Cost", "1"),
            ("X-Apikey-Cost", "50"),
        ],
    );
    assert_eq!(
        (two.status, two.header("x-apikey-code")),
        (400, Some("malformed")),
        "{two:?}"
    );
    // From the trusted proxy, an empty or garbage address is malformed, never the proxy's.
    for bad in ["", "garbage", "203.0.113.9, nonsense", "198.51.100.1,,"] {
        let r = s.get("/verify", &[key, ("X-Forwarded-For", bad)]);
        assert_eq!(
            (r.status, r.header("x-apikey-code")),
            (400, Some("malformed")),
            "{bad:?}: {r:?}"
        );
    }
    // Several X-Forwarded-For lines are one list, read from the right (HAProxy adds its own
    // line after the one a client sent): a client's line on the left never decides.
    let forged_left = s.get(
        "/verify",
        &[
            key,
            ("X-Forwarded-For", "10.0.0.1"),
            ("X-Forwarded-For", "203.0.113.9"),
        ],
    );
    assert_eq!(forged_left.status, 200, "{forged_left:?}");
    let allowed_left = s.get(
        "/verify",
        &[
            key,
            ("X-Forwarded-For", "203.0.113.9"),
            ("X-Forwarded-For", "10.0.0.1"),
        ],
    );
    assert_eq!(
        (allowed_left.status, allowed_left.header("x-apikey-code")),
        (403, Some("ip_denied")),
        "{allowed_left:?}"
    );
    assert_eq!(s.stop(), Some(0));
    // X-Real-IP named: two of them, or one that is not an address, is malformed too.
    let s = Server::start(
        &env,
        &[
            "--trusted-proxy",
            "127.0.0.1/32",
            "--client-ip-header",
            "X-Real-IP",
        ],
    );
    assert_eq!(
        s.get("/verify", &[key, ("X-Real-IP", "203.0.113.9")])
            .status,
        200
    );
    for bad in [
        vec![("X-Real-IP", "203.0.113.9"), ("X-Real-IP", "203.0.113.10")],
        vec![("X-Real-IP", "")],
        vec![("X-Real-IP", "203.0.113.9/24")],
    ] {
        let mut h = bad.clone();
        h.push(key);
        assert_eq!(s.get("/verify", &h).status, 400, "{bad:?}");
    }
    // None of the refused requests took a use.
    assert_eq!(s.stop(), Some(0));
    assert_eq!(
        env.key("svc")["remaining"],
        97,
        "three valid answers, three uses"
    );
}

#[test]
fn a_usage_log_or_its_node_file_that_is_a_symlink_is_refused() {
    let env = TestEnv::new();
    let token = env.create("svc", &["--uses", "5"]);
    export(&env, "v.snap", "v.key");
    let elsewhere = env.write("elsewhere.txt", "untouched\n");
    std::os::unix::fs::symlink(&elsewhere, env.path("usage.log")).unwrap();
    let log = env.path("usage.log");
    let out = verify_snap(
        &env,
        "v.snap",
        "v.key",
        &token,
        &["--usage-log", log.to_str().unwrap()],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "untouched\n");
    // The node file too: a link there would lend this node another's identity.
    let log2 = env.path("u2.log");
    std::os::unix::fs::symlink(&elsewhere, env.path("u2.log.node")).unwrap();
    let out = verify_snap(
        &env,
        "v.snap",
        "v.key",
        &token,
        &["--usage-log", log2.to_str().unwrap()],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("node file"), "{}", out.stderr);
    // A regular log works.
    let ok = env.path("u3.log");
    verify_snap(
        &env,
        "v.snap",
        "v.key",
        &token,
        &["--usage-log", ok.to_str().unwrap()],
    )
    .code(0);
}

/// How many times `needle` appears in the writable memory of process `pid` (its heap, stacks
/// and anonymous mappings), read through /proc/PID/mem.
fn copies_in_memory(pid: u32, needle: &[u8]) -> usize {
    use std::io::{Read, Seek, SeekFrom};
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mut mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
    let mut found = 0;
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (range, perms) = (f.next().unwrap(), f.next().unwrap());
        if !perms.starts_with("rw") {
            continue;
        }
        let (a, b) = range.split_once('-').unwrap();
        let (a, b) = (
            u64::from_str_radix(a, 16).unwrap(),
            u64::from_str_radix(b, 16).unwrap(),
        );
        let mut buf = vec![0u8; (b - a) as usize];
        if mem.seek(SeekFrom::Start(a)).is_err() || mem.read_exact(&mut buf).is_err() {
            continue;
        }
        found += buf.windows(needle.len()).filter(|w| *w == needle).count();
    }
    found
}

#[test]
fn serve_keeps_one_copy_of_the_passphrase_in_memory() {
    let env = TestEnv::new();
    let token = env.create("svc", &[]);
    let mut cmd = env.bare_cmd(&["serve", "--listen", "127.0.0.1:0"]);
    cmd.env("APIKEYS_PASSPHRASE", crate::harness::PASS);
    let s = crate::server::Server::spawn(cmd);
    assert_eq!(s.verify(&token).status, 200);
    let copies = copies_in_memory(s.child.id(), crate::harness::PASS.as_bytes());
    assert_eq!(copies, 1, "the open store's credential, and nothing else");
    assert_eq!(s.stop(), Some(0));
}
