#!/usr/bin/env bash
# Routing policies compared on real processes: the same seeded trace of
# mixed requests (complex and simple ray traces, blurs and enhances arriving
# in bursts) through `vfx lb --policy P` for each policy, in front of the
# same pool of `vfx worker` processes pinned to one CPU each, the load
# balancer restarted per policy from the same trained cost model. Prints
# Markdown tables (mean, p50, p95, p99, max latency and makespan per
# policy; mean latency per request class). Bounded: about 2 minutes a seed.
#
#   bash bench/policies.sh [-bursts 10] [-seed 1] [-policies cost,round-robin]
#   bash bench/policies.sh -policies cost,least-requests -seeds 1,2,3,4,5
#   bash bench/policies.sh -policies cost,least-requests -seeds 1,2,3,4,5 -docker-cpus 1.0,0.25
#
# -seeds runs one seed after another, the policies' order rotating, and
# ends with a summary (median and min-max over the seeds, and cost's ratio
# to the others). -docker-cpus runs the workers as Docker containers
# limited to those CPUs (a heterogeneous pool), from an image holding a
# statically linked vfx.
#
# Needs taskset: run as root it installs util-linux with apt-get when it is
# missing; as another user it prints the apt-get command and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/need-tools.sh
need_tools policies.sh "the workers are pinned to one CPU each" taskset:util-linux
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/vfx" ./cmd/vfx
go build -o "$work/policies" ./bench/policies
static=()
if [[ " $* " == *" -docker-cpus"* ]]; then
	CGO_ENABLED=0 go build -o "$work/vfx-static" ./cmd/vfx
	static=(-vfx-static "$work/vfx-static")
fi
timeout 40m "$work/policies" -vfx "$work/vfx" "${static[@]}" -seed-data "$(pwd)/../shared/seed-data" -timeout 39m "$@"
