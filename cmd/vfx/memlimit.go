package main

import (
	"log/slog"
	"os"
	"runtime/debug"
)

// memoryBaseline is what a vfx process holds besides its requests' data:
// the runtime, the binary, connection buffers, goroutine stacks, the cost
// model. Its peak resident memory stays within twice its memory budget
// (--max-buffered, --max-memory) plus this.
const memoryBaseline = 64 << 20

// softMemoryLimit makes the garbage collector keep the memory the Go
// runtime manages within twice budget plus a quarter of memoryBaseline
// (debug.SetMemoryLimit), the rest being left to what it does not manage
// (the binary's pages) and to its lag: what requests hold is within
// budget, and the collector may let the heap grow to twice what is live,
// no further. A GOMEMLIMIT in the environment wins.
func softMemoryLimit(budget int64, log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := 2*budget + memoryBaseline/4
	debug.SetMemoryLimit(limit)
	log.Debug("soft memory limit", "bytes", limit, "budget", budget)
}
