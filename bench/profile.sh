#!/usr/bin/env bash
# CPU profile of one measured server of BenchmarkServerCPU, for the breakdowns in BENCHMARKS.md: runs one
# row with perf recording the server that answers it, then prints where its CPU went per call.
# Needs perf (Debian: linux-perf). Usage: bash bench/profile.sh <row> [calls] [function]
#   bash bench/profile.sh c=16/custom_data_100B/GetProfile 20000
# With a function name, it also splits that function's CPU by what it calls:
#   bash bench/profile.sh c=16/custom_data_4096B/RefreshSession 20000 customDoc
# A row WhoAmI/<kind> (none, 100B, 4096B, 4096B_one_string) profiles BenchmarkWhoAmIDocument's users
# of that kind, one connection per worker, on a server of its own:
#   bash bench/profile.sh WhoAmI/4096B 20000
set -euo pipefail
cd "$(dirname "$0")/.."
row=$1
calls=${2:-10000}
within=${3:-}
size=$(sed -n 's|.*custom_data_\([0-9]*B\).*|\1|p' <<<"$row")
db=lanyard_bench_${size:-100B}
seeded=1
# Logins have a server of their own, which no seeding logins run on.
if [[ $row == *Login* ]]; then db=lanyard_bench_logins seeded=0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bench="ServerCPU/$row\$"
cpu_metric=server-cpu-ms/op
if [[ $row == WhoAmI/* ]]; then
	kind=${row#WhoAmI/}
	# One round of one kind. The server runs a binary that outlives the benchmark, so that perf can
	# name its functions afterwards; its users' logins and writes are left out as seed logins are.
	go build -o "$work/lanyard" .
	export LANYARD_BENCH_BINARIES=this=$work/lanyard LANYARD_BENCH_KINDS=$kind LANYARD_BENCH_ROUNDS=1
	bench='WhoAmIDocument/conns=worker$' db=lanyard_bench_whoami seeded=1 cpu_metric=$kind-cpu-ms/op
fi
go test -c -o "$work/bench.test" ./bench/
(cd bench && "$work/bench.test" -test.run '^$' -test.bench "$bench" -test.benchtime "${calls}x" >"$work/out" 2>&1) &
bench=$!
pid=
for _ in $(seq 1 600); do
	pid=$(pgrep -f -- "--database $db --store" | head -1 || true)
	[ -n "$pid" ] && break
	sleep 0.2
done
[ -n "$pid" ] || { echo "the server of $db did not start" >&2; exit 1; }
echo "profiling $(ps -o pid=,args= -p "$pid" | cut -c1-100)" >&2
perf record -q -e cpu-clock -F 2000 -g -p "$pid" -o "$work/perf.data" 2>/dev/null &
rec=$!
wait "$bench" || { cat "$work/out"; exit 1; }
kill -INT "$rec" 2>/dev/null || true
wait "$rec" 2>/dev/null || true
grep '^Benchmark' "$work/out"
cpu=$(grep -o "[0-9.]* $cpu_metric" "$work/out" | cut -d' ' -f1)
perf script -i "$work/perf.data" 2>/dev/null | python3 bench/profile.py "$cpu" "$seeded" $within
