//! The command line: clap types only. Doc comments are the help text.

use crate::commands;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Exit codes and environment, shown at the end of `--help` and in the man page.
pub const AFTER_HELP: &str = "\
Exit codes:
  0 success / key valid     1 other error          2 usage error
  3 cannot unlock           4 store damaged        5 no such key or group
  6 conflict                7 refused by policy    8 confirmation needed
  10 malformed token  11 unknown key or wrong secret  12 revoked  13 expired
  14 IP not allowed   15 scope not granted   16 no uses left
  17 snapshot too old  18 rate limit reached  19 counters unavailable
  20 scan: a live key was found  141 a verdict's reader went away (never 0)

Environment:
  APIKEYS_STORE, APIKEYS_KEY_FILE, APIKEYS_IDENTITY, APIKEYS_PASSPHRASE_FILE,
  APIKEYS_PASSPHRASE, APIKEYS_NEW_PASSPHRASE, APIKEYS_ACTOR, APIKEYS_CLIP_SECONDS, NO_COLOR";

/// Administer API keys from a local encrypted store.
#[derive(Debug, Parser)]
#[command(name = "apikeys", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The store file (env APIKEYS_STORE) [default: the platform data dir, file apikeys.store]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub store: Option<PathBuf>,
    /// Unlock with this key file instead of the passphrase (env APIKEYS_KEY_FILE)
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub key_file: Option<PathBuf>,
    /// Unlock with this SSH private key or age identity file, for an admin added with
    /// --ssh-key or --age (env APIKEYS_IDENTITY)
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub identity: Option<PathBuf>,
    /// Read the passphrase from this file, one line (env APIKEYS_PASSPHRASE_FILE)
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub passphrase_file: Option<PathBuf>,
    /// A note for the audit log beside the admin who unlocked the store, e.g. "ci-deploy
    /// job": shown as `alice (ci-deploy job)`, never instead of alice (env APIKEYS_ACTOR)
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "NAME"
    )]
    pub actor: Option<String>,
    /// Output for people (table) or scripts (json; list also csv; scan also sarif) [default: table]
    #[arg(long, global = true, help_heading = "Global options", value_enum)]
    pub format: Option<Format>,
    /// Confirm without asking (needed without a terminal for revoke, delete, rotate, passwd)
    #[arg(short = 'y', long, global = true, help_heading = "Global options")]
    pub yes: bool,
    /// Print only what a script needs (the token, or nothing)
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub quiet: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    /// SARIF 2.1.0, for `scan`
    Sarif,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new store
    Init(commands::init::Args),
    /// Change the passphrase or the key-file slot, without touching the keys
    Passwd(commands::passwd::Args),
    /// Mint a new key; its token is shown once
    Create(Box<commands::create::Args>),
    /// List keys, masked
    List(commands::list::Args),
    /// Show every field of one key, and its audit events
    Show(commands::show::Args),
    /// Make keys inactive (reversible with activate)
    Revoke(commands::revoke::Args),
    /// Make inactive keys active again
    Activate(commands::activate::Args),
    /// Change a key's settings (never its secret)
    Edit(Box<commands::edit::Args>),
    /// Remove keys for good
    Delete(commands::delete::Args),
    /// Create many keys from JSON lines in one write; tokens to a new 0600 file
    Import(commands::import::Args),
    /// Find leaked tokens in files, git history or stdin, and say which are live
    Scan(commands::scan::Args),
    /// Mint a successor that takes over the name; the old key stays valid for a grace period
    Rotate(commands::rotate::Args),
    /// Check a token read from stdin; the exit code tells the result
    Verify(commands::verify::Args),
    /// Answer forward-auth verification requests over HTTP (nginx, Caddy, Traefik, Envoy)
    Serve(crate::serve::Args),
    /// Admins of a shared store, each with a credential of their own; alone, lists them
    Admin {
        #[command(subcommand)]
        cmd: Option<commands::admin::AdminCommand>,
    },
    /// Manage permission groups (named sets of scopes); alone, lists them
    Group {
        #[command(subcommand)]
        cmd: Option<commands::group::GroupCommand>,
    },
    /// Show or set the store-wide lifetime policy; alone, shows it
    Policy {
        #[command(subcommand)]
        cmd: Option<commands::policy::PolicyCommand>,
    },
    /// Verify-only snapshots for CI runners and gateway fleets
    #[command(subcommand)]
    Verifier(commands::verifier::VerifierCommand),
    /// What every key did: answers over time by outcome (a chart, or rows for billing);
    /// `usage import` merges the records of verifier nodes
    Usage(commands::usage::Args),
    /// The busiest keys, owners or client addresses, and revoked keys still presented
    Top(commands::usage::top::Args),
    /// A local web console: the keys table, forms and charts, for this admin, on loopback
    Console(crate::console::Args),
    /// The store at a glance: slots, policy, counts, stale keys, last write
    Status(commands::status::Args),
    /// Copy the store to a new file, under the lock, and prove the copy opens
    Backup(commands::backup::Args),
    /// Show the audit trail
    Log(commands::log::Args),
    /// Print shell completions
    Completions(commands::completions::Args),
    /// Print the man page (roff)
    Man,
}
