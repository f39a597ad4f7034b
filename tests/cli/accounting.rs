//! Issue 34 (in part): no use granted twice. A `serve --verifier` node that restarts, or
//! loads a newer export that does not yet hold its own uses, resumes from its usage log, as
//! the CLI on the same snapshot and log does.

use crate::fleet::{export, serve_snapshot, verify_snap};
use crate::harness::TestEnv;

#[test]
fn a_node_never_grants_a_keys_uses_again_after_a_reexport_or_a_restart() {
    let env = TestEnv::new();
    let five = env.create("five", &["--uses", "5"]);
    export(&env, "v.snap", "v.key");
    let log = env.path("usage.log");
    let log_arg = log.to_str().unwrap().to_string();
    let args = ["--usage-log", log_arg.as_str()];
    let s = serve_snapshot(&env, "v.snap", "v.key", &args);
    let codes = |s: &crate::server::Server, n: usize| -> Vec<u16> {
        (0..n).map(|_| s.verify(&five).status).collect()
    };
    assert_eq!(codes(&s, 6), [200, 200, 200, 200, 200, 429]);
    // A newer export, made before the node's uses were imported: still none left.
    export(&env, "v.snap", "v.key");
    s.until("generation 2 is served", |s| {
        s.get("/healthz", &[]).json()["generation"] == 2
    });
    assert_eq!(codes(&s, 3), [429, 429, 429]);
    // A restart: still none left.
    assert_eq!(s.stop(), Some(0));
    let s = serve_snapshot(&env, "v.snap", "v.key", &args);
    assert_eq!(codes(&s, 3), [429, 429, 429]);
    // The CLI on the same snapshot and log agrees.
    verify_snap(&env, "v.snap", "v.key", &five, &args).code(16);
    assert_eq!(s.stop(), Some(0));
    // Imported and exported again: the store holds the five uses, the ledger none twice.
    env.run(&["usage", "import", &log_arg]).code(0);
    assert_eq!(env.key("five")["use_count"], 5);
    assert_eq!(env.key("five")["remaining"], 0);
    export(&env, "v.snap", "v.key");
    let s = serve_snapshot(&env, "v.snap", "v.key", &args);
    assert_eq!(codes(&s, 2), [429, 429]);
    assert_eq!(s.stop(), Some(0));
    // A refill of the key after all that is granted again, exactly.
    env.run(&["edit", "five", "--uses", "2"]).code(0);
    export(&env, "v.snap", "v.key");
    let s = serve_snapshot(&env, "v.snap", "v.key", &args);
    assert_eq!(codes(&s, 3), [200, 200, 429]);
    assert_eq!(s.stop(), Some(0));
}

#[test]
fn a_rotated_usage_log_is_imported_in_full() {
    let env = TestEnv::new();
    let free = env.create("free", &[]);
    export(&env, "v.snap", "v.key");
    let log = env.path("usage.log");
    let args = ["--usage-log", log.to_str().unwrap()];
    for _ in 0..3 {
        verify_snap(&env, "v.snap", "v.key", &free, &args).code(0);
    }
    env.run(&["usage", "import", log.to_str().unwrap()]).code(0);
    // logrotate's move: a new file, the same node.
    std::fs::rename(&log, env.path("usage.log.1")).unwrap();
    for _ in 0..5 {
        verify_snap(&env, "v.snap", "v.key", &free, &args).code(0);
    }
    let out = env
        .run(&["usage", "import", log.to_str().unwrap(), "--format", "json"])
        .code(0);
    assert_eq!(out.json()["applied"], 5, "{}", out.stdout);
    assert_eq!(env.key("free")["use_count"], 8, "every use made is counted");
    // And importing either file again changes nothing.
    env.run(&["usage", "import", env.path("usage.log.1").to_str().unwrap()])
        .code(0);
    env.run(&["usage", "import", log.to_str().unwrap()]).code(0);
    assert_eq!(env.key("free")["use_count"], 8);
}
