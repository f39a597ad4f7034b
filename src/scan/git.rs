//! Git history and the index, read through the `git` binary (no git library): every blob of
//! every commit (`rev-list --objects --all` piped to `cat-file --batch`, each blob once), or
//! what is staged (`ls-files --stage`), and the first commit that holds a finding.

use super::matcher::Matcher;
use super::{Checker, Finding, Tally, scan_bytes};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;

/// Settings of the scanned repository that would make git run a program, each overridden on
/// the command line (which wins over every configuration file, `include` and `includeIf`
/// among them): a scanned tree never runs code as the admin (SPEC §11).
const HARMLESS: &[&str] = &[
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.sshCommand=false",
    "core.askPass=false",
    "core.editor=false",
    "core.alternateRefsCommand=false",
    "core.untrackedCache=false",
    "credential.helper=",
    "gpg.program=false",
    "gpg.ssh.program=false",
    "gpg.x509.program=false",
    "gpg.openpgp.program=false",
    "log.showSignature=false",
    "diff.external=",
    "uploadpack.packObjectsHook=",
    "protocol.allow=never",
];

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("--no-pager")
        .arg("--no-replace-objects")
        .arg("-C")
        .arg(dir);
    for setting in HARMLESS {
        c.arg("-c").arg(setting);
    }
    // Nothing of the repository's may hide a blob either: no replacement objects, no grafts;
    // and no pager, prompt or external diff from the environment.
    c.env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_GRAFT_FILE", "/dev/null")
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env_remove("GIT_EXTERNAL_DIFF")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    c
}

fn run(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = git(dir)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| Error::Io(format!("cannot run git: {e} (is git installed?)")))?;
    if !out.status.success() {
        return Err(Error::usage(
            format!(
                "git {} failed: {}",
                args.first().copied().unwrap_or(""),
                crate::text::sanitize(
                    String::from_utf8_lossy(&out.stderr)
                        .lines()
                        .next()
                        .unwrap_or("")
                )
            ),
            "run scan --git or --staged inside a git repository (or give it as PATH)",
        ));
    }
    Ok(out.stdout)
}

/// Reads the objects `ids` through one `git cat-file --batch`, calling `f` with each blob.
fn each_blob(dir: &Path, ids: Vec<String>, mut f: impl FnMut(&str, &[u8])) -> Result<()> {
    let mut child = git(dir)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::Io(format!("cannot run git cat-file: {e}")))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| Error::Io("no pipe to git".into()))?;
    let feeder = std::thread::spawn(move || {
        for id in ids {
            if writeln!(stdin, "{id}").is_err() {
                break;
            }
        }
    });
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| Error::Io("no pipe from git".into()))?;
    let mut r = BufReader::with_capacity(1 << 20, stdout);
    let mut header = String::new();
    let mut buf = Vec::new();
    loop {
        header.clear();
        if r.read_line(&mut header)
            .map_err(|e| Error::Io(format!("git cat-file: {e}")))?
            == 0
        {
            break;
        }
        let mut parts = header.split_whitespace();
        let (Some(id), Some(kind), Some(size)) = (parts.next(), parts.next(), parts.next()) else {
            continue; // "<id> missing"
        };
        let size: usize = size.parse().unwrap_or(0);
        buf.resize(size + 1, 0);
        r.read_exact(&mut buf)
            .map_err(|e| Error::Io(format!("git cat-file: {e}")))?;
        if kind == "blob" {
            f(id, &buf[..size]);
        }
    }
    let _ = feeder.join();
    let _ = child.wait();
    Ok(())
}

/// The commit `reference` names, as a full hash; a usage error when it names none. Never
/// taken as an option, whatever it starts with.
fn commit_of(dir: &Path, reference: &str) -> Result<String> {
    let unknown = || {
        Error::usage(
            format!(
                "--since-commit: no commit {:?} in this repository",
                crate::text::sanitize(reference)
            ),
            "give a branch, tag or commit the repository has, e.g. --since-commit origin/main (fetch it first in CI)",
        )
    };
    if reference.is_empty() || reference.starts_with('-') {
        return Err(unknown());
    }
    let out = run(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{reference}^{{commit}}"),
        ],
    )
    .map_err(|_| unknown())?;
    let hash = String::from_utf8_lossy(&out).trim().to_string();
    if hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(unknown());
    }
    Ok(hash)
}

/// Every blob of every commit (or, with `since`, of the commits of HEAD not reachable from
/// it: what a branch adds), each read once, with the first commit that holds a finding.
pub fn history(
    dir: &Path,
    m: &Matcher,
    checker: &Checker,
    tally: &Tally,
    since: Option<&str>,
) -> Result<Vec<Finding>> {
    let range: Vec<String> = match since {
        None => vec!["--all".into()],
        Some(r) => vec!["HEAD".into(), "--not".into(), commit_of(dir, r)?],
    };
    let mut list_args = vec!["rev-list", "--objects"];
    list_args.extend(range.iter().map(String::as_str));
    let listing = run(dir, &list_args)?;
    let mut path_of: HashMap<String, String> = HashMap::new();
    let mut ids = Vec::new();
    for line in String::from_utf8_lossy(&listing).lines() {
        let (id, path) = line.split_once(' ').unwrap_or((line, ""));
        if !path_of.contains_key(id) {
            path_of.insert(id.to_string(), path.to_string());
            ids.push(id.to_string());
        }
    }
    let mut found: Vec<(String, Vec<Finding>)> = Vec::new();
    each_blob(dir, ids, |id, blob| {
        tally.files.fetch_add(1, Ordering::Relaxed);
        tally.bytes.fetch_add(blob.len() as u64, Ordering::Relaxed);
        // Already in memory: a blob of any size is read (binary ones are not).
        if super::is_binary(blob) {
            return;
        }
        let path = path_of.get(id).cloned().unwrap_or_default();
        let hits = scan_bytes(m, checker, tally, blob, &path, None);
        if !hits.is_empty() {
            tally.found.fetch_add(hits.len() as u64, Ordering::Relaxed);
            found.push((id.to_string(), hits));
        }
    })?;
    let mut all = Vec::new();
    for (id, mut hits) in found {
        // The oldest commit whose tree holds this blob: where the leak began.
        let find = format!("--find-object={id}");
        let mut log_args = vec![
            "log",
            "--no-textconv",
            "--no-ext-diff",
            "--format=%H",
            &find,
        ];
        log_args.extend(range.iter().map(String::as_str));
        let log = run(dir, &log_args)?;
        let first = String::from_utf8_lossy(&log)
            .lines()
            .last()
            .map(str::to_string);
        for h in &mut hits {
            h.commit = first.clone();
        }
        all.extend(hits);
    }
    super::sort(&mut all);
    Ok(all)
}

/// What `git commit` is about to record: the blobs of the index.
pub fn staged(dir: &Path, m: &Matcher, checker: &Checker, tally: &Tally) -> Result<Vec<Finding>> {
    let listing = run(dir, &["ls-files", "--stage", "-z"])?;
    let mut path_of = HashMap::new();
    let mut ids = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let Some(id) = meta.split_whitespace().nth(1) else {
            continue;
        };
        if path_of.insert(id.to_string(), path.to_string()).is_none() {
            ids.push(id.to_string());
        }
    }
    let mut all = Vec::new();
    each_blob(dir, ids, |id, blob| {
        tally.files.fetch_add(1, Ordering::Relaxed);
        // Already in memory: a blob of any size is read (binary ones are not).
        if super::is_binary(blob) {
            return;
        }
        let path = path_of.get(id).cloned().unwrap_or_default();
        all.extend(scan_bytes(m, checker, tally, blob, &path, None));
    })?;
    super::sort(&mut all);
    Ok(all)
}
