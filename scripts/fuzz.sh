#!/usr/bin/env bash
# Runs every native fuzz target of the module for a short, bounded time
# (FUZZTIME, default 10s each). Any crasher fails the run; go test writes it
# under the package's testdata/fuzz so it becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
status=0
while IFS= read -r file; do
	dir=$(dirname "$file")
	for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
		echo "fuzz: ./$dir $target ($fuzztime)"
		if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "./$dir" >/tmp/fuzz-$$.log 2>&1; then
			cat /tmp/fuzz-$$.log; status=1
		else
			tail -n 1 /tmp/fuzz-$$.log
		fi
	done
done < <(grep -rlE '^func Fuzz' --include='*_test.go' internal cmd 2>/dev/null | sort)
rm -f /tmp/fuzz-$$.log
exit $status
