//! Issue 25, SPEC §12: import many keys in one write, revoke by filters.

use crate::faults::TinyFs;
use crate::harness::TestEnv;

fn import(env: &TestEnv, lines: &str, secret: &str) -> crate::harness::Run {
    let file = env.write("in.jsonl", lines);
    let secret = env.path(secret);
    env.run(&[
        "import",
        file.to_str().unwrap(),
        "--secret-file",
        secret.to_str().unwrap(),
    ])
}

#[test]
fn a_good_file_imports_in_one_write_with_tokens_in_the_secret_file() {
    let env = TestEnv::new();
    env.run(&["group", "create", "ops", "--scope", "ops:all"])
        .code(0);
    let lines = r#"{"name":"a","owner":"acme","meta":{"plan":"pro"},"scopes":["read"],"groups":["ops"],"allow_ip":["10.0.0.1/8"],"expires":"30d","uses":100,"refill":"100/30d","rate":["10/1s"],"prefix":"cu","description":"first"}
{"name":"b","rate":"5/1s"}

{"name":"c"}
"#;
    let out = import(&env, lines, "tokens.jsonl").code(0);
    assert!(out.stderr.contains("imported 3 keys"), "{}", out.stderr);
    let secret = env.path("tokens.jsonl");
    assert_eq!(crate::harness::mode(&secret), 0o600);
    let text = std::fs::read_to_string(&secret).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .starts_with(r#"{"name":"a","id":"#),
        "{text}"
    );
    for r in &rows {
        let token = r["token"].as_str().unwrap();
        assert!(token.contains(r["id"].as_str().unwrap()));
        env.verify(token, &["--ip", "10.1.2.3", "--scope", "read"])
            .code(if r["name"] == "a" { 0 } else { 15 });
    }
    let a = env.key("a");
    assert_eq!(a["owner"], "acme");
    assert_eq!(a["allowed_ips"][0], "10.0.0.0/8");
    assert_eq!(a["rates"][0], "10/1s");
    assert_eq!(a["refill"], "100/30d");
    assert!(rows[0]["token"].as_str().unwrap().starts_with("cu_"));
    // Nothing secret on stdout or stderr.
    assert!(!out.stdout.contains(rows[0]["token"].as_str().unwrap()));
    // From stdin too.
    let secret2 = env.path("t2.jsonl");
    env.run_stdin(
        &["import", "-", "--secret-file", secret2.to_str().unwrap()],
        "{\"name\":\"d\"}\n",
    )
    .code(0);
    assert_eq!(env.keys().len(), 4);
}

#[test]
fn one_bad_line_refuses_the_whole_import_with_its_number() {
    let env = TestEnv::new();
    env.create("taken", &[]);
    let before = env.store_bytes();
    let good = "{\"name\":\"ok1\"}\n";
    let cases: &[(&str, &str, i32)] = &[
        ("not json", "{\"name\":", 2),
        ("unknown field", "{\"nme\":\"x\"}", 2),
        ("bad name", "{\"name\":\"a\\u0000b\"}", 2),
        ("taken name", "{\"name\":\"taken\"}", 6),
        ("unknown group", "{\"name\":\"g\",\"groups\":[\"nope\"]}", 5),
        ("bad rate", "{\"name\":\"r\",\"rate\":\"0/1s\"}", 2),
        ("bad ip", "{\"name\":\"i\",\"allow_ip\":[\"999.1.1.1\"]}", 2),
        ("past the policy", "{\"name\":\"p\",\"expires\":\"5y\"}", 7),
        (
            "refill without uses",
            "{\"name\":\"f\",\"refill\":\"1/1d\"}",
            2,
        ),
        ("duplicate in the file", "{\"name\":\"ok1\"}", 6),
        ("a JSON array", "[{\"name\":\"x\"}]", 2),
    ];
    for (what, bad, code) in cases {
        let out = import(&env, &format!("{good}{bad}\n"), "never.jsonl");
        assert_eq!(out.code, *code, "{what}: {out:?}");
        assert!(out.stderr.contains("line 2"), "{what}: {}", out.stderr);
        assert!(
            out.stderr.contains("nothing was imported"),
            "{what}: {}",
            out.stderr
        );
        assert!(
            !env.path("never.jsonl").exists(),
            "{what}: a secret file was left"
        );
        assert_eq!(env.store_bytes(), before, "{what}: the store changed");
    }
    // An existing secret file is never overwritten.
    let existing = env.write("exists.jsonl", "keep me\n");
    let file = env.write("in.jsonl", good);
    let out = env.run(&[
        "import",
        file.to_str().unwrap(),
        "--secret-file",
        existing.to_str().unwrap(),
    ]);
    assert_ne!(out.code, 0);
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me\n");
    assert_eq!(env.store_bytes(), before);
    // --secret-file is required.
    env.run(&["import", file.to_str().unwrap()]).code(2);
    // An array says what import reads, and how to get it.
    let out = import(&env, "[{\"name\":\"x\"}]\n", "never.jsonl").code(2);
    assert!(out.stderr.contains("jq -c '.[]'"), "{}", out.stderr);
    // A file saved with a byte-order mark (Windows editors) imports as it is.
    import(&env, "\u{feff}{\"name\":\"bom\"}\n", "bom.jsonl").code(0);
    env.run(&["show", "bom"]).code(0);
}

#[test]
fn a_secret_file_that_cannot_be_written_creates_no_key() {
    let env = TestEnv::new();
    let Some(fs) = TinyFs::mount(&env.path("tiny"), "16k") else {
        return;
    };
    let before = env.store_bytes();
    let lines: String = (0..400)
        .map(|i| format!("{{\"name\":\"k{i}\"}}\n"))
        .collect();
    let file = env.write("in.jsonl", &lines);
    let secret = fs.dir.join("tokens.jsonl");
    let out = env.run(&[
        "import",
        file.to_str().unwrap(),
        "--secret-file",
        secret.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("No space left"), "{}", out.stderr);
    assert_eq!(
        env.store_bytes(),
        before,
        "no key exists whose token was lost"
    );
    assert!(!secret.exists());
}

#[test]
fn revoke_by_filters_acts_on_all_that_match_in_one_write() {
    let env = TestEnv::new();
    env.run(&["group", "create", "ops", "--scope", "x"]).code(0);
    let a = env.create("a", &["--owner", "acme", "--meta", "env=prod"]);
    let b = env.create(
        "b",
        &["--owner", "acme", "--meta", "env=staging", "--group", "ops"],
    );
    let c = env.create("c", &["--owner", "other", "--meta", "env=staging"]);
    // list shows what revoke would take.
    let listed = env.names(&["--owner", "acme", "--meta", "env=staging"]);
    assert_eq!(listed, ["b"]);
    env.run(&["revoke", "--owner", "acme", "--meta", "env=staging"])
        .code(8);
    let out = env
        .run(&[
            "revoke",
            "--owner",
            "acme",
            "--meta",
            "env=staging",
            "--yes",
        ])
        .code(0);
    assert!(
        out.stderr.contains("revoked 1 key in one write"),
        "{}",
        out.stderr
    );
    env.verify(&b, &[]).code(12);
    env.verify(&a, &[]).code(0);
    env.run(&["revoke", "--group", "ops", "--yes"]).code(5);
    env.run(&["revoke", "--owner", "nobody", "--yes"]).code(5);
    // Times are whole seconds: once the clock is two seconds past c's creation, a, b and c
    // are older than the 1 s window and d, made now, is not.
    let c_at = chrono::DateTime::parse_from_rfc3339(env.key("c")["created_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    crate::harness::eventually("two seconds to pass", || {
        chrono::Utc::now().timestamp() > c_at + 1
    });
    let d = env.create("d", &[]);
    env.run(&["revoke", "--created-before", "1s", "--yes"])
        .code(0);
    env.verify(&a, &[]).code(12);
    env.verify(&c, &[]).code(12);
    env.verify(&d, &[]).code(0);
    env.run(&["revoke", "a", "--owner", "acme", "--yes"])
        .code(2);
}

#[test]
fn the_latest_use_records_its_client_address() {
    let env = TestEnv::new();
    let t = env.create("k", &[]);
    env.verify(&t, &["--ip", "10.1.2.3"]).code(0);
    assert_eq!(env.key("k")["last_used_ip"], "10.1.2.3");
    let limited = env.create("l", &["--uses", "5"]);
    env.verify(&limited, &["--ip", "192.0.2.7"]).code(0);
    assert_eq!(env.key("l")["last_used_ip"], "192.0.2.7");
    // serve, through a trusted proxy: the client's address, written back with the uses.
    let s = crate::server::Server::start(&env, &["--trusted-proxy", "127.0.0.1/32"]);
    let a = crate::server::get(
        &s.addr,
        "/verify",
        &[("X-API-Key", &t), ("X-Forwarded-For", "198.51.100.4")],
    );
    assert_eq!(a.status, 200);
    assert_eq!(s.stop(), Some(0));
    assert_eq!(env.key("k")["last_used_ip"], "198.51.100.4");
    let shown = env.run(&["show", "k"]).code(0).stdout;
    assert!(shown.contains("from 198.51.100.4"), "{shown}");
}
