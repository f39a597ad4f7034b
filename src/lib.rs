//! apikeys: administer API keys from a local encrypted store.
//!
//! The binary is a thin shell around [`run`]; everything else is here and testable.
#![forbid(unsafe_code)]

pub mod cli;
pub mod commands;
pub mod console;
pub mod counters;
pub mod engine;
pub mod error;
pub mod hex;
pub mod history;
pub mod model;
pub mod ops;
pub mod policy;
pub mod scan;
pub mod secret;
pub mod serve;
pub mod snapshot;
pub mod source;
pub mod store;
pub mod term;
pub mod text;
pub mod token;

pub use error::{Error, Result};

/// Parses the command line, runs it, prints any error once, and returns the exit code.
pub fn run() -> i32 {
    use clap::Parser;
    no_core_dumps();
    // The clipboard helper (this binary, started by `create`/`rotate`) is not a command: it is
    // dispatched before clap, so no help, completion or man page ever offers it.
    if std::env::args_os().nth(1).as_deref()
        == Some(std::ffi::OsStr::new(term::clipboard::HELPER_ARG))
    {
        return term::clipboard::run_helper();
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    match commands::run(cli) {
        Ok(()) => 0,
        Err(Error::Exit(code)) => code,
        Err(e) => {
            // A token pasted into the wrong place (a flag's value, a path) is quoted masked.
            eprintln!("error: {}", e.shown());
            if let Some(hint) = e.hint() {
                eprintln!("hint: {}", token::mask_all(&hint));
            }
            e.exit_code()
        }
    }
}

/// Ends a command line clap did not run: `--help` and `--version` are printed on stdout (and
/// a stdout that cannot take them is an error, exit 1, not a silent 0); usage errors go to
/// stderr with exit 2.
fn clap_exit(e: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    use std::io::Write;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let text = rendered(e, std::io::IsTerminal::is_terminal(&std::io::stdout()));
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => 0,
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => 0,
                Err(err) => {
                    eprintln!("error: cannot write stdout: {err}");
                    1
                }
            }
        }
        // clap quotes what it could not take (a value, a subcommand): a token pasted there
        // is masked, and the styles kept for a terminal.
        _ => {
            let text = rendered(e, std::io::IsTerminal::is_terminal(&std::io::stderr()));
            let _ = std::io::stderr().write_all(token::mask_all(&text).as_bytes());
            e.exit_code()
        }
    }
}

/// clap's text of `e`, styled for a terminal (unless NO_COLOR or TERM=dumb) or plain.
fn rendered(e: &clap::Error, terminal: bool) -> String {
    let styled = e.render();
    if terminal && term::colour_allowed() {
        styled.ansi().to_string()
    } else {
        styled.to_string()
    }
}

/// Switches core dumps off for this process (and so for the clipboard helper, the same
/// binary): a dump at a prompt (Ctrl-\\) would hold the data key, the pepper or a token.
fn no_core_dumps() {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let _ = setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    );
    #[cfg(target_os = "linux")]
    let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
}
