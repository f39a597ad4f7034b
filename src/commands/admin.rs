//! `apikeys admin …`: one slot per admin (SPEC §13). Each admin unlocks the store with their
//! own passphrase, key file, SSH key or age identity, and is the actor of what they do.
//! Removing one re-keys the store, as `passwd` does.

use super::Context;
use crate::error::{Error, Result};
use crate::secret::Key32;
use crate::store::Store;
use crate::store::format::{Header, Slot};
use crate::store::queries;
use crate::store::slots::{Public, check_name};
use crate::text::sanitize;
use clap::Subcommand;
use std::path::PathBuf;

/// The `admin` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// List the admins: each slot's kind, fingerprint, when it was added and last used
    List,
    /// Add an admin with a credential of their own
    #[command(
        group(clap::ArgGroup::new("credential").required(true)),
        after_help = "Examples:\n  apikeys admin add bob --ssh-key bob_ed25519.pub --yes\n  apikeys admin add ci --key-file /etc/apikeys/ci.key\n  apikeys admin add carol --age age1…\n  apikeys admin add dave --passphrase --new-passphrase-file dave.txt"
    )]
    Add {
        /// The admin's name: the actor in the audit log (letters, digits, . _ - @)
        name: String,
        /// A passphrase, asked twice on a terminal (or read from --new-passphrase-file)
        #[arg(long, group = "credential")]
        passphrase: bool,
        /// With --passphrase: read it from this file instead of asking
        #[arg(long, value_name = "PATH", requires = "passphrase")]
        new_passphrase_file: Option<PathBuf>,
        /// Write a new random key file (0600) at PATH, which must not exist
        #[arg(long, value_name = "PATH", group = "credential")]
        key_file: Option<PathBuf>,
        /// An SSH public key file (ssh-ed25519 or ssh-rsa); they unlock with --identity
        #[arg(long, value_name = "PUBKEY_FILE", group = "credential")]
        ssh_key: Option<PathBuf>,
        /// An age X25519 recipient (age1…); they unlock with --identity
        #[arg(long, value_name = "RECIPIENT", group = "credential")]
        age: Option<String>,
    },
    /// Remove an admin and re-key the store: their credential opens nothing written after
    Remove {
        /// The admin's name
        name: String,
    },
    /// Rename an admin (the audit log keeps the old name for what was done before; `log --admin
    /// NEW` and `admin list` follow the rename back)
    Rename {
        /// The admin's current name
        old: String,
        /// The new name
        new: String,
    },
}

/// When each admin last wrote (the audit log's latest event in their name, under any name
/// they had).
fn last_used(conn: &rusqlite::Connection, name: &str) -> Result<Option<i64>> {
    queries::Admin::of(conn, name)?.last_at(conn)
}

/// One slot as json (`admin list`, `status`).
pub fn slot_json(s: &Slot, last: Option<i64>, you: bool) -> serde_json::Value {
    let mut v = serde_json::json!({
        "name": s.name,
        "kind": s.kind.word(),
        "fingerprint": s.fingerprint(),
        "created_at": (s.created_at > 0).then(|| crate::text::rfc3339(s.created_at)),
        "last_used_at": last.map(crate::text::rfc3339),
        "you": you,
    });
    if s.kind.is_passphrase() {
        v["kdf"] = serde_json::json!({
            "algorithm": "argon2id",
            "memory_mib": s.kdf.memory_kib / 1024,
            "iterations": s.kdf.iterations,
            "lanes": s.kdf.lanes,
            "below_owasp_minimum": s.kdf.below_owasp(),
        });
    }
    v
}

/// Every slot with when it was last used.
pub fn slots_with_use(store: &Store) -> Result<Vec<(Slot, Option<i64>)>> {
    store
        .header()
        .slots
        .iter()
        .map(|s| Ok((s.clone(), last_used(store.conn(), &s.name)?)))
        .collect()
}

/// Exit 5 for a missing admin, as for a missing key or group.
pub fn missing(name: &str) -> Error {
    Error::Context {
        message: format!("no such admin: {}", sanitize(name)),
        code: 5,
        hint: Some("see the admins with `apikeys admin list`".into()),
    }
}

/// Runs an `admin` subcommand.
pub fn run(ctx: &Context, cmd: AdminCommand) -> Result<()> {
    match cmd {
        AdminCommand::List => list(ctx),
        AdminCommand::Add {
            name,
            passphrase,
            new_passphrase_file,
            key_file,
            ssh_key,
            age,
        } => add(
            ctx,
            &name,
            Credentials {
                passphrase,
                new_passphrase_file,
                key_file,
                ssh_key,
                age,
            },
        ),
        AdminCommand::Remove { name } => remove(ctx, &name),
        AdminCommand::Rename { old, new } => rename(ctx, &old, &new),
    }
}

fn list(ctx: &Context) -> Result<()> {
    ctx.no_csv()?;
    let store = ctx.open()?;
    let rows = slots_with_use(&store)?;
    let me = store.unlocked_by();
    if ctx.json() {
        let v: Vec<_> = rows
            .iter()
            .map(|(s, last)| slot_json(s, *last, Some(s.name.as_str()) == me))
            .collect();
        return crate::term::output::print_json(&v);
    }
    let mut t = crate::term::output::table(
        &["admin", "kind", "fingerprint", "added", "last used"],
        ctx.color,
    );
    for (s, last) in &rows {
        let name = if Some(s.name.as_str()) == me {
            format!("{} (you)", s.name)
        } else {
            s.name.clone()
        };
        t.add_row(vec![
            name,
            s.kind.word().to_string(),
            s.fingerprint(),
            if s.created_at > 0 {
                crate::text::time(s.created_at)
            } else {
                "before teams".into()
            },
            last.map_or("never".into(), crate::text::time),
        ]);
    }
    crate::term::output::print_line(&t.to_string())
}

/// The credential of a new admin, as given.
struct Credentials {
    passphrase: bool,
    new_passphrase_file: Option<PathBuf>,
    key_file: Option<PathBuf>,
    ssh_key: Option<PathBuf>,
    age: Option<String>,
}

fn conflict(name: &str) -> Error {
    Error::conflict(
        format!("an admin named {} already exists", sanitize(name)),
        "choose another name, or see them with `apikeys admin list`",
    )
}

fn add(ctx: &Context, name: &str, c: Credentials) -> Result<()> {
    check_name(name)?;
    ctx.require_confirmable("admin add")?;
    // Read public keys before anything is asked or written: a bad one changes nothing.
    let public = match (&c.ssh_key, &c.age) {
        (Some(path), _) => {
            let text = crate::store::unlock::read_capped_at(path, "SSH public key", 16 * 1024)
                .map_err(Error::Io)?;
            Some(Public::ssh(&String::from_utf8_lossy(&text))?)
        }
        (_, Some(r)) => Some(Public::age(r)?),
        _ => None,
    };
    let mut store = ctx.open()?;
    if store.header().named(name).is_some() {
        return Err(conflict(name));
    }
    // One credential, one admin: the same SSH key or age recipient under a second name would
    // make the log's names mean nothing.
    if let Some(p) = &public {
        let wanted = Slot::public("probe", p, store.data_key())?;
        if let Some(other) = store
            .header()
            .slots
            .iter()
            .find(|s| s.kind == wanted.kind && s.fingerprint() == wanted.fingerprint())
        {
            return Err(Error::conflict(
                format!(
                    "this {} is admin {} already",
                    wanted.kind.word(),
                    sanitize(&other.name)
                ),
                "one credential is one admin; rename that one with `apikeys admin rename`, or give another key",
            ));
        }
    }
    let kind = match (&public, c.passphrase, &c.key_file) {
        (Some(Public::Ssh(_)), ..) => "SSH key",
        (Some(Public::Age(_)), ..) => "age recipient",
        (None, true, _) => "passphrase",
        _ => "key file",
    };
    ctx.confirm(
        "admin add",
        &format!(
            "Add admin {} ({kind}) to {}? They can do everything any admin can.",
            sanitize(name),
            store.path().display()
        ),
    )?;
    let data_key = store.data_key().duplicate();
    let slot = match (public, c.passphrase, &c.key_file) {
        (Some(p), ..) => Slot::public(name, &p, &data_key)?,
        (None, true, _) => {
            let pass = super::init::new_passphrase(
                ctx,
                c.new_passphrase_file.as_deref(),
                // The variable is APIKEYS_NEW_PASSPHRASE; the name tells the message what for.
                "APIKEYS_NEW_ADMIN_PASSPHRASE",
                store.path(),
            )?;
            let kdf = store
                .header()
                .slots
                .iter()
                .find(|s| s.kind.is_passphrase())
                .map_or(crate::store::crypto::KdfParams::DEFAULT, |s| s.kdf);
            Slot::passphrase(name, &pass, kdf, &data_key)?
        }
        (None, false, Some(path)) => {
            let k = super::init::write_key_file(path)?;
            Slot::key_file(name, &k, &data_key)?
        }
        _ => {
            return Err(Error::usage(
                "no credential given",
                "pass --passphrase, --key-file, --ssh-key or --age",
            ));
        }
    };
    let detail = format!("{} {}", slot.kind.word(), slot.fingerprint());
    let written = store.write(|tx, header| {
        if header.named(name).is_some() {
            return Err(conflict(name));
        }
        if header.slots.len() >= crate::store::format::MAX_SLOTS {
            return Err(Error::Policy {
                message: format!(
                    "a store holds at most {} admins",
                    crate::store::format::MAX_SLOTS
                ),
                hint: Some("remove one first with `apikeys admin remove NAME`".into()),
            });
        }
        header.slots.push(slot.clone());
        queries::audit(
            tx,
            crate::policy::now(),
            &ctx.actor(),
            "admin add",
            None,
            &format!("{name}: {detail}"),
        )
    });
    if written.is_err()
        && let Some(p) = &c.key_file
    {
        let _ = std::fs::remove_file(p);
    }
    written?;
    if ctx.json() {
        return crate::term::output::print_json(&slot_json(&slot, None, false));
    }
    ctx.note(&format!("added admin {} ({detail})", sanitize(name)));
    if let Some(p) = &c.key_file {
        ctx.note(&format!(
            "wrote key file {} (it unlocks the store: hand it to {} and keep it safe)",
            p.display(),
            sanitize(name)
        ));
    }
    Ok(())
}

/// The slots of `header` but `name`, kept across a re-key for `new_key`
/// ([`crate::ops::rekey::keep`]).
fn rewrapped(store: &Store, header: &Header, name: &str, new_key: &Key32) -> Result<Vec<Slot>> {
    header
        .slots
        .iter()
        .filter(|s| s.name != name)
        .map(|s| crate::ops::rekey::keep(store, s, new_key))
        .collect()
}

fn remove(ctx: &Context, name: &str) -> Result<()> {
    ctx.require_confirmable("admin remove")?;
    let mut store = ctx.open()?;
    if store.header().named(name).is_none() {
        return Err(missing(name));
    }
    let last = || {
        Error::Policy {
        message: "the last admin cannot be removed".into(),
        hint: Some("add another admin first (`apikeys admin add`), or the store could never be opened again".into()),
    }
    };
    if store.header().slots.len() == 1 {
        return Err(last());
    }
    let yourself = if store.unlocked_by() == Some(name) {
        " (yourself: your credential stops working)"
    } else {
        ""
    };
    ctx.confirm(
        "admin remove",
        &format!(
            "Remove admin {}{yourself} and re-key {}?",
            sanitize(name),
            store.path().display()
        ),
    )?;
    let new_key = crate::ops::rekey::new_data_key()?;
    let key = new_key.duplicate();
    // The header as read: its slots are rewrapped before the lock (a passphrase slot of the
    // caller's from before teams runs its KDF).
    let prepared = rewrapped(&store, store.header(), name, &key)?;
    let removed = store
        .header()
        .named(name)
        .map(|s| format!("{} {}", s.kind.word(), s.fingerprint()));
    store.rekey(new_key, |tx, header| {
        if header.named(name).is_none() {
            return Err(missing(name));
        }
        if header.slots.len() == 1 {
            return Err(last());
        }
        // Slots added by another admin meanwhile are wrapped too (cheap: no KDF).
        let mut slots = Vec::with_capacity(header.slots.len());
        for s in header.slots.iter().filter(|s| s.name != name) {
            match prepared.iter().find(|p| p.name == s.name) {
                Some(p) => slots.push(p.clone()),
                None => {
                    let mut s = s.clone();
                    s.wrap(&key)?;
                    slots.push(s);
                }
            }
        }
        header.slots = slots;
        queries::audit(
            tx,
            crate::policy::now(),
            &ctx.actor(),
            "admin remove",
            None,
            &format!(
                "{name}: {}; data key replaced",
                removed.clone().unwrap_or_default()
            ),
        )
    })?;
    if ctx.json() {
        return crate::term::output::print_json(
            &serde_json::json!({"removed": name, "rekeyed": true}),
        );
    }
    ctx.note(&format!(
        "removed admin {} and re-keyed the store: their credential opens nothing written from now on",
        sanitize(name)
    ));
    Ok(())
}

fn rename(ctx: &Context, old: &str, new: &str) -> Result<()> {
    check_name(new)?;
    let mut store = ctx.open()?;
    if store.header().named(old).is_none() {
        return Err(missing(old));
    }
    if old != new && store.header().named(new).is_some() {
        return Err(conflict(new));
    }
    store.write(|tx, header| {
        let Some(i) = header.slots.iter().position(|s| s.name == old) else {
            return Err(missing(old));
        };
        if old != new && header.named(new).is_some() {
            return Err(conflict(new));
        }
        header.slots[i].name = new.to_string();
        queries::audit(
            tx,
            crate::policy::now(),
            &ctx.actor(),
            "admin rename",
            None,
            &format!("{old} -> {new}"),
        )
    })?;
    if store.unlocked_by() == Some(old) {
        store.set_unlocked_by(new);
    }
    if ctx.json() {
        return crate::term::output::print_json(&serde_json::json!({"renamed": old, "to": new}));
    }
    ctx.note(&format!(
        "renamed admin {} to {}",
        sanitize(old),
        sanitize(new)
    ));
    Ok(())
}
