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
    let events = env.run(&["log", "--format", "json"]).code(0).json();
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
    let k = env.key("ci");
    assert!(k["last_used_at"].is_string());
    assert!(k["use_count"].as_i64().unwrap() >= 1);
}
