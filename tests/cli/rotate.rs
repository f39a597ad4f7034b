//! Issue 4: rotation with and without a grace period.

use crate::harness::TestEnv;

#[test]
fn immediate_rotation_retires_the_old_token() {
    let env = TestEnv::new();
    let old = env.create(
        "ci",
        &[
            "--scope",
            "deploy",
            "--allow-ip",
            "10.0.0.0/8",
            "--prefix",
            "prod",
            "--description",
            "d",
        ],
    );
    let old_id = env.key("ci")["id"].as_str().unwrap().to_string();
    env.run(&["rotate", "ci"]).code(8);
    let out = env
        .run(&["rotate", "ci", "--yes", "--no-clipboard"])
        .code(0);
    let new = out.stdout.trim().to_string();
    assert!(new.starts_with("prod_") && new != old, "{out:?}");
    env.verify(&old, &[]).code(13);
    env.verify(&new, &["--ip", "10.9.9.9", "--scope", "deploy"])
        .code(0);
    let k = env.key("ci");
    assert_ne!(k["id"], old_id.as_str());
    assert_eq!(k["rotated_from"], old_id.as_str());
    assert_eq!(k["scopes"], serde_json::json!(["deploy"]));
    assert_eq!(k["allowed_ips"], serde_json::json!(["10.0.0.0/8"]));
    assert_eq!(k["description"], "d");
    let o = env.key(&old_id);
    assert_eq!(o["status"], "expired");
    assert_eq!(o["rotated_to"], k["id"]);
    let show = env.run(&["show", "ci"]).code(0).stdout;
    assert!(show.contains(&old_id), "show displays the chain: {show}");
}

#[test]
fn during_the_grace_period_both_tokens_work() {
    let env = TestEnv::new();
    let old = env.create("ci", &[]);
    let out = env
        .run(&[
            "rotate",
            "ci",
            "--grace",
            "5s",
            "--yes",
            "--no-clipboard",
            "--format",
            "json",
        ])
        .code(0);
    let new = out.json()["key"].as_str().unwrap().to_string();
    let o = env.verify(&old, &["--format", "json"]).code(0).json();
    assert_eq!(o["name"], "ci");
    let old_id = o["key_id"].as_str().unwrap().to_string();
    assert_eq!(env.key(&old_id)["status"], "rotating");
    env.verify(&new, &[]).code(0);
    // After the grace period (told, not waited for): the old one is expired, the new one not.
    env.verify(&old, &["--at", &crate::harness::in_secs(6)])
        .code(13);
    env.verify(&new, &["--at", &crate::harness::in_secs(6)])
        .code(0);
    crate::harness::eventually("the grace period to end", || {
        env.key(&old_id)["status"] == "expired"
    });
    env.verify(&old, &[]).code(13);
    env.verify(&new, &[]).code(0);
    let statuses: Vec<_> = env
        .keys()
        .iter()
        .map(|k| k["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(statuses, ["expired", "active"]);
}

#[test]
fn a_rotated_name_resolves_to_the_successor_only() {
    let env = TestEnv::new();
    env.create("ci", &[]);
    let first = env.key("ci")["id"].as_str().unwrap().to_string();
    env.run(&["rotate", "ci", "--grace", "1h", "--yes", "--no-clipboard"])
        .code(0);
    let second = env.key("ci")["id"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    let again = env
        .run(&["rotate", &first, "--yes", "--no-clipboard"])
        .code(6);
    assert!(again.stderr.contains(&second), "{again:?}");
    env.run(&["rotate", "ci", "--yes", "--no-clipboard", "--expires", "5y"])
        .code(7);
    assert_eq!(
        env.key("ci")["id"],
        second.as_str(),
        "a refused rotation changes nothing"
    );
    env.run(&["rotate", "nope", "--yes"]).code(5);
    env.run(&["rotate", "ci", "--grace", "soon", "--yes"])
        .code(2);
    // The old key can still be revoked by id while it is rotating.
    env.run(&["revoke", &first, "--yes"]).code(0);
    assert_eq!(env.key(&first)["status"], "inactive");
    let log = env.run(&["log", "--key", &first]).code(0).stdout;
    assert!(log.contains("rotate"), "{log}");
}
