//! `apikeys passwd`: change the passphrase and/or the key-file slot by rewrapping the data key.

use super::Context;
use crate::error::{Error, Result};
use crate::store::format::{Slot, SlotKind};
use crate::store::queries;
use std::path::PathBuf;

/// Arguments of `passwd`.
#[derive(Debug, clap::Args)]
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
}

/// Runs `passwd`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    ctx.require_confirmable("passwd")?;
    let change_pass = args.new_passphrase_file.is_some()
        || std::env::var_os("APIKEYS_NEW_PASSPHRASE").is_some()
        || (args.add_key_file.is_none() && !args.remove_key_file);
    let mut store = ctx.open()?;
    if args.remove_key_file && store.header().slot(SlotKind::KeyFile).is_none() {
        return Err(Error::usage(
            "this store has no key-file slot to remove",
            "the store unlocks with its passphrase only; nothing to remove",
        ));
    }
    let mut what = Vec::new();
    if change_pass {
        what.push("change the passphrase");
    }
    if args.add_key_file.is_some() {
        what.push("add a new key file (replacing any old one)");
    }
    if args.remove_key_file {
        what.push("remove the key-file slot");
    }
    let what = what.join(" and ");
    ctx.confirm(
        "passwd",
        &format!("{} of {}?", capitalize(&what), store.path().display()),
    )?;
    // Every KDF runs here, before the write lock is taken.
    let store_id = store.header().store_id;
    let new_pass_slot = if change_pass {
        let pass = super::init::new_passphrase(
            ctx,
            args.new_passphrase_file.as_deref(),
            "APIKEYS_NEW_PASSPHRASE",
            store.path(),
        )?;
        let kdf = store
            .header()
            .slot(SlotKind::Passphrase)
            .map_or(crate::store::crypto::KdfParams::DEFAULT, |s| s.kdf);
        Some(Slot::for_passphrase(
            &pass,
            kdf,
            &store_id,
            store.data_key(),
        )?)
    } else {
        None
    };
    let key_slot = match &args.add_key_file {
        Some(path) => {
            let key = super::init::write_key_file(path)?;
            Some(Slot::for_key_file(&key, &store_id, store.data_key())?)
        }
        None => None,
    };
    let result = store.write(|tx, header| {
        if let Some(s) = new_pass_slot {
            header.set_slot(s);
        }
        if let Some(s) = key_slot {
            header.set_slot(s);
        }
        if args.remove_key_file {
            header.slots.retain(|s| s.kind != SlotKind::KeyFile);
        }
        queries::audit(tx, crate::policy::now(), &ctx.actor, "passwd", None, &what)
    });
    if let (Err(_), Some(path)) = (&result, &args.add_key_file) {
        let _ = std::fs::remove_file(path);
    }
    result?;
    if ctx.json() {
        crate::output::print_json(&serde_json::json!({ "changed": what }))?;
    } else {
        ctx.note(&format!("done: {what}"));
    }
    Ok(())
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
