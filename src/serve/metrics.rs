//! What `/metrics` counts of the server: answers by outcome, the request latency, reloads and
//! write-backs; never labelled with a key id, name or token.

use crate::engine::Code;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of the request-latency histogram's buckets.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];
/// The status classes the histogram is labelled by.
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// A latency histogram over upper bounds `bounds` (seconds, `N - 1` of them): a count per
/// bucket (not cumulative), then +Inf; the sum in µs. The request latency's (per status
/// class) and the shared counters' round trips are both one of these.
#[derive(Debug)]
pub struct Histogram<const N: usize> {
    buckets: [AtomicU64; N],
    sum_us: AtomicU64,
}

impl<const N: usize> Default for Histogram<N> {
    fn default() -> Self {
        Histogram {
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            sum_us: AtomicU64::new(0),
        }
    }
}

impl<const N: usize> Histogram<N> {
    /// Counts one observation.
    pub fn observe(&self, bounds: &[f64], took: std::time::Duration) {
        let secs = took.as_secs_f64();
        let i = bounds
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(bounds.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.sum_us
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// Its `_bucket`, `_sum` and `_count` lines, with `labels` (`class="2xx"`) or none.
    pub fn render(&self, bounds: &[f64], name: &str, labels: &str, s: &mut String) {
        use std::fmt::Write;
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            cumulative += n.load(Ordering::Relaxed);
            let le = bounds.get(i).map_or("+Inf".to_string(), |b| b.to_string());
            let _ = writeln!(s, "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}");
        }
        let sum = self.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let labels = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(s, "{name}_sum{labels} {sum}");
        let _ = writeln!(s, "{name}_count{labels} {cumulative}");
    }
}

/// Counters for `/metrics`; never labelled with a key id, name or token.
#[derive(Debug, Default)]
pub struct Metrics {
    latency: [Histogram<{ BUCKETS.len() + 1 }>; CLASSES.len()],
    by_code: [AtomicU64; Code::ALL.len()],
    pub not_found: AtomicU64,
    pub reloads: AtomicU64,
    pub reload_failures: AtomicU64,
    pub flushes: AtomicU64,
    pub flush_failures: AtomicU64,
    pub panics: AtomicU64,
    /// Connections closed at once because their address held its whole share.
    pub conns_refused: AtomicU64,
    /// Idle connections closed because the server was full.
    pub idle_closed: AtomicU64,
    /// Moments a busy worker on a shared core stepped aside (`pace.rs`).
    pub steps_aside: AtomicU64,
}

impl Metrics {
    /// Counts one verification answer.
    pub fn count(&self, code: Code) {
        let i = Code::ALL.iter().position(|c| *c == code).unwrap_or(0);
        self.by_code[i].fetch_add(1, Ordering::Relaxed);
    }

    /// Records how long one request took, by its HTTP status class.
    pub fn observe(&self, status: u16, took: std::time::Duration) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.latency[class].observe(&BUCKETS, took);
    }

    fn render_latency(&self, s: &mut String) {
        use std::fmt::Write;
        let name = "apikeys_request_duration_seconds";
        let _ = writeln!(
            s,
            "# HELP {name} Time to answer a request, by HTTP status class.\n# TYPE {name} histogram"
        );
        for (class, h) in CLASSES.iter().zip(&self.latency) {
            h.render(&BUCKETS, name, &format!("class=\"{class}\""), s);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self, keys: usize, stale: bool) -> String {
        use std::fmt::Write;
        let mut s = String::with_capacity(4096);
        let _ = writeln!(
            s,
            "# HELP apikeys_build_info The running build.\n# TYPE apikeys_build_info gauge\napikeys_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        self.render_latency(&mut s);
        s.push_str("# HELP apikeys_requests_total Verification requests by answer code.\n");
        s.push_str("# TYPE apikeys_requests_total counter\n");
        for (code, n) in Code::ALL.iter().zip(&self.by_code) {
            let _ = writeln!(
                s,
                "apikeys_requests_total{{code=\"{}\"}} {}",
                code.as_str(),
                n.load(Ordering::Relaxed)
            );
        }
        let rows: [(&str, &str, &str, u64); 11] = [
            (
                "apikeys_connections_refused_total",
                "counter",
                "Connections closed at once because their client address held its whole share.",
                self.conns_refused.load(Ordering::Relaxed),
            ),
            (
                "apikeys_idle_connections_closed_total",
                "counter",
                "Idle keep-alive connections closed because the server was full.",
                self.idle_closed.load(Ordering::Relaxed),
            ),
            (
                "apikeys_not_found_total",
                "counter",
                "Requests for a path that is not served.",
                self.not_found.load(Ordering::Relaxed),
            ),
            (
                "apikeys_reloads_total",
                "counter",
                "Store loads after a change on disk.",
                self.reloads.load(Ordering::Relaxed),
            ),
            (
                "apikeys_reload_failures_total",
                "counter",
                "Changed store files that could not be loaded (the last good one is served).",
                self.reload_failures.load(Ordering::Relaxed),
            ),
            (
                "apikeys_usage_flushes_total",
                "counter",
                "Use records written back to the store.",
                self.flushes.load(Ordering::Relaxed),
            ),
            (
                "apikeys_usage_flush_failures_total",
                "counter",
                "Write-backs of use records that failed (retried later).",
                self.flush_failures.load(Ordering::Relaxed),
            ),
            (
                "apikeys_panics_total",
                "counter",
                "Requests that panicked and were answered 500.",
                self.panics.load(Ordering::Relaxed),
            ),
            (
                "apikeys_steps_aside_total",
                "counter",
                "Moments a worker, busy for a while on a core another thread wanted, stepped aside.",
                self.steps_aside.load(Ordering::Relaxed),
            ),
            (
                "apikeys_keys_loaded",
                "gauge",
                "Keys in the snapshot being served.",
                keys as u64,
            ),
            (
                "apikeys_stale",
                "gauge",
                "1 when the file on disk changed and could not be loaded.",
                u64::from(stale),
            ),
        ];
        for (name, kind, help, v) in rows {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
        }
        s
    }
}
