//! A closed stdout: a listing ends quietly, a verdict keeps its failing code (a gate never passes because its reader went away).

use serde::Serialize;
use std::sync::atomic::{AtomicI32, Ordering};

/// The exit code a closed stdout ends this command with: 0 for a listing; for a gate (a
/// command whose exit code is a verdict) the first failing verdict it reached, or
/// [`SIGPIPE_EXIT`] while it has reached none.
static ON_CLOSED_PIPE: AtomicI32 = AtomicI32::new(0);

/// What a shell reports for a process killed by SIGPIPE (128 + 13).
pub const SIGPIPE_EXIT: i32 = 141;

/// Marks this command as a gate: from now on a closed stdout never ends it with 0 (SPEC §4).
pub fn gate() {
    ON_CLOSED_PIPE.store(SIGPIPE_EXIT, Ordering::Relaxed);
}

/// A gate's verdict so far: the first failing code is what a closed stdout ends it with.
pub fn gate_verdict(code: i32) {
    if code != 0 {
        let _ = ON_CLOSED_PIPE.compare_exchange(
            SIGPIPE_EXIT,
            code,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }
}

/// The exit code for a stdout whose reader went away.
pub fn closed_pipe_exit() -> i32 {
    ON_CLOSED_PIPE.load(Ordering::Relaxed)
}

/// The error for a failed write to stdout. A closed pipe (`apikeys log | head -1`) is not a
/// failure of a listing: the reader has what it wanted, so it ends quietly with exit 0. A gate
/// keeps its failing verdict (or ends as SIGPIPE would): its reader leaving never passes it.
pub fn stdout_err(e: std::io::Error) -> crate::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        crate::Error::Exit(closed_pipe_exit())
    } else {
        crate::Error::Io(format!("cannot write stdout: {e}"))
    }
}

/// `Ok(true)` when the reader closed the pipe, for loops that stop there and finish up.
pub fn quiet_pipe(r: std::io::Result<()>) -> crate::Result<bool> {
    match r {
        Ok(()) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(true),
        Err(e) => Err(stdout_err(e)),
    }
}

/// Prints a line on stdout; never panics on a closed pipe.
pub fn print_line(line: &str) -> crate::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(stdout_err)
}

/// Prints a value as pretty json on stdout.
pub fn print_json<T: Serialize>(value: &T) -> crate::Result<()> {
    print_line(&serde_json::to_string_pretty(value)?)
}

/// Prints a value as one line of json on stdout.
pub fn print_json_line<T: Serialize>(value: &T) -> crate::Result<()> {
    print_line(&serde_json::to_string(value)?)
}
