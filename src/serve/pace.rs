//! Stepping aside on a shared core. A worker that always has an answer to write keeps its
//! core, and another busy thread that the scheduler placed on that core (the gateway in
//! front, on the same machine, or a client) waits for the scheduler's tick, 4 ms at 250 Hz:
//! the answers that thread was about to read or forward wait with it, and they make the
//! tail. So every [`EVERY`] answers a worker looks at two figures since it last looked: how
//! long it had to wait for its core (the kernel's `/proc/thread-self/schedstat`), and how
//! long it ran (its CPU clock). A wait says the core is shared; running or waiting nearly
//! all the time, at every look for a tick or more ([`SUSTAINED`]), says the worker never
//! gave it up by itself. Then, for as long as the core counts as shared ([`HOLD`]), the
//! busy worker leaves its core for about 15 µs ([`SLACK`]) after every [`EVERY`]th answer,
//! and the thread waiting for it runs then (the scheduler lets it finish its turn). A
//! worker with a core of its own waits for none, and one that is idle now and then leaves
//! its core to others anyway: neither steps aside, nor one whose figures cannot be read.
//!
//! Measured in docs/performance.md (issue 39, twelfth to fourteenth sessions). Looking at
//! the wall clock instead (a step aside every half millisecond) did nothing: after the tick
//! took the core, that step came at once, when the other thread had just run. Stepping
//! aside in any busy stretch of 128 answers made the open-loop p99 at 0.6 of nginx's rate
//! reach 1.2-2.9 ms in some runs (0.4-0.5 ms without): the requests that came in a burst
//! waited for the step, and for the core after it. The twelfth session's step lasted about
//! 50 µs (the kernel's default timer slack): it left the core idle whenever the other
//! thread needed less, and on a slower host it cost 7-17 % of the requests a second. A
//! `sched_yield` instead kept the requests a second but not the p99 (about nginx's); 10 µs
//! kept both there. On the next host, 10 µs every 128 answers left the p99 at nginx's:
//! 15 µs every 64 answers gave about a tenth more requests a second and a third of its p99.

use std::cell::RefCell;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

/// Answers between two looks, so between two steps aside (about 0.5 ms of a busy worker
/// on the machine of docs/performance.md).
const EVERY: u32 = 64;
/// How long a worker steps aside, in nanoseconds: its timer slack, the most the kernel may
/// add to its shortest sleep (50 µs by default, which left the core idle whenever the
/// thread waiting for it needed less).
const SLACK: u64 = 15_000;
/// How long a core found shared counts as shared without being found so again.
const HOLD: Duration = Duration::from_millis(500);
/// The wait for the core between two looks, in nanoseconds, that says it is shared (a
/// wake-up on an idle core waits a few microseconds).
const WAITED: u64 = 20_000;
/// The share of the time between two looks, in percent, that a busy worker spent running or
/// waiting for its core (after a step aside, too).
const BUSY: u64 = 90;
/// How long a worker must have been busy before it steps aside: the scheduler's tick at
/// 250 Hz. A burst of work shorter than that keeps no other thread waiting for a tick, and
/// stepping aside in it only delays the requests that came together.
const SUSTAINED: Duration = Duration::from_millis(4);

/// A thread's nanoseconds on a core and waiting for one, so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub ran: u64,
    pub waited: u64,
}

/// The nanoseconds a thread has waited for a core, from the kernel's `schedstat` line (its
/// time on a core, its time waiting for one, its turns). Its time on a core is not used:
/// the kernel brings it up to date only when the thread leaves its core, or at a tick.
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
    /// The last look, and when.
    last: Option<(Instant, Look)>,
    /// The core counts as shared until then.
    shared_until: Option<Instant>,
    /// Busy at every look since then.
    busy_since: Option<Instant>,
}

impl Pacer {
    /// After an answer at `now`: whether to step aside now. `read` gives the thread's
    /// figures, and is called once every [`EVERY`] answers; `None` (unknown) never steps
    /// aside.
    pub fn after_answer(&mut self, now: Instant, read: impl FnOnce() -> Option<Look>) -> bool {
        self.answers += 1;
        if self.answers < EVERY {
            return false;
        }
        self.answers = 0;
        let Some(look) = read() else {
            *self = Pacer::default();
            return false;
        };
        let Some((then, before)) = self.last.replace((now, look)) else {
            return false;
        };
        let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let waited = look.waited.saturating_sub(before.waited);
        if waited >= WAITED {
            self.shared_until = Some(now + HOLD);
        }
        let busy = look
            .ran
            .saturating_sub(before.ran)
            .saturating_add(waited)
            .saturating_mul(100)
            >= nanos(now.saturating_duration_since(then)).saturating_mul(BUSY);
        // Busy since the last look that found it idle: only a worker busy for a tick keeps
        // another thread from its core for a tick.
        let busy_since = if busy {
            *self.busy_since.get_or_insert(then)
        } else {
            self.busy_since = None;
            now
        };
        busy && now.saturating_duration_since(busy_since) >= SUSTAINED
            && self.shared_until.is_some_and(|until| now < until)
    }
}

/// This thread's `schedstat` file, opened on first use; `None` once it cannot be read.
struct Figures {
    file: Option<File>,
    opened: bool,
}

impl Figures {
    fn look(&mut self) -> Option<Look> {
        if !self.opened {
            self.opened = true;
            self.file = File::open("/proc/thread-self/schedstat").ok();
        }
        let mut buf = [0u8; 96];
        let read = self.file.as_ref()?.read_at(&mut buf, 0).ok();
        let Some(waited) = read.and_then(|n| waited(&buf[..n])) else {
            self.file = None;
            return None;
        };
        let ran = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        let ran = u64::try_from(ran.tv_sec)
            .ok()?
            .saturating_mul(1_000_000_000)
            .saturating_add(u64::try_from(ran.tv_nsec).ok()?);
        Some(Look { ran, waited })
    }
}

thread_local! {
    static PACE: RefCell<(Pacer, Figures)> = const {
        RefCell::new((
            Pacer {
                answers: 0,
                last: None,
                shared_until: None,
                busy_since: None,
            },
            Figures { file: None, opened: false },
        ))
    };
}

/// Steps aside: sleeps the shortest time, with this thread's timer slack set to
/// [`SLACK`] (once; its other timers are the runtime's, in whole milliseconds).
fn pause() {
    thread_local! {
        static SLACK_SET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if !SLACK_SET.replace(true) {
        // Not set (no prctl here): the kernel's default slack makes the step longer.
        let _ = rustix::thread::set_current_timer_slack(std::num::NonZeroU64::new(SLACK));
    }
    std::thread::sleep(Duration::from_micros(1));
}

/// After an answer written at `now`: steps aside (leaves this worker's core for a moment)
/// when it has been busy on a shared core, and says whether it did.
pub fn after_answer(now: Instant) -> bool {
    PACE.try_with(|pace| {
        let Ok(mut pace) = pace.try_borrow_mut() else {
            return false;
        };
        let (pacer, figures) = &mut *pace;
        let step = pacer.after_answer(now, || figures.look());
        if step {
            pause();
        }
        step
    })
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker's answers, 7 µs apart, and its figures as the kernel would give them.
    struct Run {
        p: Pacer,
        t: Instant,
        look: Look,
        /// Another thread wants the core: it runs for 60 µs when the worker steps aside,
        /// which waits for its core meanwhile (else the step is only the sleep, [`SLACK`]).
        other: bool,
    }

    impl Run {
        fn new() -> Run {
            Run {
                p: Pacer::default(),
                t: Instant::now(),
                look: Look { ran: 0, waited: 0 },
                other: true,
            }
        }

        /// `answers` answers, each after `ran` ns on the core and `wait` ns waiting for it
        /// (the rest of the 7 µs idle): how many times the worker steps aside.
        fn steps(&mut self, answers: u32, ran: u64, wait: u64) -> u32 {
            let mut n = 0;
            for _ in 0..answers {
                self.t += Duration::from_micros(7);
                self.look.ran += ran;
                self.look.waited += wait;
                let look = self.look;
                if self.p.after_answer(self.t, || Some(look)) {
                    n += 1;
                    if self.other {
                        self.look.waited += 50_000;
                        self.t += Duration::from_micros(60);
                    } else {
                        self.t += Duration::from_nanos(SLACK);
                    }
                }
            }
            n
        }

        /// Kept from the core for 70 µs.
        fn preempted(&mut self) {
            self.look.waited += 70_000;
            self.t += Duration::from_micros(70);
        }
    }

    #[test]
    fn a_busy_worker_on_a_shared_core_steps_aside_once_every_so_many_answers() {
        let mut r = Run::new();
        // Always running, and kept from the core for 70 µs every 4 ms (about 570 answers).
        let mut n = 0;
        for _ in 0..20 {
            n += r.steps(570, 7_000, 0);
            r.preempted();
        }
        // The first look only notes the figures, and the first wait is seen after 570.
        let looks = 20 * 570 / EVERY;
        assert!(
            n + 570 / EVERY + 2 >= looks && n <= looks,
            "{n} steps aside in {looks} looks"
        );
    }

    #[test]
    fn a_busy_worker_with_a_core_of_its_own_never_steps_aside() {
        let mut r = Run::new();
        assert_eq!(r.steps(100_000, 7_000, 0), 0);
        // Woken on an idle core, with a short wait each time.
        assert_eq!(r.steps(100_000, 6_900, 100), 0);
    }

    #[test]
    fn a_worker_that_is_idle_now_and_then_never_steps_aside_even_on_a_shared_core() {
        let mut r = Run::new();
        // Half of the time idle, and waiting for the core when woken.
        assert_eq!(r.steps(100_000, 3_000, 500), 0);
        // The same worker, once busy, does.
        assert!(r.steps(10_000, 6_500, 500) > 50);
    }

    #[test]
    fn bursts_of_work_shorter_than_a_tick_never_step_aside() {
        let mut r = Run::new();
        // 2.8 ms busy (and kept waiting for the core), then 2 ms idle, again and again.
        let mut n = 0;
        for _ in 0..100 {
            n += r.steps(400, 6_000, 1_000);
            r.t += Duration::from_millis(2);
        }
        assert_eq!(n, 0);
        // Busy for longer than a tick, it does.
        assert!(r.steps(2_000, 6_000, 1_000) > 5);
    }

    #[test]
    fn a_shared_core_is_forgotten_after_a_while() {
        let mut r = Run::new();
        assert!(r.steps(1_000, 6_000, 1_000) > 0);
        // No other thread any more (no wait after a step) and no more waits: the steps go
        // on for the hold (one every EVERY answers of 7 µs and a step), then stop.
        r.other = false;
        let held = r.steps(150_000, 7_000, 0);
        let every = u64::from(EVERY) * 7_000 + SLACK;
        let hold = u64::try_from(HOLD.as_nanos()).expect("nanoseconds");
        let expected = u32::try_from(hold / every).expect("a count");
        assert!(
            held > expected * 9 / 10 && held <= expected + 1,
            "{held} steps aside in the hold, {expected} expected"
        );
        assert_eq!(r.steps(10_000, 7_000, 0), 0);
    }

    #[test]
    fn a_worker_whose_figures_are_gone_never_steps_aside() {
        let mut r = Run::new();
        assert!(r.steps(1_000, 6_000, 1_000) > 0);
        for _ in 0..10_000 {
            r.t += Duration::from_micros(7);
            assert!(!r.p.after_answer(r.t, || None));
        }
    }

    #[test]
    fn a_step_aside_sets_the_stepping_threads_slack_and_no_other() {
        std::thread::spawn(|| {
            pause();
            pause();
            assert_eq!(rustix::thread::current_timer_slack().expect("prctl"), SLACK);
        })
        .join()
        .expect("the stepping thread");
        // The test's own thread keeps its own (the kernel's default, 50 µs).
        assert_ne!(rustix::thread::current_timer_slack().expect("prctl"), SLACK);
    }

    #[test]
    fn the_figures_are_read_as_the_kernel_gives_them() {
        assert_eq!(waited(b"868377 1200 1\n"), Some(1_200));
        assert_eq!(waited(b"868377\n"), None);
        assert_eq!(waited(b"1 x 2\n"), None);
        assert_eq!(waited(b""), None);
        // This thread's own, as a worker reads them: its CPU clock moves as it runs.
        let mut f = Figures {
            file: None,
            opened: false,
        };
        let before = f.look().expect("/proc/thread-self/schedstat is readable");
        let spin = Instant::now();
        let mut after = before;
        while after.ran < before.ran + 1_000_000 && spin.elapsed() < Duration::from_secs(10) {
            after = f.look().expect("read again");
            assert!(after.waited >= before.waited && after.ran >= before.ran);
        }
        assert!(
            after.ran >= before.ran + 1_000_000,
            "{before:?} then {after:?}"
        );
    }
}
