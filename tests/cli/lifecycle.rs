//! Issue 3: create, list, show, revoke, activate, edit, delete, groups, policy, log.

use crate::harness::{TestEnv, mode};

fn secret_part(token: &str) -> &str {
    &token[token.len() - 49..token.len() - 6]
}

#[test]
fn create_prints_the_token_once_and_never_again() {
    let env = TestEnv::new();
    let token = env.create("ci", &["--scope", "deploy", "--description", "pipeline"]);
    let secret = secret_part(&token);
    let outputs = [
        env.run(&["list"]).code(0).stdout,
        env.run(&["list", "--format", "json"]).code(0).stdout,
        env.run(&["list", "--format", "csv"]).code(0).stdout,
        env.run(&["show", "ci"]).code(0).stdout,
        env.run(&["show", "ci", "--format", "json"]).code(0).stdout,
        env.run(&["log", "--format", "json"]).code(0).stdout,
        env.run(&["log"]).code(0).stdout,
        env.verify(&token, &["--format", "json"]).code(0).stdout,
    ];
    for out in &outputs {
        assert!(
            !out.contains(secret) && !out.contains(&secret[..12]),
            "secret leaked: {out}"
        );
    }
    let store = env.store_bytes();
    for needle in [secret.as_bytes(), b"pipeline", b"deploy"] {
        assert!(
            !store.windows(needle.len()).any(|w| w == needle),
            "plaintext in the store file"
        );
    }
    let k = env.key("ci");
    assert_eq!(
        k["key"],
        format!("{}…{}", &token[..16], &token[token.len() - 6..])
    );
    assert_eq!(k["status"], "active");
    // The admin whose slot opened the store, with the --actor note beside it.
    assert_eq!(k["created_by"], "key-file (tester)");
}

#[test]
fn create_json_carries_the_full_token_once() {
    let env = TestEnv::new();
    let out = env
        .run(&[
            "create",
            "--name",
            "svc",
            "--no-clipboard",
            "--format",
            "json",
            "--expires",
            "1d",
        ])
        .code(0);
    let j = out.json();
    let token = j["key"].as_str().unwrap();
    env.verify(token, &[]).code(0);
    assert_eq!(j["name"], "svc");
    assert!(j["expires_at"].as_str().unwrap().ends_with('Z'));
    for field in [
        "id",
        "status",
        "created_at",
        "created_by",
        "last_used_at",
        "use_count",
        "description",
        "scopes",
        "groups",
        "allowed_ips",
    ] {
        assert!(j.get(field).is_some(), "missing {field}");
    }
}

#[test]
fn create_refuses_bad_input_with_the_contract_codes() {
    let env = TestEnv::new();
    env.create("ci", &[]);
    let dup = env
        .run(&["create", "--name", "ci", "--no-clipboard"])
        .code(6);
    assert!(dup.stderr.contains("already exists") && dup.stderr.contains("hint:"));
    for bad in ["", "x\u{1b}[2J", &"n".repeat(65)] {
        env.run(&["create", "--name", bad, "--no-clipboard"])
            .code(2);
    }
    env.run(&["create", "--name", "p", "--prefix", "Bad_Prefix"])
        .code(2);
    env.run(&["create", "--name", "g", "--group", "nope", "--no-clipboard"])
        .code(5);
    env.run(&[
        "create",
        "--name",
        "far",
        "--expires",
        "2y",
        "--no-clipboard",
    ])
    .code(7);
    env.run(&[
        "create",
        "--name",
        "forever",
        "--expires",
        "never",
        "--no-clipboard",
    ])
    .code(7);
    env.run(&[
        "create",
        "--name",
        "past",
        "--expires",
        "2001-01-01",
        "--no-clipboard",
    ])
    .code(2);
    env.run(&[
        "create",
        "--name",
        "ip",
        "--allow-ip",
        "10.0.0.0/40",
        "--no-clipboard",
    ])
    .code(2);
    let no_name = env.run(&["create"]).code(2);
    assert!(no_name.stderr.contains("--name"), "{no_name:?}");
    assert_eq!(env.keys().len(), 1, "no refused create may leave a key");
}

#[test]
fn every_expiry_form_is_accepted_within_policy() {
    let env = TestEnv::new();
    for (i, e) in ["1h", "12h", "1d", "5d", "1y", "30m", "36h", "10d", "6w"]
        .iter()
        .enumerate()
    {
        env.create(&format!("k{i}"), &["--expires", e]);
    }
    env.create("dated", &["--expires", &date_in(2, "+%Y-%m-%d")]);
    env.create(
        "rfc",
        &["--expires", &date_in(3, "+%Y-%m-%dT%H:%M:%S+02:00")],
    );
    let _ = env.run(&["policy", "set", "max-lifetime", "none"]).code(0);
    env.create("forever", &["--expires", "never"]);
    assert_eq!(env.key("forever")["expires_at"], serde_json::Value::Null);
}

/// A date some days from now in `format`, computed by date(1) rather than the code under test.
fn date_in(days: i64, format: &str) -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &format!("+{days} days"), format])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn secret_file_keeps_the_token_off_stdout() {
    let env = TestEnv::new();
    let file = env.path("token.txt");
    let out = env
        .run(&[
            "create",
            "--name",
            "ci",
            "--secret-file",
            file.to_str().unwrap(),
        ])
        .code(0);
    let token = std::fs::read_to_string(&file).unwrap();
    assert!(
        token.starts_with("ak_") && !out.stdout.contains(token.trim()),
        "{out:?}"
    );
    assert_eq!(mode(&file), 0o600);
    env.verify(token.trim(), &[]).code(0);
    env.run(&[
        "create",
        "--name",
        "two",
        "--secret-file",
        file.to_str().unwrap(),
    ])
    .code(6);
    assert_eq!(
        env.keys().len(),
        1,
        "a taken secret file must fail before the key is created"
    );
}

#[test]
fn list_filters_and_formats() {
    let env = TestEnv::new();
    env.run(&["group", "create", "ops", "--scope", "ops:all"])
        .code(0);
    env.create("soon", &["--expires", "2d", "--scope", "read"]);
    env.create(
        "later",
        &[
            "--expires",
            "60d",
            "--group",
            "ops",
            "--description",
            "Nightly Backup",
        ],
    );
    env.create("gone", &[]);
    env.run(&["revoke", "gone", "--yes"]).code(0);
    let names = |filters: &[&str]| env.names(filters);
    assert_eq!(names(&[]), ["soon", "later", "gone"]);
    assert_eq!(names(&["--status", "inactive"]), ["gone"]);
    assert_eq!(names(&["--status", "active"]), ["soon", "later"]);
    assert_eq!(names(&["--expiring-within", "7d"]), ["soon"]);
    assert_eq!(names(&["--group", "ops"]), ["later"]);
    assert_eq!(names(&["--scope", "ops:all"]), ["later"]);
    assert_eq!(names(&["--search", "backup"]), ["later"]);
    let soon = env
        .keys()
        .into_iter()
        .find(|k| k["name"] == "soon")
        .unwrap();
    assert_eq!(soon["expiring_soon"], true);
    let table = env.run(&["list"]).code(0).stdout;
    assert!(
        table.contains("active (expiring)") && table.contains("inactive"),
        "{table}"
    );
    assert!(
        !table.contains('\u{1b}'),
        "NO_COLOR and a pipe get no colour"
    );
    let csv = env.run(&["list", "--format", "csv"]).code(0).stdout;
    assert!(csv.starts_with("id,name,key,status,"));
    assert_eq!(csv.lines().count(), 4);
    env.run(&["list", "--status", "bogus"]).code(2);
    env.run(&["show", "soon", "--format", "csv"]).code(2);
}

#[test]
fn revoke_activate_and_delete_need_confirmation_and_name_keys() {
    let env = TestEnv::new();
    let a = env.create("a", &[]);
    env.create("b", &[]);
    let id_b = env.key("b")["id"].as_str().unwrap().to_string();
    let refused = env.run(&["revoke", "a", &id_b]).code(8);
    assert!(refused.stderr.contains("--yes"));
    assert!(
        env.keys().iter().all(|k| k["status"] == "active"),
        "a refused revoke changes nothing"
    );
    env.run(&["revoke", "a", "nope", "--yes"]).code(5);
    assert!(
        env.keys().iter().all(|k| k["status"] == "active"),
        "an unknown key aborts the whole revoke"
    );
    env.run(&["revoke", "a", &id_b, "--yes", "--reason", "leaked"])
        .code(0);
    assert!(env.keys().iter().all(|k| k["status"] == "inactive"));
    assert_eq!(env.key("a")["revoked_reason"], "leaked");
    env.verify(&a, &[]).code(12);
    env.run(&["activate", "a"]).code(0);
    env.verify(&a, &[]).code(0);
    env.run(&["delete", "a"]).code(8);
    env.run(&["delete", "a", "b", "--yes"]).code(0);
    assert!(env.keys().is_empty());
    env.verify(&a, &[]).code(11);
    env.run(&["show", "a"]).code(5);
    let log = env
        .run(&["log", "--key", "a", "--format", "json"])
        .code(0)
        .json_lines();
    let actions: Vec<_> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["create", "revoke", "activate", "delete"]);
}

#[test]
fn activate_refuses_an_expired_key_until_edited() {
    let env = TestEnv::new();
    env.create("short", &["--expires", "2s"]);
    env.run(&["revoke", "short", "--yes"]).code(0);
    crate::harness::eventually("the key to expire", || {
        env.key("short")["expires_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .is_some_and(|t| t <= chrono::Utc::now())
    });
    let out = env.run(&["activate", "short"]).code(7);
    assert!(out.stderr.contains("edit"), "{out:?}");
    env.run(&["edit", "short", "--expires", "1d"]).code(0);
    env.run(&["activate", "short"]).code(0);
    assert_eq!(env.key("short")["status"], "active");
}

#[test]
fn edit_changes_settings_within_policy() {
    let env = TestEnv::new();
    let token = env.create("ci", &["--scope", "a", "--expires", "30d"]);
    env.create("other", &[]);
    env.run(&["edit", "ci", "--name", "other"]).code(6);
    env.run(&["edit", "ci", "--expires", "2y"]).code(7);
    env.run(&["edit", "nope", "--description", "x"]).code(5);
    env.run(&["edit", "ci"]).code(2);
    env.run(&["edit", "ci", "--add-group", "missing"]).code(5);
    env.run(&[
        "edit",
        "ci",
        "--name",
        "ci2",
        "--add-scope",
        "b",
        "--remove-scope",
        "a",
        "--allow-ip",
        "2001:db8::/32",
        "--expires",
        "1d",
        "--description",
        "moved",
    ])
    .code(0);
    let k = env.key("ci2");
    assert_eq!(k["scopes"], serde_json::json!(["b"]));
    assert_eq!(k["allowed_ips"], serde_json::json!(["2001:db8::/32"]));
    assert_eq!(k["description"], "moved");
    env.verify(&token, &["--ip", "2001:db8::1", "--scope", "b"])
        .code(0);
    env.run(&["edit", "ci2", "--remove-ip", "2001:db8::/32"])
        .code(0);
    assert_eq!(env.key("ci2")["allowed_ips"], serde_json::json!([]));
    let log = env.run(&["log", "--key", "ci2"]).code(0).stdout;
    assert!(log.contains("edit") && log.contains("name"), "{log}");
}

#[test]
fn groups_bundle_scopes() {
    let env = TestEnv::new();
    env.run(&[
        "group", "create", "readers", "--scope", "read:a", "--scope", "read:b",
    ])
    .code(0);
    env.run(&["group", "create", "readers", "--scope", "x"])
        .code(6);
    env.run(&["group", "create", "empty"]).code(2);
    let token = env.create("ci", &["--group", "readers", "--scope", "own"]);
    env.verify(&token, &["--scope", "read:b", "--scope", "own"])
        .code(0);
    env.verify(&token, &["--scope", "write"]).code(15);
    env.run(&[
        "group",
        "edit",
        "readers",
        "--add-scope",
        "write",
        "--remove-scope",
        "read:b",
    ])
    .code(0);
    env.verify(&token, &["--scope", "write"]).code(0);
    env.verify(&token, &["--scope", "read:b"]).code(15);
    env.run(&["group", "edit", "nope", "--add-scope", "x"])
        .code(5);
    let list = env
        .run(&["group", "list", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(list[0]["name"], "readers");
    assert_eq!(list[0]["keys"], 1);
    let refused = env.run(&["group", "delete", "readers"]).code(8);
    assert!(refused.stderr.contains("--yes"), "{refused:?}");
    env.run(&["group", "delete", "readers", "--yes"]).code(0);
    assert_eq!(env.key("ci")["groups"], serde_json::json!([]));
    env.verify(&token, &["--scope", "write"]).code(15);
    env.run(&["group", "delete", "readers", "--yes"]).code(5);
}

#[test]
fn policy_limits_hold_on_create_and_edit() {
    let env = TestEnv::new();
    let shown = env
        .run(&["policy", "show", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(shown["max_lifetime"], "1y");
    assert_eq!(shown["default_lifetime"], "1y");
    // Lowering the limit below the default lowers the default with it (issue 11).
    env.run(&["policy", "set", "max-lifetime", "30d"]).code(0);
    env.run(&["policy", "set", "default-lifetime", "7d"])
        .code(0);
    env.run(&["policy", "set", "max-lifetime", "30d"]).code(0);
    env.create("ci", &[]);
    // The 7-day default lifetime applies: the key expires within 7 days, not in a year.
    assert_eq!(env.key("ci")["expiring_soon"], true);
    env.run(&[
        "create",
        "--name",
        "long",
        "--expires",
        "31d",
        "--no-clipboard",
    ])
    .code(7);
    env.run(&["edit", "ci", "--expires", "31d"]).code(7);
    env.run(&["edit", "ci", "--expires", "29d"]).code(0);
    env.run(&["policy", "set", "max-lifetime", "soon"]).code(2);
    env.run(&["policy", "set", "default-lifetime", "none"])
        .code(2);
    let log = env.run(&["log"]).code(0).stdout;
    assert!(log.contains("policy set"), "{log}");
}

#[test]
fn hostile_text_is_stored_as_is_and_shown_inert() {
    let env = TestEnv::new();
    let name = "x'); DROP TABLE keys; --\"";
    let desc = "evil \u{1b}]0;pwned\u{7}\u{1b}[2J text";
    let scope = "scope\u{1b}[31m";
    // A scope with a control character is refused; other text is kept as it is.
    env.run(&["create", "--name", name, "--scope", scope, "--no-clipboard"])
        .code(2);
    env.create(name, &["--description", desc]);
    let k = env.key(name);
    assert_eq!(k["name"], name);
    assert_eq!(k["description"], desc);
    for args in [
        vec!["list"],
        vec!["show", name],
        vec!["log"],
        vec!["list", "--format", "csv"],
    ] {
        let out = env.run(&args).code(0);
        assert!(
            !out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'),
            "escape reached the terminal: {args:?}"
        );
    }
    assert!(env.run(&["show", name]).stdout.contains("DROP TABLE"));
}

#[test]
fn log_filters_by_key_and_time() {
    let env = TestEnv::new();
    env.create("a", &[]);
    env.create("b", &[]);
    env.run(&["revoke", "b", "--yes"]).code(0);
    let all = env.run(&["log", "--format", "json"]).code(0).json_lines();
    assert_eq!(all.as_array().unwrap().len(), 4); // init, create a, create b, revoke b
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"].as_str().unwrap().ends_with(" (tester)"))
    );
    let b = env
        .run(&["log", "--key", "b", "--format", "json"])
        .code(0)
        .json_lines();
    assert_eq!(b.as_array().unwrap().len(), 2);
    let future = env
        .run(&["log", "--since", "2099-01-01", "--format", "json"])
        .code(0)
        .json_lines();
    assert!(future.as_array().unwrap().is_empty());
    assert_eq!(
        env.run(&["log", "--since", "1h", "--format", "json"])
            .code(0)
            .json_lines()
            .as_array()
            .unwrap()
            .len(),
        4
    );
    env.run(&["log", "--since", "yesterday"]).code(2);
}
