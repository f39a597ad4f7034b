//! The fast lane of a connection: its plain requests (HTTP/1.1, the whole head read, no body,
//! no `Connection`, `Expect`, `Upgrade` or `Transfer-Encoding`, an origin-form target) are
//! read with httparse and answered here, byte for byte as hyper answers them. At the first
//! request that is not plain, the connection goes to hyper with everything read so far, for
//! the rest of its life: hyper stays the one HTTP/1.1 implementation of every unusual case
//! (bodies, `Connection: close`, HTTP/1.0, oversized heads, bad syntax).
//!
//! Why: on a fast machine hyper's own work per request (its request and header map, a timer
//! per head, moving its state) was most of serve's user time, and serve answered 0.87× of
//! nginx's `return 200` (docs/performance.md, issue 39).

use super::http::{self, Peer, Raw};
use super::{HEADER_TIMEOUT, Server};
use bytes::Bytes;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

/// The most read of one request head, as hyper's `max_buf_size`: a head that does not fit
/// goes to hyper, which refuses it.
const BUF: usize = 16 * 1024;
/// The read buffer of a new connection, grown to [`BUF`] for a head that needs it.
const FIRST_BUF: usize = 4096;
/// Headers read here; a request with more goes to hyper.
const MAX_HEADERS: usize = 64;

/// How a connection's fast lane ended.
pub(super) enum End {
    /// Closed: by the client, an error, the header timeout or shutdown.
    Closed,
    /// Closed idle, as the server was full.
    Shed,
    /// A request that is not plain: hyper serves the connection from here, these bytes first.
    Hyper(Vec<u8>),
}

/// What the lane needs of the connection around it.
pub(super) struct Around<'a, S, Q> {
    pub peer: Peer,
    /// Resolves when the server shuts down.
    pub stop: Pin<&'a mut S>,
    /// Resolves when the server, full, closes idle connections and this one is idle.
    pub shed: Pin<&'a mut Q>,
    /// The connection's last activity (milliseconds since `start`), for shedding.
    pub last: &'a AtomicU64,
    pub start: Instant,
}

impl<S, Q> Around<'_, S, Q> {
    /// Notes activity at `at`.
    fn seen(&self, at: Instant) {
        self.last
            .store(super::net::ms_at(self.start, at), Ordering::Relaxed);
    }
}

/// Serves `io`'s plain requests until the connection closes or a request is not plain.
pub(super) async fn serve<T, S, Q>(server: &Server, io: &mut T, mut around: Around<'_, S, Q>) -> End
where
    T: AsyncRead + AsyncWrite + Unpin,
    S: Future<Output = ()>,
    Q: Future<Output = ()>,
{
    let mut buf = vec![0u8; FIRST_BUF];
    let mut have = 0;
    let mut out: Vec<u8> = Vec::with_capacity(1024);
    // One timer for the connection: when it fires, the head must have been awaited for the
    // whole timeout (else it is set again), as hyper's header read timeout.
    let timer = tokio::time::sleep(HEADER_TIMEOUT);
    tokio::pin!(timer);
    let mut timer = Quiet::new(timer, |t: &Pin<&mut tokio::time::Sleep>| t.is_elapsed());
    let mut waiting_since = Instant::now();
    loop {
        // Every whole request already read, in turn (pipelined ones included).
        while have > 0 {
            // Left uninitialized: httparse writes the headers it reads (64 empty headers
            // written first cost more than the parse).
            let mut slots =
                [const { std::mem::MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
            let mut head = httparse::Request::new(&mut []);
            let used = match head.parse_with_uninit_headers(&buf[..have], &mut slots) {
                Ok(httparse::Status::Complete(used)) => used,
                Ok(httparse::Status::Partial) => break,
                Err(_) => return End::Hyper(buf[..have].to_vec()),
            };
            let Some(plain) = Plain::of(&head) else {
                return End::Hyper(buf[..have].to_vec());
            };
            let asked = http::Asked {
                peer: around.peer,
                path: plain.target.path(),
                query: plain.target.query(),
                headers: &Raw(head.headers),
            };
            // The start is not noted as activity: shedding looks only at connections waiting
            // for a request, and this one is noted when it is answered.
            let done = super::net::handle(server, asked, Instant::now(), true).await;
            around.seen(done.ended);
            out.clear();
            let secs = done.now_ms.div_euclid(1000);
            match done.reply {
                http::Reply::Built(a) => encode(*a, plain.head_only, secs, &mut out),
                http::Reply::Wire(w) => encode_wire(&w, plain.head_only, secs, &mut out),
                http::Reply::Whole(w) => {
                    out.extend_from_slice(&w.top);
                    end_of_head(&mut out, Some(w.body.len()), Some(secs));
                    if !plain.head_only {
                        out.extend_from_slice(&w.body);
                    }
                }
            }
            buf.copy_within(used..have, 0);
            have -= used;
            waiting_since = done.ended;
            let wrote = tokio::select! {
                biased;
                w = io.write_all(&out) => w.is_ok(),
                _ = around.stop.as_mut() => false,
                _ = around.shed.as_mut() => return End::Shed,
            };
            if !wrote {
                return End::Closed;
            }
            // A worker that waits for Redis gives its core away meanwhile: only answers
            // decided here count towards stepping aside (with Redis, stepping aside took 4-6 %
            // of the requests a second and did nothing for the p99).
            if !done.counted && super::pace::after_answer(done.ended) {
                server
                    .shared
                    .metrics
                    .steps_aside
                    .fetch_add(1, Ordering::Relaxed);
            }
        }
        if have == buf.len() {
            if have >= BUF {
                return End::Hyper(buf);
            }
            buf.resize(BUF, 0);
        }
        tokio::select! {
            biased;
            r = io.read(&mut buf[have..]) => match r {
                Ok(0) | Err(_) => return End::Closed,
                Ok(n) => have += n,
            },
            _ = &mut timer => {
                let deadline = waiting_since + HEADER_TIMEOUT;
                if Instant::now() >= deadline {
                    return End::Closed;
                }
                timer.inner_mut().as_mut().reset(deadline.into());
            }
            _ = around.stop.as_mut() => return End::Closed,
            _ = around.shed.as_mut() => return End::Shed,
        }
    }
}

/// A future the lane waits on between any two requests (the header timer, the shutdown and
/// shedding watches), polled again only once `may_be_done` says it may have finished. A
/// waiting watch's poll takes its lock, a waiting timer's registers its waker again; the
/// waker each keeps is the connection task's own, which it wakes when it can finish, so
/// until then there is nothing for a poll to learn.
pub(super) struct Quiet<F, D> {
    inner: F,
    may_be_done: D,
    /// `inner` said "not yet", and `may_be_done` has not said otherwise since.
    waiting: bool,
}

impl<F, D> Quiet<F, D> {
    pub(super) fn new(inner: F, may_be_done: D) -> Quiet<F, D> {
        Quiet {
            inner,
            may_be_done,
            waiting: false,
        }
    }

    /// `inner`, to change it (a timer set again): it is polled at the next wait.
    fn inner_mut(&mut self) -> &mut F {
        self.waiting = false;
        &mut self.inner
    }
}

impl<F: Future + Unpin, D: FnMut(&F) -> bool + Unpin> Future for Quiet<F, D> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        if this.waiting && !(this.may_be_done)(&this.inner) {
            return Poll::Pending;
        }
        let polled = Pin::new(&mut this.inner).poll(cx);
        this.waiting = polled.is_pending();
        polled
    }
}

/// [`Quiet`] over a wait on a watch channel, `probe` being another receiver of it: it may
/// be done once the channel changed (a closed channel counts as changed: the wait says what
/// that means).
pub(super) fn on_watch<F, T>(
    wait: F,
    mut probe: tokio::sync::watch::Receiver<T>,
) -> Quiet<F, impl FnMut(&F) -> bool + Unpin> {
    Quiet::new(wait, move |_: &F| {
        let changed = probe.has_changed().unwrap_or(true);
        probe.mark_unchanged();
        changed
    })
}

/// What a plain request's head says.
struct Plain<'b> {
    target: Target<'b>,
    head_only: bool,
}

impl<'b> Plain<'b> {
    /// The request, if it is plain (else hyper reads it).
    fn of(head: &httparse::Request<'_, 'b>) -> Option<Plain<'b>> {
        let (Some(method), Some(path), Some(1)) = (head.method, head.path, head.version) else {
            return None;
        };
        if method == "CONNECT" || !path.starts_with('/') {
            return None;
        }
        for h in head.headers.iter() {
            let n = h.name.as_bytes();
            // By length first: most headers are none of these.
            let plain = match n.len() {
                14 if n.eq_ignore_ascii_case(b"content-length") => h.value == b"0",
                17 => !n.eq_ignore_ascii_case(b"transfer-encoding"),
                10 => !n.eq_ignore_ascii_case(b"connection"),
                7 => !n.eq_ignore_ascii_case(b"upgrade"),
                6 => !n.eq_ignore_ascii_case(b"expect"),
                _ => true,
            };
            if !plain {
                return None;
            }
        }
        Some(Plain {
            target: Target::of(path)?,
            head_only: method == "HEAD",
        })
    }
}

/// A request's target, read as hyper reads it.
enum Target<'b> {
    /// Only characters every URI parser takes as they are (no fragment, nothing to refuse):
    /// the path up to the first `?` and the query after it, borrowed from the head.
    Plain(&'b str, Option<&'b str>),
    /// Any other: hyper's own parser (what it refuses goes to hyper, which answers it).
    Parsed(hyper::http::uri::PathAndQuery),
}

impl<'b> Target<'b> {
    fn of(path: &'b str) -> Option<Target<'b>> {
        if path.bytes().fold(true, |ok, b| ok & plain_target_byte(b)) {
            return Some(match memchr::memchr(b'?', path.as_bytes()) {
                Some(i) => Target::Plain(&path[..i], Some(&path[i + 1..])),
                None => Target::Plain(path, None),
            });
        }
        hyper::http::uri::PathAndQuery::from_maybe_shared(Bytes::copy_from_slice(path.as_bytes()))
            .ok()
            .map(Target::Parsed)
    }

    fn path(&self) -> &str {
        match self {
            Target::Plain(p, _) => p,
            Target::Parsed(t) => t.path(),
        }
    }

    fn query(&self) -> Option<&str> {
        match self {
            Target::Plain(_, q) => *q,
            Target::Parsed(t) => t.query(),
        }
    }
}

/// A target byte that hyper's parser takes as it is in a path and a query alike: RFC 3986's
/// unreserved and sub-delimiter characters, `:`, `@`, `/`, `?` and `%` (never `#`, spaces,
/// controls or bytes above ASCII).
fn plain_target_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'/'
                | b'?'
                | b'%'
        )
}

/// Writes `answer` as hyper writes it: the status line, its headers in order, then
/// `content-length` and `date` unless it has them, and the body unless for `HEAD`.
fn encode(answer: http::Answer, head_only: bool, secs: i64, out: &mut Vec<u8>) {
    use hyper::header::{CONTENT_LENGTH, DATE};
    let (parts, body) = answer.into_parts();
    let body = body_bytes(body);
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(parts.status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(
        parts
            .status
            .canonical_reason()
            .unwrap_or("<none>")
            .as_bytes(),
    );
    out.extend_from_slice(b"\r\n");
    http::header_lines(out, parts.headers.iter());
    let length = (!parts.headers.contains_key(CONTENT_LENGTH)).then_some(body.len());
    end_of_head(
        out,
        length,
        (!parts.headers.contains_key(DATE)).then_some(secs),
    );
    if !head_only {
        out.extend_from_slice(&body);
    }
}

/// Ends a head as hyper does: `content-length` (when given) and `date` (when given the time,
/// unix seconds), then the blank line.
fn end_of_head(out: &mut Vec<u8>, length: Option<usize>, date_at: Option<i64>) {
    if let Some(n) = length {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if let Some(secs) = date_at {
        out.extend_from_slice(b"date: ");
        date(secs, |d| out.extend_from_slice(d));
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

/// Writes a prebuilt answer as [`encode`] writes the same answer built.
fn encode_wire(w: &http::Wire, head_only: bool, secs: i64, out: &mut Vec<u8>) {
    out.extend_from_slice(w.top.as_bytes());
    out.extend_from_slice(&w.lines);
    end_of_head(out, Some(w.body_len()), Some(secs));
    if !head_only {
        out.extend_from_slice(&w.head);
        out.extend_from_slice(w.figures.as_bytes());
        out.extend_from_slice(&w.tail);
    }
}

/// The bytes of an answer's body (whole at once: it is a `Full`).
fn body_bytes(mut body: http_body_util::Full<Bytes>) -> Bytes {
    use hyper::body::Body;
    let mut cx = Context::from_waker(std::task::Waker::noop());
    match Pin::new(&mut body).poll_frame(&mut cx) {
        Poll::Ready(Some(Ok(frame))) => frame.into_data().unwrap_or_default(),
        _ => Bytes::new(),
    }
}

/// Gives `f` the `date` header's value for `secs` (unix seconds: the request's time, read
/// once for it), as IMF-fixdate, made once a second.
fn date(secs: i64, f: impl FnOnce(&[u8])) {
    use std::cell::RefCell;
    use std::time::{Duration, UNIX_EPOCH};
    thread_local! {
        static MADE: RefCell<(i64, String)> = const { RefCell::new((i64::MIN, String::new())) };
    }
    MADE.with_borrow_mut(|(at, text)| {
        if *at != secs {
            *at = secs;
            let t = UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0));
            *text = httpdate::fmt_http_date(t);
        }
        f(text.as_bytes());
    });
}

/// A connection handed to hyper: the bytes the lane read first, then the socket.
pub(super) struct Rewind<T> {
    read: Bytes,
    io: T,
}

impl<T> Rewind<T> {
    pub(super) fn new(read: Vec<u8>, io: T) -> Rewind<T> {
        Rewind {
            read: Bytes::from(read),
            io,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Rewind<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if !self.read.is_empty() {
            let n = self.read.len().min(buf.remaining());
            let first = self.read.split_to(n);
            buf.put_slice(&first);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Rewind<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
