#!/usr/bin/env bash
# Side-by-side benchmark: HAProxy, nginx, a default YARP app, the same YARP app with its logging off, and the
# gateway in front of the same three backends, driven by wrk over loopback in interleaved rounds. One command
# from a fresh clone:
#
#   bench/run.sh
#
# Each proxy runs as a long-lived process would: started once per balancing policy, warmed up once
# (WARMUP seconds, so that .NET's tiered JIT has finished and the figures are its steady state), then
# measured in rounds that visit every scenario and every target in turn; each cell re-warms its connections
# for REWARM seconds, then measures for DURATION seconds. Peak RSS is per cell (VmHWM reset before it).
#
# Knobs (environment): ROUNDS (3), DURATION (10), WARMUP (20), REWARM (2),
# TARGETS ("haproxy nginx yarp yarp-nolog gateway"), SCENARIOS ("small64 small256 large64 iphash"),
# GATEWAY_ENV (extra VAR=value pairs for the gateway process only), GATEWAY2_ENV (the same for target
# "gateway2": the same build again with other settings, so that TARGETS="gateway gateway2" measures a change
# in interleaved rounds, which cancels the drift of a shared machine), GATEWAY2_BUILD (a folder with
# another published build for "gateway2", for a change that needs a different build),
# CHART (where the SVG goes, default docs/benchmark.svg; empty for none), KEEP_WORK (keep the generated
# configurations and logs in /tmp/gateway-bench.*). Results: bench/out/summary.md and results.csv.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-20}
REWARM=${REWARM:-2}
TARGETS=${TARGETS:-"haproxy nginx yarp yarp-nolog gateway"}
SCENARIOS=${SCENARIOS:-"small64 small256 large64 iphash"}
GATEWAY_ENV=${GATEWAY_ENV:-}
CHART=${CHART-docs/benchmark.svg}
OUT="$ROOT/bench/out"
WORK=$(mktemp -d /tmp/gateway-bench.XXXXXX)
RESULTS="$OUT/results.csv"

BACKEND_PORTS=(18081 18082 18083)
declare -A PORT=([haproxy]=18090 [nginx]=18091 [yarp]=18092 [yarp-nolog]=18097 [gateway]=18093 [gateway2]=18095)
declare -A ADMIN_PORT=([gateway]=18094 [gateway2]=18096)
GATEWAY2_ENV=${GATEWAY2_ENV:-}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

STARTED=()
cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- tools -------------------------------------------------------------------------------------------
install_tools() {
  local need=() pkg
  for pkg in haproxy nginx wrk curl procps; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
}

build() {
  log "building the gateway and the YARP baseline (Release)"
  dotnet publish "$ROOT/src/Gateway/Gateway.csproj" -c Release -o "$OUT/build/gateway" -v quiet -nologo >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; die "gateway build failed"; }
  dotnet publish "$ROOT/bench/YarpBaseline/YarpBaseline.csproj" -c Release -o "$OUT/build/yarp" -v quiet -nologo >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; die "baseline build failed"; }
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_http() { # url, pid: until the url answers 200 through the proxy, or the process dies
  local url=$1 pid=$2
  for _ in $(seq 200); do
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}

# --- backends: one nginx, three ports, a small and a 64 KiB body -------------------------------------
start_backends() {
  mkdir -p "$WORK/backend/www" "$WORK/backend/logs"
  head -c 65536 /dev/zero | tr '\0' 'x' >"$WORK/backend/www/large"
  local listens="" p
  for p in "${BACKEND_PORTS[@]}"; do listens+="    listen 127.0.0.1:$p reuseport backlog=4096;"$'\n'; done
  cat >"$WORK/backend/nginx.conf" <<EOF
$( [ "$(id -u)" -eq 0 ] && echo "user root root;" )
worker_processes 1;
pid $WORK/backend/nginx.pid;
error_log $WORK/backend/logs/error.log warn;
daemon off;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=16;
  server {
$listens
    root $WORK/backend/www;
    location = /small  { default_type text/plain; return 200 "Hello from the backend\n"; }
    location = /health { default_type text/plain; return 200 "ok\n"; }
    location = /large  { default_type application/octet-stream; }
  }
}
EOF
  nginx -p "$WORK/backend" -e "$WORK/backend/logs/error.log" -c "$WORK/backend/nginx.conf" &
  STARTED+=($!)
  BACKEND_PID=$!
  wait_http "http://127.0.0.1:${BACKEND_PORTS[0]}/small" "$BACKEND_PID" || die "backends did not start"
}

# --- proxies -----------------------------------------------------------------------------------------
haproxy_config() { # policy
  local balance="balance roundrobin"
  [ "$1" = iphash ] && balance=$'balance source\n  hash-type consistent'
  cat <<EOF
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
  http-reuse always
frontend fe
  bind 127.0.0.1:${PORT[haproxy]}
  default_backend be
backend be
  $balance
$(for i in "${!BACKEND_PORTS[@]}"; do echo "  server s$((i + 1)) 127.0.0.1:${BACKEND_PORTS[$i]}"; done)
EOF
}

nginx_config() { # policy
  local balance=""
  [ "$1" = iphash ] && balance='hash $remote_addr consistent;'
  cat <<EOF
$( [ "$(id -u)" -eq 0 ] && echo "user root root;" )
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  upstream be {
    $balance
$(for p in "${BACKEND_PORTS[@]}"; do echo "    server 127.0.0.1:$p;"; done)
    keepalive 512;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:${PORT[nginx]} backlog=4096;
    location / {
      proxy_pass http://be;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
}

# One route, one cluster, nothing else: given on the command line so the app itself stays the template.
# "yarp-nolog" is the same app with every log category off: no "Proxying to" line per request, and (ASP.NET
# Core's request logger being off too) no Activity and no traceparent header per request. It is the floor
# under any proxy built on Kestrel and YARP on this machine, which the gateway's own cost is measured from.
yarp_args() { # target
  YARP_ARGS=(--urls "http://127.0.0.1:${PORT[$1]}"
    "--ReverseProxy:Routes:all:ClusterId=backends" "--ReverseProxy:Routes:all:Match:Path={**catch-all}")
  for i in "${!BACKEND_PORTS[@]}"; do
    YARP_ARGS+=("--ReverseProxy:Clusters:backends:Destinations:b$((i + 1)):Address=http://127.0.0.1:${BACKEND_PORTS[$i]}/")
  done
  [ "$1" = yarp-nolog ] && YARP_ARGS+=("--Logging:LogLevel:Default=None" "--Logging:LogLevel:Microsoft.AspNetCore=None")
  return 0
}

# The gateway runs with every feature on. Health checks use the gateway's own policies when the build
# has them (RiseFall active, OutlierDetection passive), YARP's built-in ones otherwise; the access log
# (Serilog, Information) and metrics (admin /metrics) are on by configuration.
gateway_config() { # policy active passive admin-port
  local policy=RoundRobin
  [ "$1" = iphash ] && policy=IpHash
  cat <<EOF
{
  "Logging": { "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning", "Yarp": "Warning" } },
  "Serilog": { "MinimumLevel": { "Default": "Information" } },
  "Gateway": { "Admin": { "Urls": "http://127.0.0.1:$4" } },
  "ReverseProxy": {
    "Routes": { "all": { "ClusterId": "backends", "Match": { "Path": "{**catch-all}" } } },
    "Clusters": {
      "backends": {
        "LoadBalancingPolicy": "$policy",
        "HealthCheck": {
          "Active": { "Enabled": true, "Interval": "00:00:02", "Timeout": "00:00:01", "Policy": "$2", "Path": "/health" },
          "Passive": { "Enabled": true, "Policy": "$3", "ReactivationPeriod": "00:00:30" }
        },
        "Metadata": { "RiseFall.Rise": "2", "RiseFall.Fall": "3", "OutlierDetection.ConsecutiveFailures": "5" },
        "Destinations": {
$(for i in "${!BACKEND_PORTS[@]}"; do
    sep=,; [ "$i" -eq $((${#BACKEND_PORTS[@]} - 1)) ] && sep=
    echo "          \"b$((i + 1))\": { \"Address\": \"http://127.0.0.1:${BACKEND_PORTS[$i]}/\" }$sep"
  done)
        }
      }
    }
  }
}
EOF
}

choose_health_policies() {
  gateway_config roundrobin RiseFall OutlierDetection "${ADMIN_PORT[gateway]}" >"$WORK/probe.json"
  if ASPNETCORE_ENVIRONMENT=Production dotnet "$OUT/build/gateway/Gateway.dll" --config "$WORK/probe.json" --check >/dev/null 2>&1; then
    ACTIVE_POLICY=RiseFall PASSIVE_POLICY=OutlierDetection
  else
    ACTIVE_POLICY=ConsecutiveFailures PASSIVE_POLICY=TransportFailureRate
  fi
  gateway_config roundrobin "$ACTIVE_POLICY" "$PASSIVE_POLICY" "${ADMIN_PORT[gateway]}" >"$WORK/probe.json"
  ASPNETCORE_ENVIRONMENT=Production dotnet "$OUT/build/gateway/Gateway.dll" --config "$WORK/probe.json" --check >&2 \
    || die "the gateway rejects the benchmark configuration"
  log "gateway health checks: active $ACTIVE_POLICY, passive $PASSIVE_POLICY"
}

declare -A TPID=()
start_target() { # target policy
  local target=$1 policy=$2
  port_free "${PORT[$target]}" || die "port ${PORT[$target]} is busy"
  case $target in
    haproxy)
      haproxy_config "$policy" >"$WORK/haproxy.cfg"
      haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
      ;;
    nginx)
      mkdir -p "$WORK/nginx"
      nginx_config "$policy" >"$WORK/nginx/nginx.conf"
      nginx -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" &
      ;;
    yarp | yarp-nolog)
      yarp_args "$target"
      ASPNETCORE_ENVIRONMENT=Production dotnet "$OUT/build/yarp/YarpBaseline.dll" "${YARP_ARGS[@]}" >"$WORK/$target.log" 2>&1 &
      ;;
    gateway | gateway2)
      local extra=$GATEWAY_ENV build="$OUT/build/gateway"
      [ "$target" = gateway2 ] && extra=$GATEWAY2_ENV build=${GATEWAY2_BUILD:-$build}
      port_free "${ADMIN_PORT[$target]}" || die "port ${ADMIN_PORT[$target]} is busy"
      # Its own folder: the gateway watches the configuration file's folder, and its log growing beside it
      # would wake the file watcher at every write.
      mkdir -p "$WORK/config"
      gateway_config "$policy" "$ACTIVE_POLICY" "$PASSIVE_POLICY" "${ADMIN_PORT[$target]}" >"$WORK/config/$target.json"
      # shellcheck disable=SC2086
      env ASPNETCORE_ENVIRONMENT=Production $extra dotnet "$build/Gateway.dll" \
        --config "$WORK/config/$target.json" --urls "http://127.0.0.1:${PORT[$target]}" >>"$WORK/$target.log" 2>"$WORK/$target.err" &
      ;;
  esac
  TPID[$target]=$!
  STARTED+=("${TPID[$target]}")
  wait_http "http://127.0.0.1:${PORT[$target]}/small" "${TPID[$target]}" || die "$target did not start"
}

stop_targets() {
  local target pid keep=()
  for target in "${!TPID[@]}"; do
    kill -TERM "${TPID[$target]}" 2>/dev/null || true
    wait "${TPID[$target]}" 2>/dev/null || true
  done
  for pid in "${STARTED[@]}"; do
    kill -0 "$pid" 2>/dev/null && keep+=("$pid")
  done
  STARTED=("${keep[@]}")
  TPID=()
}

# The proxy's processes: the one we started and its children (nginx's workers).
target_pids() { echo "${TPID[$1]}" $(pgrep -P "${TPID[$1]}" || true); }

cpu_ticks() { # utime + stime of every given process, in clock ticks
  local pid total=0 stat fields
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    # The fields after the command name (which may contain spaces); utime and stime are the 12th and 13th.
    read -r -a fields <<<"${stat##*) }"
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

reset_peak_rss() { # VmHWM back to the current RSS (Linux clear_refs), so each cell reports its own peak
  local pid
  for pid in "$@"; do echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true; done
}

peak_rss_kib() {
  local pid total=0 kib
  for pid in "$@"; do
    kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$((total + ${kib:-0}))
  done
  echo "$total"
}

# wrk's report -> "requests rps p50_ms p99_ms errors"
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
      if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
      if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
      return v + 0
    }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { requests = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { errors += $5 }
    END { printf "%d %.0f %.3f %.3f %d\n", requests, rps, p50, p99, errors }
  '
}

scenario_conns() { case $1 in small256) echo 256 ;; *) echo 64 ;; esac; }
scenario_path() { case $1 in large64) echo /large ;; *) echo /small ;; esac; }
scenario_policy() { case $1 in iphash) echo iphash ;; *) echo roundrobin ;; esac; }

run_cell() { # round scenario target
  local round=$1 scenario=$2 target=$3
  local conns path url before after pids ticks wrk_out requests rps p50 p99 errors cpu_us rss
  conns=$(scenario_conns "$scenario"); path=$(scenario_path "$scenario")
  url="http://127.0.0.1:${PORT[$target]}$path"
  wrk -t2 -c"$conns" -d"${REWARM}s" "$url" >/dev/null
  [[ $target == gateway* ]] && : >"$WORK/$target.log"
  pids=$(target_pids "$target")
  # shellcheck disable=SC2086
  reset_peak_rss $pids
  # shellcheck disable=SC2086
  before=$(cpu_ticks $pids)
  wrk_out=$(wrk -t2 -c"$conns" -d"${DURATION}s" --latency "$url")
  # shellcheck disable=SC2086
  after=$(cpu_ticks $pids)
  # shellcheck disable=SC2086
  rss=$(peak_rss_kib $pids)
  read -r requests rps p50 p99 errors <<<"$(parse_wrk <<<"$wrk_out")"
  ticks=$((after - before))
  cpu_us=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.1f", n ? t / hz * 1e6 / n : 0 }')
  if [ "$target" = gateway ]; then
    local lines metrics
    lines=$(wc -l <"$WORK/gateway.log")  # access-log events of this cell only
    metrics=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ADMIN_PORT[gateway]}/metrics" || true)
    # Where the gateway's resident memory is: mapped images (file), heaps (anon), double-mapped JIT code (shmem).
    RSS_SPLIT=$(awk '/^Rss(File|Anon|Shmem):/ { printf "%s%s %d MiB", sep, substr($1, 4, length($1) - 4), $2 / 1024; sep = ", " }' "/proc/${TPID[gateway]}/status")
    FEATURES="access-log lines per request $(awk -v l="$lines" -v n="$requests" 'BEGIN { printf "%.2f", n ? l / n : 0 }'), /metrics HTTP $metrics, health checks $ACTIVE_POLICY + $PASSIVE_POLICY"
  fi
  echo "$round,$scenario,$target,$requests,$rps,$p50,$p99,$errors,$cpu_us,$rss" >>"$RESULTS"
  log "round $round $scenario $target: $rps req/s, p50 ${p50} ms, p99 ${p99} ms, $errors errors, $cpu_us CPU us/req, peak RSS $((rss / 1024)) MiB"
}

# --- report ------------------------------------------------------------------------------------------
# Median over rounds of each figure, and median over rounds of its ratio to HAProxy in the same round.
summarise() {
  awk -F, -v scenarios="$SCENARIOS" -v targets="$TARGETS" '
    function median(list,    n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
      if (n == 0) return ""
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    NR > 1 { key = $2 SUBSEP $3; seen[key] = 1
      for (f = 5; f <= 10; f++) { val[key, f] = val[key, f] " " $f; cell[$1, $2, $3, f] = $f }
      rounds[$1] = 1 }
    END {
      ns = split(scenarios, S, " "); nt = split(targets, T, " ")
      names["rps"] = 5; names["p50"] = 6; names["p99"] = 7; names["err"] = 8; names["cpu"] = 9; names["rss"] = 10
      for (s = 1; s <= ns; s++) for (t = 1; t <= nt; t++) {
        key = S[s] SUBSEP T[t]; if (!(key in seen)) continue
        line = S[s] "," T[t]
        for (f = 5; f <= 10; f++) {
          ratios = ""
          for (r in rounds) {
            h = cell[r, S[s], "haproxy", f]; v = cell[r, S[s], T[t], f]
            if (h != "" && v != "" && h + 0 > 0) ratios = ratios " " (v / h)
          }
          line = line "," median(val[key, f]) "," median(ratios)
        }
        print line
      }
    }' "$RESULTS" >"$OUT/summary.csv"
}

print_table() {
  awk -F, '
    function r(x) { return x == "" ? "" : sprintf(" (%.2fx)", x) }
    BEGIN {
      print "| scenario | target | requests/s | p50 ms | p99 ms | errors | CPU us/request | peak RSS MiB |"
      print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    }
    { printf "| %s | %s | %d%s | %.2f%s | %.2f%s | %d | %.1f%s | %.0f%s |\n", $1, $2, $3, r($4), $5, r($6), $7, r($8), $9, $11, r($12), $13 / 1024, r($14) }
  ' "$OUT/summary.csv"
}

# The issue's goals for the gateway, scenario by scenario; the YARP ratio is also per round, then the median.
print_goals() {
  awk -F, '
    function median(list,    n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
      if (n == 0) return ""
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function mark(ok) { return ok ? "met" : "not met" }
    FILENAME ~ /results/ && FNR > 1 { rps[$1, $2, $3] = $5; seen[$2] = 1 }
    FILENAME ~ /summary/ && $2 == "gateway" && $4 != "" { row[++n] = $0 }
    END {
      if (n == 0) exit
      print "| scenario | req/s vs HAProxy (>= 0.75x) | req/s vs YARP (>= 1.2x) | p99 vs HAProxy (<= 1.5x) | CPU us/request (<= 40) | peak RSS (<= 100 MiB) |"
      print "| --- | --- | --- | --- | --- | --- |"
      for (i = 1; i <= n; i++) {
        split(row[i], f, ",")
        ratios = ""
        for (k in rps) { split(k, key, SUBSEP); if (key[2] == f[1] && key[3] == "gateway" && rps[key[1], f[1], "yarp"] > 0) ratios = ratios " " rps[k] / rps[key[1], f[1], "yarp"] }
        yarp = median(ratios)
        printf "| %s | %.2fx %s | %s | %.2fx %s | %.1f %s | %.0f MiB %s |\n", f[1], f[4], mark(f[4] >= 0.75), \
          yarp == "" ? "n/a" : sprintf("%.2fx %s", yarp, mark(yarp >= 1.2)), f[8], mark(f[8] <= 1.5), f[11], mark(f[11] <= 40), f[13] / 1024, mark(f[13] / 1024 <= 100)
      }
    }' "$RESULTS" "$OUT/summary.csv"
}

# Two panels: requests/s and CPU microseconds per request, one group of bars per scenario.
chart() {
  [ -n "$CHART" ] || return 0
  case $CHART in /*) ;; *) CHART="$ROOT/$CHART" ;; esac
  mkdir -p "$(dirname "$CHART")"
  awk -F, -v targets="$TARGETS" -v scenarios="$SCENARIOS" -v title="$1" '
    BEGIN { nt = split(targets, T, " "); ns = split(scenarios, S, " ")
      color["haproxy"] = "#4e79a7"; color["nginx"] = "#59a14f"; color["yarp"] = "#bab0ac"; color["yarp-nolog"] = "#9c755f"; color["gateway"] = "#e15759"; color["gateway2"] = "#f28e2b" }
    { v[$1, $2, "rps"] = $3; v[$1, $2, "cpu"] = $11; if ($3 > maxr) maxr = $3; if ($11 > maxc) maxc = $11 }
    function panel(x0, metric, max, label, fmt,    s, t, y, w, bar, val) {
      printf "<text x=\"%d\" y=\"52\" font-weight=\"bold\">%s</text>\n", x0, label
      y = 70
      for (s = 1; s <= ns; s++) {
        printf "<text x=\"%d\" y=\"%d\" fill=\"#333\">%s</text>\n", x0, y + 12, S[s]
        y += 18
        for (t = 1; t <= nt; t++) {
          if (!((S[s], T[t], metric) in v)) continue
          val = v[S[s], T[t], metric]; w = max > 0 ? val / max * 300 : 0
          printf "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\"/>\n", x0 + 70, y, w, color[T[t]]
          printf "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n", x0, y + 11, T[t]
          printf "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">" fmt "</text>\n", x0 + 74 + w, y + 11, val
          y += 17
        }
        y += 10
      }
      return y
    }
    END {
      h = 70 + ns * 28 + ns * nt * 17 + 20
      printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"%d\" font-family=\"sans-serif\" font-size=\"13\">\n", h
      printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      printf "<text x=\"20\" y=\"26\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", title
      panel(20, "rps", maxr, "requests/s (median, higher is better)", "%d")
      panel(470, "cpu", maxc, "CPU microseconds per request (lower is better)", "%.1f")
      print "</svg>"
    }' "$OUT/summary.csv" >"$CHART"
  log "chart written to $CHART"
}

# --- main --------------------------------------------------------------------------------------------
main() {
  install_tools
  mkdir -p "$OUT"
  for p in "${BACKEND_PORTS[@]}" "${PORT[@]}" "${ADMIN_PORT[@]}"; do port_free "$p" || die "port $p is busy"; done
  build
  start_backends
  [[ " $TARGETS " == *" gateway"* ]] && choose_health_policies
  echo "round,scenario,target,requests,rps,p50_ms,p99_ms,errors,cpu_us_per_request,peak_rss_kib" >"$RESULTS"
  local load_before load_after round scenario target
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  log "load average before: $load_before; $ROUNDS rounds of ${DURATION}s cells"
  local policy group targets
  for policy in roundrobin iphash; do
    group=""
    for scenario in $SCENARIOS; do [ "$(scenario_policy "$scenario")" = "$policy" ] && group+=" $scenario"; done
    [ -n "$group" ] || continue
    # A default YARP app has no client-IP hashing: nothing equivalent to compare.
    targets=$TARGETS
    [ "$policy" = iphash ] && targets=$(tr ' ' '\n' <<<"$TARGETS" | grep -vx -e yarp -e yarp-nolog | tr '\n' ' ')
    for target in $targets; do start_target "$target" "$policy"; done
    for target in $targets; do
      log "$policy: warming up $target for ${WARMUP}s"
      wrk -t2 -c64 -d"${WARMUP}s" "http://127.0.0.1:${PORT[$target]}/small" >/dev/null
    done
    for round in $(seq "$ROUNDS"); do
      for scenario in $group; do
        for target in $targets; do run_cell "$round" "$scenario" "$target"; done
      done
    done
    stop_targets
  done
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  summarise
  local machine
  machine="$(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME")"
  {
    echo
    echo "Machine: $machine; $(haproxy -v | head -1 | cut -d' ' -f1-3), nginx $(nginx -v 2>&1 | cut -d/ -f2), wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2), .NET $(dotnet --list-runtimes | awk '/NETCore/ { v = $2 } END { print v }')"
    echo "Load average (1, 5, 15 min) before: $load_before; after: $load_after. $ROUNDS interleaved rounds, wrk -t2, each proxy warmed up ${WARMUP}s once, then ${REWARM}s + ${DURATION}s per cell; median of rounds, ratio to HAProxy in the same round."
    [ -n "${FEATURES:-}" ] && echo "Gateway features seen in its last cell: $FEATURES; resident memory at its end: $RSS_SPLIT."
    echo
    print_table
    echo
    print_goals
  } | tee "$OUT/summary.md"
  chart "Gateway vs HAProxy, nginx and YARP: $(nproc) cores, loopback, wrk"
}

main "$@"
