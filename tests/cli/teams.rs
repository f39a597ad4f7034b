//! Issue 27: one credential per admin (SPEC §13): passphrase, key file, SSH and age slots; the
//! actor is the slot that opened the store; offboarding re-keys; old stores migrate.

use crate::harness::{PASS, Run, TestEnv, opens};
use apikeys::store::format::Header;
use std::process::Command;

/// `ssh-keygen` an ed25519 key in the test's dir (`passphrase` "" for none); the private
/// key's path.
pub fn ssh_key(env: &TestEnv, name: &str, passphrase: &str) -> String {
    let path = env.path(name);
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f"])
        .arg(&path)
        .status()
        .expect("ssh-keygen")
        .success();
    assert!(ok);
    path.to_str().unwrap().to_string()
}

/// Makes an SSH key `name` and adds it as admin `name` through `run`; the private key's path.
fn add_ssh_admin(env: &TestEnv, name: &str, run: impl Fn(&[&str]) -> Run) -> String {
    let key = ssh_key(env, &format!("{name}_ed25519"), "");
    let public = format!("{key}.pub");
    run(&["admin", "add", name, "--ssh-key", &public, "--yes"]).code(0);
    key
}

/// A command as the admin with the SSH or age identity at `identity`, nothing else.
pub fn as_identity(env: &TestEnv, identity: &str, args: &[&str]) -> Run {
    let mut c = env.bare_cmd(args);
    c.env("APIKEYS_IDENTITY", identity);
    crate::harness::finish(c.output().unwrap())
}

/// A command as the admin with this key file.
fn as_key_file(env: &TestEnv, key: &std::path::Path, args: &[&str]) -> Run {
    let mut c = env.bare_cmd(args);
    c.env("APIKEYS_KEY_FILE", key);
    crate::harness::finish(c.output().unwrap())
}

/// A team: alice (the store's passphrase, renamed), ci (a key file), bob (an SSH key).
struct Team {
    env: TestEnv,
    ci_key: std::path::PathBuf,
    bob: String,
}

fn team() -> Team {
    let env = TestEnv::new();
    env.with_pass(&["admin", "rename", "passphrase", "alice"])
        .code(0);
    // The harness's key file belongs to no one in particular: it goes.
    env.with_pass(&["admin", "remove", "key-file", "--yes"])
        .code(0);
    let ci_key = env.path("ci-admin.key");
    env.with_pass(&[
        "admin",
        "add",
        "ci",
        "--key-file",
        ci_key.to_str().unwrap(),
        "--yes",
    ])
    .code(0);
    let bob = add_ssh_admin(&env, "bob", |a| env.with_pass(a));
    Team { env, ci_key, bob }
}

#[test]
fn three_admins_each_named_in_the_log_whatever_actor_says() {
    let t = team();
    let env = &t.env;
    env.with_pass(&[
        "create",
        "--name",
        "by-alice",
        "--no-clipboard",
        "--actor",
        "bob",
    ])
    .code(0);
    as_key_file(
        env,
        &t.ci_key,
        &["create", "--name", "by-ci", "--no-clipboard"],
    )
    .code(0);
    as_identity(
        env,
        &t.bob,
        &[
            "create",
            "--name",
            "by-bob",
            "--no-clipboard",
            "--actor",
            "alice",
        ],
    )
    .code(0);
    let log = env
        .with_pass(&["log", "--format", "json"])
        .code(0)
        .json_lines();
    let actor_of = |name: &str| {
        log.as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "create" && e["key_name"] == name)
            .unwrap_or_else(|| panic!("no create of {name} in {log}"))["actor"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // The harness sets APIKEYS_ACTOR=tester: a note beside the admin, never the admin.
    assert_eq!(actor_of("by-alice"), "alice (bob)");
    assert_eq!(actor_of("by-ci"), "ci (tester)");
    assert_eq!(actor_of("by-bob"), "bob (alice)");
    // admin list and status show every slot, and who is asking.
    let admins = as_identity(env, &t.bob, &["admin", "list", "--format", "json"])
        .code(0)
        .json();
    let rows: Vec<(String, String, bool)> = admins
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_string(),
                a["kind"].as_str().unwrap().to_string(),
                a["you"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("alice".into(), "passphrase".into(), false),
            ("ci".into(), "key-file".into(), false),
            ("bob".into(), "ssh".into(), true),
        ]
    );
    // Bob's fingerprint is the one ssh-keygen prints for his key.
    let fp = Command::new("ssh-keygen")
        .args(["-l", "-f", &format!("{}.pub", t.bob)])
        .output()
        .unwrap();
    let fp = String::from_utf8_lossy(&fp.stdout);
    assert!(
        fp.contains(admins[2]["fingerprint"].as_str().unwrap()),
        "{fp}"
    );
    assert!(admins[2]["last_used_at"].is_string());
    let status = env
        .with_pass(&["status", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(status["unlocked_by"], "alice");
    assert_eq!(status["slots"].as_array().unwrap().len(), 3);
    assert_eq!(status["format_version"], 2);
}

#[test]
fn a_removed_admin_opens_nothing_newer_even_with_an_old_copy() {
    let t = team();
    let env = &t.env;
    let token = env
        .with_pass(&["create", "--name", "k", "--no-clipboard"])
        .code(0)
        .stdout;
    as_identity(env, &t.bob, &["group", "create", "bobs", "--scope", "s"]).code(0);
    let before = env.store_bytes();
    env.with_pass(&["admin", "remove", "bob"]).code(8);
    assert_eq!(
        env.store_bytes(),
        before,
        "no --yes and no terminal: nothing changed"
    );
    env.with_pass(&["admin", "remove", "bob", "--yes"]).code(0);
    let after = env.store_bytes();
    // What bob did stays his in the log, and can still be asked for by his name.
    let his = env
        .with_pass(&["log", "--admin", "bob", "--format", "json"])
        .code(0)
        .json_lines();
    assert_eq!(crate::harness::pluck(&his, "action"), ["group create"]);
    // Bob's key opens the old copy (he had it), and nothing of the new file.
    let old_copy = env.path("old.store");
    std::fs::write(&old_copy, &before).unwrap();
    let mut c = env.bare_cmd(&["list"]);
    c.env("APIKEYS_IDENTITY", &t.bob)
        .env("APIKEYS_STORE", &old_copy);
    assert_eq!(
        c.status().unwrap().code(),
        Some(0),
        "the old copy still opens for bob"
    );
    as_identity(env, &t.bob, &["list"]).code(3);
    // With the data key of the old copy he can neither read nor forge the new file.
    let (old_h, _) = Header::decode(&before).unwrap();
    let ids = apikeys::store::slots::read_identities(std::path::Path::new(&t.bob), None).unwrap();
    let refs: Vec<&dyn age::Identity> = ids
        .iter()
        .map(|b| b.as_ref() as &dyn age::Identity)
        .collect();
    let old_key = old_h.named("bob").unwrap().open_identity(&refs).unwrap();
    assert!(opens(&before, &old_key));
    assert!(
        !opens(&after, &old_key),
        "the old data key opens the new file"
    );
    // Splicing his old slot back into the new header (with a good checksum) is detected:
    // the header is authenticated by the payload's seal.
    let (mut h, len) = Header::decode(&after).unwrap();
    h.slots.push(old_h.named("bob").unwrap().clone());
    let mut forged = h.encode();
    forged.extend_from_slice(&after[len..]);
    std::fs::write(&env.store, &forged).unwrap();
    env.with_pass(&["list"]).code(4);
    as_identity(env, &t.bob, &["list"]).code(4);
    std::fs::write(&env.store, &after).unwrap();
    // The others still work, and every key still verifies.
    as_key_file(env, &t.ci_key, &["list"]).code(0);
    env.with_pass(&["verify"]).code(10);
    let mut v = env.bare_cmd(&["verify"]);
    v.env("APIKEYS_PASSPHRASE", PASS);
    TestEnv::feed(v, &format!("{}\n", token.trim())).code(0);
    // The removal is in the log, by alice.
    let log = env
        .with_pass(&["log", "--format", "json"])
        .code(0)
        .json_lines();
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "admin remove"
                && e["actor"] == "alice (tester)"
                && e["details"].as_str().unwrap().starts_with("bob:"))
    );
}

/// A renamed admin keeps what they did: the log keeps the name each event was done under,
/// and `log --admin NEW` and `admin list`'s last use follow the rename back.
#[test]
fn a_renamed_admin_keeps_their_history() {
    let env = TestEnv::new();
    env.create("before", &[]);
    env.run(&["admin", "rename", "key-file", "ci"]).code(0);
    env.create("after", &[]);
    let actions = |admin: &str| -> Vec<(String, String)> {
        let log = env
            .run(&["log", "--admin", admin, "--format", "json"])
            .code(0)
            .json_lines();
        log.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let s = |f: &str| e[f].as_str().unwrap_or_default().to_string();
                (s("action"), s("key_name"))
            })
            .collect()
    };
    let ci = actions("ci");
    assert_eq!(
        ci,
        [
            ("create".into(), "before".into()),
            ("admin rename".into(), String::new()),
            ("create".into(), "after".into()),
        ],
        "{ci:?}"
    );
    // The old name is what the trail says of the first two, and only those.
    assert_eq!(actions("key-file"), ci[..2]);
    let ci = env.admin_where("name", "ci");
    assert!(ci["last_used_at"].is_string(), "{ci}");
}

#[test]
fn the_last_admin_cannot_go_and_names_are_checked() {
    let env = TestEnv::new();
    env.with_pass(&["admin", "remove", "key-file", "--yes"])
        .code(0);
    let before = env.store_bytes();
    let out = env
        .with_pass(&["admin", "remove", "passphrase", "--yes"])
        .code(7);
    assert!(out.stderr.contains("last admin"), "{}", out.stderr);
    assert_eq!(env.store_bytes(), before);
    env.with_pass(&["admin", "remove", "nobody", "--yes"])
        .code(5);
    env.with_pass(&["admin", "rename", "passphrase", "bad name!"])
        .code(2);
    env.with_pass(&["admin", "add", "passphrase", "--passphrase", "--yes"])
        .code(6);
    // A bad public key changes nothing and does not echo the file.
    let junk = env.write("junk.pub", "ssh-ed25519 hunter2-not-base64 x\n");
    let out = env
        .with_pass(&[
            "admin",
            "add",
            "eve",
            "--ssh-key",
            junk.to_str().unwrap(),
            "--yes",
        ])
        .code(2);
    assert!(!out.stderr.contains("hunter2"));
    assert_eq!(env.store_bytes(), before);
}

#[test]
fn an_age_recipient_is_an_admin_too() {
    let env = TestEnv::new();
    let id = age::x25519::Identity::generate();
    use age::secrecy::ExposeSecret;
    let id_file = env.write(
        "carol.age",
        &format!("{}\n", id.to_string().expose_secret()),
    );
    let recipient = id.to_public().to_string();
    env.with_pass(&["admin", "add", "carol", "--age", &recipient, "--yes"])
        .code(0);
    as_identity(
        &env,
        id_file.to_str().unwrap(),
        &["create", "--name", "c", "--no-clipboard"],
    )
    .code(0);
    let other = age::x25519::Identity::generate();
    let other_file = env.write(
        "mallory.age",
        &format!("{}\n", other.to_string().expose_secret()),
    );
    as_identity(&env, other_file.to_str().unwrap(), &["list"]).code(3);
}

#[test]
fn a_store_from_before_teams_opens_and_migrates_on_its_first_write() {
    let env = TestEnv::bare();
    let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::create_dir_all(env.store.parent().unwrap()).unwrap();
    std::fs::copy(fx.join("pre-teams.store"), &env.store).unwrap();
    let key = env.path("old.key");
    std::fs::copy(fx.join("pre-teams.key"), &key).unwrap();
    let pass = fx.join("pre-teams.passphrase");
    let token = std::fs::read_to_string(fx.join("pre-teams.token")).unwrap();
    assert_eq!(
        &env.store_bytes()[8..10],
        &[0, 1],
        "the fixture is format 1"
    );
    let with_pass = |args: &[&str]| {
        let mut c = env.bare_cmd(args);
        c.env("APIKEYS_PASSPHRASE_FILE", &pass);
        crate::harness::finish(c.output().unwrap())
    };
    // It opens as it is, with either credential; its two slots have names.
    let admins = with_pass(&["admin", "list", "--format", "json"])
        .code(0)
        .json();
    let names: Vec<&str> = admins
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["passphrase", "key-file"]);
    assert_eq!(
        as_key_file(&env, &key, &["list", "--format", "json"])
            .code(0)
            .json()[0]["name"],
        "legacy-key"
    );
    assert_eq!(
        &env.store_bytes()[8..10],
        &[0, 1],
        "reading changes nothing"
    );
    // status tells the versions of the file on disk, and that the next write upgrades them.
    let status = with_pass(&["status", "--format", "json"]).code(0).json();
    assert_eq!(status["format_version"], 1, "{status}");
    let table = with_pass(&["status"]).code(0).stdout;
    assert!(
        table.contains("version 1, schema") && table.contains("the next write upgrades it"),
        "{table}"
    );
    // The first write migrates it: format 2, and both credentials still open it.
    with_pass(&["edit", "legacy-key", "--description", "migrated"]).code(0);
    assert_eq!(&env.store_bytes()[8..10], &[0, 2]);
    let status = with_pass(&["status", "--format", "json"]).code(0).json();
    assert_eq!(status["format_version"], 2, "{status}");
    as_key_file(&env, &key, &["show", "legacy-key"]).code(0);
    let mut v = env.bare_cmd(&["verify"]);
    v.env("APIKEYS_PASSPHRASE_FILE", &pass);
    TestEnv::feed(v, &format!("{}\n", token.trim())).code(0);
    // Adding an admin and removing one works on it too: removing the key-file slot needs no
    // key file (the caller's own old slot is carried over with the passphrase).
    let bob = add_ssh_admin(&env, "bob", with_pass);
    with_pass(&["admin", "remove", "key-file", "--yes"]).code(0);
    as_key_file(&env, &key, &["list"]).code(3);
    as_identity(&env, &bob, &["list"]).code(0);
    with_pass(&["list"]).code(0);
}

#[test]
fn passwd_refuses_another_admins_slot_from_before_teams_as_admin_remove_does() {
    let env = TestEnv::bare();
    let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::create_dir_all(env.store.parent().unwrap()).unwrap();
    std::fs::copy(fx.join("pre-teams.store"), &env.store).unwrap();
    let pass = fx.join("pre-teams.passphrase");
    let with_pass = |args: &[&str]| {
        let mut c = env.bare_cmd(args);
        c.env("APIKEYS_PASSPHRASE_FILE", &pass);
        crate::harness::finish(c.output().unwrap())
    };
    // Carol joins with a passphrase of her own; the first admin's two slots stay as they were.
    let carol_pass = env.write("carol.txt", "carol's own passphrase\n");
    let carol_pass = carol_pass.to_str().unwrap();
    with_pass(&[
        "admin",
        "add",
        "carol",
        "--passphrase",
        "--new-passphrase-file",
        carol_pass,
        "--yes",
    ])
    .code(0);
    let as_carol = |args: &[&str]| {
        let mut c = env.bare_cmd(args);
        c.env("APIKEYS_PASSPHRASE_FILE", carol_pass);
        crate::harness::finish(c.output().unwrap())
    };
    as_carol(&["list"]).code(0);
    let before = env.store_bytes();
    // Her passwd re-keys, and the first admin's passphrase slot cannot be carried over
    // without that passphrase: a policy refusal with a hint, as `admin remove` gives.
    let new_pass = env.write("new.txt", "carol's next passphrase\n");
    let out = as_carol(&[
        "passwd",
        "--remove-key-file",
        "--new-passphrase-file",
        new_pass.to_str().unwrap(),
        "--yes",
    ])
    .code(7);
    assert!(
        out.stderr
            .contains("admin passphrase has a slot from before teams"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("unlocked with passphrase's credential"),
        "{}",
        out.stderr
    );
    assert_eq!(env.store_bytes(), before, "nothing was written");
    let out = as_carol(&["admin", "remove", "key-file", "--yes"]).code(7);
    assert!(
        out.stderr
            .contains("admin passphrase has a slot from before teams"),
        "{}",
        out.stderr
    );
    // Unlocked by the first admin, both work.
    with_pass(&["admin", "remove", "key-file", "--yes"]).code(0);
    as_carol(&["list"]).code(0);
}
