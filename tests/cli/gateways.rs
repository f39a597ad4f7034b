//! Issue 12: real nginx and Caddy in front of `apikeys serve`, with the configurations the
//! README gives (docs/gateways/). Skipped with a notice only when the gateway is not installed.

use crate::fleet::{export, serve_snapshot};
use crate::harness::TestEnv;
use crate::server::{Server, free_port, get};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A gateway process, stopped on drop: SIGTERM first, so that nginx's master takes its
/// workers down with it (a SIGKILL would leave them running, holding the port), and SIGKILL
/// only if it has not exited within five seconds.
pub struct Gateway(Child);

impl Drop for Gateway {
    fn drop(&mut self) {
        crate::server::signal(&self.0, "TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.0.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn installed(bin: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {bin}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        crate::harness::missing(&format!("{bin} is not installed"));
    }
    found
}

/// Starts a gateway and waits until it listens on `port`.
pub fn launch(cmd: &mut Command, port: u16, what: &str) -> Gateway {
    let mut child = cmd.stdout(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(st)) = child.try_wait() {
            panic!("{what} exited: {st}");
        }
        assert!(Instant::now() < deadline, "{what} did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Gateway(child)
}

/// A request with `token` through the gateway reaches the upstream, which sees the key's id.
fn reaches_upstream(addr: &str, token: &str) {
    let ok = get(addr, "/api/orders", &[("X-API-Key", token)]);
    assert_eq!(ok.status, 200, "{ok:?}");
    let id = token.split('_').nth(1).unwrap();
    assert!(
        ok.body.contains(&format!("key={id}")),
        "the key id reached the upstream: {ok:?}"
    );
}

/// Issue 20: a client cannot forge its address through the recipe. A key allowed only for
/// 10.0.0.1 stays denied whatever X-Real-IP or X-Forwarded-For the client sends, and a key
/// allowed for the client's real address (127.0.0.1) passes, so the gateway's own view of the
/// client is what serve checks.
fn forged_addresses_change_nothing(env: &TestEnv, addr: &str) {
    let far = env.create("far", &["--allow-ip", "10.0.0.1", "--scope", "orders:read"]);
    let near = env.create(
        "near",
        &["--allow-ip", "127.0.0.1", "--scope", "orders:read"],
    );
    let until = Instant::now() + Duration::from_secs(10);
    while get(addr, "/api/orders", &[("X-API-Key", &near)]).status != 200 {
        assert!(
            Instant::now() < until,
            "the new keys never reached the server"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    for forged in [
        vec![("X-Real-IP", "10.0.0.1")],
        vec![("X-Forwarded-For", "10.0.0.1")],
        vec![("X-Forwarded-For", "10.0.0.1, 10.0.0.1")],
        vec![("X-Real-IP", "10.0.0.1"), ("X-Forwarded-For", "10.0.0.1")],
    ] {
        let mut h = forged.clone();
        h.push(("X-API-Key", &far));
        assert_eq!(get(addr, "/api/orders", &h).status, 403, "{forged:?}");
        let mut h = forged.clone();
        h.push(("X-API-Key", &near));
        assert_eq!(get(addr, "/api/orders", &h).status, 200, "{forged:?}");
    }
}

/// Issue 33: a client with a low-privilege key cannot make the upstream believe it has more.
/// Every identity header it sends is replaced by apikeys' answer (or removed), and the
/// upstream, which echoes what it receives, sees only the truth.
fn forged_identity_never_reaches_the_upstream(addr: &str, low: &str) {
    let id = low.split('_').nth(1).unwrap();
    let forged = [
        ("X-Apikey-Scopes", "admin:all"),
        ("X-Apikey-Owner", "bigcorp"),
        ("X-Apikey-Expires", "never"),
        ("X-Apikey-Id", "forgedid"),
        ("X-Apikey-Name", "forgedname"),
        ("X-Apikey-Code", "valid"),
        ("X-Apikey-Cost", "1"),
    ];
    let mut h: Vec<(&str, &str)> = forged.to_vec();
    h.push(("X-API-Key", low));
    let r = get(addr, "/api/ping", &h);
    assert_eq!(r.status, 200, "{r:?}");
    for (_, v) in forged {
        assert!(
            !r.body.contains(&format!("={v} ")) && !r.body.contains(&format!("={v}\n")),
            "the forged {v} reached the upstream: {}",
            r.body
        );
    }
    let field = |name: &str| {
        r.body
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {}", r.body))
            .to_string()
    };
    assert_eq!(field("key"), id, "{}", r.body);
    assert_eq!(field("scopes"), "", "no scopes granted: {}", r.body);
    assert_eq!(field("owner"), "", "no owner: {}", r.body);
    assert_eq!(field("cost"), "", "no cost passed on: {}", r.body);
    assert_eq!(field("code"), "", "no code passed on: {}", r.body);
    assert!(
        field("expires").starts_with("20"),
        "the real expiry: {}",
        r.body
    );
    // Without a key the request never reaches the upstream, whatever it claims.
    let mut h: Vec<(&str, &str)> = forged.to_vec();
    h.push(("X-Real-IP", "127.0.0.1"));
    assert_eq!(get(addr, "/api/ping", &h).status, 401);
}

/// The committed config with its placeholders filled in.
fn config(name: &str, vars: &[(&str, String)]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/gateways")
        .join(name);
    let mut text = std::fs::read_to_string(&path).unwrap();
    for (k, v) in vars {
        text = text.replace(&format!("{{{{{k}}}}}"), v);
    }
    text
}

/// A store with a key granting `orders:read` and one granting nothing, and a server that
/// believes the gateway on loopback, with serve's defaults otherwise. `listen` is its
/// listener: nginx's test uses an IPv4 one, Caddy's a dual-stack `[::]` one (where the
/// gateway's IPv4 connections arrive as `::ffff:127.0.0.1`). Returns the address to give
/// the gateway.
fn protected(listen: &str) -> (TestEnv, String, String, Server, String) {
    let env = TestEnv::new();
    let token = env.create("ci", &["--scope", "orders:read"]);
    let other = env.create("other", &[]);
    let mut cmd = env.cmd(&[
        "serve",
        "--listen",
        listen,
        "--trusted-proxy",
        "127.0.0.1/32",
    ]);
    cmd.stdout(Stdio::null());
    let s = Server::spawn(cmd);
    let port = s.addr.rsplit(':').next().unwrap().to_string();
    (env, token, other, s, format!("127.0.0.1:{port}"))
}

/// Runs docs/gateways/nginx.conf (and the apikeys_errors it includes) as shipped, in front
/// of `apikeys` (an address), from `env`'s temp dir. Returns nginx and its address.
fn nginx_recipe(env: &TestEnv, apikeys: String) -> (Gateway, String) {
    nginx_recipe_edited(env, apikeys, |c| c)
}

/// The same, with the recipe's text changed by `edit` first.
fn nginx_recipe_edited(
    env: &TestEnv,
    apikeys: String,
    edit: impl Fn(String) -> String,
) -> (Gateway, String) {
    let (port, up) = (free_port(), free_port());
    let dir = env.path("nginx");
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    let conf = config(
        "nginx.conf",
        &[
            ("APIKEYS", apikeys),
            ("LISTEN", format!("127.0.0.1:{port}")),
            ("UPSTREAM", format!("127.0.0.1:{up}")),
        ],
    );
    for include in ["apikeys_errors", "apikeys_identity"] {
        std::fs::write(dir.join(include), config(include, &[])).unwrap();
    }
    // Test-only settings: foreground, files in the temp dir, workers as root under root.
    let user = if rustix::process::geteuid().as_raw() == 0 {
        "user root;\n"
    } else {
        ""
    };
    let conf = edit(conf);
    let conf = format!(
        "daemon off;\n{user}pid {d}/nginx.pid;\nerror_log {d}/error.log;\n{conf}",
        d = dir.display()
    );
    let conf = conf.replace(
        "http {",
        &format!(
            "http {{\n    client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n    fastcgi_temp_path {d}/fcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n    access_log off;",
            d = dir.display()
        ),
    );
    let conf_path = dir.join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let nginx = launch(
        Command::new("nginx")
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&conf_path),
        port,
        "nginx",
    );
    (nginx, format!("127.0.0.1:{port}"))
}

#[test]
fn nginx_passes_on_429_and_503_and_matches_routes_like_the_upstream() {
    if !installed("nginx") {
        return;
    }
    let (env, token, other, s, apikeys) = protected("127.0.0.1:0");
    let once = env.create("once", &["--uses", "1"]);
    let (_nginx, addr) = nginx_recipe(&env, apikeys);
    // The scoped route is found whatever the case: `other` lacks orders:read.
    for path in ["/api/orders", "/api/ORDERS", "/API/Orders/7"] {
        assert_eq!(
            get(&addr, path, &[("X-API-Key", &other)]).status,
            403,
            "{path}"
        );
    }
    assert_eq!(
        get(&addr, "/API/ORDERS", &[("X-API-Key", &token)]).status,
        200
    );
    // A 429 of apikeys reaches the client as 429 with its code, never as nginx's 500.
    s.until("the limited key is loaded", |_| {
        get(&addr, "/api/ping", &[("X-API-Key", &once)]).status == 200
    });
    let over = get(&addr, "/api/ping", &[("X-API-Key", &once)]);
    assert_eq!(over.status, 429, "{over:?}");
    assert_eq!(over.header("x-apikey-code"), Some("usage_exceeded"));
    // …and nginx logs no [error] line for it (auth_request takes only 2xx, 401 and 403).
    let errors = std::fs::read_to_string(env.path("nginx/error.log")).unwrap_or_default();
    assert!(!errors.contains("[error]"), "{errors}");
    // A scope denied: 403 with apikeys' code.
    let denied = get(&addr, "/api/orders", &[("X-API-Key", &other)]);
    assert_eq!(
        (denied.status, denied.header("x-apikey-code")),
        (403, Some("scope_denied"))
    );
    drop(s);
    // A snapshot node past --max-age: 503, not 500.
    export(&env, "v.snap", "v.key");
    let node = serve_snapshot(
        &env,
        "v.snap",
        "v.key",
        &["--max-age", "1s", "--trusted-proxy", "127.0.0.1/32"],
    );
    std::fs::remove_dir_all(env.path("nginx")).unwrap();
    let (_nginx2, addr2) = nginx_recipe(&env, node.addr.clone());
    node.until("the snapshot is too old", |n| {
        n.verify(&token).status == 503
    });
    let stale = get(&addr2, "/api/ping", &[("X-API-Key", &token)]);
    assert_eq!(stale.status, 503, "{stale:?}");
    assert_eq!(stale.header("x-apikey-code"), Some("stale_snapshot"));
}

#[test]
fn nginx_auth_request_protects_an_upstream() {
    if !installed("nginx") {
        return;
    }
    let (env, token, other, s, apikeys) = protected("127.0.0.1:0");
    let (_nginx, addr) = nginx_recipe(&env, apikeys);
    reaches_upstream(&addr, &token);
    let none = get(&addr, "/api/orders", &[]);
    assert_eq!(none.status, 401);
    assert_eq!(none.header("www-authenticate"), Some("ApiKey"));
    let bearer = get(
        &addr,
        "/api/orders",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(bearer.status, 200);
    // A per-route scope: /api/orders needs orders:read, which `other` lacks.
    assert_eq!(
        get(&addr, "/api/orders", &[("X-API-Key", &other)]).status,
        403
    );
    assert_eq!(
        get(&addr, "/api/ping", &[("X-API-Key", &other)]).status,
        200
    );
    forged_identity_never_reaches_the_upstream(&addr, &other);
    // Rate limits per key are apikeys' own (SPEC §10), passed on by the recipe as 429 with
    // Retry-After: one key's burst is cut off, another key is untouched.
    let rated = env.create("rated", &["--rate", "5/1m"]);
    s.until("the rated key is loaded", |_| {
        get(&addr, "/api/ping", &[("X-API-Key", &rated)]).status == 200
    });
    let statuses: Vec<u16> = (0..6)
        .map(|_| get(&addr, "/api/ping", &[("X-API-Key", &rated)]).status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        4,
        "{statuses:?}"
    );
    let over = get(&addr, "/api/ping", &[("X-API-Key", &rated)]);
    assert_eq!(over.status, 429);
    assert_eq!(over.header("x-apikey-code"), Some("rate_limited"));
    assert!(over.header("retry-after").is_some(), "{over:?}");
    assert_eq!(
        get(&addr, "/api/ping", &[("X-API-Key", &other)]).status,
        200
    );
    forged_addresses_change_nothing(&env, &addr);
    // Revocation reaches the gateway within a reload.
    env.run(&["revoke", "ci", "--yes"]).code(0);
    s.until("revoked behind nginx", |_| {
        get(&addr, "/api/orders", &[("X-API-Key", &token)]).status == 401
    });
}

#[test]
fn caddy_forward_auth_protects_an_upstream() {
    if !installed("caddy") {
        return;
    }
    let (env, token, other, s, apikeys) = protected("[::]:0");
    let port = free_port();
    let dir = env.path("caddy");
    std::fs::create_dir_all(&dir).unwrap();
    let conf = config(
        "Caddyfile",
        &[
            ("APIKEYS", apikeys),
            ("LISTEN", format!("127.0.0.1:{port}")),
        ],
    );
    let conf_path = dir.join("Caddyfile");
    std::fs::write(&conf_path, conf).unwrap();
    let _caddy = launch(
        Command::new("caddy")
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(&conf_path)
            .env("HOME", &dir)
            .env("XDG_CONFIG_HOME", &dir)
            .env("XDG_DATA_HOME", &dir)
            .stderr(Stdio::null()),
        port,
        "caddy",
    );
    let addr = format!("127.0.0.1:{port}");
    reaches_upstream(&addr, &token);
    let none = get(&addr, "/api/orders", &[]);
    assert_eq!(none.status, 401);
    assert_eq!(none.header("x-apikey-code"), Some("malformed"));
    assert_eq!(
        get(&addr, "/api/orders", &[("X-API-Key", &other)]).status,
        403
    );
    assert_eq!(
        get(&addr, "/api/ping", &[("X-API-Key", &other)]).status,
        200
    );
    // A client cannot smuggle its own identity headers past the gateway, nor any other
    // X-Apikey-* header (Caddy drops them by pattern).
    forged_identity_never_reaches_the_upstream(&addr, &other);
    let extra = get(
        &addr,
        "/api/ping",
        &[("X-API-Key", &other), ("X-Apikey-Admin", "yes")],
    );
    assert!(extra.body.ends_with("admin="), "{extra:?}");
    forged_addresses_change_nothing(&env, &addr);
    drop(s);
}

#[test]
fn a_busy_nginx_is_never_refused_by_serve_for_its_share_of_connections() {
    if !installed("nginx") {
        return;
    }
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    // A small share per address, so that a gateway held to it would be past it at once.
    let s = Server::spawn(env.cmd(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--trusted-proxy",
        "127.0.0.1/32",
        "--max-conns-per-ip",
        "4",
    ]));
    let port = s.addr.rsplit(':').next().unwrap().to_string();
    // The recipe's own limit per client address would answer these 429 first: all the
    // clients here are 127.0.0.1.
    let (_nginx, addr) = nginx_recipe_edited(&env, format!("127.0.0.1:{port}"), |c| {
        c.replace("limit_req zone=per_ip burst=100 nodelay;", "")
    });
    // 32 clients at once, each on its own kept-alive connection: nginx opens as many
    // connections to serve as it has checks in flight (its pool keeps 32).
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..32)
            .map(|_| {
                scope.spawn(|| {
                    let mut c = std::net::TcpStream::connect(&addr).unwrap();
                    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                    let req =
                        format!("GET /api/ping HTTP/1.1\r\nHost: x\r\nX-API-Key: {token}\r\n\r\n");
                    (0..40)
                        .map(|_| {
                            std::io::Write::write_all(&mut c, req.as_bytes()).unwrap();
                            let raw = crate::server::read_answer(&mut c, false).expect("an answer");
                            crate::server::parse(&raw).unwrap().status
                        })
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        clients
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect()
    });
    let failed = statuses.iter().filter(|s| **s != 200).count();
    assert_eq!((statuses.len(), failed), (1280, 0), "{statuses:?}");
    let metrics = get(&s.addr, "/metrics", &[]).body;
    assert!(
        metrics.contains("apikeys_connections_refused_total 0\n"),
        "{metrics}"
    );
    let errors = std::fs::read_to_string(env.path("nginx/error.log")).unwrap_or_default();
    assert!(!errors.contains("[error]"), "{errors}");
}
