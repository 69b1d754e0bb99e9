#!/usr/bin/env bash
# Sets the simulator beside the real system on the same requests: runs
# `vfx up` with a fixed pool (Docker workers with a CPU limit when
# `docker info` works, local processes otherwise), sends it a seeded
# `vfx load` of the course mix with --out, stops it, replays the recorded
# trace with `vfx sim` on as many workers (speed, unit costs and overhead
# taken from the trace) and prints both, then how far apart they are per
# percentile.
#
# Usage: bench/simreal.sh [RATE [DURATION [WORKERS [CPUS]]]]   defaults: 1.5 80s 2 0.5
# Everything listens on 127.0.0.1, under a deployment of its own
# (bench-simreal-PID); the load is bounded by DURATION, the whole script by
# about DURATION + 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

rate=${1:-1.5}
duration=${2:-80s}
workers=${3:-2}
cpus=${4:-0.5}
tmp=$(mktemp -d)
port=$((20000 + $$ % 20000))
up_pid=
cleanup() {
	if [ -n "$up_pid" ] && kill -0 "$up_pid" 2>/dev/null; then
		kill -INT "$up_pid" 2>/dev/null || true
		wait "$up_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

CGO_ENABLED=0 go build -o "$tmp/vfx" ./cmd/vfx
provider=(--provider docker --worker-cpus "$cpus")
if ! docker info >/dev/null 2>&1; then
	provider=(--provider local)
	echo "Note: \`docker info\` failed: local workers share this machine's cores, so their speeds are not independent."
fi
# One thread a request and two requests a worker: processor sharing of the
# worker's CPU, as the simulator models it.
timeout 600 "$tmp/vfx" up "${provider[@]}" --workers "$workers" --listen "127.0.0.1:$port" \
	--state-dir "$tmp/state" --deployment "bench-simreal-$$" \
	--worker-arg=--threads=1 --worker-arg=--max-inflight=2 --max-inflight 2 >"$tmp/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 1 180); do
	grep -q "Press Ctrl-C to stop" "$tmp/up.log" && break
	kill -0 "$up_pid" 2>/dev/null || { cat "$tmp/up.log"; exit 1; }
	sleep 1
done
"$tmp/vfx" load "http://127.0.0.1:$port" --preset course --rate "$rate" --duration "$duration" --seed 1 \
	--out "$tmp/run.jsonl" --report-every 0 >"$tmp/load.txt"
kill -INT "$up_pid"
wait "$up_pid" || true
up_pid=

echo "$workers workers ($(echo "${provider[@]}")), course mix, Poisson $rate/s for $duration, seed 1"
echo
# Once with one speed a worker, once with the container's CPU quota
# modelled (docker runs only).
modes=("")
[ "${provider[1]}" = docker ] && modes+=("--cpus $cpus --cores $(nproc)")
for mode in "${modes[@]}"; do
	echo "vfx sim ${mode:-(one speed a worker)}:"
	# shellcheck disable=SC2086 # mode is a list of flags
	"$tmp/vfx" sim --trace "$tmp/run.jsonl" --workers "$workers" --scalers none --max-inflight 2 \
		--policies cost,least-requests,round-robin $mode | tee "$tmp/sim.txt"
	echo
	echo "| routing | p50 sim/real | p95 sim/real | p99 sim/real |"
	echo "|---|--:|--:|--:|"
	awk '
		function sec(v) { if (v ~ /ms$/) { sub(/ms$/, "", v); return v / 1000 } sub(/s$/, "", v); return v }
		$1 == "measured" { p50 = sec($5); p95 = sec($6); p99 = sec($7); next }
		p50 > 0 && NF >= 9 && $2 == "none" {
			printf "| %s | %+.0f%% | %+.0f%% | %+.0f%% |\n", $1, 100 * (sec($5) / p50 - 1), 100 * (sec($6) / p95 - 1), 100 * (sec($7) / p99 - 1)
		}' "$tmp/sim.txt"
	echo
done
