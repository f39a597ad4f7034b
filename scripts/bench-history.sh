#!/usr/bin/env bash
# History (SPEC §14): `usage --since 30d` over 1,000 keys with 30 days of hourly history (the
# goal: well under a second), `top` over the same, and what the history costs on disk per key
# and day. Process start (`--version`) is timed the same way beside them, as the reference.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q --bin apikeys --example bench_store
new=$PWD/target/release/apikeys
mk=$PWD/target/release/examples/bench_store
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export APIKEYS_PASSPHRASE=bench-passphrase APIKEYS_ACTOR=bench NO_COLOR=1 HOME=$work
s=$work/s.store; k=$work/k.key
"$mk" "$s" "$k" 1000 "$work/tokens.txt" >/dev/null
# One verify makes the history file; then every key gets 30 days of hours (valid, and an
# hour in ten a few refusals), written as the roll-up leaves them.
head -1 "$work/tokens.txt" | "$new" --store "$s" --key-file "$k" verify -q --ip 10.1.2.3
"$new" --store "$s" --key-file "$k" list --format json > "$work/keys.json"
python3 - "$s.history" "$work/keys.json" <<'PY'
import json, sqlite3, sys, time
db, keys = sys.argv[1], [k["id"] for k in json.load(open(sys.argv[2]))]
now = int(time.time()); now -= now % 3600
c = sqlite3.connect(db)
c.executemany("INSERT OR IGNORE INTO key_numbers (key_id) VALUES (?)", [(k,) for k in keys])
number = dict(c.execute("SELECT key_id, n FROM key_numbers"))
rows = []
for i, key in enumerate(keys):
    for h in range(30 * 24):
        start = now - (h + 1) * 3600
        # outcome 0 is valid, 2 unknown (their place in the order of the checks)
        rows.append((3600, start, number[key], 0, 10 + (i + h) % 50, 10 + (i + h) % 50))
        if h % 10 == 0:
            rows.append((3600, start, number[key], 2, 2, 0))
c.executemany("INSERT OR REPLACE INTO buckets VALUES (?,?,?,?,?,?)", rows)
c.commit()
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print(f"history: {len(keys)} keys, {len(rows):,} hourly rows")
PY
python3 - "$new" "$s" "$k" <<'PY'
import os, statistics, subprocess, sys, time
new, s, k = sys.argv[1:]
def median(args, n=7):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)
base = [new, "--store", s, "--key-file", k]
start = median([new, "--version"])
rows = median(base + ["usage", "--since", "30d", "--by", "hour", "--format", "json"])
days = median(base + ["usage", "--since", "30d", "--format", "json"])
chart = median(base + ["usage", "--since", "30d"])
top = median(base + ["top", "--since", "30d"])
print(f"process start: {start * 1000:.1f} ms")
print(f"usage --since 30d --by hour --format json (720,000 rows out): {rows * 1000:.0f} ms ({rows / start:.0f}x process start)")
print(f"usage --since 30d --format json (by day, 33,000 rows out): {days * 1000:.0f} ms ({days / start:.0f}x process start)")
print(f"usage --since 30d (chart by day): {chart * 1000:.0f} ms ({chart / start:.0f}x process start)")
print(f"top --since 30d: {top * 1000:.0f} ms ({top / start:.0f}x process start)")
size = sum(os.path.getsize(s + ".history" + x) for x in ["", "-wal"] if os.path.exists(s + ".history" + x))
print(f"history file: {size:,} bytes = {size / (1000 * 30):,.0f} bytes per key per day of hours "
      f"(a key answered every minute also holds 1,440 minute rows a day for 48 hours: "
      f"{size / (1000 * 30 * 24 + 3000) * 1440:,.0f} bytes per key per day while they last)")
PY
