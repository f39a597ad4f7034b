#!/usr/bin/env bash
# The console at 100,000 keys: a page of the keys table (100 rows, filtered and sorted) and
# its memory. Medians of 20 requests through curl, beside curl's own cost on /static (the
# reference: the same connection handling with no store work). Usage: scripts/bench-console.sh [KEYS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
cargo build --release -q --bin apikeys --example bench_store
bin=$PWD/target/release/apikeys
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export APIKEYS_PASSPHRASE=bench-passphrase APIKEYS_ACTOR=bench NO_COLOR=1 HOME=$work
s=$work/s.store; k=$work/k.key
target/release/examples/bench_store "$s" "$k" "$n" "$work/tokens.txt" >/dev/null
"$bin" --store "$s" --key-file "$k" console --listen 127.0.0.1:0 2> "$work/err" &
pid=$!
for _ in $(seq 100); do grep -q "open http" "$work/err" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/err" | head -1)
base=${url%%/login*}
curl -s -o /dev/null -c "$work/jar" "$url"
python3 - "$base" "$work/jar" "$pid" <<'PY'
import statistics, subprocess, sys, time
base, jar, pid = sys.argv[1:]
def median(path, n=20):
    t = []
    for _ in range(n):
        s = time.perf_counter()
        subprocess.run(["curl", "-s", "-o", "/dev/null", "-b", jar, base + path], check=True)
        t.append(time.perf_counter() - s)
    return statistics.median(t)
ref = median("/static/console.css")
page = median("/keys?q=key-1&status=active&sort=created")
plain = median("/keys")
rss = [l for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM")][0].split()[1]
print(f"curl of a static file (reference): {ref * 1000:.1f} ms")
print(f"keys page, searched, filtered and sorted (100 rows of the matches): {page * 1000:.0f} ms ({page / ref:.1f}x the reference)")
print(f"keys page, unfiltered, sorted by name: {plain * 1000:.0f} ms ({plain / ref:.1f}x)")
print(f"console peak memory: {int(rss) / 1024:.0f} MiB")
PY
