#!/usr/bin/env bash
# The load generator's own speed: `vfx load` against a cheap endpoint
# (bench/loadtarget, which answers every request at once as a worker
# answers a 1x1 blur), next to wrk on the same endpoint, so that the
# generator is known never to be the bottleneck of a benchmark. The
# generator (wrk with one thread, vfx load with GOMAXPROCS=1) is pinned to
# CPU 0, the endpoint (GOMAXPROCS=1) to CPU 1.
#
# Rows: wrk (closed loop, CONNS connections); vfx load --clients CONNS
# (closed loop); vfx load --rate R --max-inflight CONNS for each R of RATES
# (open loop on as many connections as wrk: does it keep its schedule?).
# Prints a Markdown table of requests/s, p50, p99 and, for the open loop,
# the requests that left more than 10ms late.
#
# Installs wrk with apt-get if it is missing, and says so.
#
#   bash bench/load.sh          # DURATION=10s CONNS=32 RATES="5000 8000"
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
RATES=${RATES:-5000 8000}

need=()
for tool in wrk taskset jq python3; do
	command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "load.sh: installing wrk util-linux jq python3 (missing: ${need[*]})" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq wrk util-linux jq python3 >/dev/null
fi

work=$(mktemp -d)
target_pid=
cleanup() {
	[ -n "$target_pid" ] && kill "$target_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/vfx" ./cmd/vfx
go build -o "$work/loadtarget" ./bench/loadtarget
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
url="http://127.0.0.1:$port"
GOMAXPROCS=1 taskset -c 1 "$work/loadtarget" -listen "127.0.0.1:$port" &
target_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "$url/" && break; sleep 0.05; done

"$work/loadtarget" -body >"$work/body.txt"
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.path = "/blurimage"
wrk.headers["Content-Type"] = "text/plain"
local f = io.open("$work/body.txt", "rb")
wrk.body = f:read("*a")
f:close()
LUA

# wrk: "Requests/sec:" and the latency distribution (50% and 99% lines).
wrk_out=$(taskset -c 0 wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$work/post.lua" "$url")
wrk_rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$wrk_out")
wrk_p50=$(awk '$1=="50%" {print $2}' <<<"$wrk_out")
wrk_p99=$(awk '$1=="99%" {print $2}' <<<"$wrk_out")

run_load() { GOMAXPROCS=1 taskset -c 0 "$work/vfx" load "$url" --preset tiny --duration "$DURATION" --seed 1 --format json --report-every 0 "$@" 2>/dev/null; }
closed=$(run_load --clients "$CONNS")

row() { # name, json
	jq -r --arg name "$1" '(.rows[] | select(.name == "all")) as $a |
		"| \($name) | \($a.throughput | floor) | \($a.p50_ms * 100 | round / 100)ms | \($a.p99_ms * 100 | round / 100)ms | \(if .loop == "open" then "\(.late) of \(.sent) (largest lag \(.max_lag_ms | round)ms)" else "–" end) |"' <<<"$2"
}

echo "### Load generator speed: one core each, $DURATION, POST /blurimage of a 1x1 PNG to bench/loadtarget"
echo
echo "| generator | requests/s | p50 | p99 | late (open loop) |"
echo "|---|---:|---:|---:|---|"
echo "| $(wrk -v 2>&1 | awk 'NR==1 {print $1, $2}'), 1 thread, $CONNS connections (closed loop) | ${wrk_rps%.*} | $wrk_p50 | $wrk_p99 | – |"
row "vfx load --clients $CONNS (closed loop)" "$closed"
for rate in $RATES; do
	row "vfx load --arrival constant --rate $rate --max-inflight $CONNS (open loop)" "$(run_load --arrival constant --rate "$rate" --max-inflight "$CONNS")"
done
