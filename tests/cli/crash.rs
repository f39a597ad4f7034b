//! A writer killed with SIGKILL at random moments never leaves a broken store, and every
//! acknowledged write survives.

use crate::harness::TestEnv;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A small xorshift generator, seeded from the clock: each run kills at other moments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// How many kills: APIKEYS_CRASH_ROUNDS, else 200.
fn rounds() -> usize {
    std::env::var("APIKEYS_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

#[test]
fn sigkill_during_writes_never_breaks_the_store() {
    let env = TestEnv::new();
    // Some bulk so that a write takes long enough to be hit in the middle.
    let lines: String = (0..40)
        .map(|i| {
            format!(
                "{{\"name\":\"base{i}\",\"description\":\"{}\"}}\n",
                "x".repeat(1000)
            )
        })
        .collect();
    let input = env.write("base.jsonl", &lines);
    env.run(&[
        "import",
        input.to_str().unwrap(),
        "--secret-file",
        env.path("base.tokens").to_str().unwrap(),
    ])
    .code(0);
    let started = Instant::now();
    env.run(&["create", "--name", "timing", "--no-clipboard"])
        .code(0);
    let write_us = started.elapsed().as_micros().max(1000) as u64;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let mut acknowledged = vec!["timing".to_string()];
    let mut killed = 0;
    for round in 0..rounds() {
        let name = format!("crash{round}");
        let mut child = env
            .cmd(&["create", "--name", &name, "--no-clipboard"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.next() % (write_us * 12 / 10)));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        if status.success() {
            acknowledged.push(name);
        } else {
            killed += 1;
        }
        let list = env.run(&["list", "--format", "json"]);
        assert_eq!(
            list.code, 0,
            "store broken after kill in round {round} (seed {seed}): {list:?}"
        );
        let keys = list.json();
        for a in &acknowledged {
            assert!(
                keys.as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["name"] == a.as_str()),
                "acknowledged {a} lost (seed {seed})"
            );
        }
    }
    assert!(
        killed > 0,
        "no writer was killed mid-way: the test proved nothing"
    );
    // The next write cleans stale temp files; everything left is 0600.
    env.run(&["create", "--name", "after", "--no-clipboard"])
        .code(0);
    for entry in std::fs::read_dir(env.store.parent().unwrap()).unwrap() {
        let p = entry.unwrap().path();
        assert!(
            !p.file_name().unwrap().to_string_lossy().contains(".tmp-"),
            "stale temp {p:?}"
        );
        assert_eq!(crate::harness::mode(&p), 0o600);
    }
}
