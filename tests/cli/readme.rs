//! The README's examples are the scripts under examples/, verbatim, and they run as written.

use crate::harness::{BIN, TestEnv};
use std::path::Path;
use std::process::Command;

fn repo(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn readme_includes_the_example_scripts_verbatim() {
    let readme = repo("README.md");
    let mut seen = 0;
    for (i, _) in readme.match_indices("<!-- include ") {
        let rest = &readme[i + "<!-- include ".len()..];
        let path = &rest[..rest.find(" -->").unwrap()];
        let block = rest[rest.find("```bash\n").unwrap() + 8..]
            .split("```")
            .next()
            .unwrap();
        assert_eq!(block, repo(path), "README.md's copy of {path} is stale");
        seen += 1;
    }
    assert_eq!(seen, 5, "the tour and the four user stories");
    let first = readme
        .lines()
        .find(|l| l.starts_with("cargo test"))
        .unwrap();
    let test_cmd = first.split('#').next().unwrap().trim();
    assert!(
        repo(".ci/run").lines().any(|l| l.trim() == test_cmd),
        ".ci/run must run the README's test command"
    );
}

/// Runs an example script with the binary on PATH against `env`'s store, in `env`'s dir.
fn run_example(env: &TestEnv, script: &str, extra_env: &[(&str, &str)]) -> crate::harness::Run {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = env.cmd(&[]);
    let mut c = Command::new("bash");
    c.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(script))
        .current_dir(env.dir.path());
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            c.env(k, v);
        }
    }
    c.env("PATH", path).env("TMPDIR", env.dir.path());
    for (k, v) in extra_env {
        c.env(k, v);
    }
    cmd = c;
    let out = cmd.output().unwrap();
    crate::harness::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_rotation_script_runs() {
    let env = TestEnv::new();
    let old = env.create("ci-deploy", &["--scope", "deploy:write"]);
    let out = run_example(&env, "examples/rotate.sh", &[]).code(0);
    assert!(out.stdout.contains("rotated ci-deploy"), "{out:?}");
    let file = out
        .stdout
        .split("new token in ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let new = std::fs::read_to_string(file).unwrap();
    env.verify(new.trim(), &["--scope", "deploy:write"]).code(0);
    let o = env.verify(&old, &["--format", "json"]).code(0).json();
    assert_eq!(env.key(o["key_id"].as_str().unwrap())["status"], "rotating");
}

#[test]
fn the_ci_step_branches_on_the_exit_code() {
    let env = TestEnv::new();
    let good = env.create("deploy", &["--scope", "deploy:write"]);
    let weak = env.create("reader", &["--scope", "read"]);
    let short = env.create("short", &["--scope", "deploy:write", "--expires", "1s"]);
    let ok = run_example(&env, "examples/ci-verify.sh", &[("DEPLOY_TOKEN", &good)]).code(0);
    assert!(ok.stdout.contains("deploying"));
    let denied = run_example(&env, "examples/ci-verify.sh", &[("DEPLOY_TOKEN", &weak)]).code(1);
    assert!(denied.stderr.contains("scope_denied"), "{denied:?}");
    crate::harness::eventually("the short key to expire", || {
        env.key("short")["status"] == "expired"
    });
    let expired = run_example(&env, "examples/ci-verify.sh", &[("DEPLOY_TOKEN", &short)]).code(1);
    assert!(expired.stderr.contains("expired"), "{expired:?}");
}

#[test]
fn the_developer_key_script_runs() {
    let env = TestEnv::new();
    let out = run_example(&env, "examples/dev-key.sh", &[]).code(0);
    assert!(out.stdout.starts_with("valid: dev-"), "{out:?}");
    let keys = env.keys();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["scopes"], serde_json::json!(["local:test"]));
    assert_eq!(keys[0]["expiring_soon"], true);
}

#[test]
fn what_are_my_keys_doing_runs() {
    let env = TestEnv::new();
    let acme = env.create("partner-acme", &["--owner", "acme"]);
    env.create("old", &[]);
    for _ in 0..3 {
        env.verify(&acme, &["--ip", "192.0.2.10"]).code(0);
    }
    env.verify(&acme, &["--scope", "admin"]).code(15);
    let out = run_example(&env, "examples/whats-happening.sh", &[]).code(0);
    assert!(
        out.stdout.contains("# valid 3"),
        "the chart's legend: {out:?}"
    );
    assert!(
        out.stdout.contains("192.0.2.10"),
        "top says where from: {out:?}"
    );
    assert!(out.stdout.contains("last 7 days"), "{out:?}");
    assert!(
        out.stdout.contains("wrote acme-usage.csv (2 rows)"),
        "{out:?}"
    );
    let csv = std::fs::read_to_string(env.dir.path().join("acme-usage.csv")).unwrap();
    assert!(csv.contains(",partner-acme,acme,valid,3,3"), "{csv}");
}

#[test]
fn the_tour_runs_as_written() {
    let env = TestEnv::bare();
    let out = run_example(
        &env,
        "examples/tour.sh",
        &[("APIKEYS_PASSPHRASE", crate::harness::PASS)],
    )
    .code(0);
    assert!(out.stdout.contains("valid: ci-deploy"), "{out:?}");
    assert!(
        out.stdout.contains("revoke"),
        "the log shows the revocation: {out:?}"
    );
    assert!(env.dir.path().join(".config/apikeys/ci.key").exists());
}
