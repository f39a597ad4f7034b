//! Store decoding: any bytes either open as a store or are refused as damaged (exit 4) or
//! locked (exit 3), never a panic. The seed corpus (scripts/fuzz.sh) holds real stores whose
//! key file is in fuzz/corpus/store.key.
#![no_main]

use apikeys::store::Store;
use apikeys::store::unlock::UnlockOptions;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fn paths() -> &'static (PathBuf, UnlockOptions) {
    static P: std::sync::OnceLock<(PathBuf, UnlockOptions)> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let file = std::env::temp_dir().join(format!("apikeys-fuzz-{}.store", std::process::id()));
        let key = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/store.key");
        (
            file,
            UnlockOptions {
                key_file: Some(key),
                ..Default::default()
            },
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let (file, unlock) = paths();
    std::fs::write(file, data).expect("write the input");
    match Store::open(file, unlock) {
        Ok(store) => {
            let _ = apikeys::store::queries::all_keys(store.conn());
        }
        Err(e) => assert!(
            matches!(e.exit_code(), 3 | 4),
            "unexpected exit {}: {e}",
            e.exit_code()
        ),
    }
});
