//! One error type for the whole tool: each variant knows its exit code (SPEC §4) and a hint.

use std::path::PathBuf;

/// Everything that can go wrong, as the user should hear it.
///
/// Messages are lowercase and carry the name or path they concern; they never
/// carry a secret.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Io(String),
    /// An operation refused for a reason outside the contract's codes (exit 1), with a hint.
    #[error("{message}")]
    Refused { message: String, hint: String },
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    #[error("cannot unlock {path}: {reason}")]
    Unlock {
        path: PathBuf,
        reason: String,
        hint: String,
    },
    #[error("store {path} is damaged or was tampered with: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("cannot read store {path}: {reason}")]
    Unsupported { path: PathBuf, reason: String },
    /// A file of another kind where a store was expected (exit 4).
    #[error("{message}")]
    WrongKind { message: String, hint: String },
    #[error("no store at {0}")]
    NoStore(PathBuf),
    #[error("no such key: {0}")]
    NoSuchKey(String),
    /// No such key, but one with a name or id within a small edit distance.
    #[error("no such key: {key}")]
    NoSuchKeyNear { key: String, near: String },
    #[error("no such group: {0}")]
    NoSuchGroup(String),
    #[error("{message}")]
    Conflict {
        message: String,
        hint: Option<String>,
    },
    #[error("{message}")]
    Policy {
        message: String,
        hint: Option<String>,
    },
    #[error("{what} needs confirmation")]
    Unconfirmed { what: String },
    #[error("{0}")]
    Internal(String),
    /// The shared counters (`--counters`) cannot be reached: a limited key is not granted.
    #[error("the shared counters cannot be reached ({0})")]
    CountersUnavailable(String),
    /// Another error told again with what it means here (a new token that is not valid);
    /// it keeps that error's exit code and hint.
    #[error("{message}")]
    Context {
        message: String,
        hint: Option<String>,
        code: i32,
    },
    /// Not a failure to report: the command has said all there is and ends with this code
    /// (verify's 10–15, the clipboard helper's status).
    #[error("exit status {0}")]
    Exit(i32),
}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The process exit code for this error (SPEC §4).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Io(_) | Error::Refused { .. } | Error::NoStore(_) | Error::Internal(_) => 1,
            Error::Usage { .. } => 2,
            Error::Unlock { .. } => 3,
            Error::Corrupt { .. } | Error::Unsupported { .. } | Error::WrongKind { .. } => 4,
            Error::NoSuchKey(_) | Error::NoSuchKeyNear { .. } | Error::NoSuchGroup(_) => 5,
            Error::Conflict { .. } => 6,
            Error::Policy { .. } => 7,
            Error::Unconfirmed { .. } => 8,
            Error::Exit(code) | Error::Context { code, .. } => *code,
            Error::CountersUnavailable(_) => 19,
        }
    }

    /// The message as shown to a person (a terminal, the console's page): control characters
    /// made visible, and a token quoted from the input masked (`token::mask_all`).
    pub fn shown(&self) -> String {
        crate::token::mask_all(&crate::text::sanitize(&self.to_string()))
    }

    /// What the user can do about it, where there is something to do.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Usage { hint, .. }
            | Error::Conflict { hint, .. }
            | Error::Policy { hint, .. }
            | Error::Context { hint, .. } => hint.clone(),
            Error::Unlock { hint, .. }
            | Error::Refused { hint, .. }
            | Error::WrongKind { hint, .. } => Some(hint.clone()),
            Error::Corrupt { .. } => Some(
                "restore the store from a backup (made with `apikeys backup PATH`); the file was not changed by this command".into(),
            ),
            Error::Unsupported { .. } => {
                Some("this store was written by a newer apikeys: upgrade apikeys to open it".into())
            }
            Error::NoStore(_) => Some(
                "create one with `apikeys init`, or point --store / APIKEYS_STORE at an existing store"
                    .into(),
            ),
            Error::NoSuchKey(_) => Some("see the keys with `apikeys list --status all`".into()),
            Error::NoSuchKeyNear { near, .. } => Some(format!("did you mean `{near}`?")),
            Error::NoSuchGroup(_) => Some("see the groups with `apikeys group list`".into()),
            Error::Unconfirmed { .. } => Some(
                "answer the prompt on a terminal, or pass --yes to confirm from a script".into(),
            ),
            Error::CountersUnavailable(_) => Some(
                "check that Redis answers at the --counters URL (limited keys are denied until it does)".into(),
            ),
            Error::Io(_) | Error::Internal(_) | Error::Exit(_) => None,
        }
    }

    /// A usage error (exit 2) with a hint.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// A conflict (exit 6) with a hint.
    pub fn conflict(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Conflict {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// A policy refusal (exit 7) with a hint.
    pub fn policy(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Policy {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    /// An I/O error that names what was being done and to which path.
    pub fn io(what: &str, path: &std::path::Path, err: std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        let message = format!("cannot {what} {}: {err}", path.display());
        // What to do, for the failures a person can act on (exit 1 all the same).
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let hint = match err.kind() {
            K::NotFound => format!(
                "check the path: does {} exist, and can files be made there?",
                folder.display()
            ),
            K::PermissionDenied => format!(
                "check the permissions of {} and its folder (ls -ld), or run as the user who owns them",
                path.display()
            ),
            K::ReadOnlyFilesystem => "that file system is read-only: choose a path on a writable one".into(),
            K::StorageFull | K::QuotaExceeded => "the disk is full (or a quota is reached): free some space and run the command again".into(),
            K::IsADirectory => "that is a folder: give the path of a file".into(),
            K::NotADirectory => "a part of that path is a file, not a folder: check the path".into(),
            _ => return Error::Io(message),
        };
        Error::Context {
            message,
            hint: Some(hint),
            code: 1,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        Error::Internal(format!("database error: {err}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        if err.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe) {
            // The reader closed the pipe (see `output::stdout_err`).
            return Error::Exit(crate::term::output::closed_pipe_exit());
        }
        if let Some(kind) = err.io_error_kind() {
            // Writing json failed on stdout (a full disk, a closed descriptor): say that.
            return Error::Io(format!(
                "cannot write stdout: {}",
                std::io::Error::from(kind)
            ));
        }
        Error::Internal(format!("json error: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        let p = PathBuf::from("s");
        assert_eq!(Error::Io("x".into()).exit_code(), 1);
        assert_eq!(Error::usage("x", "y").exit_code(), 2);
        let unlock = Error::Unlock {
            path: p.clone(),
            reason: "r".into(),
            hint: "h".into(),
        };
        assert_eq!(unlock.exit_code(), 3);
        assert_eq!(
            Error::Corrupt {
                path: p,
                reason: "r".into()
            }
            .exit_code(),
            4
        );
        assert_eq!(Error::NoSuchKey("k".into()).exit_code(), 5);
        assert_eq!(Error::NoSuchGroup("g".into()).exit_code(), 5);
        assert_eq!(Error::conflict("x", "y").exit_code(), 6);
        assert_eq!(Error::policy("x", "y").exit_code(), 7);
        assert_eq!(Error::Unconfirmed { what: "x".into() }.exit_code(), 8);
    }

    #[test]
    fn every_user_facing_refusal_has_a_hint() {
        assert!(Error::NoSuchKey("k".into()).hint().is_some());
        assert!(
            Error::Unconfirmed { what: "x".into() }
                .hint()
                .unwrap()
                .contains("--yes")
        );
        assert!(
            Error::NoStore(PathBuf::from("s"))
                .hint()
                .unwrap()
                .contains("init")
        );
    }
}
