#!/usr/bin/env bash
# Benchmark of issue 26: verifier snapshots at SIZES keys (default "100000 1000000").
# For each size: `import` of the keys, `verifier export` (time, peak RSS), snapshot size vs
# store size; `verify --verifier` of one token against `--version` (interleaved, both sides
# as `sh -c 'exec …'` with stdin from a file); `serve --verifier` load time
# (start to "listening"), RSS per key, and the peak while it reloads a new export.
# Needs python3 and /usr/bin/time (Debian: time).
set -euo pipefail
cd "$(dirname "$0")/.."
for b in /usr/bin/time python3; do
  command -v "$b" >/dev/null || { echo "needs $b" >&2; exit 1; }
done
cargo build --release -q --bin apikeys
bin=$PWD/target/release/apikeys
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export APIKEYS_PASSPHRASE=bench-passphrase APIKEYS_ACTOR=bench NO_COLOR=1
sizes=${SIZES:-"100000 1000000"}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
for n in $sizes; do
  d=$work/$n; mkdir -p "$d"
  export APIKEYS_STORE=$d/s.store
  "$bin" init --kdf-memory 8 --kdf-iterations 1 --with-key-file "$d/k.key" 2>/dev/null
  export APIKEYS_KEY_FILE=$d/k.key
  python3 -c "
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({'name': f'k{i}', 'owner': f'owner{i % 10}', 'scopes': ['read', f'svc:{i % 50}']}))
" "$n" > "$d/keys.jsonl"
  /usr/bin/time -f "%e %M" -o "$d/t" "$bin" import "$d/keys.jsonl" --secret-file "$d/tokens.jsonl" >/dev/null 2>&1
  read -r isecs ikb < "$d/t"
  /usr/bin/time -f "%e %M" -o "$d/t" "$bin" verifier export --out "$d/v.snap" --verifier-key "$d/v.key" >/dev/null 2>&1
  read -r esecs ekb < "$d/t"
  store=$(stat -c %s "$APIKEYS_STORE"); snap=$(stat -c %s "$d/v.snap")
  python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['token'])" "$d/tokens.jsonl" > "$d/token"
  printf '%s keys: import %.2f s (peak %d MB); export %.2f s (peak %d MB); store %.1f MB, snapshot %.1f MB (%.2f of the store)\n' \
    "$n" "$isecs" "$((ikb / 1024))" "$esecs" "$((ekb / 1024))" "$(echo "$store/1048576" | bc -l)" \
    "$(echo "$snap/1048576" | bc -l)" "$(echo "$snap/$store" | bc -l)"
  # The same shape on both sides (`sh -c 'exec …'`, stdin from a file), interleaved so that
  # the machine's drift falls on both alike (scripts/interleave.py), after the writeback of
  # the files just written.
  sync; sleep 3
  # (No admin credential in the environment of either side, and no `env` in one of them:
  # an extra exec would be timed on one side only.)
  env -u APIKEYS_STORE -u APIKEYS_KEY_FILE -u APIKEYS_PASSPHRASE python3 scripts/interleave.py 300 \
    "start=exec $bin --version < $d/token" \
    "verify=exec $bin verify --verifier $d/v.snap --verifier-key $d/v.key < $d/token" \
    > "$d/h.json"
  python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
v, f = r['start']['mean_ms'], r['verify']['mean_ms']
print(f'{sys.argv[2]} keys: --version {v:.2f} ms, verify --verifier {f:.2f} ms: {f / v:.2f}x process start (goal <= 1.5 at 1M)')
" "$d/h.json" "$n"
  # serve: load time, RSS per key, and the peak while a new export is loaded beside it.
  env -u APIKEYS_STORE -u APIKEYS_KEY_FILE -u APIKEYS_PASSPHRASE "$bin" serve --listen 127.0.0.1:0 \
    --verifier "$d/v.snap" --verifier-key "$d/v.key" --state "$d/state" 2>"$d/serve.log" &
  sp=$!; pids+=("$sp")
  start=$(date +%s.%N)
  until grep -q listening "$d/serve.log"; do sleep 0.01; done
  loaded=$(echo "$(date +%s.%N) - $start" | bc -l)
  sleep 0.5
  steady=$(rss_kb "$sp")
  "$bin" verifier export --out "$d/v.snap" --verifier-key "$d/v.key" >/dev/null 2>&1
  until grep -q 'reload:' "$d/serve.log"; do sleep 0.05; done
  sleep 0.5
  peak=$(hwm_kb "$sp"); after=$(rss_kb "$sp")
  printf '%s keys: serve loads in %.2f s; RSS %d MB steady = %d bytes per key; peak during reload %d MB = %.2f x steady; %d MB after\n' \
    "$n" "$loaded" "$((steady / 1024))" "$((steady * 1024 / n))" "$((peak / 1024))" "$(echo "$peak/$steady" | bc -l)" "$((after / 1024))"
  kill "$sp"; wait "$sp" 2>/dev/null || true; pids=()
  unset APIKEYS_KEY_FILE
  rm -rf "$d"
done
