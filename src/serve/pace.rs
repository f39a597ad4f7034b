//! Stepping aside on a shared core. A worker that always has an answer to write keeps its
//! core, and another busy thread that the scheduler placed on that core (the gateway in
//! front, on the same machine, or a client) waits for the scheduler's tick, 4 ms at 250 Hz:
//! the answers that thread was about to read or forward wait with it, and they make the
//! tail. So every [`EVERY`] answers a worker looks at how long it had to wait for its core
//! since it last looked (the kernel's `/proc/thread-self/schedstat`). A wait says the core
//! is shared: for the next [`HOLD`] the worker blocks for a moment after every [`EVERY`]th
//! answer, and the waiting thread runs then. A worker with a core of its own waits for none
//! and never steps aside; where the figures cannot be read, it never does either.
//!
//! Measured in docs/performance.md (issue 39, twelfth session): on two cores shared with
//! wrk's two threads, the p99 fell from about nginx's to a quarter of it, at the same
//! requests a second. Looking at the wall clock instead (a step aside every half
//! millisecond) did not do it: after the tick took the core, that step came at once, when
//! the other thread had just run.

use std::cell::RefCell;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

/// Answers between two looks, so between two steps aside (about 0.9 ms of a busy worker
/// on the machine of docs/performance.md).
const EVERY: u32 = 128;
/// How long a worker steps aside: the shortest sleep; the kernel's timer slack (50 µs by
/// default) makes it 50 µs or so.
const PAUSE: Duration = Duration::from_micros(1);
/// How long a core found shared counts as shared without being found so again.
const HOLD: Duration = Duration::from_millis(500);
/// The wait for the core between two looks, in nanoseconds, that says it is shared (a
/// wake-up on an idle core waits a few microseconds).
const WAITED: u64 = 20_000;

/// The nanoseconds a thread has waited for a core, from the kernel's `schedstat` line (its
/// time on a core, its time waiting for one, its turns).
pub fn waited(schedstat: &[u8]) -> Option<u64> {
    let mut fields = schedstat
        .split(u8::is_ascii_whitespace)
        .filter(|f| !f.is_empty());
    fields.next()?;
    std::str::from_utf8(fields.next()?).ok()?.parse().ok()
}

/// When a worker steps aside: the decision, apart from the kernel.
#[derive(Debug, Default)]
pub struct Pacer {
    /// Answers since the last look.
    answers: u32,
    /// The wait for a core at the last look.
    waited: Option<u64>,
    /// The core counts as shared until then.
    shared_until: Option<Instant>,
}

impl Pacer {
    /// After an answer at `now`: whether to step aside now. `read` gives the thread's wait
    /// for a core so far, and is called once every [`EVERY`] answers; `None` (unknown)
    /// never steps aside.
    pub fn after_answer(&mut self, now: Instant, read: impl FnOnce() -> Option<u64>) -> bool {
        self.answers += 1;
        if self.answers < EVERY {
            return false;
        }
        self.answers = 0;
        let Some(waited) = read() else {
            *self = Pacer::default();
            return false;
        };
        if let Some(before) = self.waited.replace(waited)
            && waited.saturating_sub(before) >= WAITED
        {
            self.shared_until = Some(now + HOLD);
        }
        self.shared_until.is_some_and(|until| now < until)
    }
}

/// This thread's `schedstat` file, opened on first use; `None` once it cannot be read.
struct Figures {
    file: Option<File>,
    opened: bool,
}

impl Figures {
    fn waited(&mut self) -> Option<u64> {
        if !self.opened {
            self.opened = true;
            self.file = File::open("/proc/thread-self/schedstat").ok();
        }
        let mut buf = [0u8; 96];
        let read = self.file.as_ref()?.read_at(&mut buf, 0).ok();
        let waited = read.and_then(|n| waited(&buf[..n]));
        if waited.is_none() {
            self.file = None;
        }
        waited
    }
}

thread_local! {
    static PACE: RefCell<(Pacer, Figures)> = const {
        RefCell::new((
            Pacer { answers: 0, waited: None, shared_until: None },
            Figures { file: None, opened: false },
        ))
    };
}

/// After an answer written at `now`: steps aside (blocks this worker a moment) when its
/// core is shared.
pub fn after_answer(now: Instant) {
    let _ = PACE.try_with(|pace| {
        let Ok(mut pace) = pace.try_borrow_mut() else {
            return;
        };
        let (pacer, figures) = &mut *pace;
        if pacer.after_answer(now, || figures.waited()) {
            std::thread::sleep(PAUSE);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `answers` answers 7 µs apart from `t`, the thread's wait growing by `wait` ns at
    /// each: how many times the worker steps aside.
    fn steps(p: &mut Pacer, t: &mut Instant, waited: &mut u64, answers: u32, wait: u64) -> u32 {
        let mut n = 0;
        for _ in 0..answers {
            *t += Duration::from_micros(7);
            *waited += wait;
            let w = *waited;
            if p.after_answer(*t, || Some(w)) {
                n += 1;
            }
        }
        n
    }

    #[test]
    fn a_worker_on_a_shared_core_steps_aside_once_every_so_many_answers() {
        let (mut p, mut t, mut w) = (Pacer::default(), Instant::now(), 0);
        // Kept from its core 70 µs in every 4 ms (about 570 answers).
        let mut n = 0;
        for _ in 0..20 {
            n += steps(&mut p, &mut t, &mut w, 570, 0);
            w += 70_000;
        }
        // The first look only notes the wait; the first wait is seen at the second.
        let looks = 20 * 570 / EVERY;
        assert!(
            n >= looks - 5 && n <= looks,
            "{n} steps aside in {looks} looks"
        );
    }

    #[test]
    fn a_worker_with_a_core_of_its_own_never_steps_aside() {
        let (mut p, mut t, mut w) = (Pacer::default(), Instant::now(), 0);
        assert_eq!(steps(&mut p, &mut t, &mut w, 100_000, 0), 0);
        // Woken on an idle core, with a few nanoseconds' wait now and then.
        assert_eq!(steps(&mut p, &mut t, &mut w, 100_000, 100), 0);
    }

    #[test]
    fn a_shared_core_is_forgotten_after_a_while() {
        let (mut p, mut t, mut w) = (Pacer::default(), Instant::now(), 0);
        assert!(steps(&mut p, &mut t, &mut w, 1_000, 1_000) > 0);
        // No more waits: the steps go on for the hold (about 71,000 answers), then stop.
        let held = steps(&mut p, &mut t, &mut w, 80_000, 0);
        assert!(held > 400 && held < 600, "{held} steps aside in the hold");
        assert_eq!(steps(&mut p, &mut t, &mut w, 10_000, 0), 0);
    }

    #[test]
    fn a_worker_whose_figures_are_gone_never_steps_aside() {
        let (mut p, mut t, mut w) = (Pacer::default(), Instant::now(), 0);
        assert!(steps(&mut p, &mut t, &mut w, 1_000, 1_000) > 0);
        for _ in 0..10_000 {
            t += Duration::from_micros(7);
            assert!(!p.after_answer(t, || None));
        }
    }

    #[test]
    fn the_kernel_figures_are_read_as_the_kernel_writes_them() {
        assert_eq!(waited(b"868377 1200 1\n"), Some(1_200));
        assert_eq!(waited(b"868377\n"), None);
        assert_eq!(waited(b"1 x 2\n"), None);
        assert_eq!(waited(b""), None);
        // This thread's own, as a worker reads them.
        let mut f = Figures {
            file: None,
            opened: false,
        };
        let before = f.waited().expect("/proc/thread-self/schedstat is readable");
        assert!(f.waited().expect("read again") >= before);
    }
}
