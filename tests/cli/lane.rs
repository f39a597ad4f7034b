//! Issue 39: serve answers plain requests (HTTP/1.1, no body, no `Connection`) in its own fast
//! lane and hands every other request to hyper, for the rest of its connection. Both answer
//! alike, byte for byte but the date, whichever way a request went.

use crate::harness::TestEnv;
use crate::server::{Server, parse, read_answer};
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// One request on a new connection; its answer's bytes.
fn exchange(addr: &str, request: &str) -> Vec<u8> {
    let mut s = connect(addr);
    s.write_all(request.as_bytes()).unwrap();
    read_answer(&mut s, request.starts_with("HEAD ")).expect("an answer")
}

/// An answer with its figures (uses left, headroom) as `#`: two answers of a limited key.
fn without_figures(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match (c.is_ascii_digit(), out.ends_with('#')) {
            (true, true) => {}
            (true, false) => out.push('#'),
            (false, _) => out.push(c),
        }
    }
    out
}

/// An answer without its `date` line (the one part that may differ between two answers).
fn without_date(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .split("\r\n")
        .filter(|l| !l.starts_with("date: "))
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn plain_requests_are_answered_as_hyper_answers_them() {
    let env = TestEnv::new();
    let token = env.create("ci", &["--scope", "read"]);
    let fenced = env.create("fenced", &["--allow-ip", "10.0.0.0/8"]);
    let gone = env.create("gone", &[]);
    env.run(&["revoke", "gone", "--yes"]).code(0);
    let stranger = TestEnv::new().create("elsewhere", &[]);
    let s = Server::start(&env, &[]);
    let key = |t: &str| format!("X-API-Key: {t}\r\n");
    let cases: Vec<(&str, String, u16)> = vec![
        ("GET /verify", key(&token), 200),
        (
            "GET /verify/orders?scope=read",
            format!("Authorization: Bearer {token}\r\n"),
            200,
        ),
        (
            "POST /verify",
            format!("{}Content-Length: 0\r\n", key(&token)),
            200,
        ),
        ("HEAD /verify", key(&token), 200),
        (
            "GET /verify",
            format!("{}X-Required-Scope: admin\r\n", key(&token)),
            403,
        ),
        ("GET /verify", key(&fenced), 403),
        ("GET /verify", key(&gone), 401),
        ("GET /verify", key(&stranger), 401),
        ("GET /verify", key("ak_nonsense"), 401),
        ("GET /verify", String::new(), 401),
        (
            "GET /verify",
            format!("{}{}", key(&token), key(&token)),
            401,
        ),
        (
            "GET /verify",
            format!("{}X-Apikey-Cost: 0\r\n", key(&token)),
            400,
        ),
        (
            "GET /verify",
            format!("{}x-forwarded-for: 10.0.0.1\r\n", key(&token)),
            200,
        ),
        ("GET /nowhere", String::new(), 404),
        ("GET /healthz", String::new(), 200),
        // Targets read as hyper reads them: escapes and sub-delimiters as they are, a
        // character some parsers refuse, a fragment (dropped, so its scope is not asked).
        ("GET /verify/a%20b;v=1?scope=read&x=(1)", key(&token), 200),
        ("GET /verify?scope=read&x={1}|^", key(&token), 200),
        ("GET /verify?scope=read#scope=admin", key(&token), 200),
        ("GET /verify?scope=admin#x", key(&token), 403),
        ("GET /verify?scope=re%ZZ", key(&token), 403),
    ];
    for (line, headers, status) in cases {
        let plain = format!("{line} HTTP/1.1\r\nHost: x\r\n{headers}\r\n");
        // `Connection: keep-alive` changes nothing in the answer, but sends it to hyper.
        let to_hyper =
            format!("{line} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n{headers}\r\n");
        let (a, b) = (exchange(&s.addr, &plain), exchange(&s.addr, &to_hyper));
        assert_eq!(parse(&a).unwrap().status, status, "{line} {headers}");
        assert!(String::from_utf8_lossy(&a).contains("\r\ndate: "), "{line}");
        assert_eq!(without_date(&a), without_date(&b), "{line} {headers}");
    }
    // Limited keys (a rate and uses, uses alone, a rate alone): the same answers but for
    // their figures, which each request moves.
    for (i, extra) in [
        &["--rate", "1000000/1s", "--uses", "1000000000"][..],
        &["--uses", "50"],
        &["--rate", "100/1m"],
    ]
    .into_iter()
    .enumerate()
    {
        let t = env.create(&format!("limited{i}"), extra);
        s.until("the limited key is loaded", |s| s.verify(&t).status == 200);
        for line in ["GET /verify", "HEAD /verify"] {
            let plain = format!("{line} HTTP/1.1\r\nHost: x\r\n{}\r\n", key(&t));
            let to_hyper = format!(
                "{line} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n{}\r\n",
                key(&t)
            );
            let (a, b) = (exchange(&s.addr, &plain), exchange(&s.addr, &to_hyper));
            let text = String::from_utf8_lossy(&a);
            assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{extra:?} {text}");
            assert_eq!(
                text.contains("\r\nratelimit-remaining: "),
                extra.contains(&"--rate"),
                "{extra:?} {text}"
            );
            assert_eq!(
                without_figures(&without_date(&a)),
                without_figures(&without_date(&b)),
                "{extra:?} {line}"
            );
        }
    }
}

#[test]
fn a_connection_goes_to_hyper_at_its_first_unusual_request_and_answers_everything_in_order() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let s = Server::start(&env, &[]);
    let get = |path: &str| format!("GET {path} HTTP/1.1\r\nHost: x\r\nX-API-Key: {token}\r\n\r\n");
    let mut c = connect(&s.addr);
    // Two plain requests in one write (pipelined), a request with a body (hyper's), then plain
    // ones again on the same connection, the last one split across writes.
    let with_body = format!(
        "POST /verify HTTP/1.1\r\nHost: x\r\nX-API-Key: {token}\r\nContent-Length: 5\r\n\r\nhello"
    );
    c.write_all(
        format!(
            "{}{}{with_body}{}",
            get("/verify"),
            get("/nowhere"),
            get("/healthz")
        )
        .as_bytes(),
    )
    .unwrap();
    let last = get("/verify");
    let (first, rest) = last.split_at(20);
    c.write_all(first.as_bytes()).unwrap();
    c.flush().unwrap();
    std::thread::sleep(Duration::from_millis(50));
    c.write_all(rest.as_bytes()).unwrap();
    let statuses: Vec<u16> = (0..5)
        .map(|i| {
            let raw = read_answer(&mut c, false).unwrap_or_else(|| panic!("answer {i}"));
            parse(&raw).unwrap().status
        })
        .collect();
    assert_eq!(statuses, [200, 404, 200, 200, 200]);

    // Split heads on the fast lane alone, byte by byte, are answered too.
    let mut c = connect(&s.addr);
    for b in get("/verify").as_bytes() {
        c.write_all(&[*b]).unwrap();
    }
    let raw = read_answer(&mut c, false).expect("an answer");
    assert_eq!(parse(&raw).unwrap().status, 200);
    // The server goes on.
    assert_eq!(s.verify(&token).status, 200);
}
