//! An open-loop HTTP/1.1 load generator for scripts/bench-serve.sh: requests sent at a fixed
//! rate, whatever the answers' pace, and each request's latency counted from the moment it
//! was due to be sent, not from when it was sent (as wrk2 does). wrk keeps its connections
//! busy and measures a server at the rate it can reach, so a faster server is handed more
//! load; here two servers get the same load, and a late answer that holds back the requests
//! behind it is counted against all of them (no "coordinated omission").
//!
//! Usage: loadgen HOST:PORT PATH RATE SECONDS CONNECTIONS THREADS [HEADER_FILE]
//! HEADER_FILE holds the requests' extra header lines (a token among them: never on the
//! command line). Prints one line: requests, the rate reached, errors, and the latency's
//! p50, p90, p99, p99.9 and max in microseconds, over all but the first second.

use rustix::event::epoll;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

struct Conn {
    stream: TcpStream,
    /// When its next request is due.
    due: Instant,
    /// Whether a request is out, and its answer not yet whole.
    waiting: bool,
    buf: Vec<u8>,
}

struct Args {
    addr: String,
    request: Vec<u8>,
    rate: f64,
    secs: f64,
    conns: usize,
    threads: usize,
}

fn main() {
    match run() {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(1);
        }
    }
}

fn run() -> Result<String, String> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 7 {
        return Err(
            "usage: loadgen HOST:PORT PATH RATE SECONDS CONNECTIONS THREADS [HEADER_FILE]".into(),
        );
    }
    let num = |i: usize| {
        a[i].parse::<f64>()
            .map_err(|_| format!("argument {i} is not a number"))
    };
    let extra = match a.get(7) {
        Some(f) => std::fs::read_to_string(f).map_err(|e| format!("cannot read {f}: {e}"))?,
        None => String::new(),
    };
    let mut request = format!("GET {} HTTP/1.1\r\nHost: {}\r\n", a[2], a[1]);
    for line in extra.lines().filter(|l| !l.trim().is_empty()) {
        request.push_str(line.trim_end());
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let args = Args {
        addr: a[1].clone(),
        request: request.into_bytes(),
        rate: num(3)?,
        secs: num(4)?,
        conns: num(5)? as usize,
        threads: num(6)? as usize,
    };
    if args.rate <= 0.0 || args.secs <= 1.0 || args.threads == 0 || args.conns < args.threads {
        return Err("RATE > 0, SECONDS > 1 and CONNECTIONS >= THREADS >= 1".into());
    }
    let start = Instant::now() + Duration::from_millis(100);
    let args = std::sync::Arc::new(args);
    let workers: Vec<_> = (0..args.threads)
        .map(|t| {
            let args = args.clone();
            std::thread::spawn(move || drive(&args, t, start))
        })
        .collect();
    let mut lat = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.join().map_err(|_| "a thread panicked".to_string())??;
        lat.extend(l);
        errors += e;
    }
    lat.sort_unstable();
    let q = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    let counted = args.secs - 1.0;
    Ok(format!(
        "requests {} rate {:.0} errors {} p50 {} p90 {} p99 {} p99.9 {} max {} us",
        lat.len(),
        lat.len() as f64 / counted,
        errors,
        q(0.50),
        q(0.90),
        q(0.99),
        q(0.999),
        lat.last().copied().unwrap_or(0)
    ))
}

/// One thread's share of the connections, each sending at the rate / connections.
fn drive(args: &Args, t: usize, start: Instant) -> Result<(Vec<u32>, u64), String> {
    let mine: Vec<usize> = (0..args.conns).filter(|c| c % args.threads == t).collect();
    let every = Duration::from_secs_f64(args.conns as f64 / args.rate);
    let ep = epoll::create(epoll::CreateFlags::CLOEXEC).map_err(|e| e.to_string())?;
    let mut conns = Vec::new();
    for (i, &c) in mine.iter().enumerate() {
        let stream = connect(&args.addr, &ep, i)?;
        // Spread over the interval, so that the connections do not send together.
        let offset = every.mul_f64(c as f64 / args.conns as f64);
        conns.push(Conn {
            stream,
            due: start + offset,
            waiting: false,
            buf: Vec::with_capacity(2048),
        });
    }
    let _ = rustix::thread::set_current_timer_slack(std::num::NonZeroU64::new(1_000));
    let counted_from = start + Duration::from_secs(1);
    let end = start + Duration::from_secs_f64(args.secs);
    let mut lat = Vec::with_capacity((args.rate * args.secs / args.threads as f64) as usize);
    let mut errors = 0u64;
    let mut events = Vec::with_capacity(64);
    let mut chunk = [0u8; 4096];
    loop {
        let now = Instant::now();
        if now >= end {
            break;
        }
        let mut next = end;
        for c in conns.iter_mut().filter(|c| !c.waiting) {
            if c.due <= now {
                // A request of a few hundred bytes fits the socket's buffer whole.
                match c.stream.write(&args.request) {
                    Ok(n) if n == args.request.len() => c.waiting = true,
                    _ => return Err("a request could not be sent whole".into()),
                }
            } else {
                next = next.min(c.due);
            }
        }
        let wait = next.saturating_duration_since(Instant::now());
        let ts = rustix::time::Timespec {
            tv_sec: wait.as_secs() as i64,
            tv_nsec: wait.subsec_nanos() as i64,
        };
        events.clear();
        epoll::wait(&ep, spare(&mut events), Some(&ts)).map_err(|e| e.to_string())?;
        let now = Instant::now();
        for ev in &events {
            let i = ev.data.u64() as usize;
            let c = &mut conns[i];
            let mut closed = false;
            loop {
                match c.stream.read(&mut chunk) {
                    Ok(0) => {
                        closed = true;
                        break;
                    }
                    Ok(n) => c.buf.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(_) => {
                        closed = true;
                        break;
                    }
                }
            }
            while let Some((len, status, close)) = whole_answer(&c.buf) {
                closed |= close;
                c.buf.drain(..len);
                if !c.waiting {
                    return Err("an answer came with no request out".into());
                }
                if c.due >= counted_from {
                    lat.push(now.duration_since(c.due).as_micros().min(u32::MAX as u128) as u32);
                }
                if !(200..300).contains(&status) {
                    errors += 1;
                }
                c.waiting = false;
                c.due += every;
            }
            if closed {
                // nginx closes a connection after 1,000 requests (keepalive_requests), as
                // wrk sees it: connect again. A request cut off is an error, sent again.
                if c.waiting {
                    errors += 1;
                    c.waiting = false;
                }
                c.buf.clear();
                c.stream = connect(&args.addr, &ep, i)?;
            }
        }
    }
    Ok((lat, errors))
}

fn connect(addr: &str, ep: &impl AsFd, i: usize) -> Result<TcpStream, String> {
    let stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    stream.set_nonblocking(true).map_err(|e| e.to_string())?;
    epoll::add(
        ep,
        stream.as_fd(),
        epoll::EventData::new_u64(i as u64),
        epoll::EventFlags::IN,
    )
    .map_err(|e| e.to_string())?;
    Ok(stream)
}

fn spare(v: &mut Vec<epoll::Event>) -> rustix::buffer::SpareCapacity<'_, epoll::Event> {
    rustix::buffer::spare_capacity(v)
}

/// The length, status and "Connection: close" of the whole answer at the start of `buf`, if
/// it is all there.
fn whole_answer(buf: &[u8]) -> Option<(usize, u16, bool)> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let status = head.get(9..12)?.parse().ok()?;
    let body = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let close = head.lines().any(|l| {
        l.split_once(':').is_some_and(|(k, v)| {
            k.eq_ignore_ascii_case("connection") && v.trim().eq_ignore_ascii_case("close")
        })
    });
    (buf.len() >= head_end + body).then_some((head_end + body, status, close))
}
