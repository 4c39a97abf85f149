#!/usr/bin/env bash
# Throughput of an authenticated RPC (AuthService.WhoAmI with a token) beside an unauthenticated one
# (AuthService.GetJwks) of the same server in the same run, both answered from memory, measured with ghz.
# The store runs in its own process (FerretDB on PostgreSQL, served by a second lanyard), as in
# production. Prints each round and the medians and the ratio. Usage: bash bench/ghz.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
requests=${GHZ_REQUESTS:-20000}
concurrency=${GHZ_CONCURRENCY:-16}
pg=${LANYARD_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS lanyard_ghz WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_healthy() {
	for _ in $(seq 1 600); do curl -fs "http://$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "lanyard at $1 did not become healthy" >&2; exit 1
}

go build -o "$work/lanyard" .
psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS lanyard_ghz WITH (FORCE)" >/dev/null
psql "$pg/postgres" -qc "CREATE DATABASE lanyard_ghz" >/dev/null

engine=127.0.0.1:$(free_port); store_http=127.0.0.1:$(free_port)
"$work/lanyard" serve --data-dir "$work/store" --grpc-addr 127.0.0.1:$(free_port) --http-addr "$store_http" \
	--embedded-postgres-url "$pg/lanyard_ghz" --embedded-addr "$engine" --log-level warn 2>"$work/store.log" &
pids+=($!)
wait_healthy "$store_http"

grpc=127.0.0.1:$(free_port); http=127.0.0.1:$(free_port)
"$work/lanyard" serve --data-dir "$work/server" --grpc-addr "$grpc" --http-addr "$http" --database lanyard_bench \
	--mongodb-uri "mongodb://$engine/" --public-url "http://$http" --master-key "$(python3 -c 'import os,base64; print(base64.b64encode(os.urandom(32)).decode())')" \
	--log-level warn 2>"$work/server.log" &
pids+=($!)
wait_healthy "$http"

G="go tool -modfile=tools/go.mod"
token=$($G grpcurl -plaintext -d '{"anonymous": {}}' "$grpc" lanyard.v1.AuthService/Login |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')

run() { # method, extra ghz args...
	local method=$1; shift
	$G ghz --insecure --format json -n "$requests" -c "$concurrency" --call "lanyard.v1.AuthService/$method" -d '{}' "$@" "$grpc" |
		python3 -c 'import json,sys; r=json.load(sys.stdin); print(round(r["rps"]), round(r["average"]/1e3))'
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $requests requests, concurrency $concurrency"
public=(); authd=()
for i in $(seq 1 "$rounds"); do
	read -r p pl < <(run GetJwks)
	read -r a al < <(run WhoAmI --metadata "{\"authorization\": \"Bearer $token\"}")
	public+=("$p"); authd+=("$a")
	echo "round $i: GetJwks $p rps (mean ${pl} us), WhoAmI $a rps (mean ${al} us)"
done
python3 - "${public[*]}" "${authd[*]}" <<'EOF'
import statistics, sys
p = [float(x) for x in sys.argv[1].split()]
a = [float(x) for x in sys.argv[2].split()]
mp, ma = statistics.median(p), statistics.median(a)
print(f"median GetJwks {mp:.0f} rps, median WhoAmI {ma:.0f} rps, ratio authenticated/public {ma/mp:.2f}")
EOF
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
