//! Issue 21, "housekeeping that answers wrong": each item through the real binary.

use crate::harness::TestEnv;
use std::process::Stdio;

#[test]
fn log_of_an_unknown_key_is_exit_5() {
    let env = TestEnv::new();
    let out = env.run(&["log", "--key", "nosuch"]).code(5);
    assert!(out.stderr.contains("no such key"), "{}", out.stderr);
    // A deleted key's events are still found.
    env.create("gone", &[]);
    env.run(&["delete", "gone", "--yes"]).code(0);
    env.run(&["log", "--key", "gone"]).code(0);
}

#[test]
fn edit_says_what_changed_and_refuses_what_is_not_there() {
    let env = TestEnv::new();
    env.create("k", &["--owner", "acme", "--scope", "read"]);
    env.run(&["edit", "k", "--owner", ""]).code(0);
    assert!(
        env.key("k")["owner"].is_null(),
        "--owner '' removes the owner"
    );
    let out = env.run(&["edit", "k", "--uses", "5"]).code(0);
    assert!(out.stderr.contains("uses"), "{}", out.stderr);
    assert!(!out.stderr.contains("now active"), "{}", out.stderr);
    let out = env.run(&["edit", "k", "--remove-scope", "missing"]).code(2);
    assert!(
        out.stderr.contains("has no scope") && out.stderr.contains("read"),
        "{}",
        out.stderr
    );
    // A network with host bits is stored as the network, and said so.
    let out = env.run(&["edit", "k", "--allow-ip", "10.0.0.1/8"]).code(0);
    assert!(out.stderr.contains("10.0.0.0/8"), "{}", out.stderr);
    assert_eq!(env.key("k")["allowed_ips"][0], "10.0.0.0/8");
    // One value added and removed by one edit is refused, naming the flags; nothing changes.
    let before = env.store_bytes();
    for (add, remove, value) in [
        ("--add-scope", "--remove-scope", "read"),
        ("--allow-ip", "--remove-ip", "10.0.0.0/8"),
        ("--meta", "--remove-meta", "plan"),
    ] {
        let given = if add == "--meta" { "plan=pro" } else { value };
        let out = env.run(&["edit", "k", add, given, remove, value]).code(2);
        assert!(
            out.stderr
                .contains(&format!("{add} and {remove} both name \"{value}\""))
                && out.stderr.contains("not both"),
            "{}",
            out.stderr
        );
    }
    assert_eq!(env.store_bytes(), before);
}

#[test]
fn revoking_a_revoked_key_says_so() {
    let env = TestEnv::new();
    env.create("k", &[]);
    env.run(&["revoke", "k", "--yes"]).code(0);
    let out = env.run(&["revoke", "k", "--yes"]).code(0);
    assert!(out.stderr.contains("already revoked"), "{}", out.stderr);
}

#[test]
fn backup_into_a_directory_names_the_file() {
    let env = TestEnv::new();
    let dir = env.path("backups");
    std::fs::create_dir(&dir).unwrap();
    env.run(&["backup", dir.to_str().unwrap()]).code(0);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), 1);
    let name = files[0].to_string_lossy().to_string();
    assert!(
        name.starts_with("apikeys-") && name.ends_with(".store"),
        "{name}"
    );
}

#[test]
fn a_file_that_is_not_a_store_is_named_so() {
    let env = TestEnv::new();
    let out = env
        .run(&["list", "--store", env.key_file.to_str().unwrap()])
        .code(4);
    assert!(
        out.stderr.contains("not an apikeys store"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("damaged"), "{}", out.stderr);
    // A folder given as the store (the data dir, not the file in it): named so, with where
    // the file is, not "cannot read: Is a directory".
    let out = env
        .run(&["list", "--store", env.dir.path().to_str().unwrap()])
        .code(4);
    assert!(
        out.stderr.contains("is a folder, not a store") && out.stderr.contains("hint:"),
        "{}",
        out.stderr
    );
    // init there says the same, not "a store already exists".
    let out = env
        .with_pass(&["init", "--store", env.dir.path().to_str().unwrap()])
        .code(2);
    assert!(out.stderr.contains("is a folder"), "{}", out.stderr);
}

#[test]
fn init_without_a_terminal_says_how_to_give_a_passphrase() {
    let env = TestEnv::bare();
    let out = env.run(&["init"]).code(3);
    assert!(!out.stderr.contains("cannot unlock"), "{}", out.stderr);
    assert!(
        out.stderr.contains("--passphrase-file")
            && out.stderr.contains("APIKEYS_PASSPHRASE")
            && out.stderr.contains("passwd"),
        "{}",
        out.stderr
    );
}

#[test]
fn status_gates_on_expiring_keys() {
    let env = TestEnv::new();
    env.create("soon", &["--expires", "1d"]);
    env.create("later", &["--expires", "30d"]);
    let out = env
        .run(&[
            "status",
            "--expiring-within",
            "2d",
            "--fail",
            "--format",
            "json",
        ])
        .code(7);
    let j = out.json();
    assert_eq!(j["expiring"]["keys"].as_array().unwrap().len(), 1);
    assert_eq!(j["expiring"]["keys"][0]["name"], "soon");
    let one = env
        .run(&["status", "--expiring-within", "2d", "--fail"])
        .code(7);
    assert!(
        one.stderr.contains("error: 1 key expires within 2d"),
        "{}",
        one.stderr
    );
    let both = env
        .run(&["status", "--expiring-within", "60d", "--fail"])
        .code(7);
    assert!(
        both.stderr.contains("error: 2 keys expire within"),
        "{}",
        both.stderr
    );
    env.run(&["status", "--expiring-within", "1h", "--fail"])
        .code(0);
    let table = env
        .run(&["status", "--expiring-within", "2d"])
        .code(0)
        .stdout;
    assert!(
        table.contains("soon") && !table.contains("later"),
        "{table}"
    );
    // The table's header is not its first row again.
    assert_eq!(table.matches("│ store").count(), 1, "{table}");
}

#[test]
fn list_shows_group_scopes_and_uses_left() {
    let env = TestEnv::new();
    env.run(&["group", "create", "ops", "--scope", "ops:all"])
        .code(0);
    env.create("k", &["--group", "ops", "--uses", "7"]);
    let table = env.run(&["list"]).code(0).stdout;
    assert!(table.contains("ops:all"), "{table}");
    assert!(
        table.contains("uses left") && table.contains(" 7 "),
        "{table}"
    );
}

#[test]
fn the_environment_is_not_shown_as_typed_and_completions_hide_the_helper() {
    let env = TestEnv::new();
    let out = env.run(&["revoke"]).code(2);
    assert!(!out.stderr.contains("--key-file"), "{}", out.stderr);
    for shell in ["bash", "zsh", "fish"] {
        let out = env.run(&["completions", shell]).code(0);
        assert!(!out.stdout.contains("clipboard-helper"), "{shell}");
    }
}

#[test]
fn batch_answers_in_json_only() {
    let env = TestEnv::new();
    let out = env.run(&["verify", "--batch", "--format", "table"]).code(2);
    assert!(out.stderr.contains("json"), "{}", out.stderr);
}

#[test]
fn a_full_stdout_is_an_error_for_help_and_json() {
    let env = TestEnv::new();
    for args in [
        &["--help"][..],
        &["--version"],
        &["list", "--format", "json"],
    ] {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = env
            .cmd(args)
            .stdout(Stdio::from(f))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("cannot write stdout") && !err.contains("json error"),
            "{args:?}: {err}"
        );
    }
}
