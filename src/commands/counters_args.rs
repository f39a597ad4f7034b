//! The flags with which `verify` and `serve` keep limited keys' state in Redis (SPEC §10):
//! one clap struct, flattened into both.

use crate::engine::counters::redis::Target;
use crate::error::{Error, Result};
use std::path::PathBuf;
use std::time::Duration;

/// Shared counters.
#[derive(Debug, Clone, clap::Args)]
pub struct CountersArgs {
    /// Keep rate buckets and remaining uses in Redis, shared by every node and runner:
    /// redis://[USER:PASS@]HOST:PORT[/DB], rediss://…, unix://PATH, redis+cluster://H:P,H:P
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

impl CountersArgs {
    /// Where the counters are, if `--counters` was given.
    pub fn target(&self) -> Result<Option<Target>> {
        let Some(url) = &self.counters else {
            return Ok(None);
        };
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
