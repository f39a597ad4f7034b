//! Parallel writers and verifiers as real processes: no change is lost, no lock error surfaces.

use crate::harness::TestEnv;
use std::process::Stdio;

#[test]
fn eight_parallel_writers_lose_nothing() {
    let env = TestEnv::new();
    let children: Vec<_> = (0..8)
        .map(|i| {
            env.cmd(&["create", "--name", &format!("k{i}"), "--no-clipboard"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut names: Vec<_> = env
        .keys()
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, (0..8).map(|i| format!("k{i}")).collect::<Vec<_>>());
    let events = env.run(&["log", "--format", "json"]).code(0).json_lines();
    assert_eq!(
        events.as_array().unwrap().len(),
        9,
        "one audit event per acknowledged change, plus init"
    );
}

#[test]
fn parallel_verifies_run_alongside_creates() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let mut children = Vec::new();
    for i in 0..6 {
        children.push((
            "create",
            env.cmd(&["create", "--name", &format!("n{i}"), "--no-clipboard"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        ));
        let mut v = env
            .cmd(&["verify"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(
            &mut v.stdin.take().unwrap(),
            format!("{token}\n").as_bytes(),
        )
        .unwrap();
        children.push(("verify", v));
    }
    for (what, c) in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(env.keys().len(), 7);
    // A verify that met a create's lock left its use to a later verify (SPEC §2):
    // the next one, alone, records it.
    env.verify(&token, &[]).code(0);
    let k = env.key("ci");
    assert!(k["last_used_at"].is_string(), "{k}");
    assert!(k["use_count"].as_i64().unwrap() >= 1, "{k}");
}

/// What one worker saw acknowledged.
#[derive(Default)]
struct Acked {
    created: Vec<String>,
    edited: Vec<String>,
    revoked: Vec<String>,
    verified: usize,
}

#[test]
fn sixteen_processes_mixing_writes_and_verifies_lose_nothing() {
    let env = std::sync::Arc::new(TestEnv::new());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let workers: Vec<_> = (0..16)
        .map(|w| {
            let env = env.clone();
            std::thread::spawn(move || {
                let mut acked = Acked::default();
                let mut tokens = Vec::new();
                for round in 0..6 {
                    if std::time::Instant::now() > deadline {
                        break;
                    }
                    let name = format!("w{w}-k{round}");
                    let out = env.run(&["create", "--name", &name, "--no-clipboard"]);
                    assert_eq!(out.code, 0, "create: {out:?}");
                    tokens.push(out.stdout.trim().to_string());
                    acked.created.push(name.clone());
                    let out = env.verify(tokens.last().unwrap(), &[]);
                    assert_eq!(out.code, 0, "verify: {out:?}");
                    acked.verified += 1;
                    let out = env.run(&["edit", &name, "--add-scope", &format!("s{round}")]);
                    assert_eq!(out.code, 0, "edit: {out:?}");
                    acked.edited.push(name.clone());
                    if round % 2 == 1 {
                        let out = env.run(&["revoke", &name, "--yes"]);
                        assert_eq!(out.code, 0, "revoke: {out:?}");
                        acked.revoked.push(name);
                    }
                }
                acked
            })
        })
        .collect();
    let results: Vec<Acked> = workers
        .into_iter()
        .map(|w| w.join().expect("worker"))
        .collect();
    let keys = env.keys();
    let find = |n: &str| {
        keys.iter()
            .find(|k| k["name"] == n)
            .unwrap_or_else(|| panic!("{n} lost"))
    };
    let (mut creates, mut edits, mut revokes) = (0, 0, 0);
    for r in &results {
        for n in &r.created {
            find(n);
        }
        for n in &r.edited {
            assert_eq!(
                find(n)["scopes"].as_array().unwrap().len(),
                1,
                "edit of {n} lost"
            );
        }
        for n in &r.revoked {
            assert_eq!(find(n)["status"], "inactive", "revoke of {n} lost");
        }
        creates += r.created.len();
        edits += r.edited.len();
        revokes += r.revoked.len();
        assert!(r.verified > 0);
    }
    assert_eq!(keys.len(), creates);
    let log = env.run(&["log", "--format", "json"]).code(0).json_lines();
    let count = |a: &str| {
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == a)
            .count()
    };
    assert_eq!(
        (count("create"), count("edit"), count("revoke")),
        (creates, edits, revokes),
        "one audit event per acknowledged change"
    );
    assert_eq!(log.as_array().unwrap().len(), 1 + creates + edits + revokes);
}
