//! `apikeys serve`: the forward-auth verification server of SPEC §7. This folder owns the
//! tokio runtime; the checks themselves are the synchronous [`crate::engine`].
//!
//! - `http`: what a request asks and how it is answered;
//! - `lane`: plain requests read and answered without hyper (the rest go to hyper);
//! - `state`: the snapshot being served, pending use records, metrics;
//! - here: listeners, connections, reload, write-back of uses, shutdown.

mod counters;
pub mod http;
mod lane;
mod logline;
pub mod metrics;
mod net;
mod pace;
pub mod reload;
pub mod state;

use crate::error::{Error, Result};
use http::Config;
use net::{Listener, accept_loop, bind_unix, stopped};
use reload::{Serving, Source};
use state::Shared;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How often the store file's identity is looked at.
const POLL: Duration = Duration::from_millis(250);
/// The most connections served at once; more wait in the listen backlog.
const MAX_CONNECTIONS: usize = 1024;
/// A client must send a request's headers within this time, and an idle connection is closed.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How often uses of keys with a usage limit are written back while they change.
const LIMITED_FLUSH: Duration = Duration::from_secs(1);
/// How long in-flight requests may take to finish after SIGTERM.
const DRAIN: Duration = Duration::from_secs(10);

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Answers GET/POST/… /verify (and any path below it) for nginx auth_request, Caddy\nforward_auth, Traefik ForwardAuth, HAProxy and Envoy ext_authz: 200 valid, 401 malformed,\nunknown, revoked, expired or missing token, 403 IP or scope denied. Also /healthz and /metrics.\n\nExamples:\n  apikeys serve --key-file /etc/apikeys/serve.key\n  apikeys serve --listen unix:/run/apikeys/verify.sock --access-log\n  apikeys serve --listen 0.0.0.0:8080 --trusted-proxy 10.0.0.0/8"
)]
pub struct Args {
    /// Where to listen: IP:PORT or unix:PATH (repeatable) [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    pub listen: Vec<String>,
    /// A proxy whose client-IP header is believed (repeatable)
    #[arg(long, value_name = "CIDR")]
    pub trusted_proxy: Vec<String>,
    /// The one header that names the client behind a trusted proxy; every other is ignored
    /// (not one that carries the token, the scopes or an answer)
    #[arg(long, value_name = "NAME", default_value = "X-Forwarded-For")]
    pub client_ip_header: String,
    /// The most connections one client address may hold at once (a --trusted-proxy is not
    /// held to it: the gateway carries every client)
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_conns_per_ip: u32,
    /// Log one line per request (time, client IP, code, key id, latency), written a few times a second
    #[arg(long)]
    pub access_log: bool,
    /// Verify from a snapshot (reloaded when a newer one arrives)
    #[command(flatten)]
    pub snapshot: crate::commands::snapshot_args::SnapshotArgs,
    #[command(flatten)]
    pub counters: crate::commands::counters_args::CountersArgs,
    /// Worker threads answering requests [default: the cores less one, at least 1]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: Option<u16>,
    /// How often use records are written back to the store
    #[arg(long, value_name = "DUR", default_value = "1s", hide = true)]
    pub flush_every: String,
}

/// Binds a TCP listener, saying in words why not (the console's and serve's one way).
pub async fn bind_tcp(a: &std::net::SocketAddr) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(a)
        .await
        .map_err(|e| Error::Refused {
            message: format!("cannot listen on {a}: {e}"),
            hint: "choose another --listen address, or stop what listens there".into(),
        })
}

/// Where one listener listens.
#[derive(Debug, Clone)]
enum Addr {
    Tcp(std::net::SocketAddr),
    Unix(PathBuf),
}

fn parse_addr(s: &str) -> Result<Addr> {
    if let Some(p) = s.strip_prefix("unix:") {
        if p.is_empty() {
            return Err(Error::usage(
                "--listen unix: needs a path",
                "e.g. --listen unix:/run/apikeys/verify.sock",
            ));
        }
        return Ok(Addr::Unix(PathBuf::from(p)));
    }
    // `localhost:PORT` is the loopback address people type: the IPv4 one, never a lookup.
    if let Some(port) = s.strip_prefix("localhost:")
        && let Ok(port) = port.parse::<u16>()
    {
        return Ok(Addr::Tcp(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            port,
        ))));
    }
    s.parse().map(Addr::Tcp).map_err(|_| {
        Error::usage(
            format!("invalid --listen address {:?}", crate::text::sanitize(s)),
            "give IP:PORT (127.0.0.1:8080, [::1]:8080), localhost:PORT, or unix:PATH",
        )
    })
}

/// Set when `serve` re-executed itself to take `APIKEYS_PASSPHRASE` out of its environment:
/// the passphrase is then on stdin (a pipe it filled before the exec).
pub const PASSPHRASE_ON_STDIN: &str = "APIKEYS_PASSPHRASE_ON_STDIN";

/// A long-running server must not keep a passphrase in its environment (`/proc/PID/environ`
/// shows the original block for the life of the process, whatever the process does to its
/// own copy). So, when `APIKEYS_PASSPHRASE` is set, `serve` writes it into a pipe, makes that
/// pipe its stdin, and executes itself again without the variable: same pid, same arguments,
/// and the environment of the new image holds no secret. If that cannot be done, it goes on
/// as it is and says so.
pub fn shed_env_passphrase() {
    use std::io::Write;
    use std::os::unix::process::CommandExt;
    let Some(pass) = std::env::var_os("APIKEYS_PASSPHRASE").filter(|v| !v.is_empty()) else {
        return;
    };
    if std::env::var_os(PASSPHRASE_ON_STDIN).is_some() {
        return;
    }
    let pass = zeroize::Zeroizing::new(pass.into_encoded_bytes());
    let Ok((read, write)) = rustix::pipe::pipe() else {
        log("warning: APIKEYS_PASSPHRASE stays in the environment (no pipe)");
        return;
    };
    // A passphrase is far smaller than a pipe's buffer: the write never blocks.
    let mut w = std::fs::File::from(write);
    if w.write_all(&pass).is_err() {
        log("warning: APIKEYS_PASSPHRASE stays in the environment (the pipe refused it)");
        return;
    }
    drop(w);
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env_remove("APIKEYS_PASSPHRASE")
        .env(PASSPHRASE_ON_STDIN, "1")
        .stdin(std::process::Stdio::from(read))
        .exec();
    log(&format!(
        "warning: APIKEYS_PASSPHRASE stays in the environment (cannot re-execute: {err})"
    ));
}

/// One line on stderr: the server's log (an event, written at once; `logline`).
pub fn log(msg: &str) {
    logline::event(msg);
}

/// The server's long-lived state outside the request path.
struct Server {
    shared: Arc<Shared>,
    cfg: Arc<Config>,
    source: Arc<Mutex<Source>>,
    access_log: bool,
    /// The most connections one client address may hold.
    max_conns_per_ip: usize,
    /// Connections held per client address.
    per_ip: Mutex<std::collections::HashMap<std::net::IpAddr, usize>>,
    /// When (ms on the server's clock, 0: never) a refusal for an address's share was last
    /// logged: at most once a minute.
    refusal_said: std::sync::atomic::AtomicU64,
    /// Bumped when the server is full: idle connections close.
    shed: watch::Sender<u64>,
    /// The server's monotonic epoch.
    started: Instant,
}

/// Runs `serve` until SIGTERM, SIGINT or SIGHUP.
/// How `serve` reaches the store: opening it (with the command line's credential), and
/// letting go of the command line's copy of that credential once the store holds its own.
pub trait StoreAccess {
    fn open_store(&self) -> Result<crate::store::Store>;
    fn forget_credential(&self);
}

pub fn run(ctx: &dyn StoreAccess, args: Args) -> Result<()> {
    let listen = if args.listen.is_empty() {
        vec!["127.0.0.1:8080".to_string()]
    } else {
        args.listen.clone()
    };
    let addrs = listen
        .iter()
        .map(|s| parse_addr(s))
        .collect::<Result<Vec<_>>>()?;
    let trusted = args
        .trusted_proxy
        .iter()
        .map(|s| crate::model::parse_net(s).map(crate::model::canonical_net))
        .collect::<Result<Vec<_>>>()?;
    let client_ip_header =
        http::ClientIpHeader::parse(&args.client_ip_header).ok_or_else(|| {
            Error::usage(
                "invalid --client-ip-header name: it is not a header name, or one that carries something else (the token, the scopes, apikeys' answers, HTTP's framing)",
                "give the header your proxy sets the client's address in, such as X-Forwarded-For or X-Real-IP",
            )
        })?;
    let flush_every =
        Duration::from_secs(crate::policy::parse_duration(&args.flush_every)?.max(1) as u64);
    let max_age = args.snapshot.max_age()?;
    let opts = args.snapshot.options();
    let pool = args.counters.target()?.map(counters::RedisPool::new);
    let mut source = Source::open(|| ctx.open_store(), &opts)?;
    // The open store holds the credential it may need to re-open a re-keyed file: the copy
    // of APIKEYS_PASSPHRASE the command line held goes (docs/security.md counts one).
    ctx.forget_credential();
    if let Some(g) = args.snapshot.accept_generation {
        log(&format!(
            "rollback floor lowered on purpose: generation {g} and newer are accepted"
        ));
    }
    let shared = Arc::new(Shared {
        counters: pool.clone(),
        ..Shared::default()
    });
    let keys = source.start(&shared)?;
    if let (Some(max), Some(l)) = (max_age, shared.current())
        && crate::engine::pipeline::stale(Some(l.issued_at), Some(max), crate::policy::now())
    {
        log(&format!(
            "warning: the snapshot (generation {}) is already older than --max-age: /verify answers 503 stale_snapshot until a newer one arrives",
            l.generation
        ));
    }
    let server = Arc::new(Server {
        shared,
        cfg: Arc::new(Config {
            trusted,
            client_ip_header,
            max_age,
            access_log: args.access_log,
        }),
        max_conns_per_ip: args.max_conns_per_ip as usize,
        per_ip: Mutex::new(std::collections::HashMap::new()),
        refusal_said: std::sync::atomic::AtomicU64::new(0),
        shed: watch::channel(0).0,
        started: Instant::now(),
        source: Arc::new(Mutex::new(source)),
        access_log: args.access_log,
    });
    // One core is left to the rest of the machine (the kernel's network work, the gateway in
    // front). On 2 cores behind nginx's auth_request, 1 worker answers 8-13 % more than 2, and
    // 7-19 % more with Redis counters; only hit directly by wrk, with nothing in front, do 2
    // answer more (8-19 %, at a worse p99) (docs/performance.md, tenth session of issue 39).
    let threads = args.threads.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get().saturating_sub(1))
            .clamp(1, 64)
    });
    // One worker: everything on this thread, with no hand-over between threads (4 % more
    // requests answered on 2 cores than a one-worker multi-thread runtime; the loads and
    // write-backs still go to blocking threads).
    let mut builder = if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    let runtime = builder
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the server runtime: {e}")))?;
    let result = runtime.block_on(serve(server.clone(), addrs, keys, flush_every, pool));
    runtime.shutdown_timeout(Duration::from_secs(1));
    // The last requests' access lines, whatever the end.
    logline::flush();
    result?;
    server
        .source
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .flush(&server.shared, true);
    log("stopped");
    Ok(())
}

async fn serve(
    server: Arc<Server>,
    addrs: Vec<Addr>,
    keys: usize,
    flush_every: Duration,
    pool: Option<Arc<counters::RedisPool>>,
) -> Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    // Shared counters: connected (and reconnected) in the background; until then a limited
    // key answers counters_unavailable and the others are not held up.
    let keeper = pool.map(|p| tokio::spawn(p.maintain(stop_rx.clone(), log)));
    let mut loops = Vec::new();
    let mut sockets = Vec::new();
    let mut bound = Vec::new();
    for addr in &addrs {
        let (listener, shown) = match addr {
            Addr::Tcp(a) => {
                let l = bind_tcp(a).await?;
                let shown = l.local_addr().map_or(a.to_string(), |x| x.to_string());
                (Listener::Tcp(l), shown)
            }
            Addr::Unix(p) => {
                let l = bind_unix(p)?;
                sockets.push(p.clone());
                (Listener::Unix(l), format!("unix:{}", p.display()))
            }
        };
        bound.push((listener, shown));
    }
    // The signal handlers are in place before the first "listening" line: a supervisor that
    // stops the server as soon as it has said so still gets the orderly stop (uses written
    // back), never the default death by signal.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| Error::Io(format!("cannot handle SIGTERM: {e}")))?;
    let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(|e| Error::Io(format!("cannot handle SIGINT: {e}")))?;
    // A hang-up (the terminal serve was started from is closed) stops it as SIGTERM does,
    // uses written back, rather than killing it with a second of them unwritten.
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .map_err(|e| Error::Io(format!("cannot handle SIGHUP: {e}")))?;
    // Every address is bound before the first "listening" line: a line is a promise that
    // all of them answer.
    for (listener, shown) in bound {
        log(&format!(
            "listening on {shown} ({})",
            crate::text::count(keys, "key")
        ));
        loops.push(tokio::spawn(accept_loop(
            server.clone(),
            listener,
            stop_rx.clone(),
        )));
    }
    // Reload: look at the file about every 250 ms, load in the background.
    let reloader = {
        let server = server.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut failed = None;
            loop {
                tokio::select! {
                    _ = stopped(stop.clone()) => break,
                    _ = tokio::time::sleep(POLL) => {}
                }
                let s = server.clone();
                let f = failed.take();
                failed = tokio::task::spawn_blocking(move || {
                    // The access lines gathered since the last look go out with it.
                    logline::flush();
                    let mut f = f;
                    s.source
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .reload_once(&s.shared, &mut f);
                    f
                })
                .await
                .unwrap_or(None);
            }
        })
    };
    // Use records: written back once per interval, and every second while a limited key's
    // count changes; never waiting for the lock (a busy lock keeps them for the next try).
    let flusher = {
        let server = server.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut last = Instant::now();
            loop {
                tokio::select! {
                    _ = stopped(stop.clone()) => break,
                    _ = tokio::time::sleep(LIMITED_FLUSH) => {}
                }
                let due = last.elapsed() >= flush_every;
                if !due && !server.shared.has_pending(true) {
                    continue;
                }
                let s = server.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    s.source
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .flush(&s.shared, false)
                })
                .await;
                if due {
                    last = Instant::now();
                }
            }
        })
    };
    // Every listener answers and the signal handlers are in place: tell systemd (Type=notify)
    // that the service is up. Outside systemd (no NOTIFY_SOCKET) this does nothing.
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
    let signal = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
        _ = hup.recv() => "SIGHUP",
    };
    log(&format!(
        "{signal}: finishing requests in flight, then writing back uses"
    ));
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    let _ = stop_tx.send(true);
    for l in loops {
        let _ = l.await;
    }
    let _ = reloader.await;
    let _ = flusher.await;
    if let Some(k) = keeper {
        let _ = k.await;
    }
    for p in sockets {
        let _ = std::fs::remove_file(p);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use net::guard;
    use std::sync::atomic::Ordering;

    #[test]
    fn a_panicking_request_is_answered_500_and_counted() {
        let shared = Shared::default();
        let http::Step::Done(answer, logged) = guard(&shared, || panic!("boom")) else {
            panic!("a panic is answered")
        };
        assert_eq!(answer.status(), 500);
        assert_eq!(logged.code, "panic");
        assert_eq!(shared.metrics.panics.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn listen_addresses_parse() {
        assert!(matches!(parse_addr("127.0.0.1:0"), Ok(Addr::Tcp(_))));
        assert!(matches!(parse_addr("[::1]:8080"), Ok(Addr::Tcp(_))));
        assert!(matches!(parse_addr("unix:/tmp/x.sock"), Ok(Addr::Unix(_))));
        assert_eq!(parse_addr("localhost").unwrap_err().exit_code(), 2);
        assert_eq!(parse_addr("unix:").unwrap_err().exit_code(), 2);
    }
}
