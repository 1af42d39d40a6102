#!/usr/bin/env bash
# The access log's cost. The gateway (Release build, Production settings: compact JSON through the async
# console sink) proxies to a local nginx under wrk, alternately with the access log on and off (its level
# raised to Warning with --Serilog:MinimumLevel:Override:Gateway.AccessLog=Warning). Standard output goes
# through a pipe to a file, as a container runtime captures it; the file is kept out of the configuration
# file's folder, which the gateway watches for changes. For each run it prints requests/s and the gateway's
# CPU time per request (user + system, from /proc), which is the steadier figure on a shared machine.
# Loopback only; every run is bounded by DURATION.
#
#   bench/access-log-cost.sh                      # 3 rounds of 15 s each way, 32 connections
#   ROUNDS=5 DURATION=20s CONNECTIONS=64 bench/access-log-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}

for tool in nginx wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx wrk curl)"; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
backend_port=$(free_port)
gateway_port=$(free_port)

cat >"$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$backend_port; location / { return 200 "ok"; } }
}
EOF
nginx -p "$work" -c "$work/nginx.conf" &
pids+=($!)

mkdir "$work/config" "$work/out"
cat >"$work/config/gateway.json" <<EOF
{ "ReverseProxy": {
    "Routes": { "all": { "ClusterId": "backend", "Match": { "Path": "/{**catch-all}" } } },
    "Clusters": { "backend": { "Destinations": { "nginx": { "Address": "http://127.0.0.1:$backend_port/" } } } } } }
EOF

dotnet build -c Release src/Gateway -v q -nologo >/dev/null
app=src/Gateway/bin/Release/net10.0/Gateway.dll
ticks=$(getconf CLK_TCK)

cpu_seconds() { awk -v t="$ticks" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }

run() {
  local label=$1; shift
  ASPNETCORE_ENVIRONMENT=Production dotnet "$app" --config "$work/config/gateway.json" \
    --urls "http://127.0.0.1:$gateway_port" --Gateway:Admin:Urls=http://127.0.0.1:0 "$@" \
    > >(cat >"$work/out/gateway-$label.log") 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$gateway_port/" >/dev/null && break; sleep 0.2; done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "http://127.0.0.1:$gateway_port/" >/dev/null
  local before; before=$(cpu_seconds "$pid")
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$gateway_port/")
  local after; after=$(cpu_seconds "$pid")
  # SIGTERM: a background job of a script ignores SIGINT.
  kill -TERM "$pid"; wait "$pid" || true
  local requests rps errors lines
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  errors=$(grep -Eo 'Non-2xx or 3xx responses: [0-9]+|Socket errors:.*' <<<"$out" || true)
  sleep 0.5
  lines=$(grep -c '"Gateway.AccessLog"' "$work/out/gateway-$label.log" || true)
  local cpu; cpu=$(awk -v a="$after" -v b="$before" -v n="$requests" 'BEGIN { printf "%.1f", (a - b) * 1e6 / n }')
  printf '%-4s %10s req/s  %8s requests  %6s us CPU/request  %8s access-log lines %s\n' "$label" "$rps" "$requests" "$cpu" "$lines" "$errors"
  echo "$label $rps $cpu" >>"$work/results"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "gateway -> nginx on loopback, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  run on
  run off --Serilog:MinimumLevel:Override:Gateway.AccessLog=Warning
done

echo "median of $ROUNDS rounds:"
for label in on off; do
  printf '%-4s %10s req/s  %6s us CPU/request\n' "$label" \
    "$(awk -v l="$label" '$1 == l { print $2 }' "$work/results" | median)" \
    "$(awk -v l="$label" '$1 == l { print $3 }' "$work/results" | median)"
done
