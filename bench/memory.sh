#!/usr/bin/env bash
# Memory under hostile concurrency: for each attack (16 texture bombs, that
# is 100 KB PNGs declaring 4096x4096 16-bit pixels; 24 bodies of 63 MiB; both
# at once) a real `vfx lb` in front of a real `vfx worker`, started afresh,
# gets the whole attack at once with normal requests meanwhile. Prints a
# Markdown table of each process's peak resident memory (VmHWM) and CPU
# seconds, the answers the attack got and the normal requests served.
# Bounded: about a minute; everything on 127.0.0.1.
#
#   bash bench/memory.sh [-max-buffered BYTES] [-max-memory 2GiB] [-body-size BYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/vfx" ./cmd/vfx
go build -o "$work/memory" ./bench/memory
timeout 10m "$work/memory" -vfx "$work/vfx" -seed-data "$(pwd)/../shared/seed-data" "$@"
