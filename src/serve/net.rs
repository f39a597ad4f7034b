//! Sockets and connections: accepting, serving HTTP/1.1 on each connection with bounded
//! header size and timeouts, answering every request (a panic is caught), and draining on
//! shutdown.

use super::http::{self, Peer};
use super::lane;
use super::state::Shared;
use super::{DRAIN, HEADER_TIMEOUT, MAX_CONNECTIONS, Server, log};
use crate::error::{Error, Result};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Semaphore, watch};

/// An answer as [`handle`] gives it.
pub(super) struct Handled {
    pub reply: http::Reply,
    /// When it was ready (one reading of the clock serves the metrics and the connection's
    /// idle time).
    pub ended: Instant,
    /// The request's time, unix milliseconds (its answer's `date`).
    pub now_ms: i64,
    /// Decided by the shared counters (the worker waited for Redis).
    pub counted: bool,
}

/// Answers one request; a panic is caught, counted and answered 500 (the server goes on). A
/// limited key with shared counters awaits Redis (bounded by `--counters-timeout`).
/// `started` is when the request arrived.
pub(super) async fn handle<H: http::Headers>(
    server: &Server,
    asked: http::Asked<'_, H>,
    started: Instant,
    wire: bool,
) -> Handled {
    match handle_now(server, asked, started, wire) {
        Ok(done) => done,
        Err(pending) => handle_counted(server, pending, started).await,
    }
}

/// [`handle`] up to the shared counters: the whole answer, or the request that waits for
/// them. Not async, so that the common answer never builds (and moves) the future that
/// awaits Redis.
fn handle_now<H: http::Headers>(
    server: &Server,
    asked: http::Asked<'_, H>,
    started: Instant,
    wire: bool,
) -> std::result::Result<Handled, http::Pending> {
    let shared = &server.shared;
    // The wall clock, read once: the request's time, and its answer's `date`.
    let now_ms = crate::policy::now_ms();
    let step = guard(shared, || {
        http::answer(shared, &server.cfg, asked, wire, now_ms)
    });
    match step {
        http::Step::Count(pending) => Err(pending),
        done => Ok(finish(server, done, started, now_ms, false)),
    }
}

/// The rest of [`handle`] for a request the shared counters decide.
async fn handle_counted(server: &Server, pending: http::Pending, started: Instant) -> Handled {
    let shared = &server.shared;
    let decided = match &shared.counters {
        Some(pool) => pool.take(&pending.loaded, pending.at, pending.cost).await,
        None => Err(crate::counters::redis::Unavailable("no counters".into())),
    };
    // The answer's time: the counters' decision came after the request's.
    let now_ms = crate::policy::now_ms();
    let step = guard(shared, || {
        http::counted(shared, pending, decided, now_ms.div_euclid(1000))
    });
    finish(server, step, started, now_ms, true)
}

/// The answer of a decided step, counted in the metrics and the access log.
fn finish(
    server: &Server,
    step: http::Step,
    started: Instant,
    now_ms: i64,
    counted: bool,
) -> Handled {
    let shared = &server.shared;
    let (answer, logged) = match step {
        http::Step::Done(a, l) => (a, l),
        http::Step::Count(_) => panicked(shared),
    };
    let ended = Instant::now();
    shared.metrics.observe(answer.status(), ended - started);
    if server.access_log {
        let client: &dyn std::fmt::Display = match &logged.client {
            Some(ip) => ip,
            None => &"-",
        };
        super::logline::access(format_args!(
            "access: client={client} status={} code={} key={} latency_us={}",
            answer.status(),
            logged.code,
            logged.key_id.as_deref().unwrap_or("-"),
            (ended - started).as_micros()
        ));
    }
    Handled {
        reply: answer,
        ended,
        now_ms,
        counted,
    }
}

/// Runs `f`, turning a panic into a 500 answer and a count.
pub(super) fn guard(shared: &Shared, f: impl FnOnce() -> http::Step) -> http::Step {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        let (a, l) = panicked(shared);
        http::Step::Done(a, l)
    })
}

/// The 500 answer of a request that panicked, counted.
fn panicked(shared: &Shared) -> (http::Reply, http::Logged) {
    shared.metrics.panics.fetch_add(1, Ordering::Relaxed);
    let mut r = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from(
        r#"{"error":"internal error"}"#,
    )));
    *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    (
        r.into(),
        http::Logged {
            client: None,
            code: "panic",
            key_id: None,
        },
    )
}

/// Resolves once shutdown has been asked for.
pub(super) async fn stopped(mut rx: watch::Receiver<bool>) {
    while !*rx.borrow_and_update() {
        if rx.changed().await.is_err() {
            return;
        }
    }
}

/// Milliseconds on a monotonic clock, for idle times.
fn now_ms(start: Instant) -> u64 {
    ms_at(start, Instant::now())
}

/// The milliseconds of `at` on that clock.
pub(super) fn ms_at(start: Instant, at: Instant) -> u64 {
    at.saturating_duration_since(start).as_millis() as u64
}

/// Resolves when the server, full, asks idle connections to go and this one has been idle
/// for at least a second.
async fn shed(
    mut rx: watch::Receiver<u64>,
    last: Arc<std::sync::atomic::AtomicU64>,
    start: Instant,
) {
    loop {
        if rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
        if now_ms(start).saturating_sub(last.load(Ordering::Relaxed)) >= IDLE_SHED_MS {
            return;
        }
    }
}

/// How long a connection must have been idle to be closed when the server is full.
const IDLE_SHED_MS: u64 = 1000;

/// Serves one connection until it ends, until shutdown asks it to finish, or until the
/// server, full, closes it for being idle.
async fn connection<T>(server: Arc<Server>, io: T, peer: Peer, shutdown: watch::Receiver<bool>)
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let start = server.started;
    let last = Arc::new(std::sync::atomic::AtomicU64::new(now_ms(start)));
    // Plain requests first, without hyper; hyper takes the connection at the first other one.
    let mut io = io;
    let read = {
        let stop = stopped(shutdown.clone());
        let idle = shed(server.shed.subscribe(), last.clone(), start);
        tokio::pin!(stop, idle);
        let (stop, idle) = (
            lane::on_watch(stop.as_mut(), shutdown.clone()),
            lane::on_watch(idle.as_mut(), server.shed.subscribe()),
        );
        tokio::pin!(stop, idle);
        let around = lane::Around {
            peer,
            stop: stop.as_mut(),
            shed: idle.as_mut(),
            last: &last,
            start,
        };
        match lane::serve(&server, &mut io, around).await {
            lane::End::Closed => return,
            lane::End::Shed => {
                server
                    .shared
                    .metrics
                    .idle_closed
                    .fetch_add(1, Ordering::Relaxed);
                return;
            }
            lane::End::Hyper(read) => read,
        }
    };
    let io = lane::Rewind::new(read, io);
    let shed_rx = server.shed.subscribe();
    let seen = last.clone();
    let srv = server.clone();
    let service = hyper::service::service_fn(move |req| {
        let arrived = Instant::now();
        seen.store(ms_at(start, arrived), Ordering::Relaxed);
        let (srv, seen) = (srv.clone(), seen.clone());
        async move {
            // The body is never read: a forward-auth request carries none worth reading, and
            // one that does is dropped (hyper then closes the connection instead of draining
            // it).
            let (parts, _body) = req.into_parts();
            let asked = http::Asked {
                peer,
                path: parts.uri.path(),
                query: parts.uri.query(),
                headers: &parts.headers,
            };
            let done = handle(&srv, asked, arrived, false).await;
            seen.store(ms_at(start, done.ended), Ordering::Relaxed);
            Ok::<_, std::convert::Infallible>(done.reply.into_answer())
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(16 * 1024)
        // Answers are a few hundred bytes: copied after the head into one buffer and sent
        // with one write, they answer 4-10 % more than as a head and a body given to writev.
        .writev(false)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stopped(shutdown.clone()) => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(DRAIN, conn.as_mut()).await;
        }
        _ = shed(shed_rx, last, start) => {
            server.shared.metrics.idle_closed.fetch_add(1, Ordering::Relaxed);
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(DRAIN, conn.as_mut()).await;
        }
    }
}

pub(super) enum Listener {
    Tcp(tokio::net::TcpListener),
    Unix(tokio::net::UnixListener),
}

/// Accepts connections until shutdown, then waits (bounded) for those in flight.
pub(super) async fn accept_loop(
    server: Arc<Server>,
    listener: Listener,
    shutdown: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut tasks = tokio::task::JoinSet::new();
    let stop = shutdown.clone();
    loop {
        if permits.available_permits() == 0 {
            // Full: idle keep-alive connections go first, so that a new client is answered.
            server.shed.send_modify(|n| *n += 1);
        }
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let accepted = tokio::select! {
            _ = stopped(stop.clone()) => break,
            a = async {
                match &listener {
                    Listener::Tcp(l) => l.accept().await.map(|(s, a)| {
                        let _ = s.set_nodelay(true);
                        let ip = crate::model::canonical_ip(a.ip());
                        (Box::pin(s) as std::pin::Pin<Box<dyn Io>>, Peer::Tcp(ip))
                    }),
                    Listener::Unix(l) => l.accept().await.map(|(s, _)| {
                        (Box::pin(s) as std::pin::Pin<Box<dyn Io>>, Peer::Unix)
                    }),
                }
            } => a,
        };
        match accepted {
            Ok((io, peer)) => {
                // One client address holds at most its share of the connections: past it,
                // the new connection is closed at once (the others are untouched). A trusted
                // proxy is the gateway that carries every client: held to one address's
                // share, a busy gateway's connections past it would be refused and its
                // clients answered 500, so it is bounded by the server's total instead (and
                // its idle connections are the first closed when the server is full).
                let share = match peer {
                    Peer::Tcp(ip) if server.cfg.trusts(ip) => None,
                    Peer::Tcp(ip) => match PerIp::take(&server, ip) {
                        Some(s) => Some(s),
                        None => {
                            server
                                .shared
                                .metrics
                                .conns_refused
                                .fetch_add(1, Ordering::Relaxed);
                            say_refused(&server);
                            drop(io);
                            continue;
                        }
                    },
                    Peer::Unix => None,
                };
                let server = server.clone();
                let shutdown = shutdown.clone();
                tasks.spawn(async move {
                    connection(server, io, peer, shutdown).await;
                    drop(share);
                    drop(permit);
                });
            }
            Err(e) => {
                // Out of file descriptors and the like: say so, breathe, go on.
                log(&format!("error: accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        while tasks.try_join_next().is_some() {}
    }
    let _ = tokio::time::timeout(DRAIN, async { while tasks.join_next().await.is_some() {} }).await;
}

/// Says, at most once a minute, that an address reached its share and what that means (a
/// gateway missing from `--trusted-proxy` shows here first). Never the address itself: the
/// metric counts them.
fn say_refused(server: &Server) {
    let now = now_ms(server.started).max(1);
    let last = server.refusal_said.load(Ordering::Relaxed);
    if last != 0 && now.saturating_sub(last) < 60_000 {
        return;
    }
    server.refusal_said.store(now, Ordering::Relaxed);
    log(&format!(
        "connections refused: a client address holds --max-conns-per-ip ({}); its further connections are closed at once (a gateway in front belongs in --trusted-proxy, which only the server's total bounds)",
        server.max_conns_per_ip
    ));
}

/// One connection's place in its client address's share; given back on drop.
struct PerIp {
    server: Arc<Server>,
    ip: std::net::IpAddr,
}

impl PerIp {
    fn take(server: &Arc<Server>, ip: std::net::IpAddr) -> Option<PerIp> {
        let mut held = server.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        let n = held.entry(ip).or_insert(0);
        if *n >= server.max_conns_per_ip {
            return None;
        }
        *n += 1;
        Some(PerIp {
            server: server.clone(),
            ip,
        })
    }
}

impl Drop for PerIp {
    fn drop(&mut self) {
        let mut held = self.server.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = held.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.ip);
            }
        }
    }
}

/// A stream a connection can be served over.
trait Io: AsyncRead + AsyncWrite + Send {}
impl<T: AsyncRead + AsyncWrite + Send> Io for T {}

/// Binds a unix socket (0660), replacing only a stale socket.
pub(super) fn bind_unix(path: &std::path::Path) -> Result<tokio::net::UnixListener> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let refuse = |why: &str| {
            Error::conflict(
                format!("cannot listen on {}: {why}", path.display()),
                "choose another path, or remove the file if it is yours",
            )
        };
        if !meta.file_type().is_socket() {
            return Err(refuse("it exists and is not a socket"));
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(refuse("another server is listening there"));
        }
        std::fs::remove_file(path).map_err(|e| Error::io("remove stale socket", path, e))?;
    }
    let l = tokio::net::UnixListener::bind(path).map_err(|e| Error::io("listen on", path, e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .map_err(|e| Error::io("set permissions of", path, e))?;
    Ok(l)
}
