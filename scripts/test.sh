#!/usr/bin/env bash
# Runs every test of SpecialVFX@Cloud: vet, then the whole suite with the race
# detector, then the golden tests without it. Installs what a fresh machine lacks (curl, jq and hexdump drive the
# original client scripts in the end-to-end tests).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in curl jq hexdump; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		case $tool in
		hexdump) need+=(bsdextrautils) ;;
		*) need+=("$tool") ;;
		esac
	fi
done
if [ ${#need[@]} -gt 0 ]; then
	echo "test.sh: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

gofmt_out=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$gofmt_out" ]; then
	echo "test.sh: gofmt would change:"; echo "$gofmt_out"; exit 1
fi
go vet ./...
go test -race -count=1 -timeout 30m "$@" ./...
# Under the race detector, which slows tracing tenfold, the ray tracer's golden
# test checks four bands of rows of each full-window golden; without it, every
# pixel of every golden.
go test -count=1 -run Golden ./internal/raytracer ./internal/imageproc ./internal/codec
