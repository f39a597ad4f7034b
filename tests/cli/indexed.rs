//! Issue 26: block-indexed verifier snapshots (format 2). Every byte flipped, blocks swapped,
//! a block from an older generation, truncation at every block boundary: refused, never a
//! wrong answer. The old format still reads; a verify of 100k keys reads a few blocks.

use crate::fleet::{export, verify_snap};
use crate::harness::TestEnv;
use apikeys::snapshot::indexed;
use apikeys::snapshot::{Meta, VerifierKey};
use std::path::Path;

/// A store of `n` keys (imported in one write); their names, ids and tokens.
fn keys(env: &TestEnv, n: usize) -> Vec<(String, String)> {
    let lines: String = (0..n)
        .map(|i| format!("{{\"name\":\"k{i}\",\"scopes\":[\"s{}\"]}}\n", i % 3))
        .collect();
    let input = env.write("keys.jsonl", &lines);
    let secrets = env.path("tokens.jsonl");
    env.run(&[
        "import",
        input.to_str().unwrap(),
        "--secret-file",
        secrets.to_str().unwrap(),
    ])
    .code(0);
    std::fs::read_to_string(&secrets)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["token"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Where the blocks, index and tree start, and how many blocks (from the header).
fn layout(b: &[u8]) -> (usize, usize, usize, usize) {
    let u = |o: usize| u64::from_be_bytes(b[o..o + 8].try_into().unwrap()) as usize;
    let blocks = u32::from_be_bytes(b[50..54].try_into().unwrap()) as usize;
    (u(54), u(62), u(70), blocks)
}

/// The id found for `id` in the snapshot at `path`, or an error.
fn one(path: &Path, key: &VerifierKey, id: &str) -> Result<Option<String>, String> {
    let mut found = None;
    indexed::open_one(path, key, id, |_, k| {
        found.get_or_insert(format!("{}:{}:{}", k.id, k.hash, k.revoked));
        Ok(())
    })
    .map(|_| found)
    .map_err(|e| e.to_string())
}

fn all(path: &Path, key: &VerifierKey) -> Result<usize, String> {
    indexed::open_all(
        path,
        key,
        |_| 0,
        |n, _: &Meta, _| {
            *n += 1;
            Ok(())
        },
    )
    .map(|(_, n)| n)
    .map_err(|e| e.to_string())
}

#[test]
fn every_changed_byte_swapped_block_or_cut_is_refused_never_a_wrong_answer() {
    let env = TestEnv::new();
    let ks = keys(&env, 70); // two blocks: 64 and 6
    export(&env, "v.snap", "v.key");
    let path = env.path("v.snap");
    let key = VerifierKey::read(&env.path("v.key")).unwrap();
    let good = std::fs::read(&path).unwrap();
    assert_eq!(&good[8..10], &[0, 2], "format 2");
    let (blocks_at, index_at, tree_at, blocks) = layout(&good);
    assert_eq!(blocks, 2);
    assert_eq!(all(&path, &key), Ok(70));
    // A key of each block, and one that is not there.
    let probe: Vec<&str> = ks.iter().map(|(id, _)| id.as_str()).step_by(23).collect();
    let want: Vec<_> = probe
        .iter()
        .map(|id| one(&path, &key, id).unwrap())
        .collect();
    assert!(want.iter().all(Option::is_some));
    assert_eq!(one(&path, &key, "AAAAAAAAAAAA"), Ok(None));
    let bad = env.path("bad.snap");
    let check = |bytes: &[u8], what: &str| {
        std::fs::write(&bad, bytes).unwrap();
        assert!(all(&bad, &key).is_err(), "{what}: a full load accepted it");
        for (id, w) in probe.iter().zip(&want) {
            // A single-key read may not notice a change off its path, but its answer is
            // then the true one.
            if let Ok(got) = one(&bad, &key, id) {
                assert_eq!(&got, w, "{what}: a wrong answer for {id}");
            }
        }
    };
    for i in 0..good.len() {
        let mut b = good.clone();
        b[i] ^= 0x20;
        check(&b, &format!("byte {i} flipped"));
    }
    // Blocks 0 and 1 swapped in the index (each still a good block, in the wrong place).
    let mut b = good.clone();
    let e = |i: usize| index_at + i * 28;
    let (first, second) = (b[e(0)..e(1)].to_vec(), b[e(1)..e(2)].to_vec());
    b[e(0)..e(1)].copy_from_slice(&second);
    b[e(1)..e(2)].copy_from_slice(&first);
    check(&b, "blocks 0 and 1 swapped");
    // Truncated at every section and block boundary.
    let mut cuts = vec![
        0,
        10,
        142,
        206,
        blocks_at,
        index_at,
        tree_at,
        good.len() - 1,
    ];
    for i in 1..blocks {
        cuts.push(u64::from_be_bytes(good[e(i) + 16..e(i) + 24].try_into().unwrap()) as usize);
    }
    for cut in cuts {
        check(&good[..cut], &format!("cut at {cut}"));
    }
    // A block of an older generation spliced into a newer file of the same keys.
    let older = good.clone();
    export(&env, "v.snap", "v.key");
    let newer = std::fs::read(&path).unwrap();
    assert_eq!(layout(&newer), layout(&older), "same keys, same layout");
    let mut b = newer.clone();
    b[blocks_at..index_at].copy_from_slice(&older[blocks_at..index_at]);
    check(&b, "the blocks of generation 1 under generation 2");
    // Through the binary too: a changed block is exit 4.
    // The block that holds ks[0]: the last whose first tag (in the index) is at most its tag.
    let tag = indexed::Tagger::new(&key).tag(&ks[0].0);
    let entry = (0..blocks)
        .rev()
        .find(|&i| newer[e(i)..e(i) + 16] <= tag[..])
        .unwrap();
    let at = u64::from_be_bytes(newer[e(entry) + 16..e(entry) + 24].try_into().unwrap()) as usize;
    let mut b = newer.clone();
    b[at + 100] ^= 1;
    std::fs::write(&path, &b).unwrap();
    verify_snap(&env, "v.snap", "v.key", &ks[0].1, &[]).code(4);
    verify_snap(&env, "v.snap", "v.key", &ks[0].1, &["--batch"]).code(4);
}

#[test]
fn the_old_format_still_verifies_with_the_same_answers() {
    let env = TestEnv::new();
    let ks = keys(&env, 70);
    env.run(&["revoke", "k3", "--yes"]).code(0);
    for version in ["1", "2"] {
        let snap = format!("v{version}.snap");
        let out = env
            .run(&[
                "verifier",
                "export",
                "--out",
                env.path(&snap).to_str().unwrap(),
                "--verifier-key",
                env.path("v.key").to_str().unwrap(),
                "--format-version",
                version,
            ])
            .code(0);
        // Without a terminal, one line says what was done: keys, bytes, seconds.
        let size = std::fs::metadata(env.path(&snap)).unwrap().len();
        assert!(
            out.stderr
                .contains(&format!("verifier export: 70 keys, {size} bytes, ")),
            "{}",
            out.stderr
        );
        assert_eq!(
            std::fs::read(env.path(&snap)).unwrap()[9].to_string(),
            version
        );
        for (i, (_, token)) in ks.iter().enumerate().take(8) {
            let want = if i == 3 { 12 } else { 0 };
            verify_snap(&env, &snap, "v.key", token, &[]).code(want);
            verify_snap(&env, &snap, "v.key", token, &["--scope", "s9"]).code(if i == 3 {
                12
            } else {
                15
            });
        }
        let batch: String = ks.iter().map(|(_, t)| format!("{t}\n")).collect();
        let cmd = crate::fleet::snapshot_cmd(&env, "verify", &snap, "v.key", &["--batch"]);
        let out = TestEnv::feed(cmd, &batch);
        assert_eq!(
            out.stdout
                .lines()
                .filter(|l| l.contains("\"valid\":true"))
                .count(),
            69
        );
    }
}

#[test]
fn a_verify_of_one_key_among_100k_reads_a_few_blocks_not_the_file() {
    let env = TestEnv::new();
    let ks = keys(&env, 100_000);
    let out = export(&env, "v.snap", "v.key");
    assert_eq!(out["keys"], 100_000);
    let size = std::fs::metadata(env.path("v.snap")).unwrap().len();
    let store = std::fs::metadata(&env.store).unwrap().len();
    assert!(
        size < store,
        "the snapshot ({size}) is larger than the store ({store})"
    );
    for (_, token) in ks.iter().step_by(33_333) {
        let mut cmd = crate::fleet::snapshot_cmd(&env, "verify", "v.snap", "v.key", &[]);
        cmd.env("APIKEYS_REPORT_IO", "1");
        let out = TestEnv::feed(cmd, &format!("{token}\n")).code(0);
        let read: u64 = out
            .stderr
            .lines()
            .find_map(|l| l.strip_prefix("io: read "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap()
            .parse()
            .unwrap();
        eprintln!("verify read {read} of {size} bytes");
        assert!(
            read < 200_000,
            "read {read} bytes of a {size}-byte snapshot"
        );
    }
}

#[test]
fn large_exports_and_loads_show_a_bar_at_a_terminal_and_one_line_otherwise() {
    use crate::harness::BIN;
    let env = TestEnv::new();
    let ks = keys(&env, 20_000);
    let (snap, vkey) = (env.path("v.snap"), env.path("v.key"));
    let (snap, vkey) = (snap.to_str().unwrap(), vkey.to_str().unwrap());
    // At a terminal: a bar while the keys are read, then while they are written.
    let mut c = std::process::Command::new(BIN);
    c.args(["verifier", "export", "--out", snap, "--verifier-key", vkey]);
    let mut s = crate::pty::spawn_command(&env, c, true, true);
    let shown = crate::pty::rest_of(&mut s);
    assert_eq!(crate::pty::exit_code(s), 0, "{shown}");
    for what in ["read", "write", "/20000"] {
        assert!(shown.contains(what), "no {what:?} in the bar: {shown:?}");
    }
    assert!(
        shown.contains("exported generation 1 (20000 keys)"),
        "{shown}"
    );
    // serve's first load at a terminal: a bar, then the one line and "listening".
    let mut c = std::process::Command::new(BIN);
    c.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--verifier",
        snap,
        "--verifier-key",
        vkey,
    ]);
    c.args(["--state", env.path("state").to_str().unwrap()]);
    let mut s = crate::pty::spawn_command(&env, c, false, true);
    let before = s.expect("listening").expect("serve listens");
    let shown = String::from_utf8_lossy(before.before()).into_owned();
    for what in ["load", "/20000", "loaded generation 1: 20000 keys"] {
        assert!(
            shown.contains(what),
            "no {what:?} before listening: {shown:?}"
        );
    }
    // Ctrl-C right after "listening": an orderly stop (its handler is already in place).
    s.send(expectrl::ControlCode::EndOfText).unwrap();
    assert_eq!(crate::pty::exit_code(s), 0);
    // Without a terminal: no bar, one line each.
    let out = env
        .run(&["verifier", "export", "--out", snap, "--verifier-key", vkey])
        .code(0);
    let line = out
        .stderr
        .lines()
        .find(|l| l.starts_with("verifier export: 20000 keys, "));
    assert!(line.is_some_and(|l| l.ends_with(" s")), "{}", out.stderr);
    assert!(!out.stderr.contains("[="), "{}", out.stderr);
    let state = env.path("state");
    let server = crate::fleet::serve_snapshot(
        &env,
        "v.snap",
        "v.key",
        &["--state", state.to_str().unwrap()],
    );
    let log = server.log();
    let line = log
        .lines()
        .find(|l| l.contains("loaded generation 2: 20000 keys, "));
    assert!(line.is_some_and(|l| l.ends_with(" s")), "{log}");
    assert!(!log.contains("[="), "{log}");
    assert_eq!(server.verify(&ks[19_999].1).status, 200);
    server.stop();
}

#[test]
fn a_stored_network_that_cannot_be_read_allows_no_address_in_the_snapshot_either() {
    let env = TestEnv::new();
    let token = env.create("office", &["--allow-ip", "10.0.0.0/8"]);
    // A store whose allowed-IP entry no longer parses (written through the library, as a
    // damaged or hand-edited database would hold it).
    let unlock = apikeys::store::unlock::UnlockOptions {
        key_file: Some(env.key_file.clone()),
        ..Default::default()
    };
    let mut store = apikeys::store::Store::open(&env.store, &unlock).unwrap();
    store
        .write(|tx, _| {
            let n = tx.execute(
                "UPDATE keys SET allowed_ips = '[\"10.0.0.0/8\",\"not-a-network\"]'",
                [],
            )?;
            assert_eq!(n, 1);
            Ok(())
        })
        .unwrap();
    drop(store);
    let ip = ["--ip", "10.1.2.3"];
    let from_store = env.verify(&token, &ip);
    assert_eq!(from_store.code, 14, "{from_store:?}");
    export(&env, "v.snap", "v.key");
    let out = verify_snap(
        &env,
        "v.snap",
        "v.key",
        &token,
        &["--ip", "10.1.2.3", "--format", "json"],
    );
    assert_eq!(out.code, 14, "{out:?}");
    assert_eq!(out.json()["code"], "ip_denied");
    // The other keys of the snapshot still load and answer (nothing refused as a whole).
    let server = crate::fleet::serve_snapshot(&env, "v.snap", "v.key", &[]);
    let answer = server.get(
        "/verify",
        &[
            ("X-API-Key", token.as_str()),
            ("X-Forwarded-For", "10.1.2.3"),
        ],
    );
    assert_eq!(answer.status, 403, "{}", server.log());
    server.stop();
}

#[test]
fn an_empty_snapshots_flipped_root_is_refused_by_every_front_end() {
    let env = TestEnv::new();
    export(&env, "e.snap", "e.key");
    let path = env.path("e.snap");
    let good = std::fs::read(&path).unwrap();
    let (_, _, tree_at, blocks) = layout(&good);
    assert_eq!((blocks, good.len() - tree_at), (0, 32), "one stored root");
    assert_eq!(&good[tree_at..], &[0u8; 32], "the empty root is all zeros");
    let token = env.create("later", &[]);
    // The intact empty snapshot answers unknown everywhere.
    verify_snap(&env, "e.snap", "e.key", &token, &[]).code(11);
    verify_snap(&env, "e.snap", "e.key", &token, &["--batch"]).code(11);
    for at in [tree_at, good.len() - 1] {
        let mut b = good.clone();
        b[at] ^= 0x01;
        std::fs::write(&path, &b).unwrap();
        let single = verify_snap(&env, "e.snap", "e.key", &token, &[]).code(4);
        assert!(single.stderr.contains("hash tree"), "{}", single.stderr);
        verify_snap(&env, "e.snap", "e.key", &token, &["--batch"]).code(4);
        let serve = crate::fleet::snapshot_cmd(
            &env,
            "serve",
            "e.snap",
            "e.key",
            &["--listen", "127.0.0.1:0"],
        )
        .output()
        .unwrap();
        assert_eq!(serve.status.code(), Some(4), "serve loaded a flipped root");
    }
}
