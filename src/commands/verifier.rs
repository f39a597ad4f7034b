//! `apikeys verifier export`: a verify-only snapshot for CI runners and gateway nodes, sealed
//! under a verifier key and signed by a key that never leaves the store (SPEC §8).

use super::Context;
use crate::error::{Error, Result};
use crate::snapshot::{self, Meta, VerifierKey};
use crate::store::{queries, schema};
use std::path::PathBuf;

/// The `verifier` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum VerifierCommand {
    /// Write a verify-only snapshot (sealed and signed) for machines that only check keys
    #[command(
        after_help = "The verifier key file is reused when PATH exists. A store's first export creates it (0600);\na later export with a PATH that does not exist is refused (exit 5: a typo would cut every\nnode off from new snapshots) unless --new-verifier-key is given. Give it, with the snapshot, to the machines that verify; it cannot mint or change keys.\n\nExamples:\n  apikeys verifier export --out /srv/apikeys/verify.snap --verifier-key /srv/apikeys/verify.key\n  apikeys verify --verifier verify.snap --verifier-key verify.key < token.txt"
    )]
    Export {
        /// The snapshot file to write (replaced atomically)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The verifier key file: reused when present; created on a store's first export, or
        /// later with --new-verifier-key
        #[arg(long, value_name = "PATH")]
        verifier_key: PathBuf,
        /// Create a new verifier key at PATH although this store already exported with another
        /// (every node must then get the new key file)
        #[arg(long)]
        new_verifier_key: bool,
        /// Snapshot format: 2 (block-indexed, the default) or 1 (one sealed section, for nodes running a release from before format 2)
        #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=2))]
        format_version: u16,
    },
}

/// Runs a `verifier` subcommand.
pub fn run(ctx: &Context, cmd: VerifierCommand) -> Result<()> {
    let VerifierCommand::Export {
        out,
        verifier_key,
        new_verifier_key,
        format_version,
    } = cmd;
    if crate::store::file::same_place(&out, &verifier_key) {
        return Err(Error::usage(
            "--out and --verifier-key name one file: the snapshot would replace the key",
            "keep the verifier key in a file of its own (nodes get both files)",
        ));
    }
    let mut store = ctx.open()?;
    let store_id = store.header().store_id;
    let existing = if std::fs::symlink_metadata(&verifier_key).is_ok() {
        Some(VerifierKey::read(&verifier_key)?)
    } else {
        None
    };
    let known = known_keys(store.conn())?;
    let exported_before = schema::secret(store.conn(), "verifier_generation")?.is_some();
    if existing.is_none() && (exported_before || !known.is_empty()) && !new_verifier_key {
        let list = if known.is_empty() {
            "none recorded (exported before verifier keys were remembered)".to_string()
        } else {
            known
                .iter()
                .map(|k| format!("{} ({})", k.path, k.fingerprint))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Error::Context {
            message: crate::text::sanitize(&format!(
                "no verifier key at {}; known keys: {list}",
                verifier_key.display()
            )),
            hint: Some(
                "check the path (a new key is one no node has: they would refuse every snapshot); to make a new key on purpose, pass --new-verifier-key and ship it to every node".into(),
            ),
            code: 5,
        });
    }
    if existing.as_ref().is_some_and(|v| v.store_id != store_id) {
        return Err(another_stores(&verifier_key));
    }
    // What can be checked before the store is written is: an --out that is a folder, or
    // whose folder cannot be made, would leave a generation spent and logged for nothing.
    if std::fs::metadata(&out).is_ok_and(|m| m.is_dir()) {
        return Err(Error::usage(
            format!("--out {} is a folder", out.display()),
            "give the snapshot's file path, e.g. --out /srv/apikeys/verifier.snap",
        ));
    }
    // Never over the store itself, or anything else that is not a snapshot.
    crate::store::file::refuse_other_file(&out, "verifier snapshot", snapshot::looks_like)?;
    crate::store::file::ensure_dir(&out)?;
    let now = crate::policy::now();
    // The signing key is made on first export and never leaves the store; the generation
    // grows with every export. Both live in the sealed database.
    let (seed, generation) = store.write(|tx, _| {
        let seed: [u8; 32] = match schema::secret(tx, "signing_key")?
            .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
        {
            Some(s) => s,
            None => {
                let mut s = [0u8; 32];
                crate::store::crypto::fill_random(&mut s)?;
                schema::set_secret(tx, "signing_key", &s)?;
                s
            }
        };
        let generation = schema::secret(tx, "verifier_generation")?
            .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
            .map_or(0, u64::from_be_bytes)
            + 1;
        schema::set_secret(tx, "verifier_generation", &generation.to_be_bytes())?;
        queries::audit(
            tx,
            now,
            &ctx.actor(),
            "verifier export",
            None,
            &format!("generation {generation} to {}", out.display()),
        )?;
        Ok((zeroize::Zeroizing::new(seed), generation))
    })?;
    let signing = snapshot::signing_key(&seed);
    let written = write_out(
        ctx,
        &mut store,
        Target {
            out: &out,
            verifier_key: &verifier_key,
            format_version,
        },
        existing,
        known,
        &signing,
        Meta {
            store_id,
            generation,
            issued_at: now,
        },
    );
    let (keys, how, bytes) = match written {
        Ok(done) => done,
        Err(e) => {
            // The generation stays spent (a number is never given to two snapshots), and the
            // log says that nothing was written under it.
            let said = store.write(|tx, _| {
                queries::audit(
                    tx,
                    crate::policy::now(),
                    &ctx.actor(),
                    "verifier export failed",
                    None,
                    &format!(
                        "generation {generation} was not written to {}",
                        out.display()
                    ),
                )
            });
            return Err(Error::Context {
                message: format!(
                    "generation {generation} was not written to {}{}: {}",
                    out.display(),
                    if said.is_ok() {
                        " (the audit log says so)"
                    } else {
                        ""
                    },
                    e.shown()
                ),
                hint: e.hint(),
                code: e.exit_code(),
            });
        }
    };
    if ctx.json() {
        crate::term::output::print_json(&serde_json::json!({
            "snapshot": out,
            "verifier_key": verifier_key,
            "generation": generation,
            "keys": keys,
            "bytes": bytes,
            "format_version": format_version,
            "verifier_key_status": how,
            "issued_at": crate::text::rfc3339(now),
        }))
    } else {
        ctx.note(&format!(
            "exported generation {generation} ({}) to {}; verifier key {} ({how})",
            crate::text::count(keys, "key"),
            out.display(),
            verifier_key.display()
        ));
        Ok(())
    }
}

/// The error for a verifier key made for another store.
fn another_stores(verifier_key: &std::path::Path) -> Error {
    Error::conflict(
        format!(
            "the verifier key {} belongs to another store",
            verifier_key.display()
        ),
        "give a new --verifier-key path for this store (it is created), and ship that one",
    )
}

/// Where an export goes, and in which format.
struct Target<'a> {
    out: &'a std::path::Path,
    verifier_key: &'a std::path::Path,
    format_version: u16,
}

/// Everything an export writes once its generation is spent: the verifier key (when new),
/// the store's list of known keys, and the snapshot. Returns the number of keys, whether the
/// verifier key was reused or created, and the snapshot's size.
fn write_out(
    ctx: &Context,
    store: &mut crate::store::Store,
    to: Target<'_>,
    existing: Option<VerifierKey>,
    mut remembered: Vec<KnownKey>,
    signing: &ed25519_dalek::SigningKey,
    meta: Meta,
) -> Result<(usize, &'static str, u64)> {
    let Target {
        out,
        verifier_key,
        format_version,
    } = to;
    let public = snapshot::public_of(signing);
    let (vkey, how) = match existing {
        Some(v) if v.public != public => return Err(another_stores(verifier_key)),
        Some(v) => (v, "reused"),
        None => {
            let v = VerifierKey::new(meta.store_id, public)?;
            v.write_new(verifier_key)?;
            (v, "created")
        }
    };
    // The store remembers every verifier key it has exported with (its fingerprint, never
    // the key), so that a later path that names none of them is caught.
    let fingerprint = vkey.fingerprint();
    if !remembered.iter().any(|k| k.fingerprint == fingerprint) {
        remembered.push(KnownKey {
            fingerprint,
            path: verifier_key.display().to_string(),
            created_at: meta.issued_at,
        });
        let list = serde_json::to_vec(&remembered)?;
        store.write(|tx, _| schema::set_secret(tx, KNOWN_KEYS, &list))?;
    }
    // Atomically (temp file, fsync, rename, fsync of the directory): a node that reads the
    // file sees the old snapshot or the new one, never half of one.
    let started = std::time::Instant::now();
    let keys = if format_version == 1 {
        let snap = crate::store::keyset::load(store.conn(), store.pepper(), None)?;
        let bytes = snapshot::seal(&snap.export(), meta, &vkey, signing)?;
        crate::store::file::replace_unlocked(out, |f| std::io::Write::write_all(f, &bytes))?;
        snap.len()
    } else {
        export_indexed(ctx, store, out, &vkey, signing, meta)?
    };
    let bytes = std::fs::metadata(out).map_or(0, |m| m.len());
    if !ctx.quiet && !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!(
            "verifier export: {}, {bytes} bytes, {:.2} s",
            crate::text::count(keys, "key"),
            started.elapsed().as_secs_f64()
        );
    }
    Ok((keys, how, bytes))
}

/// Writes a format-2 snapshot of the store, streaming: each key goes from its row to the json
/// its block holds (no key set is built), the store's memory is let go, then the keys are
/// sorted by tag and sealed block by block. Returns the number of keys.
fn export_indexed(
    ctx: &Context,
    store: &mut crate::store::Store,
    out: &std::path::Path,
    vkey: &VerifierKey,
    signing: &ed25519_dalek::SigningKey,
    meta: Meta,
) -> Result<usize> {
    use snapshot::indexed;
    let conn = store.conn();
    let count = queries::count_keys(conn)?;
    let marks: std::collections::BTreeMap<String, i64> =
        crate::store::uses::usage_marks(conn)?.into_iter().collect();
    let pepper = zeroize::Zeroizing::new(crate::hex::encode(store.pepper().expose_secret()));
    // A bar at a terminal (keys read, then keys written); one line when done otherwise.
    let bar = crate::term::progress::bar(count as u64, "read", ctx.quiet);
    let tagger = indexed::Tagger::new(vkey);
    let mut records = Vec::with_capacity(count);
    crate::store::keyset::each_view(conn, |e| {
        records.push(tagger.record(e).map_err(|e| Error::Refused {
            message: format!("a key cannot be written to the snapshot: {e}"),
            hint: "report this as a bug".into(),
        })?);
        // Every 4,096 keys: indicatif draws a burst of about 20 at once, then 20 a second,
        // and the write that follows should be drawn too.
        if records.len() % 4096 == 0 {
            bar.inc(4096);
        }
        Ok(())
    })?;
    // The decrypted database is not needed again: its memory goes back now, not at exit.
    store.release_database();
    let keys = records.len();
    bar.set_message("write");
    bar.set_position(0);
    crate::store::file::replace_unlocked(out, |f| {
        indexed::write(
            f,
            records,
            &pepper,
            &marks,
            &indexed::Sealer {
                meta,
                vkey,
                signing,
            },
            &mut |n| bar.inc(n),
        )
        .map(|_| ())
    })?;
    bar.finish_and_clear();
    Ok(keys)
}

/// The row of `store_secrets` that lists the verifier keys a store has exported with.
const KNOWN_KEYS: &str = "verifier_keys";

/// A verifier key the store has exported with: its fingerprint and where it was first used.
#[derive(serde::Serialize, serde::Deserialize)]
struct KnownKey {
    fingerprint: String,
    path: String,
    created_at: i64,
}

fn known_keys(conn: &rusqlite::Connection) -> Result<Vec<KnownKey>> {
    Ok(schema::secret(conn, KNOWN_KEYS)?
        .and_then(|v| serde_json::from_slice(&v).ok())
        .unwrap_or_default())
}
