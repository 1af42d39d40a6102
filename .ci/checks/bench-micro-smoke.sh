#!/usr/bin/env bash
# The BenchmarkDotNet project in miniature: every benchmark once, in process (BenchmarkDotNet's Dry job), so a
# benchmark that no longer sets up or throws fails CI. The figures of one invocation are not judged.
set -euo pipefail
cd "$(dirname "$0")/../.."

artifacts=$(mktemp -d /tmp/bench-micro-smoke.XXXXXX)
trap 'rm -rf "$artifacts"' EXIT
project=bench/Gateway.Benchmarks

expected=$(dotnet run -c Release --project "$project" -- --list flat | grep -c '^Gateway\.Benchmarks\.')
dotnet run -c Release --project "$project" --no-build -- --filter '*' --job Dry --inProcess --memory --artifacts "$artifacts" >"$artifacts/run.log" 2>&1 \
  || { tail -n 80 "$artifacts/run.log" >&2; echo "bench micro smoke: a benchmark failed" >&2; exit 1; }
executed=$(sed -n 's/^Global total time: .*executed benchmarks: \([0-9]*\)$/\1/p' "$artifacts/run.log")
echo "bench micro smoke: ${executed:-0} benchmark cases of $expected methods ran once, none failed"
[ "${executed:-0}" -ge "$expected" ] || { echo "bench micro smoke: fewer cases ran than methods exist" >&2; exit 1; }
