//! Issue 21, SPEC §3 "Token delivery": a new token is delivered before its key exists. A
//! full or closed stdout, or a reader that went away, leaves the store exactly as it was; a
//! `kill -9` at any moment never leaves a key whose token was not printed.

use crate::harness::{BIN, TestEnv};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs `script` in bash with the test environment (key file, store); `$APIKEYS` is the binary.
fn bash(env: &TestEnv, script: &str) -> crate::harness::Run {
    let cmd = env.cmd(&[]);
    let mut bash = Command::new("bash");
    bash.env_clear().args(["-c", script]);
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => bash.env(k, v),
            None => bash.env_remove(k),
        };
    }
    bash.env("APIKEYS", BIN);
    TestEnv::feed(bash, "")
}

#[test]
fn a_token_that_cannot_be_delivered_creates_nothing() {
    let env = TestEnv::new();
    let before = env.store_bytes();
    // A full stdout.
    let out = bash(
        &env,
        "\"$APIKEYS\" create --name full --no-clipboard > /dev/full",
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("no key was created"), "{}", out.stderr);
    assert!(!out.stderr.contains("written to stdout"), "{}", out.stderr);
    // A closed stdout.
    let out = bash(
        &env,
        "exec 1>&-; \"$APIKEYS\" create --name closed --no-clipboard",
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(env.store_bytes(), before, "the store is exactly as it was");
    assert!(env.keys().is_empty());
    // The same with json.
    let out = bash(
        &env,
        "\"$APIKEYS\" create --name j --no-clipboard --format json > /dev/full",
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(env.keys().is_empty());
}

#[test]
fn a_rotation_whose_reader_went_away_changes_nothing() {
    let env = TestEnv::new();
    let old = env.create("k", &[]);
    let before = env.store_bytes();
    // The reader is gone before the token is written, as in the issue: the pipe's read end
    // is closed before rotate even starts (on a busy machine, closing it after the spawn
    // could come too late).
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = env
        .cmd(&["rotate", "k", "--yes", "--no-clipboard"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = crate::harness::finish(child.wait_with_output().unwrap());
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("no key was created or changed"),
        "{}",
        out.stderr
    );
    assert_eq!(env.store_bytes(), before);
    env.verify(&old, &[]).code(0);
    assert_eq!(env.keys().len(), 1);
    // A rotation that is delivered goes through.
    let new = bash(&env, "\"$APIKEYS\" rotate k --yes --no-clipboard");
    assert_eq!(new.code, 0, "{new:?}");
    assert!(
        new.stderr.contains("token written to stdout"),
        "{}",
        new.stderr
    );
    env.verify(new.stdout.trim(), &[]).code(0);
    env.verify(&old, &[]).code(13);
}

#[test]
fn a_secret_file_gets_its_missing_directory() {
    let env = TestEnv::new();
    let path = env.path("new/dir/token.txt");
    env.run(&[
        "create",
        "--name",
        "f",
        "--secret-file",
        path.to_str().unwrap(),
    ])
    .code(0);
    assert_eq!(crate::harness::mode(&path), 0o600);
    assert_eq!(crate::harness::mode(path.parent().unwrap()), 0o700);
    let token = std::fs::read_to_string(&path).unwrap();
    env.verify(token.trim(), &[]).code(0);
}

#[test]
fn kill_9_during_create_or_rotate_never_leaves_a_key_without_its_token() {
    let env = TestEnv::new();
    let made = env.create("r", &[]);
    let outs = env.path("outs");
    std::fs::create_dir_all(&outs).unwrap();
    for i in 0..40u64 {
        let file = std::fs::File::create(outs.join(format!("{i}.out"))).unwrap();
        let args: Vec<String> = if i % 2 == 0 {
            ["create", "--name", &format!("c{i}"), "--no-clipboard"]
                .map(String::from)
                .to_vec()
        } else {
            ["rotate", "r", "--yes", "--no-clipboard", "--grace", "1h"]
                .map(String::from)
                .to_vec()
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = env
            .cmd(&args)
            .stdout(file)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread the kills over the whole run of the command (a few ms here).
        std::thread::sleep(Duration::from_micros(500 * (i % 20)));
        let _ = child.kill();
        let _ = child.wait();
    }
    let printed: String = std::fs::read_dir(&outs)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let first = made.split('_').nth(1).unwrap().to_string();
    for k in env.keys() {
        let id = k["id"].as_str().unwrap();
        if id == first {
            continue; // made by the harness, before the kills
        }
        assert!(
            printed.contains(&format!("_{id}_")),
            "key {id} ({}) exists but its token was never printed",
            k["name"]
        );
    }
}
