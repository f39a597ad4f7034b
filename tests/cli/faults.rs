//! Issue 5: writes that fail on a real filesystem (a full tmpfs, a read-only remount) leave the
//! previous store intact, and the command says why and exits non-zero. Needs root for mount:
//! without it, a failure under CI (which runs as root), a notice elsewhere.

use crate::harness::TestEnv;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs of `size` mounted inside a temp dir; unmounted on drop.
pub struct TinyFs {
    pub dir: PathBuf,
}

impl TinyFs {
    pub fn mount(at: &Path, size: &str) -> Option<TinyFs> {
        std::fs::create_dir_all(at).ok()?;
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(at)
            .status();
        if ok.is_ok_and(|s| s.success()) {
            Some(TinyFs {
                dir: at.to_path_buf(),
            })
        } else {
            crate::harness::missing("a tmpfs mount (needs root)");
            None
        }
    }

    fn remount_read_only(&self) {
        let st = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.dir)
            .status()
            .unwrap();
        assert!(st.success());
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

fn names(env: &TestEnv) -> Vec<String> {
    env.names(&[])
}

#[test]
fn a_full_filesystem_fails_the_write_and_keeps_the_store() {
    let mut env = TestEnv::bare();
    let Some(fs) = TinyFs::mount(&env.path("tiny"), "160k") else {
        return;
    };
    env.store = fs.dir.join("apikeys.store");
    env.init();
    // Grow the store until a write no longer fits beside the old file.
    let mut acknowledged = Vec::new();
    let failure = loop {
        let name = format!("k{}", acknowledged.len());
        let out = env.run(&[
            "create",
            "--name",
            &name,
            "--no-clipboard",
            "--description",
            &"d".repeat(1000),
        ]);
        if out.code != 0 {
            break out;
        }
        acknowledged.push(name);
        assert!(acknowledged.len() < 500, "the filesystem never filled up");
    };
    assert_eq!(failure.code, 1, "{failure:?}");
    // The token was delivered first (SPEC §3), so the error says it is not valid.
    assert!(
        failure
            .stderr
            .starts_with("error: the key could not be written")
            && failure.stderr.contains("token shown is not valid")
            && failure.stderr.contains("No space left"),
        "{failure:?}"
    );
    assert_eq!(
        names(&env),
        acknowledged,
        "the store holds exactly the acknowledged keys"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&fs.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        leftovers
            .iter()
            .all(|n| !n.to_string_lossy().contains(".tmp-")),
        "{leftovers:?}"
    );
    // Room again: the next write goes through.
    env.run(&["delete", "k0", "--yes"]).code(0);
    env.run(&["create", "--name", "after", "--no-clipboard"])
        .code(0);
}

#[test]
fn a_read_only_filesystem_fails_the_write_and_keeps_the_store() {
    let mut env = TestEnv::bare();
    let Some(fs) = TinyFs::mount(&env.path("ro"), "1m") else {
        return;
    };
    env.store = fs.dir.join("apikeys.store");
    env.init();
    let token = env.create("ci", &[]);
    let before = env.store_bytes();
    fs.remount_read_only();
    let out = env.run(&["revoke", "ci", "--yes"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("Read-only file system"), "{out:?}");
    assert_eq!(env.store_bytes(), before);
    // Reads still work, and verify still answers (its last-use write only warns).
    assert_eq!(names(&env), ["ci"]);
    let v = env.verify(&token, &[]);
    assert_eq!(v.code, 0, "{v:?}");
}

#[test]
fn a_secret_file_on_a_full_disk_mints_no_key() {
    let env = TestEnv::new();
    let Some(fs) = TinyFs::mount(&env.path("full"), "64k") else {
        return;
    };
    // Fill the filesystem to the last byte.
    let filler = fs.dir.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let _ = std::io::Write::write_all(&mut f, &vec![0u8; 1 << 20]);
    let _ = f.sync_all();
    let secret = fs.dir.join("token");
    let create = || {
        env.run(&[
            "create",
            "--name",
            "ci",
            "--no-clipboard",
            "--secret-file",
            secret.to_str().unwrap(),
        ])
    };
    let out = create();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("No space left"), "{out:?}");
    assert!(
        names(&env).is_empty(),
        "a key was minted with its token lost"
    );
    assert!(!secret.exists(), "an empty secret file was left behind");
    // Room again: the same command succeeds (no exit 6 for a name a lost key took).
    drop(f);
    std::fs::remove_file(&filler).unwrap();
    create().code(0);
    let token = std::fs::read_to_string(&secret).unwrap();
    env.verify(token.trim(), &[]).code(0);
}

/// No path given for something apikeys writes ever writes over the store, or over anything
/// that is not a file of that kind: a snapshot's --out, a usage log, a scan baseline. Each is
/// refused before anything is spent or changed (exit 6), and says what the file is.
#[test]
fn an_output_path_never_writes_over_the_store_or_another_kind_of_file() {
    let env = TestEnv::new();
    let token = env.create("k", &["--uses", "5"]);
    let store = env.store.to_str().unwrap().to_string();
    let before = env.store_bytes();
    let events = env.run(&["log", "--format", "json"]).code(0).stdout;
    let vk = env.path("vk.key");
    let vk = vk.to_str().unwrap();
    let out = env
        .run(&["verifier", "export", "--out", &store, "--verifier-key", vk])
        .code(6);
    assert!(
        out.stderr
            .contains("is an apikeys store, not a verifier snapshot"),
        "{}",
        out.stderr
    );
    // A file of another kind is not replaced either.
    let notes = env.write("notes.txt", "keep me\n");
    env.run(&[
        "verifier",
        "export",
        "--out",
        notes.to_str().unwrap(),
        "--verifier-key",
        vk,
    ])
    .code(6);
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "keep me\n");
    // A new store and its key file in one place.
    let fresh = env.path("fresh.store");
    let mut c = env.bare_cmd(&["init", "--with-key-file", "./fresh.store"]);
    c.current_dir(env.dir.path())
        .env("APIKEYS_STORE", &fresh)
        .env("APIKEYS_PASSPHRASE", crate::harness::PASS);
    let out = crate::harness::finish(c.output().unwrap()).code(2);
    assert!(out.stderr.contains("name one file"), "{}", out.stderr);
    assert!(!fresh.exists());
    // The snapshot and its key in one file: the key would be lost.
    let both = env.path("sub/both");
    let both_again = env.path("sub/../sub/./both");
    let out = env
        .run(&[
            "verifier",
            "export",
            "--out",
            both.to_str().unwrap(),
            "--verifier-key",
            both_again.to_str().unwrap(),
        ])
        .code(2);
    assert!(out.stderr.contains("name one file"), "{}", out.stderr);
    assert!(!both.exists());
    // A snapshot for the usage-log case (and its re-export over itself is fine).
    let snap = env.path("v.snap");
    let snap = snap.to_str().unwrap();
    for _ in 0..2 {
        env.run(&["verifier", "export", "--out", snap, "--verifier-key", vk])
            .code(0);
    }
    let after_exports = env.store_bytes();
    for log in [store.as_str(), snap] {
        let c = env.bare_cmd(&[
            "verify",
            "--verifier",
            snap,
            "--verifier-key",
            vk,
            "--usage-log",
            log,
        ]);
        let out = TestEnv::feed(c, &token).code(6);
        assert!(
            out.stderr.contains("not a usage log"),
            "{log}: {}",
            out.stderr
        );
    }
    // A --state that is the store is refused as not a state file (exit 4), never called a
    // damaged store, and never written.
    let out = TestEnv::feed(
        env.bare_cmd(&[
            "verify",
            "--verifier",
            snap,
            "--verifier-key",
            vk,
            "--state",
            &store,
            "--accept-generation",
            "1",
        ]),
        &token,
    )
    .code(4);
    assert!(
        out.stderr.contains("is not a state file apikeys wrote")
            && !out.stderr.contains("restore the store"),
        "{}",
        out.stderr
    );
    let tree = env.path("tree");
    std::fs::create_dir_all(&tree).unwrap();
    let out = env
        .run(&["scan", tree.to_str().unwrap(), "--write-baseline", &store])
        .code(6);
    assert!(out.stderr.contains("not a scan baseline"), "{}", out.stderr);
    assert_eq!(env.store_bytes(), after_exports, "the store is whole");
    env.run(&["list"]).code(0);
    // Nothing was spent by the refused export: the log has no export before the two made.
    let log = env.run(&["log", "--format", "json"]).code(0).stdout;
    assert_eq!(&log[..events.len()], events, "the trail before is kept");
    assert_eq!(log.matches("\"verifier export\"").count(), 2, "{log}");
    assert_ne!(before, after_exports);
}
