//! `apikeys passwd`: change the passphrase, the key-file slot and/or the KDF cost. Every run
//! re-keys: a fresh data key is sealed under fresh slots, so an old passphrase or key file,
//! even with an old copy of the file, can neither open nor forge the new store.

use super::Context;
use super::init::KdfArgs;
use crate::error::{Error, Result};
use crate::secret::{Key32, Passphrase};
use crate::store::Store;
use crate::store::crypto::KdfParams;
use crate::store::format::{Slot, SlotKind};
use crate::store::queries;
use crate::store::unlock::Credential;
use std::path::PathBuf;

/// Arguments of `passwd`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Every passwd replaces the data key, so every slot kept needs its secret: the current\npassphrase (APIKEYS_PASSPHRASE, --passphrase-file or a prompt) and, to keep the key-file slot,\nthe key file (--key-file).\n\nExamples:\n  apikeys passwd --key-file ci.key --new-passphrase-file new.txt --yes\n  APIKEYS_PASSPHRASE=… apikeys passwd --remove-key-file --yes\n  apikeys passwd --kdf-memory 256 --kdf-iterations 4"
)]
pub struct Args {
    /// Read the new passphrase from this file (else APIKEYS_NEW_PASSPHRASE, else asked twice)
    #[arg(long, value_name = "PATH")]
    pub new_passphrase_file: Option<PathBuf>,
    /// Write a new random key file (0600) and let it unlock the store, replacing any old one
    #[arg(long, value_name = "PATH", conflicts_with = "remove_key_file")]
    pub add_key_file: Option<PathBuf>,
    /// Remove the key-file slot: the old key file stops working
    #[arg(long)]
    pub remove_key_file: bool,
    #[command(flatten)]
    pub kdf: KdfArgs,
}

/// The slot `passwd` acts on among those `fits`: the caller's own, else the one with the
/// usual name, else the first.
fn target(store: &Store, fits: fn(SlotKind) -> bool, usual: &str) -> Option<Slot> {
    let slots = &store.header().slots;
    slots
        .iter()
        .filter(|s| fits(s.kind))
        .find(|s| Some(s.name.as_str()) == store.unlocked_by())
        .or_else(|| slots.iter().find(|s| fits(s.kind) && s.name == usual))
        .or_else(|| slots.iter().find(|s| fits(s.kind)))
        .cloned()
}

/// Runs `passwd`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    ctx.require_confirmable("passwd")?;
    let change_pass = args.new_passphrase_file.is_some()
        || std::env::var_os("APIKEYS_NEW_PASSPHRASE").is_some_and(|v| !v.is_empty())
        || (args.add_key_file.is_none() && !args.remove_key_file && !args.kdf.given());
    let mut store = ctx.open()?;
    let pass_slot = target(&store, SlotKind::is_passphrase, "passphrase");
    let key_slot = target(&store, SlotKind::is_key_file, "key-file");
    if args.remove_key_file && key_slot.is_none() {
        return Err(Error::usage(
            "this store has no key-file slot to remove",
            "the store unlocks with its passphrase only; nothing to remove",
        ));
    }
    if args.remove_key_file && store.header().slots.len() == 1 {
        return Err(Error::Policy {
            message: "the key file is the store's only slot".into(),
            hint: Some("add a passphrase or another admin first (`apikeys admin add`)".into()),
        });
    }
    let old_kdf = pass_slot.as_ref().map_or(KdfParams::DEFAULT, |s| s.kdf);
    let kdf = args.kdf.params(old_kdf);
    let mut changes = Vec::new();
    if change_pass {
        changes.push("passphrase changed".to_string());
    }
    if args.add_key_file.is_some() {
        changes.push("new key file".into());
    }
    if args.remove_key_file {
        changes.push("key-file slot removed".into());
    }
    if kdf != old_kdf {
        changes.push(format!(
            "KDF now {} MiB, {} iterations",
            kdf.memory_kib / 1024,
            kdf.iterations
        ));
    }
    changes.push("data key replaced".into());
    let what = changes.join("; ");
    ctx.confirm(
        "passwd",
        &format!("Re-key {} ({what})?", store.path().display()),
    )?;
    // Gather every secret and run every KDF before the write lock is taken.
    let new_key = crate::ops::rekey::new_data_key()?;
    let new_pass = if change_pass {
        Some(super::init::new_passphrase(
            ctx,
            args.new_passphrase_file.as_deref(),
            "APIKEYS_NEW_PASSPHRASE",
            store.path(),
        )?)
    } else {
        None
    };
    let file_key = match &args.add_key_file {
        Some(path) => Some(super::init::write_key_file(path)?),
        None => None,
    };
    let built = (|| -> Result<Vec<Slot>> {
        let mut slots = Vec::new();
        for s in &store.header().slots {
            let is = |t: &Option<Slot>| t.as_ref().is_some_and(|t| t.name == s.name);
            let mut kept = s.clone();
            if is(&pass_slot) {
                if new_pass.is_some() || kdf != s.kdf || !kept.kind_is_current() {
                    let p = match &new_pass {
                        Some(p) => p.clone_secret(),
                        None => current_passphrase(ctx, &store, s)?,
                    };
                    kept = Slot::passphrase(&s.name, &p, kdf, &new_key)?;
                    kept.created_at = s.created_at;
                } else {
                    kept.wrap(&new_key)?;
                }
            } else if is(&key_slot) {
                if args.remove_key_file {
                    continue;
                }
                let k = match &file_key {
                    Some(k) => Some(k.duplicate()),
                    None if !kept.kind_is_current() => Some(current_key_file(&store)?),
                    None => None,
                };
                match k {
                    Some(k) => {
                        kept = Slot::key_file(&s.name, &k, &new_key)?;
                        kept.created_at = s.created_at;
                    }
                    None => kept.wrap(&new_key)?,
                }
            } else {
                kept = crate::ops::rekey::keep(&store, s, &new_key)?;
            }
            slots.push(kept);
        }
        if let (Some(k), None) = (&file_key, &key_slot) {
            slots.push(Slot::key_file("key-file", k, &new_key)?);
        }
        if let (Some(p), None) = (&new_pass, &pass_slot) {
            slots.push(Slot::passphrase("passphrase", p, kdf, &new_key)?);
        }
        Ok(slots)
    })();
    let result = built.and_then(|slots| {
        store.rekey(new_key, |tx, header| {
            header.slots = slots;
            queries::audit(
                tx,
                crate::policy::now(),
                &ctx.actor(),
                "passwd",
                None,
                &what,
            )
        })
    });
    if let (Err(_), Some(path)) = (&result, &args.add_key_file) {
        let _ = std::fs::remove_file(path);
    }
    result?;
    if ctx.json() {
        crate::term::output::print_json(&serde_json::json!({ "changed": changes }))?;
    } else {
        ctx.note(&format!("re-keyed {}: {what}", store.path().display()));
        if let Some(p) = &args.add_key_file {
            ctx.note(&format!(
                "wrote key file {} (it unlocks the store: keep it as safe as the passphrase)",
                p.display()
            ));
        }
    }
    // On stderr, for people and scripts alike (json stays on stdout).
    if let Some(w) = pass_slot.as_ref().and(kdf.warning()).filter(|_| !ctx.quiet) {
        eprintln!("{w}");
    }
    Ok(())
}

/// The current passphrase, to seal it into the new passphrase slot: the one that unlocked the
/// store, or else one read (and checked against the old slot, so that a typo never locks the
/// passphrase out).
fn current_passphrase(ctx: &Context, store: &Store, slot: &Slot) -> Result<Passphrase> {
    if let Some(Credential::Passphrase(p)) = store.credential()
        && store.unlocked_by() == Some(slot.name.as_str())
    {
        return Ok(p.clone_secret());
    }
    let needs = |reason: &str| {
        Error::Unlock {
        path: store.path().to_path_buf(),
        reason: reason.into(),
        hint: "passwd replaces the data key, so it needs the current passphrase as well as the key file: set APIKEYS_PASSPHRASE or --passphrase-file, or give a new one with --new-passphrase-file".into(),
    }
    };
    let pass = ctx
        .unlock
        .passphrase(store.path())
        .map_err(|_| needs("the current passphrase is needed to keep the passphrase slot"))?;
    slot.open_passphrase(&store.header().store_id, &pass)?
        .ok_or_else(|| needs("wrong current passphrase"))?;
    Ok(pass)
}

/// The key file's secret, to keep the key-file slot: only when the store was unlocked with it.
fn current_key_file(store: &Store) -> Result<Key32> {
    match store.credential() {
        Some(Credential::KeyFile(_, k)) => Ok(k.duplicate()),
        _ => Err(Error::Unlock {
            path: store.path().to_path_buf(),
            reason: "the key file is needed to keep the key-file slot".into(),
            hint: "passwd replaces the data key: pass --key-file PATH as well, or replace it with --add-key-file PATH, or drop it with --remove-key-file".into(),
        }),
    }
}
