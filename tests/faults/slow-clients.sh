#!/usr/bin/env bash
# Slow clients (slowhttptest): slow headers, slow body and slow read, 4,000 connections each, against the
# gateway running as its own Production process in front of an nginx backend (which answers at once, so
# that what is measured is the gateway), while a normal client keeps sending requests on fresh connections. Passes when every normal request succeeds and their p99
# stays under 100 ms during each attack. Prints one line per attack with the figures.
#   bash tests/faults/slow-clients.sh            (about two minutes)
#   CONNECTIONS=4000 LENGTH=25 P99_LIMIT_MS=100 bash tests/faults/slow-clients.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNECTIONS=${CONNECTIONS:-4000}
LENGTH=${LENGTH:-25}
P99_LIMIT_MS=${P99_LIMIT_MS:-100}
PROBES=${PROBES:-400}

for tool in slowhttptest curl dotnet nginx; do
  command -v "$tool" >/dev/null || { echo "slow-clients: $tool is not installed (see .ci/apt-packages)"; exit 1; }
done

ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d /tmp/gateway-slow-clients.XXXXXX)
gateway_pid=
nginx_pid=
cleanup() {
  for pid in $gateway_pid $nginx_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "slow-clients: logs kept in $work"; fi
}
trap cleanup EXIT

dotnet build src/Gateway -c Release -o "$work/gateway" -nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "slow-clients: no free port found" >&2; return 1
}

backend_port=$(free_port)
cat >"$work/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 20000;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 16000; }
http {
  access_log off;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$backend_port backlog=4096;
    location / { return 200 "ok\n"; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!

cat >"$work/gateway.json" <<JSON
{ "ReverseProxy": {
    "Routes": { "all": { "ClusterId": "web", "Match": { "Path": "/{**all}" } } },
    "Clusters": { "web": { "Destinations": { "nginx": { "Address": "http://127.0.0.1:$backend_port/" } } } } } }
JSON

port=$(free_port)
url="http://127.0.0.1:$port"
ASPNETCORE_ENVIRONMENT=Production dotnet "$work/gateway/Gateway.dll" --config "$work/gateway.json" \
  --urls "$url" --Gateway:Admin:Urls=http://127.0.0.1:0 ${GATEWAY_ARGS:-} >"$work/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 300); do
  curl -fs -o /dev/null "$url/ready" && break
  kill -0 "$gateway_pid" 2>/dev/null || { echo "slow-clients: the gateway exited"; cat "$work/gateway.log"; exit 1; }
  sleep 0.1
done

# Normal requests, each on a new connection, one every 50 ms; prints "status seconds" lines.
probe() {
  for i in $(seq 1 "$PROBES"); do
    curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total} %{time_connect} %{time_starttransfer}\n' "$url/probe/$i" || true
    sleep 0.02
  done
}

# p99 and mean in milliseconds and the number of probes, from "status seconds ..." lines.
summarise() {
  awk '{ print $2 * 1000 }' "$1" | sort -n | awk '
    { v[NR] = $1; sum += $1 } END { i = int(NR * 0.99 + 0.999); if (i < 1) i = 1; printf "%.1f %d %.1f\n", v[i], NR, sum / NR }'
}

status=0
run() {
  local name=$1; shift
  local attack_log="$work/$name.log"
  if [ "$name" != baseline ]; then
    slowhttptest "$@" -c "$CONNECTIONS" -r 1000 -l "$LENGTH" -p 3 -u "$url/slow" >"$attack_log" 2>&1 &
    local attack=$!
    sleep 6
  fi
  probe >"$work/$name.probes"
  local peak=0
  if [ "$name" != baseline ]; then
    wait "$attack" || true
    peak=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$attack_log" | grep -o 'connected: *[0-9]*' | awk '{ if ($2 > max) max = $2 } END { print max + 0 }')
  fi
  read -r p99 count mean < <(summarise "$work/$name.probes")
  local failed
  failed=$(awk '$1 != 200' "$work/$name.probes" | wc -l)
  local verdict=ok
  if [ "$failed" -ne 0 ] || awk -v p="$p99" -v limit="$P99_LIMIT_MS" 'BEGIN { exit !(p >= limit) }'; then verdict=FAILED; status=1; fi
  printf 'slow-clients %-13s attack connections held: %5s   normal requests: %s, failed %s, mean %s ms, p99 %s ms (limit %s ms)   %s\n' \
    "$name" "$peak" "$count" "$failed" "$mean" "$p99" "$P99_LIMIT_MS" "$verdict"
}

ATTACKS=${ATTACKS:-"baseline slow-headers slow-body slow-read"}
for attack in $ATTACKS; do
  case $attack in
    baseline) run baseline ;;
    slow-headers) run slow-headers -H -i 10 -x 24 ;;
    slow-body) run slow-body -B -i 10 -x 24 -s 8192 ;;
    slow-read) run slow-read -X -w 512 -y 1024 -n 5 -z 32 -k 3 ;;
    *) echo "slow-clients: unknown attack $attack"; exit 1 ;;
  esac
done

kill -0 "$gateway_pid" 2>/dev/null || { echo "slow-clients: the gateway died"; tail -50 "$work/gateway.log"; exit 1; }
exit $status
