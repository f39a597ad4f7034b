//! The one-time showing of a new token, shared by `create` and `rotate`: stdout or a secret
//! file, the clipboard helper, and the "I have stored the key" acknowledgement.

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
    /// The token reached the secret file (written and fsynced) before the key was committed.
    written: bool,
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
    /// Prepares the secret file, if any.
    pub fn prepare(args: &RevealArgs) -> Result<Reveal> {
        let copy = !args.no_clipboard
            && args.secret_file.is_none()
            && crate::term::clipboard::configured_seconds()?.is_some();
        let file = match &args.secret_file {
            Some(p) => Some((
                p.clone(),
                crate::store::file::create_private(p, "secret file")?,
            )),
            None => None,
        };
        Ok(Reveal {
            clipboard: copy,
            file,
            written: false,
        })
    }

    /// Writes and fsyncs the token to the secret file, if any. Called inside the store write,
    /// before the key is committed: if the file cannot take it (a full disk), no key is minted
    /// and a retry starts afresh.
    pub fn write_file(&mut self, token: &TokenString) -> Result<()> {
        if let Some((path, f)) = &mut self.file {
            f.write_all(token.expose_secret().as_bytes())
                .and_then(|()| f.write_all(b"\n"))
                .and_then(|()| f.sync_all())
                .map_err(|e| Error::io("write secret file", path, e))?;
            self.written = true;
        }
        Ok(())
    }

    /// Removes the secret file again when the key could not be written.
    pub fn abandon(self) {
        if let Some((p, _)) = self.file {
            let _ = std::fs::remove_file(p);
        }
    }

    /// Shows the token once: to the file or stdout, the clipboard, then asks for acknowledgement.
    pub fn show(
        self,
        ctx: &Context,
        key: &KeyRecord,
        token: &TokenString,
        verb: &str,
    ) -> Result<()> {
        let now = crate::policy::now();
        let expires = key.expires_at.map_or_else(
            || "never expires".into(),
            |e| format!("expires {}", crate::text::time(e)),
        );
        let has_file = self.file.is_some();
        let stdout_tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
        if let Some((path, _)) = &self.file {
            debug_assert!(
                self.written,
                "the secret file is written before the key is committed"
            );
            ctx.note(&format!(
                "{verb} key {:?} (id {}, {expires}); token written to {}",
                crate::text::sanitize(&key.name),
                key.id,
                path.display()
            ));
        }
        if ctx.json() {
            let mut j = KeyJson::new(key, now);
            if !has_file {
                j.key = token.expose_secret().to_string();
            }
            crate::term::output::print_json(&j)?;
        } else if !has_file {
            ctx.note(&format!(
                "{verb} key {:?} (id {}, {expires}). {}",
                crate::text::sanitize(&key.name),
                key.id,
                if stdout_tty {
                    "The token is shown only this once:"
                } else {
                    "The token is written to stdout, only this once."
                }
            ));
            crate::term::output::print_line(token.expose_secret())?;
        }
        if self.clipboard {
            match crate::term::clipboard::copy_once(token) {
                Ok(secs) => ctx.note(&format!("copied to the clipboard; cleared in {secs} s")),
                Err(why) => ctx.note(&format!(
                    "clipboard unavailable ({why}); the token is {}",
                    if stdout_tty {
                        "printed above"
                    } else {
                        "written to stdout"
                    }
                )),
            }
        }
        // A captured stdout (`TOKEN=$(apikeys create …)`) has the token: nothing to confirm.
        if ctx.interactive && stdout_tty && !ctx.yes && !has_file && !ctx.json() {
            while !crate::term::prompt::confirm("I have stored the key in a safe place")? {
                eprintln!(
                    "It cannot be shown again: store it now (or delete the key and create another)."
                );
            }
        }
        Ok(())
    }
}
