#!/usr/bin/env bash
# bench/run.sh end to end in miniature (one round of 2-second cells, every target and scenario): the one-command
# benchmark still builds, configures and drives every proxy, writes its table and chart, sees the gateway's
# features on, and leaves no process or listener behind. The figures themselves are not judged: too short.
set -euo pipefail
cd "$(dirname "$0")/../.."

ports='( sport >= :18081 and sport <= :18097 )'
out=$(mktemp -d /tmp/bench-smoke.XXXXXX)
trap 'rm -rf "$out"' EXIT

fail() { echo "bench smoke: $*" >&2; exit 1; }

[ -z "$(ss -Hltn "$ports")" ] || fail "a benchmark port is busy before the run: $(ss -Hltnp "$ports")"
# What the benchmark starts: nginx (backends and proxy, with their workers), HAProxy and the two .NET apps, all
# pointed at its work folder or build output, and wrk.
ours() { pgrep -f 'gateway-bench\.|bench/out/build/|^nginx: |^haproxy |^wrk ' | sort || true; }
before=$(ours)
work_before=$(ls -d /tmp/gateway-bench.* 2>/dev/null || true)

ROUNDS=1 WARMUP=1 REWARM=1 DURATION=2 CHART="$out/benchmark.svg" bench/run.sh >"$out/report.md" 2>"$out/run.log" \
  || { cat "$out/run.log" >&2; fail "bench/run.sh failed"; }

# Every cell: 5 proxies x 3 round-robin scenarios, and the 3 that hash client IPs (a default YARP app has no ip-hash).
awk -F, 'NR > 1 {
    cells++
    if ($5 + 0 <= 0 || $8 + 0 != 0) { print "bench smoke: " $2 " " $3 ": " $5 " req/s, " $8 " errors"; bad = 1 }
  }
  END { if (cells != 18) { print "bench smoke: " cells " cells measured, 18 expected"; bad = 1 }; exit bad }' bench/out/results.csv >&2 \
  || { cat "$out/report.md" >&2; fail "a cell served nothing or had errors"; }

grep -Eq 'access-log lines per request (0\.9[5-9]|1\.0[0-9]), /metrics HTTP 200, health checks RiseFall \+ OutlierDetection' "$out/report.md" \
  || { cat "$out/report.md" >&2; fail "the gateway ran without its access log, metrics or health checks"; }
grep -q '| small64 | gateway |' "$out/report.md" || fail "no table in the report"
grep -q '</svg>' "$out/benchmark.svg" || fail "no chart written"

sleep 1
leftover=$(comm -13 <(echo "$before") <(ours))
[ -z "$leftover" ] || fail "processes left running: $(ps -o pid,args -p "$(echo $leftover | tr ' ' ,)")"
[ -z "$(ss -Hltn "$ports")" ] || fail "listeners left open: $(ss -Hltnp "$ports")"
work_after=$(ls -d /tmp/gateway-bench.* 2>/dev/null || true)
[ "$work_after" = "$work_before" ] || fail "work folder left behind: $(comm -13 <(echo "$work_before") <(echo "$work_after"))"

echo "bench smoke: 18 cells served without errors, chart written, nothing left running"
