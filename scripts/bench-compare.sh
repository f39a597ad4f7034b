#!/usr/bin/env bash
# The previous release's binary beside this one, in one run, on the same 1,000-key store:
#   serve /verify of a valid key, and of a rate- and use-limited key (wrk, alternated, ROUNDS
#   rounds of DUR seconds each side), and a CLI verify (hyperfine -N, interleaved runs).
# Prints each side's figures and the ratios new/old. Usage: OLD=/path/to/old/apikeys
# scripts/bench-compare.sh (build the old one from the previous landing, e.g.
# `git worktree add /tmp/old 009b781 && cd /tmp/old && cargo build --release`).
set -euo pipefail
cd "$(dirname "$0")/.."
old=${OLD:?give OLD=/path/to/the/previous/apikeys}
for b in wrk hyperfine; do command -v "$b" >/dev/null || { echo "needs $b" >&2; exit 1; }; done
cargo build --release -q --bin apikeys --example bench_store
new=$PWD/target/release/apikeys
mk=$PWD/target/release/examples/bench_store
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export APIKEYS_PASSPHRASE=bench-passphrase APIKEYS_ACTOR=bench NO_COLOR=1 HOME=$work
dur=${DUR:-5}; rounds=${ROUNDS:-3}; conns=${CONNS:-32}
s=$work/s.store; k=$work/k.key
"$mk" "$s" "$k" 1000 "$work/tokens.txt" >/dev/null
token=$(head -1 "$work/tokens.txt")
limited=$("$new" --store "$s" --key-file "$k" create --name limited --rate 1000000/1s --uses 1000000000 --allow-ip 10.0.0.0/8 -q)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.05; done; exit 1; }
po=$(port); pn=$(port)
"$old" --store "$s" --key-file "$k" serve --listen "127.0.0.1:$po" --trusted-proxy 127.0.0.0/8 2>/dev/null & pids+=($!)
"$new" --store "$s" --key-file "$k" serve --listen "127.0.0.1:$pn" --trusted-proxy 127.0.0.0/8 2>/dev/null & pids+=($!)
wait_port "$po"; wait_port "$pn"
rps() { wrk -t2 -c"$conns" -d"${dur}s" -H "X-API-Key: $2" -H "X-Forwarded-For: 10.1.2.3" "http://127.0.0.1:$1/verify" | awk '/Requests\/sec/ {print $2}'; }
for kind in valid limited; do
  t=$token; [ "$kind" = limited ] && t=$limited
  o=(); n=()
  for _ in $(seq "$rounds"); do o+=("$(rps "$po" "$t")"); n+=("$(rps "$pn" "$t")"); done
  python3 - "$kind" "${o[*]}" "${n[*]}" <<'PY'
import sys, statistics as st
kind, o, n = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
print(f"serve /verify, {kind} key: previous {st.median(o):,.0f} req/s, this {st.median(n):,.0f} req/s: ratio {st.median(n)/st.median(o):.3f} (medians of {len(o)} alternated rounds)")
PY
done
printf '%s\n' "$token" > "$work/t1"
# Both sides spawned alike (sh -c 'exec …'), interleaved run by run (scripts/interleave.py),
# so that a shared machine's drift falls on both; process start beside them.
python3 scripts/interleave.py "${RUNS:-300}" \
  "start=exec $new --version" \
  "previous=exec $old --store $s --key-file $k verify --ip 10.1.2.3 < $work/t1" \
  "this=exec $new --store $s --key-file $k verify --ip 10.1.2.3 < $work/t1" > "$work/i.json"
python3 - "$work/i.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
med = lambda n: r[n]["median_ms"]
p, t, s = med("previous"), med("this"), med("start")
print(f"CLI verify at 1k keys (medians, interleaved): previous {p:.2f} ms, this {t:.2f} ms: ratio {t/p:.3f} ({t-p:+.2f} ms); process start {s:.2f} ms")
PY
