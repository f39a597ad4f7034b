//! Issue 36: scan for teams, against real git repositories: a baseline that survives edits
//! above a finding and lets a re-activated key through again, an allow comment, a branch
//! scan, ignored files named and read on request, and the hooks run by the pre-commit
//! framework.

use crate::gates::git;
use crate::harness::{BIN, Run, TestEnv};
use std::path::Path;
use std::process::Command;

fn scan(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    let mut cmd = env.cmd(&[&["scan", "--format", "json"][..], args].concat());
    cmd.current_dir(dir);
    TestEnv::feed(cmd, "")
}

/// (path, line, status) of each finding of a json scan.
fn found(out: &Run) -> Vec<(String, u64, String)> {
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_baseline_reports_only_new_findings_and_a_key_live_again() {
    let env = TestEnv::new();
    let old = env.create("old", &[]);
    env.run(&["revoke", "old", "--yes"]).code(0);
    let tree = env.path("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("config.py"), format!("a = 1\nOLD = \"{old}\"\n")).unwrap();
    let base = env.path("baseline.json");
    let b = base.to_str().unwrap();
    scan(&env, &tree, &["--write-baseline", b]).code(0);
    let text = std::fs::read_to_string(&base).unwrap();
    assert!(text.contains("\"fingerprint\""), "{text}");
    assert!(!text.contains(&old[16..50]), "no secret in the baseline");
    // An unrelated line inserted above: still the same finding, nothing new.
    std::fs::write(
        tree.join("config.py"),
        format!("import os\na = 1\n\nOLD = \"{old}\"\n"),
    )
    .unwrap();
    let out = scan(&env, &tree, &["--baseline", b]).code(0);
    assert_eq!(found(&out), []);
    // Without the baseline it is there, revoked (exit 0 all the same).
    assert_eq!(
        found(&scan(&env, &tree, &[]).code(0)),
        [("config.py".into(), 4, "revoked".into())]
    );
    // A new leak is reported; the old one stays quiet.
    let new = env.create("new", &[]);
    std::fs::write(tree.join("new.env"), format!("K={new}\n")).unwrap();
    let out = scan(&env, &tree, &["--baseline", b]).code(20);
    assert_eq!(found(&out), [("new.env".into(), 1, "live".into())]);
    std::fs::remove_file(tree.join("new.env")).unwrap();
    // The baselined key activated again is a leak again.
    env.run(&["activate", "old"]).code(0);
    let out = scan(&env, &tree, &["--baseline", b]).code(20);
    assert_eq!(found(&out), [("config.py".into(), 4, "live".into())]);
    // Changing the line itself makes it a new finding too.
    env.run(&["revoke", "old", "--yes"]).code(0);
    std::fs::write(tree.join("config.py"), format!("OLD_KEY = \"{old}\"\n")).unwrap();
    assert_eq!(
        found(&scan(&env, &tree, &["--baseline", b]).code(0)).len(),
        1
    );
    // A file that is not a baseline is refused before anything is scanned.
    let junk = env.write("junk.json", "{\"findings\": []}");
    let out = scan(&env, &tree, &["--baseline", junk.to_str().unwrap()]).code(2);
    assert!(
        out.stderr.contains("not an apikeys scan baseline"),
        "{}",
        out.stderr
    );
    scan(
        &env,
        &tree,
        &["--baseline", env.path("none.json").to_str().unwrap()],
    )
    .code(2);
}

#[test]
fn an_allow_comment_keeps_a_fixture_out_and_verbose_counts_it() {
    let env = TestEnv::new();
    let live = env.create("fixture", &[]);
    let tree = env.path("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(
        tree.join("test_api.py"),
        format!("TOKEN = \"{live}\"  # apikeys:allow\n"),
    )
    .unwrap();
    let out = scan(&env, &tree, &["--verbose"]).code(0);
    assert_eq!(found(&out), []);
    assert!(
        out.stderr.contains("1 finding kept out by apikeys:allow"),
        "{}",
        out.stderr
    );
    // The same token on a line without the comment is reported.
    std::fs::write(tree.join("app.py"), format!("T = \"{live}\"\n")).unwrap();
    assert_eq!(
        found(&scan(&env, &tree, &[]).code(20)),
        [("app.py".into(), 1, "live".into())]
    );
}

#[test]
fn ignored_files_are_named_with_verbose_and_read_with_no_ignore() {
    let env = TestEnv::new();
    let live = env.create("live", &[]);
    let repo = env.path("repo");
    std::fs::create_dir_all(repo.join("logs")).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join(".gitignore"), ".env\nlogs/\n").unwrap();
    std::fs::write(repo.join(".env"), format!("API_KEY={live}\n")).unwrap();
    std::fs::write(repo.join("logs/app.log"), format!("auth {live}\n")).unwrap();
    std::fs::write(repo.join("bin.dat"), b"\0\0binary").unwrap();
    std::os::unix::fs::symlink(repo.join(".env"), repo.join("link.env")).unwrap();
    let out = scan(&env, &repo, &["--verbose"]).code(0);
    assert_eq!(found(&out), []);
    for said in [
        "skipped (ignored by .gitignore; --no-ignore reads it): .env",
        "skipped (ignored by .gitignore; --no-ignore reads it): logs/app.log",
        "skipped (binary): bin.dat",
        "skipped (a symlink, not followed): link.env",
    ] {
        assert!(out.stderr.contains(said), "{said}: {}", out.stderr);
    }
    let out = scan(&env, &repo, &["--no-ignore"]).code(20);
    assert_eq!(
        found(&out),
        [
            (".env".into(), 1, "live".into()),
            ("logs/app.log".into(), 1, "live".into())
        ]
    );
}

#[test]
fn a_branch_scan_reads_only_what_the_branch_adds() {
    let env = TestEnv::new();
    let old = env.create("old", &[]);
    let added = env.create("added", &[]);
    let repo = env.path("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    // On main: a token committed and deleted again (still in the history).
    std::fs::write(repo.join("old.txt"), format!("{old}\n")).unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "old leak"]);
    std::fs::remove_file(repo.join("old.txt")).unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "removed"]);
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.join("new.txt"), format!("x\n{added}\n")).unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "new leak"]);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    // The whole history has both; the branch scan only the new one, with its commit.
    assert_eq!(found(&scan(&env, &repo, &["--git"]).code(20)).len(), 2);
    let out = scan(&env, &repo, &["--since-commit", "main"]).code(20);
    assert_eq!(found(&out), [("new.txt".into(), 2, "live".into())]);
    assert_eq!(out.json()[0]["commit"], head.trim());
    // On main itself there is nothing new.
    scan(&env, &repo, &["--since-commit", "HEAD"]).code(0);
    // A ref the repository does not have, or one shaped like an option, is a usage error.
    for bad in [
        "--since-commit=no-such-branch",
        "--since-commit=--all",
        "--since-commit=-",
    ] {
        let out = scan(&env, &repo, &[bad]).code(2);
        assert!(
            out.stderr.contains("--since-commit: no commit"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn the_push_hook_refuses_new_commits_with_a_live_token() {
    let Some(pre_commit) = crate::scan::py_tool("pre-commit") else {
        crate::harness::missing("pre-commit is not installed (in .venv)");
        return;
    };
    let env = TestEnv::new();
    let live = env.create("live", &[]);
    let repo = env.path("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("README"), "hello\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "first"]);
    let from = git(&repo, &["rev-parse", "HEAD"]);
    // A token committed and deleted again in the pushed commits is still refused.
    std::fs::write(repo.join("leak.txt"), format!("{live}\n")).unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "leak"]);
    std::fs::remove_file(repo.join("leak.txt")).unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "oops"]);
    let to = git(&repo, &["rev-parse", "HEAD"]);
    let push = |extra: &[&str]| {
        let out = crate::scan::try_hook(&pre_commit, &env, &repo, "apikeys-scan-push")
            .args([
                "--hook-stage",
                "pre-push",
                "--from-ref",
                from.trim(),
                "--to-ref",
                to.trim(),
            ])
            .args(extra)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            !text.contains(&live[16..50]),
            "no secret in the hook's output"
        );
        (out.status.success(), text)
    };
    let (ok, text) = push(&[]);
    assert!(
        !ok && text.contains("Failed"),
        "the push went through: {text}"
    );
    // Revoke it, and the history holds only revoked tokens: the push passes.
    env.run(&["revoke", "live", "--yes"]).code(0);
    let (ok, text) = push(&[]);
    assert!(ok, "{text}");
}

#[test]
fn the_commit_hook_asks_the_passphrase_at_the_terminal_or_uses_a_snapshot() {
    let Some(pre_commit) = crate::scan::py_tool("pre-commit") else {
        crate::harness::missing("pre-commit is not installed (in .venv)");
        return;
    };
    let env = TestEnv::new();
    let live = env.create("live", &[]);
    let repo = env.path("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("leak.txt"), format!("{live}\n")).unwrap();
    git(&repo, &["add", "leak.txt"]);
    // The framework captures the hook's stdin and output: the prompt goes to /dev/tty.
    let bin_dir = Path::new(BIN).parent().unwrap();
    let mut c = Command::new("sh");
    c.args([
        "-c",
        "cd \"$1\" && PATH=\"$2:$PATH\" \"$0\" try-repo \"$3\" apikeys-scan; echo \"hook=$?\"",
    ])
    .arg(&pre_commit)
    .arg(&repo)
    .arg(bin_dir)
    .arg(env!("CARGO_MANIFEST_DIR"));
    let mut s = crate::pty::spawn_command(&env, c, false, true);
    crate::pty::answer(&mut s, "Passphrase for", crate::harness::PASS);
    let seen = s.expect(expectrl::Regex("hook=[0-9]+")).unwrap();
    let code = String::from_utf8_lossy(seen.get(0).unwrap()).to_string();
    let text = String::from_utf8_lossy(seen.before()).to_string();
    assert_eq!(code, "hook=1", "{text}");
    assert!(text.contains("live"), "{text}");
    // With only a snapshot (a CI runner, a laptop without the admin store): the entry's scan
    // with --verifier answers alike.
    crate::fleet::export(&env, "v.snap", "v.key");
    let out = crate::harness::finish(
        crate::fleet::snapshot_cmd(&env, "scan", "v.snap", "v.key", &["--staged"])
            .current_dir(&repo)
            .output()
            .unwrap(),
    );
    assert_eq!(out.code, 20, "{out:?}");
    assert!(out.stdout.contains("live"), "{}", out.stdout);
}
