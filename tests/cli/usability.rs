//! Issue 11: what a new user trips over, from scripts (the PTY ones live in pty.rs).

use crate::harness::TestEnv;
use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_ends_quietly_with_exit_0() {
    let env = TestEnv::new();
    for i in 0..30 {
        env.create(&format!("key{i}"), &[]);
    }
    env.run(&["group", "create", "g", "--scope", "s"]).code(0);
    for args in [
        vec!["log"],
        vec!["log", "--format", "json"],
        vec!["show", "key1"],
        vec!["group", "list", "--format", "json"],
        vec!["policy", "show", "--format", "json"],
        vec!["list"],
        vec!["list", "--format", "json"],
        vec!["list", "--format", "csv"],
        vec!["completions", "bash"],
        vec!["man"],
    ] {
        let mut child = env
            .cmd(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before the command writes: `apikeys … | true`.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?} said: {stderr}");
    }
}

#[test]
fn rotation_keeps_the_keys_lifetime_within_the_policy() {
    let env = TestEnv::new();
    env.create("short", &["--expires", "3d"]);
    env.run(&["rotate", "short", "--yes", "--no-clipboard"])
        .code(0);
    let k = env.key("short");
    let created = chrono::DateTime::parse_from_rfc3339(k["created_at"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(k["expires_at"].as_str().unwrap()).unwrap();
    let days = (expires - created).num_hours() as f64 / 24.0;
    assert!((days - 3.0).abs() < 0.01, "successor lives {days} days");
    env.create("forever", &["--expires", "1y"]);
    env.run(&["policy", "set", "max-lifetime", "30d"]).code(0);
    env.run(&["rotate", "forever", "--yes", "--no-clipboard"])
        .code(0);
    let k = env.key("forever");
    let created = chrono::DateTime::parse_from_rfc3339(k["created_at"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(k["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!((expires - created).num_days(), 30, "capped by the policy");
}

#[test]
fn lowering_the_max_lifetime_lowers_the_default_and_counts_keys_beyond() {
    let env = TestEnv::new();
    env.create("long", &["--expires", "300d"]);
    let out = env.run(&["policy", "set", "max-lifetime", "30d"]).code(0);
    assert!(
        out.stderr.contains("default-lifetime lowered"),
        "{}",
        out.stderr
    );
    let p = env
        .run(&["policy", "show", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(p["default_lifetime"], "30d");
    assert_eq!(p["keys_beyond_max_lifetime"], 1);
    // Raising the default above the limit is still refused.
    env.run(&["policy", "set", "default-lifetime", "60d"])
        .code(7);
    // Bare `policy` and `group` show and list.
    assert!(env.run(&["policy"]).code(0).stdout.contains("max-lifetime"));
    env.run(&["group"]).code(0);
}

#[test]
fn empty_results_and_unknown_filters_say_so() {
    let env = TestEnv::new();
    let out = env.run(&["list"]).code(0);
    assert!(out.stderr.contains("create one"), "{}", out.stderr);
    env.create("alpha", &[]);
    let out = env.run(&["list", "--search", "zzzz"]).code(0);
    assert!(out.stderr.contains("no keys match"), "{}", out.stderr);
    env.run(&["list", "--group", "nosuchgroup"]).code(5);
}

#[test]
fn typos_get_a_suggestion() {
    let env = TestEnv::new();
    env.create("alpha", &[]);
    let out = env.run(&["show", "alpah"]).code(5);
    assert!(
        out.stderr.contains("did you mean `alpha`?"),
        "{}",
        out.stderr
    );
    let out = env.run(&["show", "zzzzzzzz"]).code(5);
    assert!(!out.stderr.contains("did you mean"), "{}", out.stderr);
    let out = env.run(&["show", "ALPHA"]).code(5);
    assert!(
        out.stderr.contains("did you mean `alpha`?"),
        "{}",
        out.stderr
    );
}

/// Two live keys whose names differ only in case are refused, by create, edit and import
/// alike (who would tell `Deploy` from `deploy` in a log?); a key may change its own case.
#[test]
fn names_differ_by_more_than_case() {
    let env = TestEnv::new();
    env.create("Deploy", &[]);
    let before = env.store_bytes();
    let out = env
        .run(&["create", "--name", "deploy", "--no-clipboard"])
        .code(6);
    assert!(
        out.stderr.contains(
            "a key named \"Deploy\" already exists, and names may not differ only in case"
        ),
        "{}",
        out.stderr
    );
    env.create("other", &[]);
    env.run(&["edit", "other", "--name", "DEPLOY"]).code(6);
    let secrets = env.path("secrets.jsonl");
    let out = env.run_stdin(
        &["import", "-", "--secret-file", secrets.to_str().unwrap()],
        "{\"name\":\"fresh\"}\n{\"name\":\"deploY\"}\n",
    );
    out.code(6);
    let out = env
        .run_stdin(
            &["import", "-", "--secret-file", secrets.to_str().unwrap()],
            "{\"name\":\"twin\"}\n{\"name\":\"TWIN\"}\n",
        )
        .code(6);
    assert!(out.stderr.contains("earlier line"), "{}", out.stderr);
    assert_eq!(env.names(&[]), ["Deploy", "other"]);
    assert_ne!(env.store_bytes(), before, "other was made");
    // Its own case may change.
    env.run(&["edit", "Deploy", "--name", "deploy"]).code(0);
    assert_eq!(env.names(&[]), ["deploy", "other"]);
}

#[test]
fn verify_names_paste_mistakes() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let out = env.run_stdin(&["verify"], "").code(10);
    assert!(out.stdout.contains("no token on stdin"), "{}", out.stdout);
    let out = env.verify(&format!("Bearer {token}"), &[]).code(10);
    assert!(out.stdout.contains("Bearer"), "{}", out.stdout);
    let out = env.verify(&format!("\"{token}\""), &[]).code(10);
    assert!(out.stdout.contains("quote"), "{}", out.stdout);
    assert!(!out.stdout.contains(&token[16..]));
}

#[test]
fn scopes_split_on_commas_everywhere() {
    let env = TestEnv::new();
    let token = env.create("ci", &["--scope", "a,b"]);
    assert_eq!(env.key("ci")["scopes"], serde_json::json!(["a", "b"]));
    env.verify(&token, &["--scope", "a,b"]).code(0);
    env.run(&["create", "--name", "x", "--scope", "a;b", "--no-clipboard"])
        .code(2);
}

#[test]
fn messages_say_what_happened() {
    let env = TestEnv::new();
    let out = env
        .run(&["create", "--name", "a\tb", "--no-clipboard"])
        .code(2);
    assert!(out.stderr.contains("\"a\\tb\""), "{}", out.stderr);
    let long = "x".repeat(65);
    let out = env
        .run(&["create", "--name", &long, "--no-clipboard"])
        .code(2);
    assert!(out.stderr.contains("65 characters"), "{}", out.stderr);
    let out = env
        .cmd(&["passwd", "--yes", "--kdf-iterations", "2"])
        .env("APIKEYS_PASSPHRASE", crate::harness::PASS)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("re-keyed") && stderr.contains("2 iterations"),
        "{stderr}"
    );
    for bad in ["abc", "-1", "99999"] {
        let out = env
            .cmd(&["create", "--name", "c", "--expires", "1h"])
            .env("APIKEYS_CLIP_SECONDS", bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "APIKEYS_CLIP_SECONDS={bad}");
    }
    assert!(env.keys().is_empty(), "no key minted on a bad setting");
    // 0 means "do not copy": the key is made, and the clipboard is not mentioned.
    let out = env
        .cmd(&["create", "--name", "c"])
        .env("APIKEYS_CLIP_SECONDS", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("clipboard"));
}

#[test]
fn the_actor_comes_from_the_passwd_database_without_user() {
    let env = TestEnv::new();
    let out = env
        .cmd(&["create", "--name", "c", "--no-clipboard"])
        .env_remove("APIKEYS_ACTOR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let actor = env.key("c")["created_by"].as_str().unwrap().to_string();
    assert!(!actor.starts_with("uid "), "{actor}");
    assert!(!actor.is_empty());
}

#[test]
fn a_deleted_successor_takes_its_predecessor_in_grace_with_it() {
    let env = TestEnv::new();
    let old = env.create("rot", &[]);
    let old_id = old.split('_').nth(1).unwrap().to_string();
    env.run(&["rotate", "rot", "--grace", "1h", "--yes", "--no-clipboard"])
        .code(0);
    let new_id = env.key("rot")["id"].as_str().unwrap().to_string();
    let out = env.run(&["delete", &new_id, "--yes"]).code(0);
    // SPEC §3: the predecessor still in grace goes too, and is named.
    assert!(out.stderr.contains(&old_id), "{}", out.stderr);
    env.verify(&old, &[]).code(11);
    let out = env.run(&["show", "rot"]).code(5);
    assert!(
        !out.stderr.contains(&new_id),
        "suggests a deleted key: {}",
        out.stderr
    );
}

#[test]
fn init_makes_missing_parent_directories_private() {
    let mut env = TestEnv::bare();
    env.key_file = env.path("home/.config/apikeys/ci.key");
    env.init();
    let kf = &env.key_file;
    assert_eq!(crate::harness::mode(kf.parent().unwrap()), 0o700);
    assert_eq!(crate::harness::mode(kf), 0o600);
}

#[test]
fn unlocking_hints_fit_the_store() {
    let env = TestEnv::new();
    // An empty APIKEYS_PASSPHRASE counts as unset: no attempt with an empty passphrase.
    let out = env
        .bare_cmd(&["list"])
        .env("APIKEYS_PASSPHRASE", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no key file or passphrase"));
    // The key-file hint only where the store has a key-file slot.
    let out = env
        .bare_cmd(&["list"])
        .env("APIKEYS_PASSPHRASE", "wrong wrong wrong")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--key-file"));
    env.cmd(&["passwd", "--yes", "--remove-key-file"])
        .env("APIKEYS_PASSPHRASE", crate::harness::PASS)
        .output()
        .unwrap();
    let out = env
        .bare_cmd(&["list"])
        .env("APIKEYS_PASSPHRASE", "wrong wrong wrong")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr.contains("wrong passphrase") && !stderr.contains("--key-file"),
        "{stderr}"
    );
}

#[test]
fn help_and_edits_say_what_they_mean() {
    let env = TestEnv::new();
    let help = env.run(&["group", "create", "--help"]).code(0).stdout;
    assert_eq!(help.matches("Global options:").count(), 1, "{help}");
    let usage = help.lines().find(|l| l.starts_with("Usage:")).unwrap();
    assert!(!usage.contains("--store"), "{usage}");
    assert_eq!(
        env.run(&["list", "--help"])
            .stdout
            .matches("[default: all]")
            .count(),
        1
    );
    let out = env.run(&["verify", "--token", "x"]).code(2);
    assert!(!out.stderr.contains("--store"), "{}", out.stderr);
    assert!(out.stderr.contains("stdin"), "{}", out.stderr);
    env.run(&["group", "create", "g", "--scope", "a"]).code(0);
    let out = env
        .run(&["group", "edit", "g", "--remove-scope", "nope"])
        .code(2);
    assert!(out.stderr.contains("nothing to change"), "{}", out.stderr);
}

/// A file that cannot be written or read says what to do about it: a path through a file, a
/// store the user may not read (as another user through setpriv when the suite runs as root,
/// whom permissions do not stop).
#[test]
fn a_path_that_cannot_be_used_gets_a_hint() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    env.create("k", &[]);
    let file = env.write("afile", "not a folder\n");
    let under = file.join("sub/b.store");
    let out = env.run(&["backup", under.to_str().unwrap()]).code(1);
    assert!(
        out.stderr
            .contains("hint: a part of that path is a file, not a folder"),
        "{}",
        out.stderr
    );
    let secret = file.join("token.txt");
    let out = env
        .run(&[
            "create",
            "--name",
            "x",
            "--secret-file",
            secret.to_str().unwrap(),
        ])
        .code(1);
    assert!(
        out.stderr.contains("a part of that path is a file"),
        "{}",
        out.stderr
    );
    assert_eq!(env.names(&[]), ["k"], "nothing was made");
    // A store that may not be read.
    let root = rustix::process::geteuid().as_raw() == 0;
    for p in [env.dir.path(), env.store.parent().unwrap()] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    if !root {
        std::fs::set_permissions(&env.store, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let mut c = if root {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            crate::harness::BIN,
        ]);
        c
    } else {
        Command::new(crate::harness::BIN)
    };
    c.arg("list")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("APIKEYS_STORE", &env.store)
        .env("APIKEYS_PASSPHRASE", crate::harness::PASS)
        .stdin(std::process::Stdio::null());
    let out = crate::harness::finish(c.output().unwrap()).code(1);
    assert!(
        out.stderr.contains("Permission denied")
            && out.stderr.contains("hint: check the permissions of"),
        "{}",
        out.stderr
    );
}
