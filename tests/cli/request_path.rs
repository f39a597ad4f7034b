//! Issue 39 (in part): the request path's worker threads. Their number is a setting
//! (`--threads`, default the cores less one); exactness holds with many of them.

use crate::harness::TestEnv;
use crate::server::{Server, get};

#[test]
fn many_worker_threads_still_grant_a_limited_key_exactly_once_per_use() {
    let env = TestEnv::new();
    let token = env.create("limited", &["--uses", "30", "--rate", "1000/1s"]);
    let free = env.create("free", &[]);
    let s = Server::start(&env, &["--threads", "4"]);
    let addr = s.addr.clone();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (addr, token) = (addr.clone(), token.clone());
            std::thread::spawn(move || {
                (0..10)
                    .filter(|_| get(&addr, "/verify", &[("X-API-Key", &token)]).status == 200)
                    .count()
            })
        })
        .collect();
    let granted: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(granted, 30, "80 asked, 30 uses: exactly 30 granted");
    for _ in 0..20 {
        assert_eq!(s.verify(&free).status, 200);
    }
    assert_eq!(s.stop(), Some(0));
    assert_eq!(env.key("limited")["use_count"], 30);
    assert_eq!(env.key("free")["use_count"], 20);
}

#[test]
fn the_number_of_threads_is_checked() {
    let env = TestEnv::new();
    for bad in ["0", "65", "many"] {
        let out = env.run(&["serve", "--threads", bad]).code(2);
        assert!(out.stderr.contains("--threads"), "{}", out.stderr);
    }
    let s = Server::start(&env, &["--threads", "1"]);
    assert_eq!(s.get("/healthz", &[]).status, 200);
    assert_eq!(s.stop(), Some(0));
}
