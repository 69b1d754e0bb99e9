#!/usr/bin/env bash
# Benchmarks the ray tracer (go test -bench BenchmarkRender in
# internal/raytracer) and prints a Markdown table: wall time and CPU time per
# render, and rays traced per second of wall time. The original Java ray
# tracer is measured side by side by bench/java-raytracer.sh.
#
# Usage: bench/raytracer.sh [-benchtime N] (default 3x: three renders per
# case). Bounded: the go test run is killed after $BENCH_TIMEOUT (default 300 s).
set -euo pipefail
cd "$(dirname "$0")/.."

benchtime=3x
if [[ "${1:-}" == "-benchtime" && -n "${2:-}" ]]; then
	benchtime=$2
fi
timeout_s=${BENCH_TIMEOUT:-300}

out=$(timeout "$timeout_s" go test -run '^$' -bench '^BenchmarkRender$' -benchtime "$benchtime" \
	-timeout "${timeout_s}s" ./internal/raytracer)

echo "Ray tracer, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), go test -benchtime $benchtime"
echo
echo "| scene | size | aa | wall ms | CPU s | rays/s |"
echo "|---|---|---|---:|---:|---:|"
awk '
/^BenchmarkRender\// {
	split($1, part, "/")
	scene = part[2]; sub(/^scene=/, "", scene)
	size = part[3]; sub(/^size=/, "", size)
	aa = part[4]; sub(/^aa=/, "", aa); sub(/-[0-9]+$/, "", aa)
	wall = cpu = rays = ""
	for (i = 2; i < NF; i++) {
		if ($(i+1) == "ns/op") wall = $i / 1e6
		if ($(i+1) == "cpu-s/op") cpu = $i
		if ($(i+1) == "rays/s") rays = $i
	}
	printf "| %s | %s | %s | %.0f | %.3f | %.1fM |\n", scene, size, aa, wall, cpu, rays / 1e6
}' <<<"$out"
echo
echo "The original Java ray tracer, measured side by side: JAVA_SRC=DIR bash bench/java-raytracer.sh"
