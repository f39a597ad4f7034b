//! Issue 35: what a new user tripped over, each with the message and exit code they see, and
//! the bulk and log verbs they reached for.

use crate::fleet::{export, verify_snap};
use crate::harness::TestEnv;

#[test]
fn messages_say_what_is_wrong_with_the_exit_code_of_the_contract() {
    let env = TestEnv::new();
    let token = env.create("svc", &[]);
    // A missing snapshot is a snapshot, not a store to init.
    export(&env, "v.snap", "v.key");
    let out = verify_snap(&env, "nosuch.snap", "v.key", &token, &[]);
    assert!(
        out.stderr.contains("no verifier snapshot at") && !out.stderr.contains("apikeys init"),
        "{}",
        out.stderr
    );
    // A folder given for it (where the snapshots are shipped) is named so.
    std::fs::create_dir(env.path("snaps")).unwrap();
    let out = verify_snap(&env, "snaps", "v.key", &token, &[]).code(1);
    assert!(
        out.stderr.contains("is a folder, not a verifier snapshot"),
        "{}",
        out.stderr
    );
    // A bad --cost is a usage error, not a malformed token.
    let out = env.verify(&token, &["--cost", "0"]).code(2);
    assert!(out.stderr.contains("invalid --cost"), "{}", out.stderr);
    // --uses 0 would make a key that can never be used.
    let out = env
        .run(&["create", "--name", "none", "--uses", "0"])
        .code(2);
    assert!(out.stderr.contains("can never be used"), "{}", out.stderr);
    // edit --owner says what changed in words, not Rust's Debug text.
    env.run(&["edit", "svc", "--owner", "evil"]).code(0);
    let out = env.run(&["edit", "svc", "--owner", "other"]).code(0);
    assert!(
        out.stderr.contains("owner \"evil\" -> \"other\""),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("Some("), "{}", out.stderr);
    let out = env.run(&["edit", "svc", "--owner", ""]).code(0);
    assert!(out.stderr.contains("-> (none)"), "{}", out.stderr);
    // status -q prints nothing; the exit code is the answer.
    let out = env.run(&["-q", "status"]).code(0);
    assert_eq!(out.stdout, "");
    // backup dir/ of a missing directory says so.
    let missing = format!("{}/", env.path("no-such-dir").display());
    let out = env.run(&["backup", &missing]).code(2);
    assert!(out.stderr.contains("no directory"), "{}", out.stderr);
    // --secret-file in a missing directory: made 0700, and said.
    let deep = env.path("new/dir/token");
    let out = env
        .run(&[
            "create",
            "--name",
            "filed",
            "--secret-file",
            deep.to_str().unwrap(),
        ])
        .code(0);
    assert!(
        out.stderr.contains("created the directory"),
        "{}",
        out.stderr
    );
    assert_eq!(crate::harness::mode(&env.path("new/dir")) & 0o777, 0o700);
}

#[test]
fn uses_and_rates_on_a_snapshot_without_a_usage_log_say_so() {
    let env = TestEnv::new();
    let used = env.create("used", &["--uses", "10"]);
    let rated = env.create("rated", &["--rate", "5/1m"]);
    export(&env, "v.snap", "v.key");
    for token in [&used, &rated] {
        let out = verify_snap(&env, "v.snap", "v.key", token, &["--format", "json"]).code(19);
        let j = out.json();
        assert_eq!(j["code"], "counters_unavailable");
        assert!(j.get("remaining").is_none(), "no count is known: {j}");
        let reason = j["reason"].as_str().unwrap();
        assert!(reason.contains("--usage-log"), "{reason}");
        assert!(!reason.contains("has a usage limit"), "{reason}");
    }
}

#[test]
fn invisible_padding_is_taken_as_padding_and_inside_a_token_it_is_named() {
    let env = TestEnv::new();
    let token = env.create("svc", &[]);
    for pad in ["\u{00A0}", "\u{200B}", "\u{FEFF}"] {
        env.run_stdin(&["verify"], &format!("{token}{pad}\n"))
            .code(0);
        env.run_stdin(&["verify"], &format!("{pad}{token}\n"))
            .code(0);
    }
    let inside = format!("{}\u{200B}{}", &token[..20], &token[20..]);
    let out = env.run_stdin(&["verify"], &format!("{inside}\n")).code(10);
    assert!(out.stdout.contains("U+200B"), "{}", out.stdout);
}

#[test]
fn batch_skips_blank_lines_and_numbers_its_answers() {
    let env = TestEnv::new();
    let token = env.create("svc", &[]);
    let out = env.run_stdin(&["verify", "--batch"], &format!("{token}\n\n   \nak_bad\n"));
    assert_eq!(out.code, 10);
    let lines = out.json_lines();
    let got: Vec<(u64, &str)> = lines
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["code"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(1, "valid"), (4, "malformed")]);
}

#[test]
fn import_says_which_line_and_what_was_expected() {
    let env = TestEnv::new();
    env.create("taken", &[]);
    let secrets = env.path("t.jsonl");
    let import = |text: &str| {
        let f = env.write("in.jsonl", text);
        env.run(&[
            "import",
            f.to_str().unwrap(),
            "--secret-file",
            secrets.to_str().unwrap(),
        ])
    };
    let out = import("{\"name\":\"a\"}\n{name: b}\n").code(2);
    assert!(
        out.stderr.contains("line 2") && out.stderr.contains("not valid JSON"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("expected ident"), "{}", out.stderr);
    let out = import("{\"name\":\"taken\"}\n").code(6);
    assert!(out.stderr.contains("line 1"), "{}", out.stderr);
    assert!(
        !out.stderr.contains("--name"),
        "import has no --name: {}",
        out.stderr
    );
    let out = import("{\"name\":\"m\",\"meta\":{\"a=b\":\"c\"}}\n").code(2);
    assert!(out.stderr.contains("contains `=`"), "{}", out.stderr);
    let help = env.run(&["import", "--help"]).code(0).stdout;
    for field in [
        "allow_ip",
        "expires",
        "refill",
        "rate",
        "prefix",
        "description",
    ] {
        assert!(
            help.contains(&format!("  {field} ")),
            "{field} not listed:\n{help}"
        );
    }
    assert!(!secrets.exists(), "nothing imported, no secret file");
}

#[test]
fn admin_add_messages_and_one_credential_one_admin() {
    let env = TestEnv::new();
    let out = env
        .run(&["admin", "add", "dave", "--passphrase", "--yes"])
        .code(3);
    assert!(
        out.stderr.contains("cannot add a passphrase admin")
            && !out.stderr.contains("cannot change the passphrase"),
        "{}",
        out.stderr
    );
    let recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    env.run(&["admin", "add", "carol", "--age", recipient, "--yes"])
        .code(0);
    let out = env
        .run(&["admin", "add", "carol2", "--age", recipient, "--yes"])
        .code(6);
    assert!(
        out.stderr.contains("is admin carol already"),
        "{}",
        out.stderr
    );
}

#[test]
fn init_names_the_first_admin() {
    let env = TestEnv::bare();
    let kf = env.key_file.to_str().unwrap().to_string();
    env.with_pass(&[
        "init",
        "--admin",
        "alice",
        "--kdf-memory",
        "1",
        "--kdf-iterations",
        "1",
        "--with-key-file",
        &kf,
    ])
    .code(0);
    let admins = env
        .run(&["admin", "list", "--format", "json"])
        .code(0)
        .json();
    let names: Vec<&str> = admins
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alice", "alice-key-file"]);
    env.with_pass(&["create", "--name", "k", "--no-clipboard"])
        .code(0);
    let log = env
        .run(&["log", "--key", "k", "--format", "json"])
        .code(0)
        .json_lines();
    assert!(
        log[0]["actor"].as_str().unwrap().starts_with("alice"),
        "{log}"
    );
}

#[test]
fn activate_and_delete_by_filters_in_one_write_with_a_counted_confirmation() {
    let env = TestEnv::new();
    for (name, owner) in [("a1", "acme"), ("a2", "acme"), ("b1", "globex")] {
        env.create(name, &["--owner", owner]);
    }
    env.run(&["revoke", "--owner", "acme", "--yes"]).code(0);
    // Without --yes and no terminal: refused, nothing changed.
    env.run(&["activate", "--owner", "acme"]).code(8);
    env.run(&["delete", "--status", "inactive"]).code(8);
    let before = env.store_bytes();
    let out = env.run(&["activate", "--owner", "acme", "--yes"]).code(0);
    assert!(
        out.stderr.contains("activated 2 keys in one write"),
        "{}",
        out.stderr
    );
    assert_ne!(env.store_bytes(), before);
    assert_eq!(env.names(&["--status", "active"]), ["a1", "a2", "b1"]);
    // Clean-up of what is revoked, by status.
    env.run(&["revoke", "b1", "--yes"]).code(0);
    let out = env
        .run(&["delete", "--status", "inactive", "--yes"])
        .code(0);
    assert!(
        out.stderr.contains("deleted 1 key in one write"),
        "{}",
        out.stderr
    );
    assert_eq!(env.names(&[]), ["a1", "a2"]);
    // Nothing matching: exit 5, nothing changed; keys and filters together: a usage error.
    env.run(&["delete", "--owner", "nobody", "--yes"]).code(5);
    env.run(&["delete", "a1", "--owner", "acme", "--yes"])
        .code(2);
    let log = env
        .run(&["log", "--action", "activate", "--format", "json"])
        .code(0)
        .json_lines();
    assert_eq!(log.as_array().unwrap().len(), 2);
}

#[test]
fn log_filters_by_admin_and_action_and_reads_on_from_a_cursor() {
    let env = TestEnv::new();
    for i in 0..5 {
        env.create(&format!("k{i}"), &[]);
    }
    env.run(&["revoke", "k1", "--yes", "--actor", "on call"])
        .code(0);
    let all = env.run(&["log", "--format", "json"]).code(0).json_lines();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 7, "init, five creates, a revoke");
    // The admin is the slot (key-file here; init was the passphrase's), whatever --actor
    // notes.
    let admin = all[1]["actor"]
        .as_str()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let mine = env
        .run(&["log", "--admin", &admin, "--format", "json"])
        .code(0)
        .json_lines();
    assert_eq!(admin, "key-file");
    assert_eq!(mine.as_array().unwrap().len(), 6);
    // A note is not an admin; an admin the store never had is exit 5 with a hint, as a
    // missing key is.
    env.run(&["log", "--admin", "on", "--format", "json"])
        .code(5);
    let nobody = env.run(&["log", "--admin", "mallory"]).code(5);
    assert!(
        nobody.stderr.contains("no such admin: mallory")
            && nobody.stderr.contains("apikeys admin list"),
        "{}",
        nobody.stderr
    );
    let revokes = env
        .run(&["log", "--action", "revoke", "--format", "json"])
        .code(0)
        .json_lines();
    assert_eq!(revokes.as_array().unwrap().len(), 1);
    // Any case; a mistyped action is said with the list, never an empty log that looks
    // like a quiet store.
    let upper = env.run(&["log", "--action", " Revoke ", "--format", "json"]);
    assert_eq!(upper.code(0).json_lines(), revokes);
    let typo = env.run(&["log", "--action", "revokd"]).code(2);
    assert!(
        typo.stderr.contains("unknown action \"revokd\"")
            && typo.stderr.contains("hint: give one of: init, create,"),
        "{}",
        typo.stderr
    );
    // Every policy change is `policy set`, the history's kept days included.
    let one = env.run(&["policy", "set", "history-days", "1"]).code(0);
    assert!(
        one.stderr.contains("history is kept 1 day\n"),
        "{}",
        one.stderr
    );
    env.run(&["policy", "set", "max-lifetime", "2y"]).code(0);
    let policy = env
        .run(&["log", "--action", "policy set", "--format", "json"])
        .code(0)
        .json_lines();
    assert_eq!(
        crate::harness::pluck(&policy, "details"),
        ["history-days 1", "max-lifetime 2y"]
    );
    let last2 = env
        .run(&["log", "-n", "2", "--format", "json"])
        .code(0)
        .json_lines();
    assert_eq!(last2[1]["action"], "policy set");
    assert_eq!(last2.as_array().unwrap().len(), 2);
    // A SIEM's cursor: everything after the seq it read last, one event a line.
    let cursor = all[4]["seq"].as_i64().unwrap();
    let rest = env
        .run(&["log", "--format", "json", "--since", &cursor.to_string()])
        .code(0);
    assert_eq!(rest.stdout.lines().count(), 4, "{}", rest.stdout);
}

#[test]
fn list_picks_columns_and_sorts() {
    let env = TestEnv::new();
    env.create("charlie", &["--expires", "30d", "--owner", "z"]);
    env.create("alpha", &["--expires", "10d", "--owner", "y"]);
    env.create("bravo", &["--expires", "20d"]);
    let names = |args: &[&str]| -> Vec<String> {
        env.run(&[&["list", "--format", "json"][..], args].concat())
            .code(0)
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&["--sort", "name"]), ["alpha", "bravo", "charlie"]);
    assert_eq!(names(&["--sort", "expires"]), ["alpha", "bravo", "charlie"]);
    assert_eq!(
        names(&["--sort", "name", "--reverse"]),
        ["charlie", "bravo", "alpha"]
    );
    assert_eq!(names(&["--sort", "owner"]), ["alpha", "charlie", "bravo"]);
    let table = env
        .run(&["list", "--columns", "name,expires,owner", "--sort", "name"])
        .code(0)
        .stdout;
    let header = table.lines().nth(1).unwrap();
    assert!(
        header.contains("name") && header.contains("expires") && header.contains("owner"),
        "{table}"
    );
    assert!(
        !header.contains("created") && !header.contains("scopes"),
        "{table}"
    );
    let out = env.run(&["list", "--columns", "name,nope"]).code(2);
    assert!(
        out.stderr.contains("last_used"),
        "the columns are listed: {}",
        out.stderr
    );
}

#[test]
fn serve_takes_localhost_and_warns_of_a_stale_snapshot_at_start() {
    let env = TestEnv::new();
    let token = env.create("svc", &[]);
    export(&env, "v.snap", "v.key");
    let port = crate::server::free_port().to_string();
    let listen = format!("localhost:{port}");
    let s = crate::fleet::serve_snapshot(
        &env,
        "v.snap",
        "v.key",
        &["--listen", &listen, "--max-age", "0s"],
    );
    s.until("the snapshot is too old", |s| {
        s.get("/healthz", &[]).status == 503
    });
    assert_eq!(
        s.verify(&token).header("x-apikey-code"),
        Some("stale_snapshot")
    );
    assert!(
        s.log().contains(&format!("listening on 127.0.0.1:{port}")),
        "{}",
        s.log()
    );
    assert_eq!(s.stop(), Some(0));
    // Started on a snapshot already past --max-age: said at once.
    let s = crate::fleet::serve_snapshot(&env, "v.snap", "v.key", &["--max-age", "0s"]);
    s.until("the warning", |s| {
        s.log().contains("already older than --max-age")
    });
    assert_eq!(s.stop(), Some(0));
}
