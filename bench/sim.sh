#!/usr/bin/env bash
# Measures how `vfx sim` scales: one run per pool size (10, 100, 1000
# workers) and request count (10k, 100k, 1M), each a diurnal trace peaking
# at about 85 % of the pool's capacity (so the backlog autoscaler scales
# between a tenth of the pool and all of it), routed by the cost policy.
# Each case runs $REPEAT times (default 3), interleaved; the table gives the
# CPU-seconds (user + system) of a whole `vfx sim` run, min, median and
# spread (max − min), the median wall time, and the simulated requests per
# CPU-second at the median. The run time should grow about linearly with
# the requests; with the workers it grows as the routing policy's own scan
# of the pool (the cost policy looks at every ready worker per request).
#
# Usage: bench/sim.sh [workers...]   e.g. bench/sim.sh 10 100
# Environment: REPEAT (default 3), COUNTS (default "10000 100000 1000000").
# Bounded: each run is killed after 300 s.
set -euo pipefail
cd "$(dirname "$0")/.."

repeat=${REPEAT:-3}
counts=${COUNTS:-"10000 100000 1000000"}
workers=("$@")
[ ${#workers[@]} -eq 0 ] && workers=(10 100 1000)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/vfx" ./cmd/vfx

# run W N: one run; appends "cpu wall" to $tmp/W-N.
run() {
	local w=$1 n=$2
	# The built-in mix costs 0.62 s of a worker on average: a pool of w
	# serves w/0.62 requests/s; the peak is 85 % of it, the mean ~55 % of
	# the peak, three periods over the run.
	local peak mean period
	peak=$(awk -v w="$w" 'BEGIN { printf "%.3f", 0.85 * w / 0.62 }')
	mean=$(awk -v p="$peak" 'BEGIN { print 0.55 * p }')
	period=$(awk -v n="$n" -v m="$mean" 'BEGIN { printf "%ds", n / m / 3 + 1 }')
	local min=$((w / 10 > 0 ? w / 10 : 1))
	local start end
	TIMEFORMAT='%U %S'
	start=$(date +%s.%N)
	{ time timeout 300 "$tmp/vfx" sim --generate diurnal --rate "$peak" --period "$period" --count "$n" \
		--workers "$min" --min "$min" --max "$w" --max-scale-down-step $((w / 50 > 0 ? w / 50 : 1)) \
		--queue-len $((10 * w)) --policies cost --scalers backlog --seed 1 >"$tmp/out-$w-$n"; } 2>"$tmp/time"
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" '{ printf "%.3f %.3f\n", $1 + $2, e - s }' "$tmp/time" >>"$tmp/$w-$n"
}

for ((r = 0; r < repeat; r++)); do
	for n in $counts; do
		for w in "${workers[@]}"; do
			run "$w" "$n"
		done
	done
done

echo "| workers | requests | CPU-s min | CPU-s median | spread | wall median | simulated req/CPU-s | launched | drained |"
echo "|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
for w in "${workers[@]}"; do
	for n in $counts; do
		scale=$(awk '$2 == "backlog" { print $11 " " $12 }' "$tmp/out-$w-$n")
		sort -n -k1 "$tmp/$w-$n" | awk -v w="$w" -v n="$n" -v s="$scale" '
			{ cpu[NR] = $1; wall[NR] = $2 }
			END {
				m = int((NR + 1) / 2)
				split(s, sc, " ")
				# wall sorted separately for its median
				for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) if (wall[j] < wall[i]) { t = wall[i]; wall[i] = wall[j]; wall[j] = t }
				printf "| %d | %d | %.2f | %.2f | %.2f | %.2f | %.0f | %s | %s |\n", w, n, cpu[1], cpu[m], cpu[NR] - cpu[1], wall[m], n / cpu[m], sc[1], sc[2]
			}'
	done
done
