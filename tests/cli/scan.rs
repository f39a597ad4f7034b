//! Issue 24, SPEC §11: `apikeys scan` through the real binary, on a generated tree, a real git
//! repository, stdin; SARIF read back by a real consumer; the pre-commit hook run by the
//! pre-commit framework.

use crate::fleet::{export, snapshot_cmd, verify_snap};
use crate::harness::{BIN, TestEnv};
use std::path::Path;
use std::process::Command;

/// A token of `env` with a wrong checksum (same shape).
fn bad_checksum(token: &str) -> String {
    let mut t = token.to_string();
    let last = t.pop().unwrap();
    t.push(if last == 'A' { 'B' } else { 'A' });
    t
}

fn findings(out: &crate::harness::Run) -> Vec<(String, usize, usize, String)> {
    let j: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    j.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap() as usize,
                f["column"].as_u64().unwrap() as usize,
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn scan_in(env: &TestEnv, dir: &Path, args: &[&str]) -> crate::harness::Run {
    let mut cmd = env.cmd(&[&["scan", "--format", "json"][..], args].concat());
    cmd.current_dir(dir);
    TestEnv::feed(cmd, "")
}

#[test]
fn a_tree_gives_exactly_the_right_findings() {
    let env = TestEnv::new();
    let live = env.create("live", &["--allow-ip", "10.0.0.0/8"]);
    let revoked = env.create("revoked", &[]);
    env.run(&["revoke", "revoked", "--yes"]).code(0);
    let expired = env.create("expired", &["--expires", "1s"]);
    let other = TestEnv::new();
    let unknown = other.create("elsewhere", &[]);
    crate::harness::eventually("the key to expire", || {
        env.key("expired")["status"] == "expired"
    });
    let tree = env.path("tree");
    std::fs::create_dir_all(tree.join("src/deep")).unwrap();
    std::fs::write(
        tree.join("src/app.py"),
        format!("KEY = \"{live}\"\n# é {revoked}\n"),
    )
    .unwrap();
    std::fs::write(
        tree.join("src/deep/.env"),
        format!("A={expired}\nB={unknown}\nC={}\n", bad_checksum(&live)),
    )
    .unwrap();
    std::fs::write(tree.join(".gitignore"), "ignored.txt\n").unwrap();
    std::fs::write(tree.join("ignored.txt"), &live).unwrap();
    std::fs::write(
        tree.join("blob.bin"),
        [b"\x00\x01".as_slice(), live.as_bytes()].concat(),
    )
    .unwrap();
    let big = std::fs::File::create(tree.join("huge.log")).unwrap();
    big.set_len(33 << 20).unwrap();
    std::fs::write(env.path("outside.txt"), &live).unwrap();
    std::os::unix::fs::symlink(env.path("outside.txt"), tree.join("link.txt")).unwrap();
    let out = scan_in(&env, &tree, &["--verbose"]);
    assert_eq!(out.code, 20, "a live key fails the gate: {out:?}");
    assert_eq!(
        findings(&out),
        [
            ("src/app.py".into(), 1, 8, "live".into()),
            ("src/app.py".into(), 2, 5, "revoked".into()),
            ("src/deep/.env".into(), 1, 3, "expired".into()),
            ("src/deep/.env".into(), 2, 3, "unknown".into()),
        ]
    );
    assert!(
        out.stderr.contains("binary") && out.stderr.contains("huge.log"),
        "{}",
        out.stderr
    );
    // No secret anywhere, in any format.
    let secret = &live[16..60];
    for fmt in ["json", "sarif", "table"] {
        let mut cmd = env.cmd(&["scan", "--format", fmt]);
        cmd.current_dir(&tree);
        let o = TestEnv::feed(cmd, "");
        assert!(
            !o.stdout.contains(secret) && !o.stderr.contains(secret),
            "{fmt}"
        );
    }
    // Without live keys: exit 0. Without a store to check against: unchecked, exit 20.
    std::fs::remove_file(tree.join("src/app.py")).unwrap();
    scan_in(&env, &tree, &[]).code(0);
    let mut bare = env.bare_cmd(&["scan", "--format", "json"]);
    bare.current_dir(&tree)
        .env("APIKEYS_STORE", env.path("nope.store"));
    let out = TestEnv::feed(bare, "");
    assert_eq!(out.code, 20);
    assert!(findings(&out).iter().all(|f| f.3 == "unchecked"));
    // stdin, and --revoke.
    let out = env.run_stdin(
        &["scan", "--stdin", "--revoke", "--yes"],
        &format!("leak: {live}\n"),
    );
    assert_eq!(out.code, 20, "{out:?}");
    env.verify(&live, &["--ip", "10.1.1.1"]).code(12);
    let log = env
        .run(&["log", "--key", "live", "--format", "json"])
        .code(0)
        .stdout;
    assert!(
        log.contains("found by apikeys scan at (stdin):1:7"),
        "{log}"
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    crate::gates::git(dir, args)
}

#[test]
fn git_history_and_the_index() {
    let env = TestEnv::new();
    let live = env.create("live", &[]);
    let repo = env.path("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("README"), "hello\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "first"]);
    std::fs::write(repo.join("config.yml"), format!("token: {live}\n")).unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "leak"]);
    let leak = String::from_utf8(
        Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(&repo)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::fs::remove_file(repo.join("config.yml")).unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "remove"]);
    scan_in(&env, &repo, &[]).code(0);
    let out = scan_in(&env, &repo, &["--git"]);
    assert_eq!(out.code, 20, "{out:?}");
    let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(j[0]["path"], "config.yml");
    assert_eq!(j[0]["commit"], leak.trim());
    assert_eq!(
        (j[0]["line"].as_u64(), j[0]["column"].as_u64()),
        (Some(1), Some(8))
    );
    // --staged sees only the index.
    std::fs::write(repo.join("unstaged.txt"), &live).unwrap();
    scan_in(&env, &repo, &["--staged"]).code(0);
    std::fs::write(repo.join("staged.txt"), format!("\n{live}")).unwrap();
    git(&repo, &["add", "staged.txt"]);
    let out = scan_in(&env, &repo, &["--staged"]);
    assert_eq!(findings(&out), [("staged.txt".into(), 2, 1, "live".into())]);
}

/// A tool from the project's Python venv (.ci/run makes it), or PATH.
/// `pre-commit try-repo` of this repository's `hook` in `repo`, with the binary on PATH and
/// `env`'s store and key file.
pub fn try_hook(pre_commit: &Path, env: &TestEnv, repo: &Path, hook: &str) -> Command {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = Command::new(pre_commit);
    c.args(["try-repo", env!("CARGO_MANIFEST_DIR"), hook])
        .current_dir(repo)
        .env("PATH", path)
        .env("HOME", env.dir.path())
        .env("PRE_COMMIT_HOME", env.path("pc-cache"))
        .env("APIKEYS_STORE", &env.store)
        .env("APIKEYS_KEY_FILE", &env.key_file);
    c
}

pub fn py_tool(name: &str) -> Option<std::path::PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".venv/bin")
        .join(name);
    if venv.exists() {
        return Some(venv);
    }
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .ok()?;
    found
        .status
        .success()
        .then(|| String::from_utf8_lossy(&found.stdout).trim().into())
}

#[test]
fn sarif_is_read_back_by_sarif_tools() {
    let Some(sarif) = py_tool("sarif") else {
        crate::harness::missing("sarif-tools is not installed (in .venv)");
        return;
    };
    let env = TestEnv::new();
    let live = env.create("live", &[]);
    let dir = env.path("t");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), format!("x\n  {live}\n")).unwrap();
    let mut cmd = env.cmd(&["scan", "--format", "sarif"]);
    cmd.current_dir(&dir);
    let out = TestEnv::feed(cmd, "");
    assert_eq!(out.code, 20);
    let file = env.write("out.sarif", &out.stdout);
    let read = Command::new(&sarif).arg("ls").arg(&file).output().unwrap();
    let text =
        String::from_utf8_lossy(&read.stdout).to_string() + &String::from_utf8_lossy(&read.stderr);
    assert!(read.status.success(), "{text}");
    let summary = Command::new(&sarif)
        .arg("summary")
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&summary.stdout).to_string();
    assert!(
        summary.status.success() && text.contains("error: 1"),
        "{text}"
    );
    let j: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let region = &j["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(2), Some(3))
    );
}

#[test]
fn the_pre_commit_hook_fails_a_commit_with_a_live_token() {
    let Some(pre_commit) = py_tool("pre-commit") else {
        crate::harness::missing("pre-commit is not installed (in .venv)");
        return;
    };
    let env = TestEnv::new();
    let live = env.create("live", &[]);
    let repo = env.path("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("leak.txt"), &live).unwrap();
    git(&repo, &["add", "leak.txt"]);
    let run = try_hook(&pre_commit, &env, &repo, "apikeys-scan")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&run.stdout).to_string() + &String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success(),
        "the hook let a live token through: {text}"
    );
    assert!(
        text.contains("apikeys scan") && text.contains("Failed"),
        "{text}"
    );
    assert!(
        !text.contains(&live[16..60]),
        "no secret in the hook's output"
    );
}

#[test]
fn scan_never_runs_a_program_the_scanned_repository_configures() {
    let env = TestEnv::new();
    let live = env.create("live", &[]);
    let repo = env.path("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("app.cfg"), format!("token = {live}\n")).unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "leak"]);
    // A signed commit on top (a made-up signature: enough for git to call the gpg program).
    let tree = git(&repo, &["rev-parse", "HEAD^{tree}"]);
    let parent = git(&repo, &["rev-parse", "HEAD"]);
    let commit = format!(
        "tree {}\nparent {}\nauthor t <t@example.org> 1700000000 +0000\ncommitter t <t@example.org> 1700000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n",
        tree.trim(),
        parent.trim()
    );
    let obj = env.write("commit.txt", &commit);
    let id = git(
        &repo,
        &[
            "hash-object",
            "-t",
            "commit",
            "-w",
            "--literally",
            obj.to_str().unwrap(),
        ],
    );
    git(&repo, &["update-ref", "refs/heads/signed", id.trim()]);
    // Every way a repository's configuration names a program, pointed at one that leaves a mark.
    let mark = env.path("ran");
    let evil = env.write(
        "evil.sh",
        &format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\n", mark.display()),
    );
    std::fs::set_permissions(&evil, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let e = evil.display();
    let include = env.write("included.cfg", &format!("[core]\n\tfsmonitor = {e}\n"));
    let config = format!(
        "[core]\n\tfsmonitor = {e}\n\tpager = {e}\n\thooksPath = {hooks}\n\tsshCommand = {e}\n\tuntrackedCache = true\n\
         [gpg]\n\tprogram = {e}\n[gpg \"ssh\"]\n\tprogram = {e}\n[log]\n\tshowSignature = true\n\
         [diff]\n\texternal = {e}\n[diff \"x\"]\n\ttextconv = {e}\n[filter \"x\"]\n\tclean = {e}\n\tsmudge = {e}\n\tprocess = {e}\n\
         [credential]\n\thelper = !{e}\n[pager]\n\tlog = {e}\n\
         [includeIf \"gitdir:{repo}/\"]\n\tpath = {inc}\n",
        hooks = env.path("hooks").display(),
        repo = repo.join(".git").display(),
        inc = include.display(),
    );
    let mut cfg = std::fs::read_to_string(repo.join(".git/config")).unwrap();
    cfg.push_str(&config);
    std::fs::write(repo.join(".git/config"), cfg).unwrap();
    std::fs::write(repo.join(".gitattributes"), "* diff=x filter=x\n").unwrap();
    std::fs::create_dir(env.path("hooks")).unwrap();
    for hook in ["post-index-change", "pre-commit", "post-checkout"] {
        std::fs::copy(&evil, env.path("hooks").join(hook)).unwrap();
    }
    // A plain git of the admin's own does run them: the trap is real.
    let _ = Command::new("git")
        .args(["status", "--short"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert!(
        mark.exists(),
        "the fixture's fsmonitor should fire for plain git"
    );
    std::fs::remove_file(&mark).unwrap();
    // scan finds the leak in the history, the index and the tree, and runs none of them.
    for args in [&["--git"][..], &["--staged"], &[]] {
        let mut cmd = env.cmd(&[&["scan", "--format", "json"][..], args].concat());
        cmd.current_dir(&repo);
        let out = TestEnv::feed(cmd, "").code(20);
        assert!(out.stdout.contains("\"live\""), "{args:?}: {}", out.stdout);
        assert!(
            !mark.exists(),
            "scan {args:?} ran the repository's program: {}",
            std::fs::read_to_string(&mark).unwrap_or_default()
        );
    }
}

#[test]
fn scan_finds_custom_prefixes_with_only_a_snapshot_or_with_nothing() {
    let env = TestEnv::new();
    let custom = env.create("custom", &["--prefix", "mycorp"]);
    let revoked = env.create("gone", &["--prefix", "oldco"]);
    env.run(&["revoke", "gone", "--yes"]).code(0);
    export(&env, "v.snap", "v.key");
    let tree = env.path("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(
        tree.join("ci.env"),
        format!("A={custom}\nB={revoked}\nsnake_case_id = 1\n"),
    )
    .unwrap();
    let t = tree.to_str().unwrap();
    let statuses = |out: &crate::harness::Run| -> Vec<String> {
        out.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{}:{}", f["line"], f["status"].as_str().unwrap()))
            .collect()
    };
    // With the store: both found and checked.
    let out = env.run(&["scan", "--format", "json", t]).code(20);
    assert_eq!(statuses(&out), ["1:live", "2:revoked"]);
    // With only the snapshot (the CI step): its prefixes are searched.
    let out = crate::harness::finish(
        snapshot_cmd(&env, "scan", "v.snap", "v.key", &["--format", "json", t])
            .output()
            .unwrap(),
    )
    .code(20);
    assert_eq!(statuses(&out), ["1:live", "2:revoked"]);
    // With neither: every token of the right shape, unchecked, and the gate fails.
    let mut none = env.bare_cmd(&["scan", "--format", "json", t]);
    none.env("APIKEYS_STORE", env.path("nowhere.store"));
    let out = crate::harness::finish(none.output().unwrap()).code(20);
    assert_eq!(statuses(&out), ["1:unchecked", "2:unchecked"]);
    let mut stdin = env.bare_cmd(&["scan", "--stdin", "--format", "json"]);
    stdin.env("APIKEYS_STORE", env.path("nowhere.store"));
    let out = TestEnv::feed(stdin, &format!("x {custom}\n")).code(20);
    assert_eq!(statuses(&out), ["1:unchecked"]);
    // The verdict on a snapshot matches the store's for a single verify too.
    verify_snap(&env, "v.snap", "v.key", &custom, &[]).code(0);
}

/// A log piped in is read to its end, whatever its size (it was cut at 32 MiB, so a token
/// past that was never seen and the gate passed); `-` is stdin as for `import`; stdin is
/// scanned alone; a line longer than the cap is an error, never a pass.
#[test]
fn stdin_of_any_size_is_read_to_its_last_line() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let (log, lines) = big_log(&token);
    assert!(log.len() > 40 << 20);
    for arg in ["-", "--stdin"] {
        let out = env
            .run_stdin(&["scan", arg, "--format", "json"], &log)
            .code(20);
        let found = out.json();
        assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
        assert_eq!(found[0]["line"], lines + 1);
        assert_eq!(found[0]["column"], 9);
        assert_eq!(found[0]["status"], "live");
    }
    // Stdin beside paths would leave the paths unread: refused.
    env.run_stdin(&["scan", "--stdin", "."], "x\n").code(2);
    env.run_stdin(&["scan", "-", "."], "x\n").code(2);
    // One line past the cap: an error (exit 1), not a pass.
    let out = env.run_stdin(&["scan", "-"], &"x".repeat(33 << 20)).code(1);
    assert!(out.stderr.contains("longer than 32 MiB"), "{}", out.stderr);
}

/// A file over 32 MiB (a log, a dump) is read as it comes, not skipped: a token on its last
/// line is found, in the tree and in git history. A file that cannot be read (here one line
/// past the cap) is said even without --verbose, never passed over in silence.
#[test]
fn a_file_over_the_size_cap_is_read_not_skipped() {
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let repo = env.path("big");
    std::fs::create_dir(&repo).unwrap();
    let (log, lines) = big_log(&token);
    std::fs::write(repo.join("app.log"), &log).unwrap();
    let dir = repo.to_str().unwrap();
    let out = env.run(&["scan", dir, "--format", "json"]).code(20);
    let found = out.json();
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["line"], lines + 1);
    assert_eq!(found[0]["status"], "live");
    assert!(!out.stderr.contains("could not be read"), "{}", out.stderr);
    // In git history: the blob is read too.
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "app.log"]);
    git(&repo, &["commit", "-q", "-m", "logs"]);
    let out = env
        .run(&["scan", "--git", dir, "--format", "json"])
        .code(20);
    assert_eq!(out.json().as_array().unwrap().len(), 1);
    // One line past the cap cannot be read: said, and named with --verbose (and with
    // nothing live beside it, the scan is incomplete: exit 1).
    std::fs::write(repo.join("one-line.txt"), "y".repeat(33 << 20)).unwrap();
    let out = env.run(&["scan", dir]).code(20);
    assert!(
        out.stderr
            .contains("1 file(s) or folder(s) could not be read"),
        "{}",
        out.stderr
    );
    let out = env.run(&["scan", dir, "--verbose"]).code(20);
    assert!(out.stderr.contains("one-line.txt"), "{}", out.stderr);
    let alone = repo.join("one-line.txt");
    let out = env.run(&["scan", alone.to_str().unwrap()]).code(1);
    assert!(
        out.stderr.contains("the scan is incomplete"),
        "{}",
        out.stderr
    );
}

/// A scan that could not read part of the tree does not pass: a folder it cannot list or a
/// file it cannot read is named (--verbose), counted, and makes the exit code 1 when nothing
/// live was found in the rest (20 when something was). Run as an unprivileged user (through
/// setpriv when the tests run as root, whom permissions do not stop).
#[test]
fn a_scan_that_cannot_read_everything_does_not_pass() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let token = env.create("ci", &[]);
    let tree = env.path("tree");
    std::fs::create_dir_all(tree.join("locked")).unwrap();
    std::fs::write(tree.join("clean.txt"), "nothing here\n").unwrap();
    std::fs::write(tree.join("locked/leak.txt"), format!("{token}\n")).unwrap();
    for (p, mode) in [(env.dir.path(), 0o755), (&tree, 0o755)] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let locked = tree.join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let scan = |args: &[&str]| {
        let mut c = if rustix::process::geteuid().as_raw() == 0 {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
            c
        } else {
            Command::new(BIN)
        };
        c.arg("scan")
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("APIKEYS_STORE", env.path("no.store"))
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null());
        crate::harness::finish(c.output().expect("run apikeys scan"))
    };
    let dir = tree.to_str().unwrap();
    let out = scan(&[dir, "--verbose"]).code(1);
    assert!(
        out.stderr
            .contains("the scan is incomplete: 1 file(s) or folder(s) could not be read"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("locked"), "named: {}", out.stderr);
    // The folder can be listed but its file not read: the same.
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        locked.join("leak.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let out = scan(&[dir, "--format", "json", "--verbose"]).code(1);
    assert_eq!(out.json(), serde_json::json!([]));
    assert!(out.stderr.contains("incomplete"), "{}", out.stderr);
    assert!(out.stderr.contains("leak.txt"), "named: {}", out.stderr);
    // Something found in what was read still fails the gate as a finding (20).
    std::fs::write(tree.join("also.txt"), format!("{token}\n")).unwrap();
    scan(&[dir]).code(20);
    // Readable again: a clean pass once nothing is left out.
    std::fs::remove_file(tree.join("also.txt")).unwrap();
    std::fs::remove_file(locked.join("leak.txt")).unwrap();
    scan(&[dir]).code(0);
}

/// Over 40 MiB of log lines, then `token` on the last line (column 9): the log and how many
/// lines come before the token's.
fn big_log(token: &str) -> (String, usize) {
    let line = "2026-12-05T10:00:00Z INFO GET /api/v1/orders 200 12ms request handled\n";
    let lines = (40 << 20) / line.len() + 1;
    let mut log = line.repeat(lines);
    log.push_str(&format!("leaked: {token}\n"));
    (log, lines)
}
