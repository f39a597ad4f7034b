#!/usr/bin/env bash
# Benchmarks of issue 7: builds stores of 100 … 100,000 keys through the library, then prints
# one table of medians (hyperfine) and peak RSS (/usr/bin/time) for each command.
# Needs hyperfine and time (Debian packages). SIZES="100 1000" limits the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null && [ -x /usr/bin/time ] || {
  echo "needs hyperfine and /usr/bin/time: apt-get install hyperfine time" >&2; exit 1; }
cargo build --release -q --bin apikeys --example bench_store
bin=$PWD/target/release/apikeys
mk=$PWD/target/release/examples/bench_store
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export APIKEYS_PASSPHRASE=bench-passphrase APIKEYS_ACTOR=bench NO_COLOR=1
sizes=${SIZES:-"100 1000 10000 100000"}
runs=${RUNS:-15}

# (A new token never goes to /dev/null, where hyperfine sends stdout: create writes it to a
# secret file, as it refuses a stdout that loses it.)
# Every command runs as `sh -c '…'` under hyperfine -N: the shell's start-up is in every
# figure alike and nothing is subtracted. (Without -N, hyperfine runs each command through a
# shell and subtracts the shell's measured start-up from it; a ratio of two such differences
# is not the ratio of the commands: it read 1.30x here where the commands' own ratio was
# 1.5-1.7x.)
# median_ms NAME COMMAND [PREPARE]: median wall time of COMMAND, with PREPARE run before each
# run if given.
median_ms() {
  local prepare=(); [ -n "${3:-}" ] && prepare=(--prepare "sh -c '$3'")
  hyperfine -N -w 2 -r "$runs" --export-json "$work/h.json" "${prepare[@]}" "sh -c '$2'" >/dev/null 2>&1 || {
    echo "benchmark failed: $2" >&2; sh -c "$2" >&2; exit 1; }
  python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$work/h.json"
}
# versus_start COMMAND: COMMAND and process start (`--version`, stdin from the same file),
# both as `sh -c 'exec …'`, run interleaved (scripts/interleave.py: start, command, start, …)
# 300 times each, so that the machine's drift falls on both alike; prints
# "command-mean start-mean ratio-of-means ratio-of-medians".
versus_start() {
  python3 scripts/interleave.py 300 "start=exec $bin --version < $work/one$n.txt" "cmd=$1" > "$work/v.json"
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
s, c = r["start"], r["cmd"]
print("%.2f %.2f %.2f %.2f" % (c["mean_ms"], s["mean_ms"], c["mean_ratio"], c["median_ratio"]))' "$work/v.json"
}
rss_mb() { /usr/bin/time -f %M sh -c "$1" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'; }

printf '%-34s %8s %12s %10s\n' "command" "keys" "median ms" "peak MB"
row() { printf '%-34s %8s %12s %10s\n' "$1" "$2" "$(median_ms "$1" "$3")" "$(rss_mb "$3")"; }

start_ms=$(median_ms start "exec $bin --version")
printf '%-34s %8s %12s %10s\n' "apikeys --version (process start)" - "$start_ms" "$(rss_mb "exec $bin --version")"
# A reference from outside: Apache's htpasswd checking a bcrypt (cost 5) password file.
ht_ms=
if command -v htpasswd >/dev/null; then
  htpasswd -cbB -C 5 "$work/htpasswd" bench bench-password 2>/dev/null
  ht_ms=$(median_ms htpasswd "exec htpasswd -vb $work/htpasswd bench bench-password 2>/dev/null")
  printf '%-34s %8s %12s %10s   => %s× start\n' "htpasswd -v (bcrypt cost 5)" - "$ht_ms" \
    "$(rss_mb "exec htpasswd -vb $work/htpasswd bench bench-password 2>/dev/null")" \
    "$(awk -v a="$ht_ms" -v b="$start_ms" 'BEGIN{printf "%.2f", a/b}')"
fi
# ratios MS: MS as a multiple of process start and of htpasswd -v, measured in this run.
ratios() {
  awk -v a="$1" -v s="$start_ms" -v h="${ht_ms:-0}" 'BEGIN{printf "%.2f× start", a/s; if (h > 0) printf ", %.2f× htpasswd -v", a/h}'
}
for n in $sizes; do
  s=$work/s$n.store; k=$work/k$n.key
  "$mk" "$s" "$k" "$n" "$work/t$n.txt"
  head -1 "$work/t$n.txt" > "$work/one$n.txt"
  db_mb=$(awk -v b="$(stat -c %s "$s")" 'BEGIN{printf "%.1f", b/1048576}')
  echo "# $n keys: store file $db_mb MB (≈ the decrypted database)"
  "$bin" --store "$s" --key-file "$k" verify -q --ip 10.1.2.3 < "$work/one$n.txt"   # first use recorded; later runs are throttled
  v_ms=$(median_ms verify "exec $bin --store $s --key-file $k verify -q --ip 10.1.2.3 < $work/one$n.txt")
  printf '%-34s %8s %12s %10s   => %s\n' "verify (key file)" "$n" "$v_ms" \
    "$(rss_mb "exec $bin --store $s --key-file $k verify -q --ip 10.1.2.3 < $work/one$n.txt")" "$(ratios "$v_ms")"
  read -r vm sm rmean rmed < <(versus_start "exec $bin --store $s --key-file $k verify -q --ip 10.1.2.3 < $work/one$n.txt")
  printf '%-34s %8s %12s %10s   => %s× start by means (%s ms), %s× by medians (goal <= 1.25)\n' \
    "verify vs start, interleaved" "$n" "$vm" "-" "$rmean" "$sm" "$rmed"
  # The first verify of a key in a minute writes its last use: each run takes a fresh token.
  cp "$s" "$work/f.store"; tail -n +2 "$work/t$n.txt" | tail -200 > "$work/fresh.txt"
  printf '%-34s %8s %12s %10s\n' "verify, first use in a minute" "$n" "$(median_ms row \
    "exec $bin --store $work/f.store --key-file $k verify -q --ip 10.1.2.3 < $work/cur.txt" \
    "head -1 $work/fresh.txt > $work/cur.txt; sed -i 1d $work/fresh.txt")" "-"
  # The KDF's time drifts by ±10 ms over minutes: measure it right beside the passphrase path.
  pass_ms=$(median_ms pass "exec $bin --store $s verify -q --ip 10.1.2.3 < $work/one$n.txt")
  kdf_ms=$(median_ms kdf "exec $mk --kdf")
  key_ms=$(median_ms key "exec $bin --store $s --key-file $k verify -q --ip 10.1.2.3 < $work/one$n.txt")
  printf '%-34s %8s %12s %10s   => minus the KDF (%s ms): %s ms; key-file path: %s ms\n' "verify (passphrase)" "$n" "$pass_ms" \
    "$(rss_mb "exec $bin --store $s verify -q --ip 10.1.2.3 < $work/one$n.txt")" "$kdf_ms" \
    "$(awk -v a="$pass_ms" -v b="$kdf_ms" 'BEGIN{printf "%.2f", a-b}')" "$key_ms"
  row "list --format json" "$n" "exec $bin --store $s --key-file $k list --format json"
  row "list (table)" "$n" "exec $bin --store $s --key-file $k list"
  cp "$s" "$work/w.store"
  printf '%-34s %8s %12s %10s\n' "create (key file, fsync)" "$n" "$(median_ms row \
    "exec $bin --store $work/w.store --key-file $k create --name bench-new --secret-file $work/tok -q" \
    "rm -f $work/tok; $bin --store $work/w.store --key-file $k delete bench-new --yes -q || true")" \
    "$(rss_mb "exec $bin --store $work/w.store --key-file $k create --name bench-rss --secret-file $work/tok-rss -q")"
  printf '%-34s %8s %12s %10s\n' "revoke (key file, fsync)" "$n" "$(median_ms row \
    "exec $bin --store $work/w.store --key-file $k revoke key-000000 --yes -q" \
    "$bin --store $work/w.store --key-file $k activate key-000000 -q")" "-"
  if [ "$n" -ge 10000 ]; then
    head -50000 "$work/t$n.txt" > "$work/batch.txt"; m=$(wc -l < "$work/batch.txt")
    ms=$(median_ms batch "exec $bin --store $s --key-file $k verify --batch --ip 10.1.2.3 < $work/batch.txt")
    printf '%-34s %8s %12s %10s   => %s tokens/s\n' "verify --batch ($m tokens)" "$n" "$ms" \
      "$(rss_mb "exec $bin --store $s --key-file $k verify --batch --ip 10.1.2.3 < $work/batch.txt")" \
      "$(awk -v m="$m" -v ms="$ms" 'BEGIN{printf "%d", m/(ms/1000)}')"
  fi
done
echo "# machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
