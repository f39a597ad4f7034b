#!/usr/bin/env bash
# Benchmark of issue 25: `apikeys import` of N keys (default 100,000) into an empty store and
# into a store that already holds N keys, then `revoke --owner` of a tenth of them. Prints
# seconds and peak memory (RSS) of each whole command, and the peak as a ratio to the final
# store's size. Reference in the same run: the time of one `create` on the full store (a
# create loop would take N of those). Needs /usr/bin/time (Debian: time). N overrides.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 1; }
cargo build --release -q --bin apikeys
bin=$PWD/target/release/apikeys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export APIKEYS_STORE=$work/s.store APIKEYS_PASSPHRASE=bench-passphrase APIKEYS_ACTOR=bench NO_COLOR=1
n=${N:-100000}
"$bin" init --kdf-memory 8 --kdf-iterations 1 --with-key-file "$work/k.key" 2>/dev/null
export APIKEYS_KEY_FILE=$work/k.key
gen() { python3 -c "
import json, sys
p, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    print(json.dumps({'name': f'{p}{i}', 'owner': f'owner{i % 10}', 'meta': {'plan': 'pro'}, 'scopes': ['read'], 'uses': 1000, 'rate': '100/1s'}))
" "$1" "$2"; }
gen a "$n" > "$work/a.jsonl"; gen b "$n" > "$work/b.jsonl"
# measure NAME CMD…: whole-command wall seconds and peak RSS (MB).
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r secs kb < "$work/t"
  bytes=$(stat -c %s "$APIKEYS_STORE")
  printf '%-40s %8.2f s %8.1f MB   store %6.1f MB   peak/store %.2f\n' "$name" "$secs" "$(echo "$kb/1024" | bc -l)" \
    "$(echo "$bytes/1048576" | bc -l)" "$(echo "$kb*1024/$bytes" | bc -l)"
}
measure "import $n into an empty store" "$bin" import "$work/a.jsonl" --secret-file "$work/a.tokens"
measure "import $n into a store of $n" "$bin" import "$work/b.jsonl" --secret-file "$work/b.tokens"
measure "one create on that store (reference)" "$bin" create --name ref --secret-file "$work/ref.token"
measure "revoke --owner owner3 ($((2 * n / 10)) keys)" "$bin" revoke --owner owner3 --yes
