//! `apikeys console`: the admin pages of the products this tool replaces, served locally from
//! the store itself (SPEC §15). Loopback or a unix socket only; a one-time login link; every
//! change a POST with the session's CSRF token from the console's own origin; every action
//! the library operation the CLI runs, logged with the admin's slot and the note `console`.

mod actions;
pub mod auth;
pub mod pages;

use crate::commands::Context;
use crate::error::{Error, Result};
use crate::store::Store;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use maud::Markup;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Arguments of `console`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Prints a login link holding a one-time token: open it in a browser on this machine.\nSessions end after 15 minutes idle and when the console stops (Ctrl-C).\n\nExamples:\n  apikeys console\n  apikeys console --listen 127.0.0.1:8787 --open\n  apikeys console --listen unix:/run/user/1000/apikeys.sock"
)]
pub struct Args {
    /// Where to listen: a loopback address (127.0.0.1:PORT, [::1]:PORT; port 0 picks one) or
    /// unix:PATH. Any other address is refused
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: String,
    /// Open the login link in the default browser (xdg-open)
    #[arg(long)]
    pub open: bool,
}

/// The largest form accepted.
const MAX_BODY: usize = 64 * 1024;
/// Connections served at once.
const MAX_CONNECTIONS: usize = 64;

/// What every request shares: the store, the gate, who is acting.
pub struct App {
    pub store: Store,
    pub gate: auth::Gate,
    pub actor: String,
    /// Every key as last read: read again when the store changes (the CLI's writes, the
    /// console's own), so that a page of the table at 100,000 keys is a filter and a sort.
    pub keys: Option<Vec<crate::model::KeyRecord>>,
}

/// Where the console listens.
enum Listen {
    Tcp(std::net::SocketAddr),
    Unix(std::path::PathBuf),
}

fn parse_listen(s: &str) -> Result<Listen> {
    if let Some(p) = s.strip_prefix("unix:") {
        return Ok(Listen::Unix(p.into()));
    }
    let addr = s
        .replace("localhost:", "127.0.0.1:")
        .parse::<std::net::SocketAddr>()
        .map_err(|_| {
            Error::usage(
                format!("invalid --listen {:?}", crate::text::sanitize(s)),
                "give 127.0.0.1:PORT, [::1]:PORT or unix:PATH",
            )
        })?;
    if !addr.ip().is_loopback() {
        return Err(Error::usage(
            format!("the console listens on loopback only, not {}", addr.ip()),
            "give 127.0.0.1:PORT (reach it from elsewhere through an SSH tunnel), or unix:PATH",
        ));
    }
    Ok(Listen::Tcp(addr))
}

/// Runs `console`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let listen = parse_listen(&args.listen)?;
    let socket = match &listen {
        Listen::Unix(p) => Some(p.clone()),
        Listen::Tcp(_) => None,
    };
    let store = ctx.open()?;
    let actor = format!("{} (console)", store.unlocked_by().unwrap_or("admin"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the console: {e}")))?;
    runtime.block_on(async move {
        let (listener, host) = match &listen {
            Listen::Tcp(a) => {
                let l = crate::serve::bind_tcp(a).await?;
                let bound = l.local_addr().map_err(|e| Error::Io(e.to_string()))?;
                (Either::Tcp(l), Some(bound.to_string()))
            }
            Listen::Unix(p) => {
                let l = tokio::net::UnixListener::bind(p).map_err(|e| Error::Refused {
                    message: format!("cannot listen on {}: {e}", p.display()),
                    hint: "choose another path (its directory must exist; no file there)".into(),
                })?;
                (Either::Unix(l), None)
            }
        };
        let (gate, token) = auth::Gate::new(host.clone())?;
        let url = match &host {
            Some(h) => format!("http://{h}/login?token={token}"),
            None => format!("/login?token={token} (through the socket)"),
        };
        eprintln!("console: open {url}");
        eprintln!("console: the link works once; Ctrl-C ends the console and its sessions");
        if args.open && host.is_some() {
            let _ = std::process::Command::new("xdg-open")
                .arg(&url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
        }
        let app = Arc::new(Mutex::new(App {
            store,
            gate,
            actor,
            keys: None,
        }));
        serve(listener, app).await
    })?;
    if let Some(p) = socket {
        let _ = std::fs::remove_file(p);
    }
    Ok(())
}

enum Either {
    Tcp(tokio::net::TcpListener),
    Unix(tokio::net::UnixListener),
}

async fn serve(listener: Either, app: Arc<Mutex<App>>) -> Result<()> {
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| Error::Io(e.to_string()))?;
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return Ok(());
        };
        let io: std::pin::Pin<Box<dyn Io>> = tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = term.recv() => return Ok(()),
            a = async {
                match &listener {
                    Either::Tcp(l) => l.accept().await.map(|(s, _)| Box::pin(s) as std::pin::Pin<Box<dyn Io>>),
                    Either::Unix(l) => l.accept().await.map(|(s, _)| Box::pin(s) as std::pin::Pin<Box<dyn Io>>),
                }
            } => match a {
                Ok(io) => io,
                Err(_) => continue,
            },
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let app = app.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(&app, req).await) }
            });
            let mut b = hyper::server::conn::http1::Builder::new();
            b.timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .max_buf_size(16 * 1024);
            let conn = b.serve_connection(TokioIo::new(io), service);
            let _ = tokio::time::timeout(Duration::from_secs(300), conn).await;
            drop(permit);
        });
    }
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send> Io for T {}

/// What a request asks, read before the store is touched.
pub struct Asked {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    pub cookie: Option<String>,
    pub host: Option<String>,
    pub origin: Option<String>,
}

impl Asked {
    /// The first value of a query or form field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(&self.form)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn handle(app: &Mutex<App>, req: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (cookie, host, origin) = (header("cookie"), header("host"), header("origin"));
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = form_pairs(req.uri().query().unwrap_or("").as_bytes());
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return page(
                StatusCode::PAYLOAD_TOO_LARGE,
                pages::message("Too large", "the form is larger than 64 KiB"),
            );
        }
    };
    let asked = Asked {
        method,
        path,
        query,
        form: form_pairs(&body),
        cookie: auth::cookie_of(cookie.as_deref()).map(str::to_string),
        host,
        origin,
    };
    let mut app = app.lock().unwrap_or_else(|p| p.into_inner());
    // A panic in a page must not take the console down: answered as an error.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        actions::route(&mut app, &asked)
    })) {
        Ok(r) => r,
        Err(_) => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::message("Error", "this page failed; nothing was changed"),
        ),
    }
}

/// Decodes `application/x-www-form-urlencoded` (a query or a form body).
pub fn form_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &[u8]| {
        let bytes = crate::text::percent_decode(s, crate::text::BadEscape::Keep);
        String::from_utf8_lossy(&bytes.unwrap_or_default()).into_owned()
    };
    bytes
        .split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.iter().position(|b| *b == b'=') {
            Some(i) => (decode(&p[..i]), decode(&p[i + 1..])),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// An HTML answer with the console's headers.
pub fn page(status: StatusCode, body: Markup) -> Response<Full<Bytes>> {
    answer(
        status,
        "text/html; charset=utf-8",
        body.into_string().into_bytes(),
    )
}

/// Any answer, with the security headers every answer carries.
pub fn answer(status: StatusCode, kind: &'static str, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    for (name, value) in [
        ("content-type", kind),
        (
            "content-security-policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
    ] {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    r
}

/// A redirect after a POST or a login (303: the browser GETs `to`).
pub fn see_other(to: &str, cookie: Option<String>) -> Response<Full<Bytes>> {
    let mut r = answer(StatusCode::SEE_OTHER, "text/plain", Vec::new());
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(hyper::header::LOCATION, v);
    }
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        r.headers_mut().insert(hyper::header::SET_COOKIE, c);
    }
    r
}
