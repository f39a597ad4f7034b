//! Issue 5: no change to the sealed file is ever accepted. Every byte is tried through the
//! library (fast), a sample through the binary, plus deliberate forgeries and splicing.

use crate::harness::{TestEnv, header_len};
use apikeys::store::Store;
use apikeys::store::unlock::UnlockOptions;
use std::os::unix::fs::FileExt;

fn key_file_unlock(env: &TestEnv) -> UnlockOptions {
    UnlockOptions {
        key_file: Some(env.key_file.clone()),
        ..Default::default()
    }
}

#[test]
fn every_single_byte_change_is_refused_with_4() {
    let env = TestEnv::new();
    env.create("ci", &["--description", "tamper target"]);
    let good = env.store_bytes();
    let unlock = key_file_unlock(&env);
    let copy = env.path("copy.store");
    std::fs::write(&copy, &good).unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&copy).unwrap();
    // One byte changed in place, then restored: rewriting the whole file each time would
    // make the test a disk benchmark.
    for (i, &orig) in good.iter().enumerate() {
        file.write_at(&[orig.wrapping_add(1 + (i % 255) as u8)], i as u64)
            .unwrap();
        match Store::open(&copy, &unlock) {
            Ok(_) => panic!("a change at byte {i} was accepted"),
            Err(e) => assert_eq!(e.exit_code(), 4, "byte {i}: {e}"),
        }
        file.write_at(&[orig], i as u64).unwrap();
    }
    assert!(
        Store::open(&copy, &unlock).is_ok(),
        "the restored copy opens again"
    );
}

#[test]
fn forged_header_fields_with_a_fixed_checksum_are_refused() {
    let env = TestEnv::new();
    env.create("ci", &[]);
    let good = env.store_bytes();
    let h = header_len(&good);
    // Every byte of the header but its checksum: store id, slot count, each slot's kind, name,
    // creation time, KDF fields, salt, recipient and sealed key (and their lengths), the
    // payload nonce. The key-file run is cheap: every byte; the passphrase run, a sample.
    let fields: Vec<usize> = (8..h - 4).collect();
    for pos in fields {
        let mut b = good.clone();
        b[pos] ^= 0x01;
        // The checksum where the good header keeps it (a flipped length moves the end).
        let crc = crate::harness::crc32(&b[..h - 4]);
        b[h - 4..h].copy_from_slice(&crc.to_be_bytes());
        std::fs::write(&env.store, b).unwrap();
        let runs = if pos % 16 == 0 {
            vec![env.run(&["list"]), env.with_pass(&["list"])]
        } else {
            vec![env.run(&["list"])]
        };
        for run in runs {
            assert!(
                run.code == 3 || run.code == 4,
                "forgery at byte {pos} gave {}: {run:?}",
                run.code
            );
        }
    }
}

#[test]
fn another_stores_payload_under_this_header_is_refused() {
    let a = TestEnv::new();
    let b = TestEnv::new();
    a.create("a", &[]);
    b.create("b", &[]);
    let ab = a.store_bytes();
    let bb = b.store_bytes();
    let mut spliced = ab[..header_len(&ab)].to_vec();
    spliced.extend_from_slice(&bb[header_len(&bb)..]);
    std::fs::write(&a.store, &spliced).unwrap();
    a.run(&["list"]).code(4);
    a.with_pass(&["list"]).code(4);
    // And an older payload of the same store under a newer header (nonce mismatch).
    std::fs::write(&a.store, &ab).unwrap();
    a.create("c", &[]);
    let newer = a.store_bytes();
    let mut mixed = newer[..header_len(&newer)].to_vec();
    mixed.extend_from_slice(&ab[header_len(&ab)..]);
    std::fs::write(&a.store, &mixed).unwrap();
    a.run(&["list"]).code(4);
}

#[test]
fn a_key_file_of_another_store_does_not_open_this_one() {
    let a = TestEnv::new();
    let b = TestEnv::new();
    let out = a
        .bare_cmd(&["list"])
        .env("APIKEYS_KEY_FILE", &b.key_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}
