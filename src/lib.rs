//! apikeys: administer API keys from a local encrypted store.
//!
//! The binary is a thin shell around [`run`]; everything else is here and testable.
#![forbid(unsafe_code)]

pub mod cli;
pub mod commands;
pub mod engine;
pub mod error;
pub mod hex;
pub mod model;
pub mod policy;
pub mod secret;
pub mod serve;
pub mod snapshot;
pub mod store;
pub mod term;
pub mod text;
pub mod token;

pub use error::{Error, Result};

/// Parses the command line, runs it, prints any error once, and returns the exit code.
pub fn run() -> i32 {
    use clap::Parser;
    no_core_dumps();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => 0,
        Err(Error::Exit(code)) => code,
        Err(e) => {
            eprintln!("error: {}", text::sanitize(&e.to_string()));
            if let Some(hint) = e.hint() {
                eprintln!("hint: {hint}");
            }
            e.exit_code()
        }
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
