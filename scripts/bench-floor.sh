#!/usr/bin/env bash
# Where a CLI `verify` of the admin store spends its time beyond a process start (issue 26):
# commands that each add one phase to the one before, timed interleaved (scripts/interleave.py:
# one run of each in turn, RUNS rounds), every one as `sh -c 'exec …'` with stdin from a file,
# so each figure holds the same shell and exec. The differences between neighbours are the
# phases' costs. Needs python3. RUNS=300 by default; KEYS=1000 keys in the larger store.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q --bin apikeys --example bench_store
bin=$PWD/target/release/apikeys
mk=$PWD/target/release/examples/bench_store
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export APIKEYS_PASSPHRASE=bench-passphrase APIKEYS_ACTOR=bench NO_COLOR=1
runs=${RUNS:-300}; keys=${KEYS:-1000}
"$mk" "$work/one.store" "$work/one.key" 1 "$work/one.txt" >/dev/null
"$mk" "$work/big.store" "$work/big.key" "$keys" "$work/big.txt" >/dev/null
head -1 "$work/big.txt" > "$work/tok.txt"
"$bin" --store "$work/big.store" --key-file "$work/big.key" -q verifier export \
  --out "$work/v.snap" --verifier-key "$work/v.key"
# The first use of each key is written back; the runs below are throttled like any repeat.
v="verify -q --ip 10.1.2.3"
"$bin" --store "$work/one.store" --key-file "$work/one.key" $v < "$work/one.txt"
"$bin" --store "$work/big.store" --key-file "$work/big.key" $v < "$work/tok.txt"
python3 scripts/interleave.py "$runs" \
  "start=exec $bin --version < $work/tok.txt" \
  "parse=exec $bin --store $work/none.store --key-file $work/one.key $v < $work/tok.txt 2>/dev/null" \
  "store1=exec $bin --store $work/one.store --key-file $work/one.key $v < $work/one.txt" \
  "store=exec $bin --store $work/big.store --key-file $work/big.key $v < $work/tok.txt" \
  "snapshot=exec $bin $v --verifier $work/v.snap --verifier-key $work/v.key < $work/tok.txt" \
  > "$work/h.json"
python3 - "$work/h.json" "$keys" "$(stat -c %s "$work/big.store")" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
keys, size = sys.argv[2], int(sys.argv[3]) / 1024
m = lambda n: r[n]["mean_ms"]
start = m("start")
rows = [
    ("start", "process start: exec, dynamic linking, runtime, `--version`", None),
    ("parse", "+ the verify command line, the token from stdin, a store that is not there (error)", "start"),
    ("store1", "+ opening a 1-key store: key file, slot unwrap (X25519), decrypt, SQLite, the query", "parse"),
    ("store", f"+ {keys} keys ({size:.0f} KB to read, decrypt and hand to SQLite)", "store1"),
    ("snapshot", f"verify --verifier on a {keys}-key snapshot (no SQLite)", None),
]
print(f"{'':10} {'mean ms':>8} {'x start':>8} {'phase ms':>9}")
for name, what, prev in rows:
    phase = f"{m(name) - m(prev):9.2f}" if prev else f"{'':9}"
    print(f"{name:10} {m(name):8.2f} {m(name) / start:8.2f} {phase}  {what}")
EOF
