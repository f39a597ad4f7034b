#!/usr/bin/env bash
# Benchmark of issue 24: a generated tree of about SIZE_MB (default 100) MB of text in 2,000
# files with 20 tokens, scanned in one hyperfine run by
#   ripgrep searching the token pattern (the floor: same bytes, no checksum, no status),
#   apikeys scan (anchors, shape, checksum, status from the store),
# and detect-secrets (a peer, PyPI) on a 1/20 slice of the tree (it is much slower), its time
# scaled to the whole tree. Prints MB/s of each and the ratios of the issue's goals
# (scan >= 0.5x ripgrep, >= 20x detect-secrets). Needs rg, hyperfine, and detect-secrets in
# .venv (python3 -m venv .venv && .venv/bin/pip install detect-secrets).
set -euo pipefail
cd "$(dirname "$0")/.."
for b in rg hyperfine; do command -v "$b" >/dev/null || { echo "needs $b" >&2; exit 1; }; done
ds=${DETECT_SECRETS:-$PWD/.venv/bin/detect-secrets}
cargo build --release -q --bin apikeys
bin=$PWD/target/release/apikeys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export APIKEYS_STORE=$work/s.store APIKEYS_PASSPHRASE=bench-passphrase NO_COLOR=1
"$bin" init --kdf-memory 8 --kdf-iterations 1 --with-key-file "$work/k.key" 2>/dev/null
export APIKEYS_KEY_FILE=$work/k.key
size=${SIZE_MB:-100}
tokens=()
for i in $(seq 20); do tokens+=("$("$bin" create --name "t$i" --secret-file "$work/t$i" >/dev/null 2>&1; cat "$work/t$i")"); done
python3 - "$work/tree" "$size" "${tokens[@]}" <<'PY'
import os, random, sys
root, size, tokens = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
random.seed(7)
words = "alpha beta gamma delta config value user token key secret port host path".split()
files = 2000
per = size * 1024 * 1024 // files
for i in range(files):
    d = os.path.join(root, f"d{i % 40}")
    os.makedirs(d, exist_ok=True)
    lines, n = [], 0
    while n < per:
        l = " ".join(random.choice(words) for _ in range(12)) + f" {random.getrandbits(64):x}\n"
        lines.append(l); n += len(l)
    if i % 100 == 0:
        lines.insert(len(lines) // 2, f'api_key = "{tokens[i // 100]}"\n')
    with open(os.path.join(d, f"f{i}.txt"), "w") as f:
        f.write("".join(lines))
PY
mb=$(du -sm "$work/tree" | cut -f1)
mkdir -p "$work/slice"; cp -r "$work/tree/d0" "$work/tree/d1" "$work/slice/"
slice_mb=$(du -sm "$work/slice" | cut -f1)
pattern='[a-z][a-z0-9]{0,15}_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}'
found=$("$bin" scan "$work/tree" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' || true)
echo "tree: $mb MB, 2000 files; apikeys scan finds $found tokens (20 planted)"
"$bin" scan "$work/tree" --write-baseline "$work/baseline.json" -q
# Issue 36: the same scan with a baseline of every finding (so it reports none), and with
# neither store nor snapshot (every prefix of the token shape searched; `env` adds one exec).
cmds=(-n ripgrep "rg -c -e '$pattern' $work/tree" -n "apikeys scan" "$bin scan $work/tree --format json"
  -n "apikeys scan --baseline" "$bin scan $work/tree --format json --baseline $work/baseline.json"
  -n "apikeys scan (no store: any prefix)" "env -u APIKEYS_KEY_FILE -u APIKEYS_PASSPHRASE APIKEYS_STORE=$work/none $bin scan $work/tree --format json")
if [ -x "$ds" ]; then cmds+=(-n "detect-secrets (slice of $slice_mb MB)" "$ds scan $work/slice"); fi
hyperfine -N -i --warmup 1 --runs ${RUNS:-5} --export-json "$work/h.json" "${cmds[@]}" >/dev/null
python3 - "$work/h.json" "$mb" "$slice_mb" <<'PY'
import json, sys
h = json.load(open(sys.argv[1])); mb = float(sys.argv[2]); slice_mb = float(sys.argv[3])
r = {x["command"]: x["mean"] for x in h["results"]}
rg = r["ripgrep"]; sc = r["apikeys scan"]
print(f"ripgrep          {rg*1000:8.1f} ms  {mb/rg:8.1f} MB/s")
print(f"apikeys scan     {sc*1000:8.1f} ms  {mb/sc:8.1f} MB/s   scan/ripgrep throughput = {rg/sc:.2f} (goal >= 0.5)")
for k in ("apikeys scan --baseline", "apikeys scan (no store: any prefix)"):
    v = r[k]
    print(f"{k:<36} {v*1000:8.1f} ms  {mb/v:8.1f} MB/s   /ripgrep = {rg/v:.2f}")
for k, v in r.items():
    if k.startswith("detect-secrets"):
        print(f"detect-secrets   {v*1000:8.1f} ms  {slice_mb/v:8.1f} MB/s   scan/detect-secrets throughput = {(mb/sc)/(slice_mb/v):.1f} (goal >= 20); with the baseline {(mb/r['apikeys scan --baseline'])/(slice_mb/v):.1f}")
PY
