//! serve's log on stderr. An event (listening, reload, flush, error) is one line written at
//! once. With `--access-log`, a request's line is gathered in memory and written with the
//! others a few times a second ([`flush`], from the reload loop), before any event line, when
//! 64 KiB are gathered, and at exit: logging every request then costs no write of its own
//! (one `write` per request took 30 % of serve's answers to a file, 44 % to a pipe;
//! docs/performance.md). Lines leave in the order they were made.

use std::io::Write;
use std::sync::{Mutex, MutexGuard};

/// Access lines gathered past this size are written out by the request that adds the last.
const FULL: usize = 64 * 1024;

struct Pending {
    buf: Vec<u8>,
    /// The second `stamp` shows: the time is formatted once a second, not once a line.
    second: i64,
    stamp: String,
}

static PENDING: Mutex<Pending> = Mutex::new(Pending {
    buf: Vec::new(),
    second: i64::MIN,
    stamp: String::new(),
});
/// Held while gathered lines are taken and written, so that they leave in order.
static WRITING: Mutex<()> = Mutex::new(());

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Pending {
    /// Adds `<time> apikeys: <line>`.
    fn add(&mut self, line: impl FnOnce(&mut Vec<u8>)) {
        let now = crate::policy::now();
        if now != self.second {
            self.second = now;
            self.stamp = crate::text::rfc3339(now);
        }
        self.buf.extend_from_slice(self.stamp.as_bytes());
        self.buf.extend_from_slice(b" apikeys: ");
        line(&mut self.buf);
        self.buf.push(b'\n');
    }
}

/// An event line, written at once after the access lines gathered before it. Anything
/// token-shaped in it is masked (`token::mask_all`).
pub fn event(msg: &str) {
    let msg = crate::token::mask_all(msg);
    lock(&PENDING).add(|b| b.extend_from_slice(msg.as_bytes()));
    flush();
}

/// A request's line (made by serve alone: addresses, codes, ids, figures), gathered.
pub fn access(line: std::fmt::Arguments<'_>) {
    let full = {
        let mut p = lock(&PENDING);
        p.add(|b| {
            let _ = b.write_fmt(line);
        });
        p.buf.len() >= FULL
    };
    if full {
        flush();
    }
}

/// Writes out the lines gathered.
pub fn flush() {
    let _order = lock(&WRITING);
    let out = std::mem::take(&mut lock(&PENDING).buf);
    if !out.is_empty() {
        let _ = std::io::stderr().lock().write_all(&out);
    }
}
