//! Unit tests of the store: sealed writes, re-keys, migrations, damage.

use super::*;

const CHEAP: KdfParams = KdfParams {
    memory_kib: 1024,
    iterations: 1,
    lanes: 1,
};

fn pass() -> Passphrase {
    Passphrase::new("a test passphrase".into())
}

fn unlock() -> UnlockOptions {
    UnlockOptions {
        passphrase_env: std::sync::Mutex::new(Some(pass())),
        ..UnlockOptions::default()
    }
}

#[test]
fn a_version_1_store_keeps_its_derived_pepper_across_a_rekey() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.store");
    let mut s = Store::create(&path, &pass(), CHEAP, None).unwrap();
    // Make it what version 1 wrote: no stored pepper.
    s.conn
        .execute_batch(
            "DROP TABLE store_secrets; ALTER TABLE keys DROP COLUMN owner; \
             ALTER TABLE keys DROP COLUMN meta; ALTER TABLE keys DROP COLUMN remaining_uses; \
             DROP TABLE usage_nodes; DROP INDEX keys_name; \
             ALTER TABLE keys DROP COLUMN rates; ALTER TABLE keys DROP COLUMN refill; \
             ALTER TABLE keys DROP COLUMN refill_period; ALTER TABLE keys DROP COLUMN rate_state; \
             ALTER TABLE keys DROP COLUMN last_used_ip; \
             PRAGMA user_version = 1;",
        )
        .unwrap();
    let lock = file::lock(&path).unwrap();
    write_sealed(&path, &mut s.conn, &mut s.header, &s.data_key, &lock).unwrap();
    drop(lock);
    let derived = crypto::subkey(&s.data_key, b"pepper");
    let mut opened = Store::open(&path, &unlock()).unwrap();
    assert_eq!(opened.pepper().expose_secret(), derived.expose_secret());
    let new_key = Key32::random().unwrap();
    let slot = Slot::passphrase("passphrase", &pass(), CHEAP, &new_key).unwrap();
    opened
        .rekey(new_key, |_, h| {
            h.slots = vec![slot];
            Ok(())
        })
        .unwrap();
    let again = Store::open(&path, &unlock()).unwrap();
    assert_eq!(again.pepper().expose_secret(), derived.expose_secret());
    assert_ne!(again.data_key.expose_secret(), s.data_key.expose_secret());
    assert_eq!(schema::version(again.conn()).unwrap(), schema::CURRENT);
}

#[test]
fn a_database_that_does_not_match_its_schema_version_is_damaged_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.store");
    let mut s = Store::create(&path, &pass(), CHEAP, None).unwrap();
    // It says schema 4, but already has what migration 5 adds: migrating it fails.
    s.conn.execute_batch("PRAGMA user_version = 4;").unwrap();
    let lock = file::lock(&path).unwrap();
    write_sealed(&path, &mut s.conn, &mut s.header, &s.data_key, &lock).unwrap();
    drop(lock);
    let err = Store::open(&path, &unlock()).unwrap_err();
    assert_eq!(err.exit_code(), 4, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("does not match its schema version 4")
            && !text.contains('\n')
            && text.len() < 300,
        "{text}"
    );
}

#[test]
fn a_write_to_an_unchanged_file_does_not_decrypt_it_again() {
    use std::os::unix::fs::FileExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.store");
    Store::create(&path, &pass(), CHEAP, None).unwrap();
    let mut s = Store::open(&path, &unlock()).unwrap();
    // Damage the payload in place, keeping inode, size and mtime: a write that decrypted
    // the file again would fail; one that reuses what it read goes through.
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    let mtime = f.metadata().unwrap().modified().unwrap();
    let len = f.metadata().unwrap().len();
    f.write_at(&[0xAA], len - 40).unwrap();
    f.set_modified(mtime).unwrap();
    drop(f);
    s.write(|tx, _| queries::audit(tx, 1, "t", "edit", None, "test"))
        .unwrap();
    // The next writer finds a sound file again, with the change.
    let again = Store::open(&path, &unlock()).unwrap();
    let n: i64 = again
        .conn()
        .query_row(
            "SELECT count(*) FROM audit WHERE details = 'test'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    // A file changed by another writer (new header nonce) is read again under the lock.
    let mut other = Store::open(&path, &unlock()).unwrap();
    other
        .write(|tx, _| queries::audit(tx, 2, "t", "edit", None, "other"))
        .unwrap();
    s.write(|tx, _| queries::audit(tx, 3, "t", "edit", None, "mine"))
        .unwrap();
    let n: i64 = Store::open(&path, &unlock())
        .unwrap()
        .conn()
        .query_row(
            "SELECT count(*) FROM audit WHERE details IN ('other', 'mine')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2, "no writer's change is lost");
}

#[test]
fn new_stores_have_a_random_pepper_and_keep_temp_data_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.store");
    let s = Store::create(&path, &pass(), CHEAP, None).unwrap();
    assert_ne!(
        s.pepper().expose_secret(),
        crypto::subkey(&s.data_key, b"pepper").expose_secret()
    );
    let opened = Store::open(&path, &unlock()).unwrap();
    assert_eq!(opened.pepper().expose_secret(), s.pepper().expose_secret());
    // 2 = MEMORY: sorts and temp tables of decrypted rows never reach a temp file.
    let temp: i64 = opened
        .conn()
        .query_row("PRAGMA temp_store", [], |r| r.get(0))
        .unwrap();
    assert_eq!(temp, 2);
}
