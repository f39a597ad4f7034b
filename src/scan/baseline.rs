//! Scan baselines (SPEC §11, for teams): the findings a repository already had, recorded by
//! fingerprint (key id, path, the line's content with tokens masked; never a secret), so that
//! a later scan reports only what is new. A baselined finding comes back when it turns live:
//! a key revoked when it was baselined and activated again is a leak again.

use super::{Finding, Status};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The file's first field: what it is, so that another file given by mistake is refused.
const KIND: &str = "apikeys scan baseline";

/// One recorded finding: enough to recognise it and to read the file, nothing secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    pub key_id: String,
    pub key: String,
    pub path: String,
    pub line: usize,
    pub status: Status,
}

/// A baseline file.
#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub kind: String,
    pub version: u32,
    pub generated_at: String,
    pub findings: Vec<Entry>,
}

impl Baseline {
    /// The baseline of these findings, one entry per fingerprint (a token in many commits of
    /// one file and line is one finding).
    pub fn of(findings: &[Finding], now: i64) -> Baseline {
        let mut seen = std::collections::HashSet::new();
        let findings = findings
            .iter()
            .filter(|f| seen.insert(f.fingerprint.clone()))
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                key_id: f.key_id.clone(),
                key: f.key.clone(),
                path: f.path.clone(),
                line: f.line,
                status: f.status,
            })
            .collect();
        Baseline {
            kind: KIND.into(),
            version: 1,
            generated_at: crate::text::rfc3339(now),
            findings,
        }
    }

    /// Reads a baseline; a file that is not one is refused (exit 2), never taken as empty.
    pub fn read(path: &Path) -> Result<Baseline> {
        let shown = crate::text::sanitize(&path.display().to_string());
        let text = std::fs::read(path).map_err(|e| {
            Error::usage(
                format!("cannot read the baseline {shown}: {e}"),
                "write one with `apikeys scan --write-baseline FILE`, or drop --baseline",
            )
        })?;
        let b: Baseline = serde_json::from_slice(&text)
            .ok()
            .filter(|b: &Baseline| b.kind == KIND && b.version == 1)
            .ok_or_else(|| {
                Error::usage(
                    format!("{shown} is not an apikeys scan baseline"),
                    "write one with `apikeys scan --write-baseline FILE`",
                )
            })?;
        Ok(b)
    }

    /// Writes the baseline (pretty json, one finding an entry, for review in a diff).
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)? + "\n";
        crate::store::file::replace_unlocked(path, |f| {
            std::io::Write::write_all(f, text.as_bytes())
        })
    }

    /// The findings that are new: not in the baseline, or in it but live now when they were
    /// not live then (a key activated again).
    pub fn new_findings(&self, findings: Vec<Finding>) -> (Vec<Finding>, usize) {
        let known: HashMap<&str, Status> = self
            .findings
            .iter()
            .map(|e| (e.fingerprint.as_str(), e.status))
            .collect();
        let before = findings.len();
        let kept: Vec<Finding> = findings
            .into_iter()
            .filter(|f| match known.get(f.fingerprint.as_str()) {
                None => true,
                Some(then) => f.status == Status::Live && *then != Status::Live,
            })
            .collect();
        let hidden = before - kept.len();
        (kept, hidden)
    }
}
