#!/usr/bin/env bash
# Compares the autoscaling policies on one seeded bursty trace (quiet →
# burst → quiet → burst → quiet of ray-trace requests) and prints a Markdown
# table per policy: p50/p99 latency, share of requests within the latency
# objective, worker-seconds spent, largest pool and scale events.
#
# Each policy runs `vfx up --provider docker --worker-cpus 0.5` (CPU-limited
# containers make each worker's capacity real on a small machine), under a
# deployment name of its own (bench-autoscaler-PID, never a user's); when
# `docker info` fails it falls back to `--provider local` and says so.
# Everything listens on 127.0.0.1.
#
# By default it runs backlog at its default target utilisation (0.7), backlog
# at 0.5 and cpu: the target utilisation is backlog's latency/cost knob.
# Usage: bench/autoscaler.sh [driver flags, e.g. -policies backlog,cpu -seed 2]
# (see go run ./bench/autoscaler -h). Bounded: the driver stops after
# $BENCH_TIMEOUT seconds (default 800), the whole script within 14 minutes
# (a run takes about 8).
set -euo pipefail
cd "$(dirname "$0")/.."

timeout_s=${BENCH_TIMEOUT:-800}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A static binary: the docker provider puts it as is in a FROM-scratch image.
CGO_ENABLED=0 go build -o "$tmp/vfx" ./cmd/vfx
go build -o "$tmp/bench-autoscaler" ./bench/autoscaler

provider=docker
if ! docker info >/dev/null 2>&1; then
	provider=local
	echo "Note: \`docker info\` failed, so this run uses --provider local: local workers share the host's cores, and a larger pool adds no real capacity."
	echo
fi

timeout --kill-after=30 "$timeout_s" "$tmp/bench-autoscaler" -vfx "$tmp/vfx" -provider "$provider" \
	-timeout "$((timeout_s - 20))s" "$@"
