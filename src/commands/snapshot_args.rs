//! The flags with which `verify` and `serve` read a verifier snapshot instead of the store
//! (SPEC §8): one clap struct, flattened into both, so the two cannot drift.

use crate::error::Result;
use crate::source::SnapshotOptions;
use std::path::PathBuf;

/// Reading a verify-only snapshot.
#[derive(Debug, Clone, clap::Args)]
pub struct SnapshotArgs {
    /// Verify from this verify-only snapshot instead of the store
    #[arg(long, value_name = "FILE", requires = "verifier_key")]
    pub verifier: Option<PathBuf>,
    /// The verifier key file that opens the snapshot
    #[arg(long, value_name = "PATH", requires = "verifier")]
    pub verifier_key: Option<PathBuf>,
    /// With --verifier: append the uses granted here, for `apikeys usage import`; verifies
    /// sharing one log share its ledger of a limited key's uses
    #[arg(long, value_name = "PATH", requires = "verifier")]
    pub usage_log: Option<PathBuf>,
    /// With --verifier: answer stale_snapshot (17, HTTP 503) once the snapshot is older
    /// than this (fail closed when exports stop arriving)
    #[arg(long, value_name = "DUR", requires = "verifier")]
    pub max_age: Option<String>,
    /// With --verifier: keep the rollback floor (the highest generation accepted) in this
    /// file; an older snapshot is refused (exit 4) [default: verifier-state in the platform
    /// state dir]
    #[arg(long, value_name = "PATH", requires = "verifier")]
    pub state: Option<PathBuf>,
    /// With --verifier: accept this generation and newer again, lowering the floor on purpose
    #[arg(long, value_name = "N", requires = "verifier")]
    pub accept_generation: Option<u64>,
}

impl SnapshotArgs {
    /// `--max-age` in seconds.
    pub fn max_age(&self) -> Result<Option<i64>> {
        self.max_age
            .as_deref()
            .map(crate::policy::parse_duration)
            .transpose()
    }

    /// How the source is opened: with a snapshot, its rollback floor is kept in the state
    /// file, so that every front end refuses an older snapshot than one already accepted.
    pub fn options(&self) -> SnapshotOptions {
        SnapshotOptions {
            files: self.verifier.clone().zip(self.verifier_key.clone()),
            usage_log: self.usage_log.clone(),
            state: self.verifier.as_ref().and(self.state.clone()).or_else(|| {
                self.verifier
                    .as_ref()
                    .and_then(|_| crate::source::default_state_path())
            }),
            accept_generation: self.accept_generation,
        }
    }
}
