#!/usr/bin/env bash
# Runs each fuzz target for a bounded time (FUZZ_SECONDS, default 60) with cargo-fuzz.
# The machine has only stable Rust; RUSTC_BOOTSTRAP lets cargo-fuzz use its nightly flags.
# Needs: cargo install cargo-fuzz. Not part of CI (.ci/run): run it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
export RUSTC_BOOTSTRAP=1
# Seed the store target with real stores (unlocked by fuzz/corpus/store.key).
mkdir -p fuzz/corpus/store fuzz/corpus/token fuzz/corpus/expiry
if [ ! -f fuzz/corpus/store.key ]; then
  tmp=$(mktemp -d)
  cargo build -q --bin apikeys
  export APIKEYS_STORE=$tmp/s.store APIKEYS_PASSPHRASE=fuzz-seed-passphrase APIKEYS_ACTOR=fuzz
  target/debug/apikeys init --kdf-memory 1 --kdf-iterations 1 --with-key-file fuzz/corpus/store.key -q
  cp "$APIKEYS_STORE" fuzz/corpus/store/empty.store
  target/debug/apikeys --key-file fuzz/corpus/store.key create --name seed --scope a --no-clipboard -q \
    > fuzz/corpus/token/seed.txt
  cp "$APIKEYS_STORE" fuzz/corpus/store/one-key.store
  printf '1y' > fuzz/corpus/expiry/preset.txt
  printf '2026-12-01T00:00:00Z' > fuzz/corpus/expiry/rfc3339.txt
  rm -rf "$tmp"
fi
for target in token expiry store; do
  echo "== fuzz target $target for ${secs}s"
  (cd fuzz && cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$secs" -rss_limit_mb=4096 2>&1 | tail -n 3)
done
