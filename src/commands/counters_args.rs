//! The flags with which `verify` and `serve` keep limited keys' state in Redis (SPEC §10):
//! one clap struct, flattened into both.

use crate::counters::redis::Target;
use crate::error::{Error, Result};
use std::path::PathBuf;
use std::time::Duration;

/// Shared counters. Its `Debug` never shows the URL, which may carry a password.
#[derive(Clone, clap::Args)]
pub struct CountersArgs {
    /// Keep rate buckets and remaining uses in Redis, shared by every node and runner:
    /// redis://[USER@]HOST:PORT[/DB], rediss://…, unix://PATH, redis+cluster://H:P,H:P. Give
    /// the password with --counters-password-file: argv is visible to every user
    #[arg(long, value_name = "URL")]
    pub counters: Option<String>,
    /// Read the Redis password from the first line of this file (kept out of argv)
    #[arg(long, value_name = "PATH", requires = "counters")]
    pub counters_password_file: Option<PathBuf>,
    /// Answer counters_unavailable (19, HTTP 503) for a limited key when Redis does not
    /// answer within this time
    #[arg(
        long,
        value_name = "DUR",
        default_value = "50ms",
        requires = "counters"
    )]
    pub counters_timeout: String,
}

impl std::fmt::Debug for CountersArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountersArgs")
            .field("counters", &self.counters.as_ref().map(|_| "(redacted)"))
            .field("counters_password_file", &self.counters_password_file)
            .field("counters_timeout", &self.counters_timeout)
            .finish()
    }
}

/// Whether a Redis URL carries a password (`scheme://[user]:pass@…`).
fn has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let userinfo = rest.split(['/', '?', '#']).next().unwrap_or("");
    userinfo
        .rsplit_once('@')
        .is_some_and(|(user, _)| user.contains(':'))
}

impl CountersArgs {
    /// Where the counters are, if `--counters` was given. A password in the URL works, with
    /// a warning: argv is visible to every user of the machine (`ps`, /proc).
    pub fn target(&self) -> Result<Option<Target>> {
        let Some(url) = &self.counters else {
            return Ok(None);
        };
        if has_password(url) {
            eprintln!(
                "warning: the --counters URL carries a password, which every user of this machine can read in the process list; put it in a file and pass --counters-password-file PATH"
            );
        }
        let timeout = crate::engine::limits::parse_period_ms(&self.counters_timeout)
            .filter(|ms| *ms <= 60_000)
            .map(Duration::from_millis)
            .ok_or_else(|| {
                Error::usage(
                    "invalid --counters-timeout",
                    "give a duration from 1ms to 60s, e.g. 50ms or 1s",
                )
            })?;
        Target::parse(url, self.counters_password_file.as_deref(), timeout).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_never_shows_in_debug_and_a_password_on_argv_is_noticed() {
        let a = CountersArgs {
            counters: Some("redis://app:hunter2@10.0.0.5:6379/0".into()),
            counters_password_file: None,
            counters_timeout: "50ms".into(),
        };
        let shown = format!("{a:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("redacted"),
            "{shown}"
        );
        assert!(has_password("redis://app:hunter2@h:1"));
        assert!(has_password("rediss://:hunter2@h:1/0"));
        assert!(!has_password("redis://app@h:1"));
        assert!(!has_password("redis://h:6379/0"));
        assert!(!has_password("unix:///run/redis.sock"));
        assert!(!has_password("redis+cluster://h:1,h:2"));
    }
}
