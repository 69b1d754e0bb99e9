#!/usr/bin/env bash
# Accuracy of the load balancer's cost predictions on inputs it has not
# seen (the unseen preset of vfx load, in process: see bench/predict and
# internal/costcheck), without and with the probes, over seeds $SEEDS
# (requests 101-300 of each), then the CPU cost of a ray-trace probe and
# what an enhance probe would cost (go test -bench, best and median of
# $RUNS runs; the machine is shared, so compare CPU-bound figures only
# with runs interleaved).
#
#   bench/predict.sh            # SEEDS=1,2,3 RUNS=5
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEED=${SEED:-$ROOT/../shared/seed-data}
SEEDS=${SEEDS:-1,2,3}
RUNS=${RUNS:-5}
cd "$ROOT"

date -u +"%Y-%m-%d %H:%M UTC"
echo
echo "## MAPE on the unseen preset, no probes (the features and the estimator only)"
go run ./bench/predict -seed-data "$SEED" -seeds "$SEEDS" -no-probe
echo
echo "## MAPE on the unseen preset, as the load balancer predicts (ray traces probed)"
go run ./bench/predict -seed-data "$SEED" -seeds "$SEEDS"
echo
echo "## MAPE on the unseen preset, enhance probed too (its image decoded)"
go run ./bench/predict -seed-data "$SEED" -seeds "$SEEDS" -probe-decode
echo
echo "## CPU cost of a probe (ns/op over $RUNS runs, on one core)"
printf "%-40s %12s %12s %12s\n" "benchmark" "min ns" "median ns" "max ns"
go test -run XXX -bench 'BenchmarkRaytrace|BenchmarkEnhanceCosts' -benchtime 200x -count "$RUNS" -cpu 1 ./internal/probe |
	awk '/^Benchmark/ { v[$1] = v[$1] " " $3 } END {
		for (k in v) {
			n = split(substr(v[k], 2), a, " ")
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
			printf "%-40s %12d %12d %12d\n", k, a[1], a[int((n + 1) / 2)], a[n]
		}
	}' | sort
