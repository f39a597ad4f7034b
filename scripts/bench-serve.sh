#!/usr/bin/env bash
# Benchmark of issue 12: wrk for DUR seconds against four targets, at 1k and 100k keys:
#   (a) apikeys serve directly (/verify with a valid key)
#   (b) nginx alone answering `return 200` (the reference)
#   (c) nginx auth_request -> serve /healthz (the cost of the mechanism itself)
#   (d) nginx auth_request -> serve /verify (the real thing)
#   (e) apikeys serve directly, a key with a rate and a use limit (never reached): issue 22
#   (f) the same key on a second serve with --counters on a local Redis (issue 23), beside
#       redis-benchmark -t set on the same Redis (Redis's own figure)
# Prints requests/s, p50 and p99 for each, errors, and the ratios of the issues' goals.
# Needs wrk and nginx (Debian: wrk nginx-light); (f) needs redis-server (skipped without). SIZES, DUR, CONNS override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in wrk nginx; do
  command -v "$b" >/dev/null || { echo "needs $b: apt-get install wrk nginx-light" >&2; exit 1; }
done
cargo build --release -q --bin apikeys --example bench_store
bin=$PWD/target/release/apikeys
mk=$PWD/target/release/examples/bench_store
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export APIKEYS_PASSPHRASE=bench-passphrase APIKEYS_ACTOR=bench NO_COLOR=1
sizes=${SIZES:-"1000 100000"}
dur=${DUR:-10}
conns=${CONNS:-32}
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

# run_wrk NAME URL [HEADER]: one line of figures; also sets rps_NAME and p99_NAME.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f", v}'; }
run_wrk() {
  local name=$1 url=$2 header=${3:-"X-Bench: 1"} out
  # The bench keys allow 10.0.0.0/8 only: every request says it comes from 10.1.2.3 through
  # a trusted proxy (serve trusts 127.0.0.0/8 here and reads X-Forwarded-For, its default;
  # nginx passes the header on).
  out=$(wrk -t2 -c"$conns" -d"${dur}s" --latency -H "$header" -H "X-Forwarded-For: 10.1.2.3" "$url")
  local rps p50 p99 non2xx errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}' <<<"$out"); errors=${errors:-0}
  printf '%-44s %8s %10.0f %9s %9s %8s\n' "$name" "$n" "$rps" "$p50" "$p99" "$((non2xx + errors))"
  printf -v "rps_$4" '%s' "$rps"
  printf -v "p99_$4" '%s' "$p99"
}

mkdir -p "$work/www"; echo ok > "$work/www/ok.txt"
printf '%-44s %8s %10s %9s %9s %8s\n' target keys "req/s" "p50 ms" "p99 ms" errors
for n in $sizes; do
  s=$work/s$n.store; k=$work/k$n.key
  "$mk" "$s" "$k" "$n" "$work/t$n.txt"
  token=$(head -1 "$work/t$n.txt")
  # Issue 22: a key with a rate and a use limit that the run never reaches.
  limited=$("$bin" --store "$s" --key-file "$k" create --name "bench-limited" --no-clipboard \
    --allow-ip 10.0.0.0/8 --rate 1000000/1s --uses 1000000000 2>/dev/null | tail -1)
  ap=$(port)
  "$bin" --store "$s" --key-file "$k" serve --listen "127.0.0.1:$ap" --trusted-proxy 127.0.0.0/8 2>"$work/serve$n.log" &
  pids+=($!)
  wait_port "$ap"
  np=$(port); nc=$(port); nd=$(port)
  mkdir -p "$work/nginx$n/logs"
  cat > "$work/nginx$n/nginx.conf" <<CONF
daemon off;
worker_processes 1;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
pid $work/nginx$n/nginx.pid;
error_log $work/nginx$n/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  upstream apikeys { server 127.0.0.1:$ap; keepalive 64; }
  server { listen 127.0.0.1:$np; location / { return 200 "ok\n"; } }
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
  run_wrk "(a) serve /verify" "http://127.0.0.1:$ap/verify" "X-API-Key: $token" a
  run_wrk "(b) nginx return 200" "http://127.0.0.1:$np/" "X-Bench: 1" b
  run_wrk "(c) nginx auth_request -> serve /healthz" "http://127.0.0.1:$nc/" "X-Bench: 1" c
  run_wrk "(d) nginx auth_request -> serve /verify" "http://127.0.0.1:$nd/" "X-API-Key: $token" d
  run_wrk "(e) serve /verify, rate- and use-limited key" "http://127.0.0.1:$ap/verify" "X-API-Key: $limited" e
  awk -v a="$rps_a" -v b="$rps_b" -v c="$rps_c" -v d="$rps_d" -v e="$rps_e" -v pa="$p99_a" -v pb="$p99_b" -v n="$n" 'BEGIN {
    printf "# %s keys: (d)/(c) = %.2f (goal >= 0.85)   (a)/(b) = %.2f (goal >= 0.5)   p99(a)/p99(b) = %.2f (goal <= 2)   (e)/(a) = %.2f (goal >= 0.9)\n",
      n, d/c, a/b, pa/pb, e/a }'
  if command -v redis-server >/dev/null; then
    rp=$(port); fp=$(port)
    redis-server --port "$rp" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis$n.log" 2>&1 &
    pids+=($!)
    wait_port "$rp"
    "$bin" --store "$s" --key-file "$k" serve --listen "127.0.0.1:$fp" --trusted-proxy 127.0.0.0/8 \
      --counters "redis://127.0.0.1:$rp" 2>"$work/serve-redis$n.log" &
    pids+=($!)
    wait_port "$fp"
    run_wrk "(f) serve --counters redis, limited key" "http://127.0.0.1:$fp/verify" "X-API-Key: $limited" f
    # Redis's own figure: SET from 32 clients, the same concurrency as wrk's.
    rb=$(redis-benchmark -p "$rp" -t set -n 200000 -c "$conns" -q 2>/dev/null | tr '\r' '\n' | grep -E '^SET' | tail -1)
    echo "# redis-benchmark -t set -c $conns: $rb"
    awk -v a="$rps_a" -v f="$rps_f" -v pa="$p99_a" -v pf="$p99_f" -v n="$n" 'BEGIN {
      printf "# %s keys: (f)/(a) = %.2f (goal >= 0.5)   p99(f)/p99(a) = %.2f (goal <= 2)\n", n, f/a, pf/pa }'
  fi
  kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=()
done
