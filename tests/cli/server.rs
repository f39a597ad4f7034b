//! A running `apikeys serve` and a small raw HTTP/1.1 client, for the serve tests: raw, so that
//! tests can also send what no well-behaved client would.

use crate::harness::TestEnv;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A server process; killed on drop unless stopped.
pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT` of the first TCP listener.
    pub addr: String,
    log: Arc<Mutex<String>>,
}

/// One parsed answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// A header's value (names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as json.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// Parses a raw HTTP/1.1 response.
pub fn parse(raw: &[u8]) -> Option<Answer> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Answer {
        status,
        headers,
        body: body.to_string(),
    })
}

/// Sends raw bytes and reads until the server closes; `None` when it closed without answer.
pub fn raw(addr: &str, request: &[u8]) -> Option<Answer> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // A server may close before reading everything (a refused body): that is an answer too.
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    parse(&out)
}

/// A GET with these headers, `Connection: close`.
pub fn get(addr: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    raw(addr, req.as_bytes()).expect("an answer")
}

/// A GET with these headers as a gateway sends it, on a connection kept alive (no
/// `Connection` header: serve answers it in its fast lane); the answer is read by its
/// `content-length`, and the connection then closed by the client.
pub fn get_alive(addr: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let raw = read_answer(&mut s, false).expect("an answer");
    parse(&raw).expect("an answer")
}

/// The bytes of the next answer on `s` (its head, and its body by `content-length` unless
/// `head_only`); `None` when the connection ends first.
pub fn read_answer(s: &mut impl Read, head_only: bool) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte: what follows this answer on the connection stays unread.
    while !out.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).ok()? == 0 {
            return None;
        }
        out.push(byte[0]);
    }
    let len = if head_only {
        0
    } else {
        parse(&out)?
            .header("content-length")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0)
    };
    let start = out.len();
    out.resize(start + len, 0);
    s.read_exact(&mut out[start..]).ok()?;
    Some(out)
}

/// A free TCP port on loopback (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// Starts `serve` on a free loopback port (plus `extra` arguments) and waits until it
    /// listens.
    pub fn start(env: &TestEnv, extra: &[&str]) -> Server {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        Self::spawn(env.cmd(&args))
    }

    /// Starts a prepared `serve` command and waits for its first TCP listener.
    pub fn spawn(mut cmd: std::process::Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(a) = line.split("listening on ").nth(1)
                    && !a.starts_with("unix:")
                {
                    let _ = tx.send(a.split_whitespace().next().unwrap_or("").to_string());
                }
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("serve did not start: {}", log.lock().unwrap()));
        Server { child, addr, log }
    }

    /// Everything logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// GET with headers, as a gateway sends it (kept alive).
    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        get_alive(&self.addr, path, headers)
    }

    /// Asks `/verify` with `X-API-Key`.
    pub fn verify(&self, token: &str) -> Answer {
        self.get("/verify", &[("X-API-Key", token)])
    }

    /// Polls until `f` holds (the server reloads within a second); panics after 10 s.
    pub fn until(&self, what: &str, mut f: impl FnMut(&Server) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !f(self) {
            assert!(
                Instant::now() < deadline,
                "{what} never happened; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends SIGTERM; returns the exit code and the whole log, its last line ("stopped")
    /// included.
    pub fn stop_with_log(mut self) -> (Option<i32>, String) {
        signal(&self.child, "TERM");
        let code = self.child.wait().unwrap().code();
        // The reader thread reaches the end of the pipe on its own: wait for it, bounded.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.log().contains("apikeys: stopped") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let log = self.log();
        std::mem::forget(self);
        (code, log)
    }

    /// Sends SIGTERM and returns the exit code.
    pub fn stop(self) -> Option<i32> {
        self.stop_by("TERM")
    }

    /// Sends `sig` (TERM, INT, HUP) and returns the exit code.
    pub fn stop_by(mut self, sig: &str) -> Option<i32> {
        signal(&self.child, sig);
        let code = self.child.wait().unwrap().code();
        std::mem::forget(self);
        code
    }
}

/// Sends a signal with kill(1).
pub fn signal(child: &Child, sig: &str) {
    std::process::Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .unwrap();
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
