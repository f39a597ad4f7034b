//! Issue 12: `apikeys serve` through real HTTP: the contract's answers, bad input, slow
//! clients, reloads of a changed or broken store, unix sockets, and shutdown.

use crate::harness::{TestEnv, mode};
use crate::server::{Server, get, raw, signal};
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

#[test]
fn answers_follow_the_forward_auth_contract() {
    let env = TestEnv::new();
    let token = env.create("ci", &["--scope", "read", "--scope", "write"]);
    let fenced = env.create("fenced", &["--allow-ip", "10.0.0.0/8"]);
    let s = Server::start(&env, &[]);

    let ok = s.verify(&token);
    assert_eq!(ok.status, 200, "{ok:?}");
    assert_eq!(ok.header("x-apikey-code"), Some("valid"));
    assert_eq!(ok.header("x-apikey-name"), Some("ci"));
    assert_eq!(ok.header("x-apikey-scopes"), Some("read,write"));
    assert!(ok.header("x-apikey-expires").unwrap().ends_with('Z'));
    let id = token.split('_').nth(1).unwrap();
    assert_eq!(ok.header("x-apikey-id"), Some(id));
    // The body is what `verify --format json` prints.
    let cli = env.verify(&token, &["--format", "json"]).code(0).json();
    assert_eq!(ok.json(), cli);

    let bearer = s.get(
        "/verify/orders",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(bearer.status, 200);

    for (headers, code) in [
        (vec![], "malformed"),
        (vec![("X-API-Key", "")], "malformed"),
        (vec![("X-API-Key", "hello")], "malformed"),
        (vec![("Authorization", "Basic Y2k6cHc=")], "malformed"),
    ] {
        let a = s.get("/verify", &headers);
        assert_eq!(a.status, 401, "{headers:?}: {a:?}");
        assert_eq!(a.header("www-authenticate"), Some("ApiKey"));
        assert_eq!(a.header("x-apikey-code"), Some(code));
        assert!(a.header("x-apikey-id").is_none());
    }
    let mut wrong = token.clone().into_bytes();
    wrong[20] = if wrong[20] == b'a' { b'b' } else { b'a' };
    let wrong = String::from_utf8(wrong).unwrap();
    assert_eq!(s.verify(&wrong).status, 401);

    // Scopes by header and by query; 403 when one is missing.
    let scoped = |h: &[(&str, &str)], path: &str| s.get(path, h).status;
    let key = ("X-API-Key", token.as_str());
    assert_eq!(
        scoped(&[key, ("X-Required-Scope", "read, write")], "/verify"),
        200
    );
    assert_eq!(scoped(&[key], "/verify?scope=read&scope=write"), 200);
    let denied = s.get("/verify?scope=admin", &[key]);
    assert_eq!(denied.status, 403);
    assert_eq!(denied.header("x-apikey-code"), Some("scope_denied"));

    // A key fenced to 10/8 is denied from 127.0.0.1, whatever the client claims: no proxy
    // is trusted by default.
    let ip = s.get(
        "/verify",
        &[("X-API-Key", &fenced), ("X-Real-IP", "10.1.2.3")],
    );
    assert_eq!(
        (ip.status, ip.header("x-apikey-code")),
        (403, Some("ip_denied"))
    );

    let health = s.get("/healthz", &[]).json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["keys"], 2);
    let metrics = s.get("/metrics", &[]);
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .body
            .contains("apikeys_requests_total{code=\"valid\"} 4"),
        "{}",
        metrics.body
    );
    assert!(metrics.body.contains("apikeys_keys_loaded 2"));
    assert!(!metrics.body.contains(id) && !metrics.body.contains("\"ci\""));
    assert_eq!(s.get("/other", &[]).status, 404);
    assert!(!s.log().contains(&token[16..]), "a secret reached the log");
}

#[test]
fn trusted_proxies_pass_the_client_address() {
    let env = TestEnv::new();
    let fenced = env.create("fenced", &["--allow-ip", "10.0.0.0/8"]);
    let s = Server::start(&env, &["--trusted-proxy", "127.0.0.1/32"]);
    // One header is read (X-Forwarded-For by default); X-Real-IP is ignored, even from a
    // trusted proxy, so a client's forged X-Real-IP passed on by a gateway changes nothing.
    let real = s.get(
        "/verify",
        &[("X-API-Key", &fenced), ("X-Real-IP", "10.1.2.3")],
    );
    assert_eq!(real.status, 403, "X-Real-IP is not the configured header");
    let named = Server::start(
        &env,
        &[
            "--trusted-proxy",
            "127.0.0.1/32",
            "--client-ip-header",
            "X-Real-IP",
        ],
    );
    let real = named.get(
        "/verify",
        &[
            ("X-API-Key", &fenced),
            ("X-Real-IP", "10.1.2.3"),
            ("X-Forwarded-For", "192.0.2.1"),
        ],
    );
    assert_eq!(real.status, 200, "the named header, and only it, counts");
    let xff = s.get(
        "/verify",
        &[
            ("X-API-Key", &fenced),
            ("X-Forwarded-For", "192.0.2.1, 10.9.9.9"),
        ],
    );
    assert_eq!(xff.status, 200, "the right-most untrusted address counts");
    let spoofed = s.get(
        "/verify",
        &[
            ("X-API-Key", &fenced),
            ("X-Forwarded-For", "10.9.9.9, 192.0.2.1"),
        ],
    );
    assert_eq!(spoofed.status, 403);
}

#[test]
fn bad_input_gets_a_4xx_or_a_closed_connection_and_the_server_goes_on() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let s = Server::start(&env, &[]);
    let two = s.get("/verify", &[("X-API-Key", &token), ("X-API-Key", &token)]);
    assert_eq!(
        (two.status, two.header("x-apikey-code")),
        (401, Some("malformed"))
    );
    let huge = "a".repeat(100 * 1024);
    let big = raw(
        &s.addr,
        format!("GET /verify HTTP/1.1\r\nHost: x\r\nX-API-Key: {huge}\r\n\r\n").as_bytes(),
    );
    assert_eq!(big.as_ref().map(|a| a.status), Some(431), "{big:?}");
    let bytes = raw(
        &s.addr,
        b"GET /verify HTTP/1.1\r\nHost: x\r\nX-API-Key: \xff\xfe\xfd\r\nConnection: close\r\n\r\n",
    );
    let bytes = bytes.expect("an answer");
    assert_eq!(
        (bytes.status, bytes.header("x-apikey-code")),
        (401, Some("malformed"))
    );
    let garbage = raw(&s.addr, b"\x16\x03\x01 this is not http at all\r\n\r\n");
    assert_eq!(garbage.as_ref().map(|a| a.status), Some(400), "{garbage:?}");
    // A 10 MB body announced: answered from the head alone, before the body is sent (the
    // server never reads it).
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(&s.addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    conn.write_all(
        format!(
            "POST /verify HTTP/1.1\r\nHost: x\r\nX-API-Key: {token}\r\nContent-Length: 10485760\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let _ = conn.write_all(&[b'x'; 4096]);
    let mut head = [0u8; 64];
    let n = conn.read(&mut head).unwrap();
    let head = String::from_utf8_lossy(&head[..n]).to_string();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    // And it still answers.
    assert_eq!(s.verify(&token).status, 200);
}

#[test]
fn slow_clients_cannot_hold_the_server() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    // All from one address here, so that address's share is raised past them.
    let s = Server::start(&env, &["--max-conns-per-ip", "1000"]);
    // 300 connections that send half a request header and then nothing.
    let slow: Vec<TcpStream> = (0..300)
        .filter_map(|_| {
            let mut c = TcpStream::connect(&s.addr).ok()?;
            c.write_all(b"GET /verify HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .ok()?;
            Some(c)
        })
        .collect();
    assert_eq!(slow.len(), 300);
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let req = format!(
        "GET /verify HTTP/1.1\r\nHost: x\r\nX-API-Key: {token}\r\nConnection: close\r\n\r\n"
    );
    c.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut c, &mut out).expect("answered while 300 slow clients wait");
    assert_eq!(crate::server::parse(&out).unwrap().status, 200);
    drop(slow);
}

#[test]
fn a_changed_store_is_reloaded_and_a_broken_one_never_served() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let s = Server::start(&env, &[]);
    let later = env.create("later", &[]);
    s.until("the new key is loaded", |s| s.verify(&later).status == 200);
    env.run(&["revoke", "ci", "--yes"]).code(0);
    s.until("the revocation is loaded", |s| {
        s.verify(&token).header("x-apikey-code") == Some("inactive")
    });
    let good = env.store_bytes();
    // Damaged, half-written, another store's file, deleted: the last good one is served.
    let other = TestEnv::new();
    for (what, bytes) in [
        ("damaged", {
            let mut b = good.clone();
            let n = b.len();
            b[n - 40] ^= 1;
            Some(b)
        }),
        ("half-written", Some(good[..good.len() / 2].to_vec())),
        ("another store", Some(other.store_bytes())),
        ("deleted", None),
    ] {
        let generation = s.get("/healthz", &[]).json()["generation"].clone();
        match &bytes {
            Some(b) => std::fs::write(&env.store, b).unwrap(),
            None => std::fs::remove_file(&env.store).unwrap(),
        }
        s.until(&format!("{what}: stale"), |s| {
            s.get("/healthz", &[]).json()["status"] == "stale"
        });
        assert_eq!(
            s.verify(&later).status,
            200,
            "{what}: the last good keys are served"
        );
        assert_eq!(s.get("/healthz", &[]).json()["generation"], generation);
        std::fs::write(&env.store, &good).unwrap();
        s.until(&format!("{what}: ok again"), |s| {
            s.get("/healthz", &[]).json()["status"] == "ok"
        });
    }
    let metrics = s.get("/metrics", &[]).body;
    assert!(
        metrics.contains("apikeys_reload_failures_total 4"),
        "{metrics}"
    );
    assert!(s.log().contains("reload failed"), "{}", s.log());
}

#[test]
fn sigterm_finishes_and_writes_back_uses() {
    // SIGHUP (the terminal serve was started from closed) stops it the same orderly way.
    for sig in ["TERM", "INT", "HUP"] {
        let env = TestEnv::new();
        let token = env.create("ci", &[]);
        let limited = env.create("lim", &["--uses", "10"]);
        let s = Server::start(&env, &[]);
        for _ in 0..5 {
            assert_eq!(s.verify(&token).status, 200);
        }
        assert_eq!(s.verify(&limited).status, 200);
        assert!(
            env.key("ci")["last_used_at"].is_null(),
            "written back only later"
        );
        assert_eq!(s.stop_by(sig), Some(0), "SIG{sig}");
        let k = env.key("ci");
        assert_eq!(k["use_count"], 5, "SIG{sig}");
        assert!(!k["last_used_at"].is_null());
        assert_eq!(env.key("lim")["remaining"], 9, "SIG{sig}");
    }
}

#[test]
fn uses_are_written_back_while_running_without_blocking_on_the_lock() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let s = Server::start(&env, &["--flush-every", "1s"]);
    assert_eq!(s.verify(&token).status, 200);
    // A writer holds the lock: requests are still answered, and the flush waits its turn.
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(env.store.with_file_name("apikeys.store.lock"))
        .unwrap();
    lock.lock().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(s.verify(&token).status, 200);
    drop(lock);
    s.until("the uses are written back", |_| {
        env.key("ci")["use_count"] == 2
    });
    // At least the write-back after the lock was released (one before it is possible on a
    // slow machine, never one while the lock was held: that use count would be off).
    let metrics = s.get("/metrics", &[]).body;
    assert!(
        !metrics.contains("apikeys_usage_flushes_total 0"),
        "{metrics}"
    );
}

#[test]
fn a_unix_socket_is_0660_and_replaces_only_a_stale_socket() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let sock = env.path("verify.sock");
    let listen = format!("unix:{}", sock.display());
    let s = Server::start(&env, &["--listen", &listen]);
    assert_eq!(mode(&sock), 0o660);
    let mut c = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    let req = format!(
        "GET /verify HTTP/1.1\r\nHost: x\r\nX-API-Key: {token}\r\nConnection: close\r\n\r\n"
    );
    c.write_all(req.as_bytes()).unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut c, &mut out).unwrap();
    assert_eq!(crate::server::parse(&out).unwrap().status, 200);
    // A second server may not take a live socket.
    let busy = env.run(&["serve", "--listen", &listen]).code(6);
    assert!(busy.stderr.contains("another server"), "{}", busy.stderr);
    // A killed server leaves a stale socket, which the next one replaces.
    let mut s = s;
    signal(&s.child, "KILL");
    s.child.wait().unwrap();
    let again = Server::start(&env, &["--listen", &listen]);
    assert_eq!(
        get(&again.addr, "/verify", &[("X-API-Key", &token)]).status,
        200
    );
    drop(again);
    // A regular file is never replaced.
    let file = env.write("plain", "keep me");
    let out = env
        .run(&["serve", "--listen", &format!("unix:{}", file.display())])
        .code(6);
    assert!(out.stderr.contains("not a socket"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn bad_serve_arguments_are_usage_errors() {
    let env = TestEnv::new();
    env.run(&["serve", "--listen", "localhost"]).code(2);
    env.run(&["serve", "--trusted-proxy", "nope"]).code(2);
    // The client's address is never read from a header that carries something else: the
    // token's (every request would be a 400, and the token an "address"), the scopes', an
    // answer's, HTTP's framing.
    for header in [
        "X-API-Key",
        "authorization",
        "Cookie",
        "X-Required-Scope",
        "X-Apikey-Id",
        "Host",
        "bad header",
    ] {
        let out = env
            .run(&[
                "serve",
                "--trusted-proxy",
                "127.0.0.1/32",
                "--client-ip-header",
                header,
            ])
            .code(2);
        assert!(
            out.stderr.contains("invalid --client-ip-header name")
                && out.stderr.contains("X-Real-IP"),
            "{header}: {}",
            out.stderr
        );
    }
    let out = env.bare_cmd(&["serve"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "no credential, no terminal");
}

#[test]
fn sigterm_under_load_answers_every_request_in_flight_and_counts_every_use() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let s = Server::start(&env, &[]);
    // Valid answers so far: the SIGTERM comes under load, whatever the machine's speed.
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (addr, token) = (s.addr.clone(), token.clone());
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut valid = 0u64;
                loop {
                    let Ok(mut c) = TcpStream::connect(&addr) else {
                        return valid;
                    };
                    let req = format!(
                        "GET /verify HTTP/1.1\r\nHost: x\r\nX-API-Key: {token}\r\nConnection: close\r\n\r\n"
                    );
                    let _ = c.write_all(req.as_bytes());
                    let mut out = Vec::new();
                    let _ = std::io::Read::read_to_end(&mut c, &mut out);
                    match crate::server::parse(&out) {
                        Some(a) => {
                            assert_eq!(a.status, 200, "{a:?}");
                            valid += 1;
                            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        // Closed before a request was read: the server is going away.
                        None => return valid,
                    }
                }
            })
        })
        .collect();
    crate::harness::eventually("load", || {
        seen.load(std::sync::atomic::Ordering::Relaxed) >= 200
    });
    assert_eq!(s.stop(), Some(0));
    let valid: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(valid > 0);
    assert_eq!(
        env.key("ci")["use_count"],
        valid,
        "every granted use is recorded"
    );
}

/// `--access-log`: one line per request (time, client address, status, code, key id,
/// latency), in the order answered, written while the server runs (gathered, a few times a
/// second) and, for the last ones, at exit; never a token.
#[test]
fn the_access_log_has_one_line_per_request_in_order_and_no_secret() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let id = token.split('_').nth(1).unwrap().to_string();
    // The last character changed (to one it is not: a token ending in X stays wrong).
    let last = if token.ends_with('X') { 'Y' } else { 'X' };
    let wrong = format!("{}{last}", &token[..token.len() - 1]);
    let s = Server::start(&env, &["--access-log"]);
    assert_eq!(s.verify(&token).status, 200);
    assert_eq!(s.verify(&wrong).status, 401);
    assert_eq!(s.get("/verify", &[]).status, 401);
    s.until("three access lines written while running", |s| {
        s.log().matches(" access: ").count() == 3
    });
    let lines: Vec<String> = s
        .log()
        .lines()
        .filter(|l| l.contains(" access: "))
        .map(String::from)
        .collect();
    let expect = [
        format!("client=127.0.0.1 status=200 code=valid key={id} latency_us="),
        "client=127.0.0.1 status=401 code=malformed key=- latency_us=".to_string(),
        "client=127.0.0.1 status=401 code=malformed key=- latency_us=".to_string(),
    ];
    for (line, want) in lines.iter().zip(&expect) {
        let (time, rest) = line.split_once(" apikeys: access: ").unwrap();
        assert!(time.len() == 20 && time.ends_with('Z'), "{line}");
        assert!(rest.starts_with(want.as_str()), "{line}\nwanted {want}");
        let us = rest.rsplit('=').next().unwrap();
        assert!(us.parse::<u64>().is_ok(), "{line}");
    }
    // Answered just before SIGTERM: still logged, each once, before "stopped".
    for _ in 0..200 {
        assert_eq!(s.verify(&token).status, 200);
    }
    let (code, log) = s.stop_with_log();
    assert_eq!(code, Some(0));
    assert_eq!(log.matches(" access: ").count(), 203, "{log}");
    assert_eq!(
        log.matches(&format!("status=200 code=valid key={id} "))
            .count(),
        201
    );
    let last_access = log.rfind(" access: ").unwrap();
    assert!(last_access < log.find("apikeys: stopped").unwrap());
    assert!(!log.contains(&token[20..]) && !log.contains(&wrong[20..]));
}
