//! `apikeys scan`: find leaked tokens and say which are live (SPEC §11). Exit 20 when any
//! finding is live or cannot be checked (a gate fails closed), 0 otherwise.

use super::Context;
use crate::error::{Error, Result};
use crate::scan::{self, Checker, Finding, Status, Tally};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Arguments of `scan`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit 20 when a live key is found, or a token that cannot be checked (no store or\nsnapshot to check against: a gate fails closed); 0 otherwise; 1 on errors.\n\nExamples:\n  apikeys scan                        # this directory, honouring .gitignore\n  apikeys scan --git --format sarif > apikeys.sarif\n  apikeys scan --staged               # a pre-commit hook\n  apikeys scan --revoke --yes src/    # revoke what leaked"
)]
pub struct Args {
    /// Files or directories [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Every blob of every commit of the repository (at PATH, or here)
    #[arg(long, conflicts_with_all = ["staged", "stdin"])]
    pub git: bool,
    /// What `git commit` is about to record (the index)
    #[arg(long, conflicts_with = "stdin")]
    pub staged: bool,
    /// Scan stdin (also given as the path `-`), to its end whatever its size
    #[arg(long)]
    pub stdin: bool,
    /// Revoke the live keys found (confirmation, or --yes)
    #[arg(long)]
    pub revoke: bool,
    /// Name every file skipped and why (ignored by .gitignore, binary, not readable, a
    /// symlink), and how many findings an `apikeys:allow` comment kept out
    #[arg(long)]
    pub verbose: bool,
    /// Also read files that .gitignore (.ignore, git's excludes) would skip: a leak often
    /// sits in an ignored .env or logs/
    #[arg(long)]
    pub no_ignore: bool,
    /// Report only findings not recorded in this baseline (or recorded, but live again)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the findings in FILE as a baseline (fingerprints: key id, path, line content;
    /// never a secret) and exit 0
    #[arg(long, value_name = "FILE", conflicts_with = "revoke")]
    pub write_baseline: Option<PathBuf>,
    /// Scan only the commits of HEAD not reachable from REF (what a branch adds); implies --git
    #[arg(long, value_name = "REF", conflicts_with_all = ["staged", "stdin"])]
    pub since_commit: Option<String>,
    #[command(flatten)]
    pub snapshot: super::snapshot_args::SnapshotArgs,
}

/// The keys to check against: the snapshot given, else the store if it opens, else none.
fn checker(ctx: &Context, args: &Args) -> (Checker, Option<crate::store::Store>) {
    let now = crate::policy::now();
    let opts = args.snapshot.options();
    if opts.files.is_some() {
        let keys = crate::source::Source::open(|| ctx.open(), &opts)
            .and_then(|mut s| s.load(None).map(|(k, _)| k));
        return match keys {
            Ok(k) => (Checker { keys: Some(k), now }, None),
            Err(e) => {
                warn(ctx, &e);
                (Checker { keys: None, now }, None)
            }
        };
    }
    match ctx.open() {
        Ok(store) => match crate::store::keyset::load(store.conn(), store.pepper(), None) {
            Ok(k) => (Checker { keys: Some(k), now }, Some(store)),
            Err(e) => {
                warn(ctx, &e);
                (Checker { keys: None, now }, None)
            }
        },
        Err(e) => {
            warn(ctx, &e);
            (Checker { keys: None, now }, None)
        }
    }
}

fn warn(ctx: &Context, e: &Error) {
    if !ctx.quiet {
        eprintln!(
            "warning: no store or snapshot to check the tokens against ({}); every finding is unchecked",
            e.shown()
        );
    }
}

/// Runs `scan`.
pub fn run(ctx: &Context, mut args: Args) -> Result<()> {
    // scan's exit code is a verdict: a reader that goes away never turns it into 0.
    crate::term::output::gate();
    // A baseline (json) is written over only a baseline: never the store, never a source
    // file, said before the scan runs.
    if let Some(path) = &args.write_baseline {
        crate::store::file::refuse_other_file(path, "scan baseline", |b| {
            b.trim_ascii_start().starts_with(b"{")
        })?;
    }
    // `-` is stdin, as for `import`; stdin is scanned alone (paths beside it would be
    // silently left unread).
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        args.paths.retain(|p| p.as_os_str() != "-");
        args.stdin = true;
    }
    if args.stdin
        && (!args.paths.is_empty() || args.git || args.staged || args.since_commit.is_some())
    {
        return Err(Error::usage(
            "stdin is scanned alone, without paths, --git, --staged or --since-commit",
            "run one scan for stdin (`… | apikeys scan -`) and another for the files",
        ));
    }
    // A baseline that cannot be read stops the scan before it starts (never taken as empty).
    let baseline = args
        .baseline
        .as_deref()
        .map(scan::baseline::Baseline::read)
        .transpose()?;
    let (checker, store) = checker(ctx, &args);
    // Every prefix the store or snapshot knows, and the default one; with neither, every
    // token of the right shape whatever its prefix (a gate fails closed).
    let matcher = match (&store, &checker.keys) {
        (Some(s), _) => {
            let mut prefixes = vec![crate::token::DEFAULT_PREFIX.to_string()];
            prefixes.extend(crate::store::queries::prefixes(s.conn())?);
            crate::scan::matcher::Matcher::new(prefixes)
        }
        (None, Some(keys)) => {
            let prefixes: std::collections::BTreeSet<String> =
                keys.entries().map(|e| e.prefix().to_string()).collect();
            crate::scan::matcher::Matcher::new(
                std::iter::once(crate::token::DEFAULT_PREFIX.to_string()).chain(prefixes),
            )
        }
        (None, None) => crate::scan::matcher::Matcher::any_prefix(),
    };
    let tally = Arc::new(Tally::default());
    let here = PathBuf::from(".");
    let dir = args.paths.first().cloned().unwrap_or(here.clone());
    let progress = progress(ctx, tally.clone());
    let findings = if args.stdin {
        scan::scan_reader(
            &matcher,
            &checker,
            &tally,
            std::io::stdin().lock(),
            "(stdin)",
        )
        .map_err(|e| Error::Io(format!("cannot read stdin: {e}")))?
    } else if args.git || args.since_commit.is_some() {
        scan::git::history(
            &dir,
            &matcher,
            &checker,
            &tally,
            args.since_commit.as_deref(),
        )?
    } else if args.staged {
        scan::git::staged(&dir, &matcher, &checker, &tally)?
    } else {
        let paths = if args.paths.is_empty() {
            vec![here]
        } else {
            args.paths.clone()
        };
        for p in &paths {
            if std::fs::symlink_metadata(p).is_err() {
                return Err(Error::usage(
                    format!("no such file or directory: {}", p.display()),
                    "give files or directories to scan",
                ));
            }
        }
        let how = scan::Walk {
            no_ignore: args.no_ignore,
            verbose: args.verbose,
        };
        scan::scan_paths(&paths, &matcher, &checker, &tally, how)
    };
    // What it could not read is said even without --verbose: a clean result must not hide
    // what was not looked at (and, below, it is no pass).
    let unread = tally.unreadable.load(Ordering::Relaxed);
    if unread > 0 && !ctx.quiet {
        eprintln!(
            "warning: {unread} file(s) or folder(s) could not be read, so were not scanned (--verbose names them)"
        );
    }
    let allowed = tally.allowed.load(Ordering::Relaxed);
    if args.verbose && allowed > 0 {
        eprintln!(
            "{} kept out by apikeys:allow comments",
            crate::text::count(allowed as usize, "finding")
        );
    }
    if let Some(path) = &args.write_baseline {
        let b = scan::baseline::Baseline::of(&findings, checker.now);
        b.write(path)?;
        let live = b.findings.iter().filter(|e| e.status.fails()).count();
        ctx.note(&format!(
            "wrote a baseline of {} to {}",
            crate::text::count(b.findings.len(), "finding"),
            crate::text::sanitize(&path.display().to_string())
        ));
        if live > 0 && !ctx.quiet {
            eprintln!(
                "warning: {live} of them are live or unchecked: a baseline hides them from later scans; revoke them (apikeys scan --revoke) unless they are meant to stay"
            );
        }
        return Ok(());
    }
    let findings = match &baseline {
        Some(b) => {
            let (new, hidden) = b.new_findings(findings);
            if args.verbose && hidden > 0 {
                eprintln!(
                    "{} already in the baseline",
                    crate::text::count(hidden, "finding")
                );
            }
            new
        }
        None => findings,
    };
    if let Some((stop, handle)) = progress {
        stop.store(true, Ordering::Relaxed);
        let _ = handle.join();
    }
    let failing = findings.iter().any(|f| f.status.fails());
    if failing {
        crate::term::output::gate_verdict(20);
    }
    print(ctx, &args, &findings)?;
    if args.revoke {
        revoke(ctx, store, &findings)?;
    }
    if failing {
        return Err(Error::Exit(20));
    }
    // A gate that could not look at everything did not pass: no live key among what was
    // read, but the rest is unknown (exit 1, as for any error).
    if unread > 0 {
        return Err(Error::Context {
            message: format!(
                "the scan is incomplete: {unread} file(s) or folder(s) could not be read"
            ),
            hint: Some(
                "--verbose names them; give the scan read access, or leave them out (.gitignore, or name other paths)"
                    .into(),
            ),
            code: 1,
        });
    }
    Ok(())
}

type Progress = (Arc<AtomicBool>, std::thread::JoinHandle<()>);

/// A progress line on stderr at a terminal (files, MB, findings so far); nothing otherwise.
fn progress(ctx: &Context, tally: Arc<Tally>) -> Option<Progress> {
    if ctx.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return None;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    let s = stop.clone();
    let handle = std::thread::spawn(move || {
        // At least one frame, however short the scan, then one every 100 ms.
        loop {
            bar.set_message(format!(
                "scanning: {} files, {} MB, {} found",
                tally.files.load(Ordering::Relaxed),
                tally.bytes.load(Ordering::Relaxed) >> 20,
                tally.found.load(Ordering::Relaxed)
            ));
            bar.tick();
            if s.load(Ordering::Relaxed) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        bar.finish_and_clear();
    });
    Some((stop, handle))
}

fn print(ctx: &Context, args: &Args, findings: &[Finding]) -> Result<()> {
    let _ = args;
    match ctx.format {
        crate::cli::Format::Json => crate::term::output::print_json(&findings),
        crate::cli::Format::Sarif => {
            crate::term::output::print_json(&scan::report::sarif(findings))
        }
        crate::cli::Format::Table | crate::cli::Format::Csv => {
            if findings.is_empty() {
                ctx.note("no apikeys tokens found");
                return Ok(());
            }
            let mut t = crate::term::output::table(&["where", "key", "name", "status"], ctx.color);
            for f in findings {
                let mut status = comfy_table::Cell::new(f.status.as_str());
                if ctx.color {
                    status = status.fg(if f.status.fails() {
                        comfy_table::Color::Red
                    } else {
                        comfy_table::Color::Yellow
                    });
                }
                t.add_row(vec![
                    comfy_table::Cell::new(crate::text::sanitize(&scan::report::location(f))),
                    comfy_table::Cell::new(&f.key),
                    comfy_table::Cell::new(
                        f.name
                            .as_deref()
                            .map(crate::text::sanitize)
                            .unwrap_or_default(),
                    ),
                    status,
                ]);
            }
            crate::term::output::print_line(&t.to_string())
        }
    }
}

/// Revokes the live keys found, with an audit reason naming where each was found.
fn revoke(ctx: &Context, store: Option<crate::store::Store>, findings: &[Finding]) -> Result<()> {
    let live: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.status == Status::Live)
        .collect();
    if live.is_empty() {
        ctx.note("no live key to revoke");
        return Ok(());
    }
    let Some(mut store) = store else {
        return Err(Error::usage(
            "--revoke needs the store",
            "unlock it (--key-file, --passphrase-file, APIKEYS_PASSPHRASE); a snapshot cannot revoke",
        ));
    };
    ctx.require_confirmable("revoke")?;
    let mut ids: Vec<&str> = live.iter().map(|f| f.key_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ctx.confirm(
        "revoke",
        &format!(
            "Revoke {} found by the scan?",
            crate::text::count(ids.len(), "live key")
        ),
    )?;
    let now = crate::policy::now();
    let done = store.write(|tx, _| {
        let mut done = 0;
        for id in &ids {
            let Some(mut k) = crate::store::queries::key_by_id(tx, id)? else {
                continue;
            };
            if k.revoked {
                continue;
            }
            let wherefound: Vec<String> = live
                .iter()
                .filter(|f| f.key_id == *id)
                .map(|f| scan::report::location(f))
                .collect();
            let reason = format!("leaked: found by apikeys scan at {}", wherefound.join(", "));
            k.revoked = true;
            k.revoked_reason = Some(reason.clone());
            crate::store::queries::update_key(tx, &k)?;
            crate::store::queries::audit(tx, now, &ctx.actor(), "revoke", Some(&k), &reason)?;
            done += 1;
        }
        Ok(done)
    })?;
    ctx.note(&format!("revoked {}", crate::text::count(done, "live key")));
    Ok(())
}
