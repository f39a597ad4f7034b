//! Issue 10: the holes found by trying the tool as an attacker and as a careless user would.
//! Each test failed on the code before the fix.

use crate::harness::{PASS, TestEnv, mode, opens};
use apikeys::store::format::{Header, SlotKind};
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

#[test]
fn passwd_rekeys_so_a_leaked_key_file_and_an_old_copy_open_nothing_new() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let old_copy = env.store_bytes();
    let leaked = apikeys::store::unlock::read_key_file(&env.key_file).unwrap();
    env.cmd(&["passwd", "--yes", "--remove-key-file"])
        .env("APIKEYS_PASSPHRASE", PASS)
        .status()
        .unwrap()
        .success()
        .then_some(())
        .expect("passwd --remove-key-file");
    // The attacker unwraps the old data key from the old copy with the leaked key file...
    let (old_h, _) = Header::decode(&old_copy).unwrap();
    let slot = old_h.slot(SlotKind::KeyFile).unwrap();
    let old_key = slot
        .open_key_file(&old_h.store_id, &leaked)
        .unwrap()
        .expect("the old copy opens with the leaked key file");
    assert!(opens(&old_copy, &old_key));
    // ...and it no longer opens (nor could it re-seal) the current file.
    let now = env.store_bytes();
    assert!(
        !opens(&now, &old_key),
        "the old data key still opens the store"
    );
    env.run(&["list"]).code(3);
    // Every stored hash still verifies: the pepper lives in the database, not in the key.
    env.bare_cmd(&["verify"])
        .env("APIKEYS_PASSPHRASE", PASS)
        .stdin(Stdio::piped())
        .spawn()
        .map(|mut c| {
            c.stdin.take().unwrap().write_all(token.as_bytes()).unwrap();
            assert_eq!(c.wait().unwrap().code(), Some(0));
        })
        .unwrap();
}

#[test]
fn passwd_can_raise_the_kdf_cost_and_needs_every_kept_secret() {
    let env = TestEnv::new();
    // Keeping the passphrase slot needs the passphrase: the key file alone is not enough.
    let out = env.run(&["passwd", "--yes", "--kdf-memory", "2"]).code(3);
    assert!(out.stderr.contains("APIKEYS_PASSPHRASE"), "{}", out.stderr);
    // A wrong current passphrase is refused before anything is written.
    let before = env.store_bytes();
    env.cmd(&["passwd", "--yes", "--kdf-memory", "2"])
        .env("APIKEYS_PASSPHRASE", "not the passphrase")
        .output()
        .map(|o| assert_eq!(o.status.code(), Some(3)))
        .unwrap();
    assert_eq!(env.store_bytes(), before);
    let out = env
        .cmd(&[
            "passwd",
            "--yes",
            "--kdf-memory",
            "2",
            "--kdf-iterations",
            "2",
        ])
        .env("APIKEYS_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (h, _) = Header::decode(&env.store_bytes()).unwrap();
    let kdf = h.slot(SlotKind::Passphrase).unwrap().kdf;
    assert_eq!((kdf.memory_kib, kdf.iterations), (2048, 2));
    // Both slots still open the store.
    env.run(&["list"]).code(0);
    env.with_pass(&["list"]).code(0);
    // Caps a careful user would ever choose: 2 GiB, 16 passes.
    env.run(&["passwd", "--yes", "--kdf-memory", "4096"])
        .code(2);
    env.run(&["passwd", "--yes", "--kdf-iterations", "17"])
        .code(2);
}

/// A passphrase KDF below OWASP's least Argon2id settings is allowed (tests and benchmarks
/// want a fast one) and said: at init, at passwd, and in status and admin list.
#[test]
fn a_cheap_kdf_is_said_wherever_it_is_set_or_shown() {
    let env = TestEnv::new();
    let cheap = env.path("cheap.store");
    let init = |store: &std::path::Path, args: &[&str]| {
        let mut c = env.bare_cmd(&[&["init"], args].concat());
        c.env("APIKEYS_STORE", store)
            .env("APIKEYS_PASSPHRASE", PASS);
        c.output().unwrap()
    };
    let out = init(&cheap, &["--kdf-memory", "8", "--kdf-iterations", "2"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        said.contains("warning: Argon2id at 8 MiB and 2 iterations is below OWASP's minimum")
            && said.contains("apikeys passwd --kdf-memory"),
        "{said}"
    );
    let status = |store: &std::path::Path| {
        let mut c = env.bare_cmd(&["status"]);
        c.env("APIKEYS_STORE", store)
            .env("APIKEYS_PASSPHRASE", PASS);
        String::from_utf8_lossy(&c.output().unwrap().stdout).to_string()
    };
    assert!(
        status(&cheap).contains("below OWASP's minimum"),
        "{}",
        status(&cheap)
    );
    // Raised to OWASP's 19 MiB with 2 iterations: nothing said any more.
    let mut c = env.bare_cmd(&["passwd", "--yes", "--kdf-memory", "19"]);
    c.env("APIKEYS_STORE", &cheap)
        .env("APIKEYS_PASSPHRASE", PASS);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("warning"),
        "{out:?}"
    );
    assert!(!status(&cheap).contains("OWASP"));
    // The test store's 1 MiB, 1 iteration: said by passwd too, and in admin list's json.
    let out = env
        .cmd(&["passwd", "--yes", "--kdf-memory", "1"])
        .env("APIKEYS_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("at 1 MiB and 1 iteration is below"),
        "{out:?}"
    );
    let pass = env.admin_where("kind", "passphrase");
    assert_eq!(pass["kdf"]["below_owasp_minimum"], true, "{pass}");
}

fn id_of(token: &str) -> String {
    token.split('_').nth(1).unwrap().to_string()
}

#[test]
fn a_name_can_never_shadow_an_id_nor_hide_behind_invisible_characters() {
    let env = TestEnv::new();
    let a = env.create("alpha", &[]);
    let a_id = id_of(&a);
    env.run(&["create", "--name", &a_id, "--no-clipboard"])
        .code(6);
    env.run(&["delete", &a_id, "--yes"]).code(0);
    env.verify(&a, &[]).code(11);
    let b = env.create("beta", &[]);
    // The shape of a token, invisible and direction-changing characters, stray spaces: exit 2.
    for bad in [
        b.as_str(),
        "ci\u{200b}-deploy",
        "\u{202e}evil",
        "ci\u{feff}",
        " ci",
        "ci ",
    ] {
        let out = env
            .run(&["create", "--name", bad, "--no-clipboard"])
            .code(2);
        assert!(out.stderr.contains("hint:"), "{}", out.stderr);
        assert!(!out.stderr.contains(&b[17..]), "a token's secret echoed");
    }
    env.run(&["edit", "beta", "--name", "ci\u{200d}x"]).code(2);
    // Twelve alphanumerics that are no key's id stay a fine name.
    env.create("deploybot123", &[]);
    assert_eq!(env.key("deploybot123")["name"], "deploybot123");
}

#[test]
fn a_token_given_as_key_is_resolved_by_its_id_and_never_echoed() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let secret = &token[16..];
    let out = env.run(&["revoke", &token, "--yes"]).code(0);
    assert!(!out.stderr.contains(secret) && !out.stdout.contains(secret));
    assert_eq!(env.key("ci")["status"], "inactive");
    env.run(&["delete", "ci", "--yes"]).code(0);
    let out = env.run(&["revoke", &token, "--yes"]).code(5);
    assert!(!out.stderr.contains(secret), "secret in: {}", out.stderr);
    assert!(
        out.stderr.contains(&format!("{}…", &token[..16])),
        "{}",
        out.stderr
    );
    // A token with a typo is never echoed either.
    let mut typo = token.clone();
    typo.pop();
    typo.push('x');
    let out = env.run(&["show", &typo]).code(5);
    assert!(!out.stderr.contains(secret), "secret in: {}", out.stderr);
}

#[test]
fn verify_fails_closed_on_ips() {
    let env = TestEnv::new();
    let token = env.create("ci", &["--allow-ip", "10.0.0.0/8"]);
    let out = env.verify(&token, &[]).code(14);
    assert!(out.stdout.contains("--ip"), "{}", out.stdout);
    env.verify(&token, &["--ip", "10.1.2.3"]).code(0);
    env.verify(&token, &["--ip", "11.1.2.3"]).code(14);
    let json = env.verify(&token, &["--format", "json"]).code(14).json();
    assert_eq!(json["code"], "ip_denied");
}

#[test]
fn a_symlink_planted_as_lock_file_is_refused_and_never_followed() {
    let env = TestEnv::new();
    let target = env.path("victim");
    let lock = env.store.with_file_name("apikeys.store.lock");
    let _ = std::fs::remove_file(&lock);
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    let out = env
        .run(&["create", "--name", "x", "--no-clipboard"])
        .code(1);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
    assert!(!target.exists(), "the lock followed the symlink");
}

#[test]
fn a_symlinked_store_stays_one_store() {
    let env = TestEnv::new();
    let link = env.path("link.store");
    std::os::unix::fs::symlink(&env.store, &link).unwrap();
    let via_link = env
        .cmd(&["create", "--name", "via-link", "--no-clipboard"])
        .env("APIKEYS_STORE", &link)
        .output()
        .unwrap();
    assert_eq!(via_link.status.code(), Some(0), "{via_link:?}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    assert_eq!(env.key("via-link")["name"], "via-link");
    assert!(
        !env.path("link.store.lock").exists(),
        "a second lock beside the link"
    );
}

#[test]
fn a_write_as_root_keeps_the_stores_owner() {
    use std::os::unix::fs::MetadataExt;
    if rustix::process::geteuid().as_raw() != 0 {
        eprintln!("SKIPPED: needs root to give the store another owner");
        return;
    }
    let env = TestEnv::new();
    std::os::unix::fs::chown(&env.store, Some(65534), Some(65534)).unwrap();
    env.create("ci", &[]);
    let meta = std::fs::metadata(&env.store).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert_eq!(mode(&env.store), 0o600);
}

#[test]
fn the_process_dumps_no_core() {
    let env = TestEnv::new();
    let mut child = env
        .cmd(&["verify", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // It waits on stdin; its limits are set by then.
    let limits_path = format!("/proc/{}/limits", child.id());
    let deadline = Instant::now() + Duration::from_secs(10);
    let line = loop {
        std::thread::sleep(Duration::from_millis(50));
        let limits = std::fs::read_to_string(&limits_path).unwrap_or_default();
        let line = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap_or_default()
            .to_string();
        if line.split_whitespace().nth(4) == Some("0") || Instant::now() > deadline {
            break line;
        }
    };
    drop(child.stdin.take());
    child.wait().unwrap();
    let fields: Vec<_> = line.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{line}");
}

#[test]
fn verify_never_waits_for_another_writers_lock() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(env.store.with_file_name("apikeys.store.lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut child = env
        .cmd(&["verify"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(token.as_bytes())
        .unwrap();
    // While the lock is held, a waiting verify would never end: this one must.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = child.kill();
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "verify waited on the lock"
    );
    drop(lock);
    // The use went to the history file, which needs no store lock: it counts.
    assert_eq!(env.key("ci")["use_count"], 1);
    env.verify(&token, &[]).code(0);
    assert_eq!(env.key("ci")["use_count"], 2);
}

#[test]
fn a_batch_sees_revocations_and_survives_bad_lines() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let mut child = env
        .cmd(&["verify", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    let mut ask = |line: &[u8]| {
        input.write_all(line).unwrap();
        input.write_all(b"\n").unwrap();
        input.flush().unwrap();
        let mut answer = String::new();
        output.read_line(&mut answer).unwrap();
        serde_json::from_str::<serde_json::Value>(&answer).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(ask(token.as_bytes()), "valid");
    assert_eq!(ask(b"\xff\xfe not utf-8"), "malformed");
    assert_eq!(ask(&vec![b'a'; 70 * 1024]), "malformed");
    assert_eq!(ask(token.as_bytes()), "valid");
    env.run(&["revoke", "ci", "--yes"]).code(0);
    // The batch re-reads the changed store within a second: valid until then, then revoked.
    crate::harness::eventually("the batch to see the revocation", || {
        ask(token.as_bytes()) == "inactive"
    });
    drop(input);
    assert_eq!(child.wait().unwrap().code(), Some(10));
}

#[test]
fn superseded_revoked_and_expired_keys_stay_dead() {
    let env = TestEnv::new();
    let old = env.create("rot", &[]);
    let old_id = id_of(&old);
    env.run(&["rotate", "rot", "--yes", "--no-clipboard"])
        .code(0);
    env.verify(&old, &[]).code(13);
    let out = env.run(&["edit", &old_id, "--expires", "30d"]).code(7);
    assert!(out.stderr.contains("hint:"), "{}", out.stderr);
    env.verify(&old, &[]).code(13);
    env.run(&["activate", &old_id]).code(7);
    env.create("gone", &[]);
    env.run(&["revoke", "gone", "--yes"]).code(0);
    let out = env
        .run(&["rotate", "gone", "--yes", "--no-clipboard"])
        .code(7);
    assert!(out.stderr.contains("activate"), "{}", out.stderr);
    env.create("short", &["--expires", "2s"]);
    crate::harness::eventually("the key to expire", || {
        env.key("short")["status"] == "expired"
    });
    env.run(&["rotate", "short", "--yes", "--no-clipboard"])
        .code(7);
    assert_eq!(env.keys().len(), 4, "no successor was minted");
}

#[test]
fn oversized_secret_files_fail_at_once() {
    let env = TestEnv::new();
    let out = env
        .bare_cmd(&["list", "--passphrase-file", "/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than"));
    let out = env
        .bare_cmd(&["list", "--key-file", "/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn a_forged_kdf_cost_beyond_the_caps_is_refused_before_it_runs() {
    let env = TestEnv::new();
    let mut bytes = env.store_bytes();
    // Slot 0's memory (KiB, big-endian): ask for 3 GiB.
    let at = crate::harness::slot0_kdf(&bytes);
    bytes[at..at + 4].copy_from_slice(&(3u32 * 1024 * 1024).to_be_bytes());
    std::fs::write(&env.store, crate::harness::with_crc(bytes)).unwrap();
    let out = env.with_pass(&["list"]).code(4);
    assert!(out.stderr.contains("out of bounds"), "{}", out.stderr);
}
