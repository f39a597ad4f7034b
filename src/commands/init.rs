//! `apikeys init`: create a store, optionally with a key file that unlocks it without the KDF.

use super::Context;
use crate::error::{Error, Result};
use crate::secret::{Key32, Passphrase};
use crate::store::Store;
use crate::store::crypto::KdfParams;
use crate::store::unlock;
use crate::term::prompt::MIN_PASSPHRASE_CHARS;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also write a random key file (0600) that unlocks the store without the passphrase
    #[arg(long, value_name = "PATH")]
    pub with_key_file: Option<PathBuf>,
    /// The first admin's name, the actor of the audit log [default: passphrase; the key
    /// file's admin is then NAME-key-file]
    #[arg(long, value_name = "NAME")]
    pub admin: Option<String>,
    #[command(flatten)]
    pub kdf: KdfArgs,
}

/// The Argon2id cost of a passphrase slot, for `init` and `passwd`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct KdfArgs {
    /// Argon2id memory in MiB [default: 64]
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u32).range(1..=2048))]
    pub kdf_memory: Option<u32>,
    /// Argon2id iterations [default: 3]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=16))]
    pub kdf_iterations: Option<u32>,
}

impl KdfArgs {
    /// `base` with the settings given on the command line.
    pub fn params(&self, base: KdfParams) -> KdfParams {
        KdfParams {
            memory_kib: self.kdf_memory.map_or(base.memory_kib, |m| m * 1024),
            iterations: self.kdf_iterations.unwrap_or(base.iterations),
            lanes: base.lanes,
        }
    }

    /// Whether any setting was given.
    pub fn given(&self) -> bool {
        self.kdf_memory.is_some() || self.kdf_iterations.is_some()
    }
}

/// Checks a new passphrase read from a file or the environment.
pub fn check_new_passphrase(p: Passphrase) -> Result<Passphrase> {
    if p.char_len() < MIN_PASSPHRASE_CHARS {
        return Err(Error::usage(
            "the passphrase is too short",
            format!("use at least {MIN_PASSPHRASE_CHARS} characters"),
        ));
    }
    Ok(p)
}

/// A new passphrase: asked twice on a terminal, else from `file` or the variable `env`.
pub fn new_passphrase(
    ctx: &Context,
    file: Option<&Path>,
    env: &str,
    store: &Path,
) -> Result<Passphrase> {
    let from_file = |p: &Path| {
        unlock::read_passphrase_file(p).map_err(|reason| Error::Unlock {
            path: store.to_path_buf(),
            reason,
            hint: "check the passphrase file's path and permissions".into(),
        })
    };
    let pass = if let Some(f) = file {
        from_file(f)?
    } else if let Ok(v) = std::env::var(if env == "APIKEYS_NEW_ADMIN_PASSPHRASE" {
        "APIKEYS_NEW_PASSPHRASE"
    } else {
        env
    }) {
        Passphrase::new(v)
    } else if ctx.unlock.asker.is_some() {
        return crate::term::prompt::new_password("New passphrase");
    } else {
        // Nothing to unlock yet: say how to give the new passphrase, not "cannot unlock".
        let (what, how) = if env == "APIKEYS_PASSPHRASE" {
            (
                format!("cannot create {}", store.display()),
                "give the new store's passphrase with --passphrase-file PATH or APIKEYS_PASSPHRASE, or run on a terminal to be asked; `apikeys passwd` changes it later",
            )
        } else if env == "APIKEYS_NEW_ADMIN_PASSPHRASE" {
            (
                format!("cannot add a passphrase admin to {}", store.display()),
                "give the new admin's passphrase with --new-passphrase-file PATH or APIKEYS_NEW_PASSPHRASE, or run on a terminal to be asked",
            )
        } else {
            (
                format!("cannot change the passphrase of {}", store.display()),
                "give the new passphrase with --new-passphrase-file PATH or APIKEYS_NEW_PASSPHRASE, or run on a terminal to be asked",
            )
        };
        return Err(Error::Context {
            message: format!(
                "{what}: no new passphrase was given and there is no terminal to ask on"
            ),
            hint: Some(how.into()),
            code: 3,
        });
    };
    check_new_passphrase(pass)
}

/// Writes a new key file (0600, refusing to overwrite); returns its secret.
pub fn write_key_file(path: &Path) -> Result<Key32> {
    let key = Key32::random()?;
    // Missing parent directories are made 0700, like the store's (`~/.config/apikeys/ci.key`).
    crate::store::file::ensure_dir(path)?;
    let mut f = crate::store::file::create_private(path, "key file")?;
    let written = f
        .write_all(unlock::key_file_text(&key).as_bytes())
        .and_then(|()| f.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(path);
        return Err(Error::io("write key file", path, e));
    }
    Ok(key)
}

/// Runs `init`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let path = &ctx.store_path;
    if path.is_dir() {
        return Err(Error::usage(
            format!("{} is a folder", path.display()),
            format!(
                "give the store file's path, e.g. --store {}",
                path.join(super::STORE_FILE).display()
            ),
        ));
    }
    if path.exists() {
        return Err(Error::conflict(
            format!("a store already exists at {}", path.display()),
            "choose another --store path; init never overwrites a store",
        ));
    }
    if args
        .with_key_file
        .as_deref()
        .is_some_and(|kf| crate::store::file::same_place(kf, path))
    {
        return Err(Error::usage(
            "--with-key-file and the store name one file",
            "keep the key file apart from the store, e.g. --with-key-file ~/.config/apikeys/ci.key",
        ));
    }
    if let Some(a) = &args.admin {
        crate::store::slots::check_name(a)?;
        if args.with_key_file.is_some() {
            crate::store::slots::check_name(&format!("{a}-key-file"))?;
        }
    }
    let kdf = args.kdf.params(KdfParams::DEFAULT);
    let pass = new_passphrase(
        ctx,
        ctx.unlock.passphrase_file.as_deref(),
        "APIKEYS_PASSPHRASE",
        path,
    )?;
    let key = args
        .with_key_file
        .as_deref()
        .map(write_key_file)
        .transpose()?;
    let mut store = match Store::create_for(path, args.admin.as_deref(), &pass, kdf, key.as_ref()) {
        Ok(s) => s,
        Err(e) => {
            if let Some(kf) = &args.with_key_file {
                let _ = std::fs::remove_file(kf);
            }
            return Err(e);
        }
    };
    if let Some(name) = store.unlocked_by() {
        let _ = ctx.unlocked_by.set(name.to_string());
    }
    store.write(|tx, _| {
        crate::store::queries::audit(
            tx,
            crate::policy::now(),
            &ctx.actor(),
            "init",
            None,
            "store created",
        )
    })?;
    if ctx.json() {
        crate::term::output::print_json(&serde_json::json!({
            "store": path,
            "key_file": args.with_key_file,
        }))?;
    } else {
        ctx.note(&format!("created store {}", path.display()));
        if let Some(kf) = &args.with_key_file {
            ctx.note(&format!(
                "wrote key file {} (it unlocks the store: keep it as safe as the passphrase)",
                kf.display()
            ));
        }
    }
    // On stderr, for people and scripts alike (json stays on stdout).
    if let Some(w) = kdf.warning().filter(|_| !ctx.quiet) {
        eprintln!("{w}");
    }
    Ok(())
}
