//! The one-time delivery of a new token, shared by `create` and `rotate` (SPEC §3 "Token
//! delivery"): the token goes where it goes (stdout, flushed; or the secret file, fsynced),
//! onto the clipboard, and past "I have stored the key" on a terminal *before* the key is
//! committed. A delivery that fails leaves the store as it was and takes the token off the
//! clipboard; a commit that fails after delivery says the token shown is not valid.

use super::Context;
use crate::error::{Error, Result};
use crate::model::KeyRecord;
use crate::secret::TokenString;
use crate::term::output::KeyJson;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

/// Where the token goes, chosen (and its file created) before the store is written, so that a
/// taken path fails before any key exists.
#[derive(Debug)]
pub struct Reveal {
    file: Option<(PathBuf, File)>,
    clipboard: bool,
}

/// A token delivered and not yet backed by a committed key.
#[derive(Debug)]
#[must_use = "a delivered token must be committed or withdrawn"]
pub struct Delivered {
    file: Option<PathBuf>,
}

/// Options shared by `create` and `rotate`.
#[derive(Debug, Clone, clap::Args)]
pub struct RevealArgs {
    /// Do not copy the token to the clipboard
    #[arg(long)]
    pub no_clipboard: bool,
    /// Write the token to this new 0600 file instead of stdout
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
}

impl Reveal {
    /// Prepares the secret file, if any: a taken path fails before anything is shown.
    pub fn prepare(args: &RevealArgs) -> Result<Reveal> {
        let copy = !args.no_clipboard
            && args.secret_file.is_none()
            && crate::term::clipboard::configured_seconds()?.is_some();
        let file = match &args.secret_file {
            Some(p) => {
                // Like key files and backups, a secret file gets its missing parents (0700),
                // and says so: a typo in a directory name should not go unnoticed.
                let missing = p
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty() && !d.exists())
                    .map(std::path::Path::to_path_buf);
                crate::store::file::ensure_dir(p)?;
                if let Some(d) = missing {
                    eprintln!(
                        "created the directory {} (0700) for the secret file",
                        crate::text::sanitize(&d.display().to_string())
                    );
                }
                Some((
                    p.clone(),
                    crate::store::file::create_private(p, "secret file")?,
                ))
            }
            None => None,
        };
        Ok(Reveal {
            clipboard: copy,
            file,
        })
    }

    /// Removes the secret file again when nothing was delivered.
    pub fn abandon(self) {
        if let Some((p, _)) = self.file {
            let _ = std::fs::remove_file(p);
        }
    }

    /// Delivers the token of `key`, which is not committed yet: to the secret file (written
    /// and fsynced) or stdout (written and flushed), to the clipboard, and on a terminal past
    /// "I have stored the key". Any failure, a "no" or Ctrl-C there withdraws it (the secret
    /// file removed, the clipboard cleared) and the key is never committed.
    pub fn deliver(self, ctx: &Context, key: &KeyRecord, token: &TokenString) -> Result<Delivered> {
        crate::term::prompt::on_cancel_say(
            "no key was created or changed; the token shown is not valid",
        );
        let delivered = Delivered {
            file: self.file.as_ref().map(|(p, _)| p.clone()),
        };
        match self.hand_over(ctx, key, token) {
            Ok(()) => Ok(delivered),
            Err(e) => Err(delivered.withdraw(ctx, e, false)),
        }
    }

    fn hand_over(mut self, ctx: &Context, key: &KeyRecord, token: &TokenString) -> Result<()> {
        let now = crate::policy::now();
        let stdout_tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
        if let Some((path, f)) = &mut self.file {
            f.write_all(token.expose_secret().as_bytes())
                .and_then(|()| f.write_all(b"\n"))
                .and_then(|()| f.sync_all())
                .map_err(|e| Error::io("write secret file", path, e))?;
        } else if ctx.json() {
            let mut j = KeyJson::new(key, now);
            j.key = token.expose_secret().to_string();
            write_stdout(&format!("{}\n", serde_json::to_string_pretty(&j)?))?;
        } else {
            if stdout_tty {
                ctx.note(&format!(
                    "New key {:?} (id {}, {}). The token is shown only this once:",
                    crate::text::sanitize(&key.name),
                    key.id,
                    expires(key)
                ));
            }
            write_stdout(&format!("{}\n", token.expose_secret()))?;
        }
        if self.clipboard {
            match crate::term::clipboard::copy_once(token) {
                Ok(secs) => ctx.note(&format!("copied to the clipboard; cleared in {secs} s")),
                Err(why) => ctx.note(&format!("clipboard unavailable ({why})")),
            }
        }
        // A captured stdout (`TOKEN=$(apikeys create …)`) has the token: nothing to confirm.
        let has_file = self.file.is_some();
        if ctx.interactive
            && stdout_tty
            && !ctx.yes
            && !has_file
            && !ctx.json()
            && !crate::term::prompt::confirm("I have stored the key in a safe place")?
        {
            return Err(Error::Refused {
                message: "the key was not stored, so it was not created".into(),
                hint: "run the command again and store the token before you answer yes".into(),
            });
        }
        Ok(())
    }
}

/// SPEC §3 "Token delivery", for `create` and `rotate`: `change` (which inserts the key of
/// `token` and returns it) runs first on the store as read, in a transaction rolled back, so
/// that a refusal comes before anything is shown; then the token is delivered; only then is
/// `change` committed, under the lock, with every check again.
pub fn deliver_then_commit(
    ctx: &Context,
    store: &mut crate::store::Store,
    reveal: Reveal,
    token: &TokenString,
    verb: &str,
    change: impl Fn(&rusqlite::Connection) -> Result<KeyRecord>,
) -> Result<()> {
    let record = match super::create::dry_run(store.conn(), &change) {
        Ok(r) => r,
        Err(e) => {
            reveal.abandon();
            return Err(e);
        }
    };
    let delivered = reveal.deliver(ctx, &record, token)?;
    match store.write(|tx, _| change(tx)) {
        Ok(record) => {
            delivered.committed(ctx, &record, verb);
            Ok(())
        }
        Err(e) => Err(delivered.withdraw(ctx, e, true)),
    }
}

/// The one-line description of a key's expiry.
fn expires(key: &KeyRecord) -> String {
    key.expires_at.map_or_else(
        || "never expires".into(),
        |e| format!("expires {}", crate::text::time(e)),
    )
}

/// Writes `text` to stdout and flushes it: a closed or full stdout is an error here (the
/// token would be lost), never the quiet end of a pipe.
fn write_stdout(text: &str) -> Result<()> {
    if stdout_is_null() {
        return Err(Error::Refused {
            message: "stdout goes nowhere (it is closed or /dev/null), so the token would be lost"
                .into(),
            hint: "capture it (TOKEN=$(apikeys create …)) or pass --secret-file PATH".into(),
        });
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::Io(format!("cannot write the token to stdout: {e}")))
}

/// Whether stdout is the null device: closed at start (the Rust runtime opens /dev/null in
/// its place, so the two look alike) or sent there.
fn stdout_is_null() -> bool {
    let (Ok(out), Ok(null)) = (
        rustix::fs::fstat(std::io::stdout()),
        rustix::fs::stat("/dev/null"),
    ) else {
        return false;
    };
    rustix::fs::FileType::from_raw_mode(out.st_mode) == rustix::fs::FileType::CharacterDevice
        && out.st_rdev == null.st_rdev
}

impl Delivered {
    /// The key is committed: says where its token went.
    pub fn committed(self, ctx: &Context, key: &KeyRecord, verb: &str) {
        crate::term::prompt::on_cancel_say("nothing changed");
        let whence = match &self.file {
            Some(p) => format!("token written to {}", p.display()),
            None => "token written to stdout, only this once".into(),
        };
        if !ctx.json() {
            ctx.note(&format!(
                "{verb} key {:?} (id {}, {}); {whence}",
                crate::text::sanitize(&key.name),
                key.id,
                expires(key)
            ));
        }
    }

    /// The key will not exist: removes the secret file, takes the token off the clipboard,
    /// and turns `e` into an error that says the token shown is not valid.
    pub fn withdraw(self, ctx: &Context, e: Error, after_commit_failed: bool) -> Error {
        crate::term::prompt::on_cancel_say("nothing changed");
        if let Some(p) = &self.file {
            let _ = std::fs::remove_file(p);
        }
        if crate::term::clipboard::withdraw() {
            ctx.note("the token was taken off the clipboard");
        }
        if matches!(e, Error::Exit(_)) {
            return e;
        }
        let what = if after_commit_failed {
            "the key could not be written, so the token shown is not valid"
        } else {
            "the token could not be delivered, so no key was created or changed"
        };
        Error::Context {
            message: format!("{what}: {}", e.shown()),
            hint: e.hint(),
            code: e.exit_code(),
        }
    }
}
