#!/usr/bin/env bash
# Runs every test of SpecialVFX@Cloud: the gofmt check, go vet, staticcheck,
# then the whole suite with the race detector, then the golden tests
# without it.
#
# The end-to-end tests and the docs test run the original system's client
# scripts and the commands of the README, which need curl, jq and hexdump
# (Debian packages curl, jq and bsdextrautils). When one is missing, this
# script installs it with apt-get if it runs as root; as another user it
# prints the apt-get command to run and exits with status 1. It installs
# nothing when the tools are present (scripts/need-tools.sh). staticcheck is
# run with `go run` at a pinned version (fetched through the Go module proxy).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/need-tools.sh

staticcheck=honnef.co/go/tools/cmd/staticcheck@v0.8.2

need_tools test.sh "the end-to-end tests run the original client scripts, which need them" \
	curl:curl jq:jq hexdump:bsdextrautils

gofmt_out=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$gofmt_out" ]; then
	echo "test.sh: gofmt would change:"; echo "$gofmt_out"; exit 1
fi
go vet ./...
go run "$staticcheck" ./...
go test -race -count=1 -timeout 30m "$@" ./...
# Under the race detector, which slows tracing tenfold, the ray tracer's golden
# test checks four bands of rows of each full-window golden; without it, every
# pixel of every golden.
go test -count=1 -run Golden ./internal/raytracer ./internal/imageproc ./internal/codec
