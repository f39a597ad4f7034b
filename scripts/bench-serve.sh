#!/usr/bin/env bash
# Benchmark of the request path (issues 12, 22, 23, 39): wrk for DUR seconds against each
# target, ROUNDS rounds alternated (medians; each round starts once the serves are idle),
# at 1k and 100k keys:
#   (a) apikeys serve directly (/verify with a valid key)
#   (b) nginx alone answering `return 200` (the reference)
#   (c) nginx auth_request -> serve /healthz (the cost of the mechanism itself)
#   (d) nginx auth_request -> serve /verify (the real thing)
#   (e) apikeys serve directly, a key with a rate and a use limit (never reached)
#   (f) the same key on a second serve with --counters on a local Redis, beside
#       redis-benchmark -t set on the same Redis (Redis's own figure)
#   (g) serve --access-log (a line a request, to a file emptied before each round), valid key
#   (h) nginx alone sending serve's own answer to (a) (its headers and JSON body, as
#       `return 200`): the reference doing the same bytes' work for wrk as (a)
#   with OLD=/path/to/previous/apikeys: (a0) (e0) (f0), the same on the previous release's
#   binary, alternated with the new one's in every round.
#   then (a) and (b) again at the same fixed rates (FIXED, fractions of (b)'s median
#   requests/s, default "0.4 0.6"), open loop (examples/loadgen.rs): the latency of each
#   request counted from when it was due, so the two servers are compared at equal load,
#   where wrk hands the faster one more.
# Prints requests/s, p50 and p99 for each, errors, and the ratios of the issues' goals: of the
# medians, and paired (the median of each round's own ratio of targets run side by side);
# and for (a), (b) and (h) the CPU time a request of wrk and of the server, which is what
# separates them where the two cores are the bound (docs/performance.md, issue 39).
# Needs wrk, nginx, redis-server and pgrep (Debian: wrk nginx-light redis-server procps). SIZES, DUR,
# ROUNDS, CONNS override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in wrk nginx redis-server redis-benchmark curl pgrep; do
  command -v "$b" >/dev/null || { echo "needs $b: apt-get install wrk nginx-light redis-server curl procps" >&2; exit 1; }
done
old=${OLD:-}
cargo build --release -q --bin apikeys --example bench_store --example loadgen
bin=$PWD/target/release/apikeys
mk=$PWD/target/release/examples/bench_store
lg=$PWD/target/release/examples/loadgen
fixed=${FIXED:-"0.4 0.6"}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export APIKEYS_PASSPHRASE=bench-passphrase APIKEYS_ACTOR=bench NO_COLOR=1
sizes=${SIZES:-"1000 100000"}
dur=${DUR:-10}
rounds=${ROUNDS:-3}
conns=${CONNS:-32}
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

# settle: until every serve started here has used no CPU for 0.3 s (at most 6 s), so a
# round never measures the one before it (a limited key's last write-back, say).
serves=()
# cpu_ticks PID: the user and system time the process has used, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# serves_ticks: cpu_ticks of every serve started here.
serves_ticks() { local p; for p in "${serves[@]}"; do cpu_ticks "$p" 2>/dev/null; done; }
settle() {
  local before now
  before=$(serves_ticks)
  for _ in $(seq 20); do
    sleep 0.3; now=$(serves_ticks)
    [ "$now" = "$before" ] && return
    before=$now
  done
}
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f", v}'; }
# one TAG URL HEADER [PID]: one wrk round; appends its req/s and p99 to $work/r.TAG. With the
# server's PID, also the CPU time a request (µs, user and system) of wrk and of the server
# to $work/c.TAG.
one() {
  local tag=$1 url=$2 header=$3 pid=${4:-} out rps p50 p99 non2xx errors t0 t1 wcpu
  # The bench keys allow 10.0.0.0/8 only: every request says it comes from 10.1.2.3 through
  # a trusted proxy (serve trusts 127.0.0.0/8 here and reads X-Forwarded-For, its default;
  # nginx passes the header on).
  settle
  [ -n "$pid" ] && t0=$(cpu_ticks "$pid")
  # wrk's own CPU time (bash's time: user and system seconds) beside its output.
  out=$( { TIMEFORMAT='%3U %3S'; time wrk -t2 -c"$conns" -d"${dur}s" --latency -H "$header" \
    -H "X-Forwarded-For: 10.1.2.3" "$url" > "$work/wrk.out"; } 2>&1)
  wcpu=$(tail -n 1 <<<"$out")
  out=$(cat "$work/wrk.out")
  [ -n "$pid" ] && t1=$(cpu_ticks "$pid")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}' <<<"$out"); errors=${errors:-0}
  echo "$rps $p50 $p99 $((non2xx + errors))" >> "$work/r.$tag"
  if [ -n "$pid" ]; then
    awk -v w="$wcpu" -v s="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v n="$(awk '/requests in/ {print $1}' <<<"$out")" \
      'BEGIN { split(w, u, " "); printf "%.3f %.3f\n", (u[1] + u[2]) * 1e6 / n, s / hz * 1e6 / n }' >> "$work/c.$tag"
  fi
  # Which errors (wrk's own lines), for the summary at the end.
  if [ "$((non2xx + errors))" -gt 0 ]; then
    grep -E "Non-2xx|Socket errors" <<<"$out" | sed "s/^/($tag, $n keys) /" >> "$work/errors"
  fi
}
# row TAG NAME: the medians of TAG's rounds; sets rps_TAG and p99_TAG.
row() {
  local v
  v=$(python3 - "$work/r.$1" <<'PY'
import sys, statistics as st
rows = [[float(x) for x in l.split()] for l in open(sys.argv[1])]
med = lambda i: st.median(r[i] for r in rows)
print(f"{med(0):.0f} {med(1):.3f} {med(2):.3f} {sum(r[3] for r in rows):.0f}")
PY
)
  read -r rps p50 p99 errs <<<"$v"
  printf '%-48s %8s %10s %9s %9s %8s\n' "$2" "$n" "$rps" "$p50" "$p99" "$errs"
  printf -v "rps_$1" '%s' "$rps"
  printf -v "p99_$1" '%s' "$p99"
}

mkdir -p "$work/www"; echo ok > "$work/www/ok.txt"
printf '%-48s %8s %10s %9s %9s %8s\n' target keys "req/s" "p50 ms" "p99 ms" errors
for n in $sizes; do
  s=$work/s$n.store; k=$work/k$n.key
  "$mk" "$s" "$k" "$n" "$work/t$n.txt"
  token=$(head -1 "$work/t$n.txt")
  # Issue 22: a key with a rate and a use limit that the run never reaches.
  limited=$("$bin" --store "$s" --key-file "$k" create --name "bench-limited" --no-clipboard \
    --allow-ip 10.0.0.0/8 --rate 1000000/1s --uses 1000000000 2>/dev/null | tail -1)
  rp=$(port)
  redis-server --port "$rp" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis$n.log" 2>&1 &
  pids+=($!)
  wait_port "$rp"
  # serve_on PORT BINARY [ARGS…]: a serve on PORT of its own copy of the store. Each serve
  # writes its limited key's uses back every second; on one shared file every other serve
  # would read all the keys again after each of those writes, and the rows would measure
  # that instead of the request path.
  serve_on() {
    local p=$1 b=$2; shift 2
    cp "$s" "$s.$p"
    "$b" --store "$s.$p" --key-file "$k" serve --listen "127.0.0.1:$p" --trusted-proxy 127.0.0.0/8 "$@" 2>>"$work/serve$n.log" &
    pids+=($!); serves+=($!)
    wait_port "$p"
  }
  ap=$(port); fp=$(port)
  serve_on "$ap" "$bin"
  apid=${serves[${#serves[@]}-1]}
  serve_on "$fp" "$bin" --counters "redis://127.0.0.1:$rp"
  # (g): its own log file, emptied before each of its rounds (a round writes some 50 MB).
  gp=$(port); cp "$s" "$s.$gp"
  "$bin" --store "$s.$gp" --key-file "$k" serve --listen "127.0.0.1:$gp" --trusted-proxy 127.0.0.0/8 \
    --access-log 2>>"$work/access$n.log" &
  pids+=($!); serves+=($!)
  wait_port "$gp"
  # Compared targets run next to each other in every round (nginx, valid, limited, Redis),
  # so the paired ratios below see the same machine.
  tags="b a h e f g c d"
  if [ -n "$old" ]; then
    ap0=$(port); fp0=$(port)
    serve_on "$ap0" "$old"
    serve_on "$fp0" "$old" --counters "redis://127.0.0.1:$rp"
    tags="b a h e f g a0 e0 f0 c d"
  fi
  np=$(port); nc=$(port); nd=$(port); nh=$(port)
  mkdir -p "$work/nginx$n/logs"
  # (h): serve's answer to (a), as nginx directives: its x-apikey-* and cache-control lines as
  # add_header, its body as return 200 (nginx writes the date, type and length itself).
  same=$(curl -si -H "X-API-Key: $token" -H "X-Forwarded-For: 10.1.2.3" "http://127.0.0.1:$ap/verify" | tr -d '\r' | awk '
    body { b = b $0; next } /^$/ { body = 1; next }
    tolower($1) ~ /^(x-apikey-|cache-control)/ { sub(/:$/, "", $1); printf "add_header %s %s; ", $1, $2 }
    END { printf "default_type application/json; return 200 \x27%s\x27;", b }')
  cat > "$work/nginx$n/nginx.conf" <<CONF
daemon off;
worker_processes 1;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
pid $work/nginx$n/nginx.pid;
error_log $work/nginx$n/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  # Connections stay open as serve keeps them (nginx's default closes one after 1,000
  # requests, and the client's new connection would be counted against nginx).
  keepalive_requests 100000000;
  upstream apikeys { server 127.0.0.1:$ap; keepalive 64; }
  server { listen 127.0.0.1:$np; location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:$nh; location / { $same } }
  server {
    listen 127.0.0.1:$nc;
    location = /_auth { internal; proxy_pass http://apikeys/healthz; proxy_method HEAD; proxy_pass_request_body off;
      proxy_set_header Content-Length ""; proxy_http_version 1.1; proxy_set_header Connection ""; }
    # Not \`return\`: it runs before the access phase, so auth_request would never be asked.
    location / { auth_request /_auth; root $work/www; try_files /ok.txt =404; }
  }
  server {
    listen 127.0.0.1:$nd;
    location = /_auth { internal; proxy_pass http://apikeys/verify; proxy_method HEAD; proxy_pass_request_body off;
      proxy_set_header Content-Length ""; proxy_set_header X-Forwarded-For \$http_x_forwarded_for;
      proxy_http_version 1.1; proxy_set_header Connection ""; }
    location / { auth_request /_auth; root $work/www; try_files /ok.txt =404; }
  }
}
CONF
  nginx -p "$work/nginx$n" -c "$work/nginx$n/nginx.conf" &
  pids+=($!)
  wait_port "$nd"
  # Its one worker, whose CPU time rows b and h count (the master only waits).
  npid=$(pgrep -P "${pids[${#pids[@]}-1]}" | head -1)
  rm -f "$work"/r.* "$work"/c.*
  for _ in $(seq "$rounds"); do
    for t in $tags; do
      case $t in
        a) one a "http://127.0.0.1:$ap/verify" "X-API-Key: $token" "$apid" ;;
        a0) one a0 "http://127.0.0.1:$ap0/verify" "X-API-Key: $token" ;;
        b) one b "http://127.0.0.1:$np/" "X-Bench: 1" "$npid" ;;
        h) one h "http://127.0.0.1:$nh/" "X-Bench: 1" "$npid" ;;
        c) one c "http://127.0.0.1:$nc/" "X-Bench: 1" ;;
        d) one d "http://127.0.0.1:$nd/" "X-API-Key: $token" ;;
        e) one e "http://127.0.0.1:$ap/verify" "X-API-Key: $limited" ;;
        e0) one e0 "http://127.0.0.1:$ap0/verify" "X-API-Key: $limited" ;;
        f) one f "http://127.0.0.1:$fp/verify" "X-API-Key: $limited" ;;
        f0) one f0 "http://127.0.0.1:$fp0/verify" "X-API-Key: $limited" ;;
        g) : > "$work/access$n.log"; one g "http://127.0.0.1:$gp/verify" "X-API-Key: $token" ;;
      esac
    done
  done
  row a "(a) serve /verify"
  row b "(b) nginx return 200"
  row c "(c) nginx auth_request -> serve /healthz"
  row d "(d) nginx auth_request -> serve /verify"
  row e "(e) serve /verify, rate- and use-limited key"
  row f "(f) serve --counters redis, limited key"
  row g "(g) serve --access-log, to a file"
  row h "(h) nginx return 200 with serve's answer"
  if [ -n "$old" ]; then
    row a0 "(a0) previous release: serve /verify"
    row e0 "(e0) previous release: limited key"
    row f0 "(f0) previous release: --counters redis"
  fi
  # At equal load: (a) and (b) at fixed rates, open loop, alternated; wrk's two threads and
  # connections, DUR seconds counted after one of warm-up.
  printf 'X-API-Key: %s\nX-Forwarded-For: 10.1.2.3\n' "$token" > "$work/hdr.a"
  printf 'X-Bench: 1\nX-Forwarded-For: 10.1.2.3\n' > "$work/hdr.b"
  for f in $fixed; do
    rate=$(awk -v b="$rps_b" -v f="$f" 'BEGIN { printf "%d", b * f }')
    rm -f "$work"/l.*
    for _ in $(seq "$rounds"); do
      settle
      "$lg" "127.0.0.1:$ap" /verify "$rate" "$((dur + 1))" "$conns" 2 "$work/hdr.a" >> "$work/l.a"
      "$lg" "127.0.0.1:$np" / "$rate" "$((dur + 1))" "$conns" 2 "$work/hdr.b" >> "$work/l.b"
    done
    python3 - "$work" "$n" "$rounds" "$rate" "$f" <<'PY'
import sys, statistics as st
work, n, r, rate, f = sys.argv[1:6]
def rows(t):
    out = []
    for l in open(f"{work}/l.{t}"):
        w = l.split()
        out.append({w[i]: float(w[i + 1]) for i in range(0, len(w) - 1, 2)})
    return out
a, b = rows("a"), rows("b")
med = lambda rs, k: st.median(x[k] for x in rs)
for name, rs in (("(a) serve /verify", a), ("(b) nginx return 200", b)):
    print(f"# {n} keys, fixed {rate}/s ({f} of (b)), open loop, {name}: reached {med(rs, 'rate'):.0f}/s, "
          f"p50 {med(rs, 'p50') / 1000:.3f} ms, p99 {med(rs, 'p99') / 1000:.3f} ms, p99.9 {med(rs, 'p99.9') / 1000:.3f} ms, "
          f"errors {sum(x['errors'] for x in rs):.0f}")
pair = lambda k: st.median(x[k] / y[k] for x, y in zip(a, b))
print(f"# {n} keys, fixed {rate}/s: p99(a)/p99(b) = {med(a, 'p99') / med(b, 'p99'):.2f}, paired {pair('p99'):.2f} (<= 1)   "
      f"p50(a)/p50(b) = {med(a, 'p50') / med(b, 'p50'):.2f}, paired {pair('p50'):.2f}")
PY
  done
  # Redis's own figure: SET from as many clients as wrk's connections.
  rb=$(redis-benchmark -p "$rp" -t set -n 200000 -c "$conns" -q 2>/dev/null | tr '\r' '\n' | grep -E '^SET' | tail -1)
  echo "# redis-benchmark -t set -c $conns: $rb"
  # The Redis row's round trip as serve saw it (its /metrics, over every round), beside one
  # client's PING on the same Redis with nothing else running: the floor this machine sets
  # on any round trip between two processes.
  ping=$(redis-benchmark -p "$rp" -t ping_mbulk -n 20000 -c 1 2>/dev/null | tr '\r' '\n' | awk '/avg +min/ { getline; print $1 * 1000; exit }')
  curl -s "http://127.0.0.1:$fp/metrics" | awk -v ping="$ping" '
    /^apikeys_counters_duration_seconds_sum/ { sum = $2 } /^apikeys_counters_duration_seconds_count/ { n = $2 }
    /^apikeys_counters_requests_total/ { req = $2 }
    END { if (n > 0 && ping > 0) printf "# Redis row: %.1f requests a script, mean round trip %.0f us = %.1fx one idle PING (%.0f us)\n", req / n, sum / n * 1e6, sum / n * 1e6 / ping, ping }'
  awk -v a="$rps_a" -v b="$rps_b" -v c="$rps_c" -v d="$rps_d" -v e="$rps_e" -v f="$rps_f" -v g="$rps_g" -v h="$rps_h" \
      -v pa="$p99_a" -v pb="$p99_b" -v n="$n" -v r="$rounds" 'BEGIN {
    printf "# %s keys, medians of %s rounds (issue 39 goals):  (a)/(b) = %.2f (>= 1.0)   (e)/(a) = %.2f (>= 0.95)   (f)/(a) = %.2f (>= 0.6)   p99(a)/p99(b) = %.2f (<= 1)\n", n, r, a/b, e/a, f/a, pa/pb
    printf "# %s keys: (d)/(c) = %.2f (issue 12 goal >= 0.85)   (g)/(a) = %.2f (an access log line a request)   (a)/(h) = %.2f (the same answer)   (h)/(b) = %.2f\n", n, d/c, g/a, a/h, h/b }'
  # Paired: each round's own ratio of neighbouring runs, then their median (a slow drift of
  # the machine's speed over a run moves both sides of a pair alike).
  python3 - "$work" "$n" "$rounds" <<'PY'
import sys, statistics as st
work, n, r = sys.argv[1], sys.argv[2], sys.argv[3]
col = lambda t, i: [float(l.split()[i]) for l in open(f"{work}/r.{t}")]
pair = lambda x, y, i=0: st.median(p / q for p, q in zip(col(x, i), col(y, i)))
print(f"# {n} keys, paired ratios (median of {r} rounds' own):  (a)/(b) = {pair('a', 'b'):.2f}   "
      f"(e)/(a) = {pair('e', 'a'):.2f}   (f)/(a) = {pair('f', 'a'):.2f}   p99(a)/p99(b) = {pair('a', 'b', 2):.2f}   "
      f"(g)/(a) = {pair('g', 'a'):.2f}   (a)/(h) = {pair('a', 'h'):.2f}")
PY
  # CPU time a request, both sides: what separates (a) from (b) where the cores are the bound.
  python3 - "$work" "$n" <<'PY'
import sys, statistics as st
work, n = sys.argv[1], sys.argv[2]
med = {t: [st.median(float(l.split()[i]) for l in open(f"{work}/c.{t}")) for i in (0, 1)] for t in "abh"}
print(f"# {n} keys, CPU us a request (medians), wrk + server:  (a) {med['a'][0]:.2f} + {med['a'][1]:.2f}   "
      f"(b) {med['b'][0]:.2f} + {med['b'][1]:.2f}   (h) {med['h'][0]:.2f} + {med['h'][1]:.2f}   "
      f"both (a)/(b) = {sum(med['a']) / sum(med['b']):.3f}")
PY
  # What the serve behind rows a, c, d and e closed or refused itself (wrk counts a
  # connection ended under it as a read error).
  curl -s "http://127.0.0.1:$ap/metrics" | awk -v n="$n" '
    /^apikeys_connections_refused_total/ { r = $2 } /^apikeys_idle_connections_closed_total/ { i = $2 }
    END { printf "# %s keys, serve of rows a c d e: connections refused %d, idle ones closed %d\n", n, r, i }'
  if [ -n "$old" ]; then
    awk -v a="$rps_a" -v e="$rps_e" -v f="$rps_f" -v a0="$rps_a0" -v e0="$rps_e0" -v f0="$rps_f0" -v n="$n" 'BEGIN {
      printf "# %s keys, this release / the previous: valid %.2f   limited %.2f   redis %.2f\n", n, a/a0, e/e0, f/f0 }'
  fi
  kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=(); serves=()
done
if [ -s "$work/errors" ]; then
  echo "# errors seen (wrk's words):"
  sed 's/^/#   /' "$work/errors"
fi
