#!/usr/bin/env bash
# Where the gateway's CPU and memory go under load: the gateway as bench/run.sh runs it (Release, Production,
# access log, metrics and health checks on) in front of one nginx with three ports, wrk -t2 -c64 on /small,
# and, once warmed up, `perf record` of the gateway for PERF_SECONDS plus `dotnet-counters` (GC and thread
# pool) over the same window. Prints CPU by component (kernel, JIT-compiled code, runtime) and the top
# symbols, then the counters. Needs the .NET SDK, root (perf), and the bench tools (bench/run.sh installs them).
#   bench/profile.sh            (about a minute; WARMUP=20 PERF_SECONDS=15 CONNECTIONS=64 PATH_=/small)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WARMUP=${WARMUP:-20}
PERF_SECONDS=${PERF_SECONDS:-15}
CONNECTIONS=${CONNECTIONS:-64}
REQUEST_PATH=${PATH_:-/small}
WORK=$(mktemp -d /tmp/gateway-profile.XXXXXX)
PORTS=(18181 18182 18183)
GATEWAY_PORT=18190
ADMIN_PORT=18191
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for tool in perf wrk nginx curl; do command -v "$tool" >/dev/null || { echo "profile: $tool is not installed"; exit 1; }; done
command -v dotnet-counters >/dev/null || PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-counters >/dev/null || dotnet tool install -g dotnet-counters >/dev/null

dotnet publish "$ROOT/src/Gateway/Gateway.csproj" -c Release -o "$WORK/gateway" -v quiet -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }

mkdir -p "$WORK/backend/logs"
cat >"$WORK/backend/nginx.conf" <<NGINX
$( [ "$(id -u)" -eq 0 ] && echo "user root root;" )
worker_processes 1;
pid $WORK/backend/nginx.pid;
daemon off;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  server {
$(for p in "${PORTS[@]}"; do echo "    listen 127.0.0.1:$p;"; done)
    location = /small  { default_type text/plain; return 200 "Hello from the backend\n"; }
    location = /health { default_type text/plain; return 200 "ok\n"; }
  }
}
NGINX
nginx -p "$WORK/backend" -e "$WORK/backend/logs/error.log" -c "$WORK/backend/nginx.conf" & PIDS+=($!)

# Its own folder: the gateway watches the configuration file's folder, which the log must not be in.
mkdir -p "$WORK/config"
cat >"$WORK/config/gateway.json" <<JSON
{
  "Gateway": { "Admin": { "Urls": "http://127.0.0.1:$ADMIN_PORT" } },
  "ReverseProxy": {
    "Routes": { "all": { "ClusterId": "backends", "Match": { "Path": "{**catch-all}" } } },
    "Clusters": { "backends": {
      "LoadBalancingPolicy": "RoundRobin",
      "HealthCheck": {
        "Active": { "Enabled": true, "Interval": "00:00:02", "Timeout": "00:00:01", "Policy": "RiseFall", "Path": "/health" },
        "Passive": { "Enabled": true, "Policy": "OutlierDetection", "ReactivationPeriod": "00:00:30" } },
      "Destinations": {
        "b1": { "Address": "http://127.0.0.1:${PORTS[0]}/" },
        "b2": { "Address": "http://127.0.0.1:${PORTS[1]}/" },
        "b3": { "Address": "http://127.0.0.1:${PORTS[2]}/" } } } }
  }
}
JSON
# W^X off only here: with it on, JIT-compiled code runs from a memfd double mapping that perf cannot name.
ASPNETCORE_ENVIRONMENT=Production DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "$WORK/gateway/Gateway" --config "$WORK/config/gateway.json" \
  --Urls "http://127.0.0.1:$GATEWAY_PORT" >"$WORK/gateway.log" 2>&1 & gateway=$!; PIDS+=($gateway)
for _ in $(seq 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GATEWAY_PORT$REQUEST_PATH")" = 200 ] && break; sleep 0.2; done

wrk -t2 -c"$CONNECTIONS" -d"$((WARMUP + PERF_SECONDS + 5))s" "http://127.0.0.1:$GATEWAY_PORT$REQUEST_PATH" >"$WORK/wrk.txt" & load=$!
sleep "$WARMUP"
dotnet-counters collect -p "$gateway" --format csv -o "$WORK/counters.csv" --refresh-interval 1 --duration "00:00:$(printf '%02d' "$PERF_SECONDS")" \
  --counters System.Runtime >/dev/null 2>&1 & counters=$!
perf record -F 499 -g -p "$gateway" -o "$WORK/perf.data" -- sleep "$PERF_SECONDS" >/dev/null 2>&1
wait "$counters" || true
wait "$load" || true
set +o pipefail  # head closes the pipes of perf report early
echo "== wrk ($CONNECTIONS connections, $REQUEST_PATH)"; grep -E "Requests/sec|Latency" "$WORK/wrk.txt"

perf report -i "$WORK/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -E '^ +[0-9.]+%' | head -20 >"$WORK/dso.txt"
echo "== CPU by component (perf, share of the gateway's samples)"
awk '{ share=$1; sub(/%/,"",share); dso=$2 " " $3
       if (dso ~ /kernel/) k+=share; else if (dso ~ /JIT|perf-[0-9]+\.map|memfd|\.dll/) j+=share; else if (dso ~ /libcoreclr|libclrjit|libSystem/) r+=share; else o+=share }
     END { printf "kernel %.1f%%, JIT-compiled .NET code %.1f%%, runtime (GC, JIT, thread pool) %.1f%%, other %.1f%%\n", k, j, r, o }' "$WORK/dso.txt"
echo "== CPU by thread (perf, share of the gateway's samples)"
perf report -i "$WORK/perf.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep -E '^ +[0-9.]+%' | head -12
echo "== top symbols of the console log writer thread"
perf report -i "$WORK/perf.data" --no-children --comms "Gateway console" --sort dso,symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9.]+%' | head -15 | cut -c1-160
echo "== top symbols"
perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9.]+%' | head -40 | cut -c1-160
echo "== dotnet-counters (System.Runtime, mean over the window)"
awk -F, 'NR > 1 { gsub(/"/, ""); sum[$3] += $NF; n[$3]++ } END { for (k in sum) printf "%-70s %.1f\n", k, sum[k] / n[k] }' "$WORK/counters.csv" | sort
echo "== resident memory at the end"
grep -E 'VmHWM|VmRSS|RssAnon|RssFile|RssShmem|Threads' "/proc/$gateway/status"
