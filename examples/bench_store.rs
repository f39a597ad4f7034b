//! Builds a store of N keys through the library (one write, not one process per key), for
//! scripts/bench.sh. Usage: bench_store STORE KEY_FILE N TOKENS_OUT
//! The passphrase comes from APIKEYS_PASSPHRASE; the KDF keeps its defaults (64 MiB, 3 passes).
//! `bench_store --kdf` runs the default KDF once and exits, to time it as a process.

use apikeys::ops::mint::{Settings, mint};
use apikeys::secret::Passphrase;
use apikeys::store::Store;
use apikeys::store::crypto::KdfParams;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--kdf") {
        // One derivation in a fresh process, as a command pays it (allocation included).
        let pass = Passphrase::new("bench passphrase".into());
        apikeys::store::crypto::derive_from_passphrase(&pass, &[7; 16], KdfParams::DEFAULT)?;
        return Ok(());
    }
    let [_, store, key_file, n, out] = args.as_slice() else {
        return Err("usage: bench_store STORE KEY_FILE N TOKENS_OUT".into());
    };
    let n: usize = n.parse()?;
    let pass = Passphrase::new(std::env::var("APIKEYS_PASSPHRASE")?);
    let key = apikeys::commands::init::write_key_file(std::path::Path::new(key_file))?;
    let mut store = Store::create(
        std::path::Path::new(store),
        &pass,
        KdfParams::DEFAULT,
        Some(&key),
    )?;
    let pepper = store.pepper();
    let now = apikeys::policy::now();
    let mut tokens = std::io::BufWriter::new(std::fs::File::create(out)?);
    store.write(|tx, _| {
        for i in 0..n {
            let settings = Settings {
                name: format!("key-{i:06}"),
                expiry: Some("300d".into()),
                scopes: vec!["read".into(), format!("svc:{}", i % 50)],
                groups: vec![],
                allowed_ips: vec!["10.0.0.0/8".into()],
                prefix: "ak".into(),
                description: format!("benchmark key number {i}"),
                ..Settings::default()
            };
            let (_, token) = mint(tx, &pepper, "bench", &settings, now)?;
            writeln!(tokens, "{}", token.expose_secret())
                .map_err(|e| apikeys::Error::Io(e.to_string()))?;
        }
        Ok(())
    })?;
    tokens.flush()?;
    Ok(())
}
