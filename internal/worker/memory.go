package worker

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/specialvfx/vfx/internal/budget"
	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/imageproc"
	"github.com/specialvfx/vfx/internal/raytracer"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/workload"
)

// A worker's memory is one budget (Config.MaxMemory): a request reserves
// its body as it is read, what decoding its header may allocate, then,
// before any pixel is decoded, what running it needs (runMemory); all of
// it is released once its response is sent.

// runMemory is what serving req needs beyond its body and its header: the
// texture or image it decodes (decoded pixels at the decoder's bytes per
// pixel, plus the encoded bytes), the render or the filter's planes, and
// the answer encoded.
func runMemory(req *wire.Request, threads int) int64 {
	switch req.Kind {
	case workload.Raytracer:
		p := req.Params
		p.Threads = threads
		n := raytracer.RenderMemory(p) + wire.ResponseMemory(p.WCols, p.WRows)
		if t := req.Texmap; t != nil {
			n += int64(req.Features.TexmapBytes) + codec.DecodeRGBBytes(t.Config, t.Format)
		}
		return n
	case workload.Blur, workload.Enhance:
		w, h := req.Config.Width, req.Config.Height
		o := imageproc.Options{Threads: threads}
		filter := imageproc.BlurMemory(w, h, o)
		if req.Kind == workload.Enhance {
			filter = imageproc.EnhanceMemory(w, h, o)
		}
		return int64(req.Features.InputBytes) + codec.DecodeBytes(req.Config, req.Encoding) + filter + wire.ResponseMemory(w, h)
	}
	return 0
}

// reserve reserves n more bytes on hold for a request, or returns the
// refusal to answer: 503 with Retry-After when the budget has no room now
// (what bytes is for: "its body", "decoding it"), 413 when the request
// needs more than the budget ever has room for.
func (s *Server) reserve(hold *budget.Hold, n int64, what string) error {
	err := hold.Reserve(n)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, budget.ErrTooLarge):
		return wire.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("this request needs %d bytes of memory, more than this worker can hold for one request (--max-memory %d): try a smaller request",
			hold.Held()+n, s.cfg.MaxMemory), err)
	}
	return s.memoryFull(what, err)
}

// memoryFull is the 503 for a request the budget has no room for now.
func (s *Server) memoryFull(what string, err error) error {
	return wire.NewError(http.StatusServiceUnavailable, fmt.Sprintf("worker busy: its memory (--max-memory %d) has no room for %s now: retry later or on another worker",
		s.cfg.MaxMemory, what), err)
}

// defaultMaxMemory is half the memory this process may use (memoryLimit),
// at least 256 MiB; 1 GiB when that is unknown.
func defaultMaxMemory() int64 {
	limit := memoryLimit()
	if limit <= 0 {
		return 1 << 30
	}
	return max(limit/2, 256<<20)
}

// memoryLimit is the memory this process may use: its cgroup's limit when
// it has one (a container started with --memory), else the machine's; 0
// when neither can be read.
func memoryLimit() int64 {
	total := int64(0)
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		total, _ = parseMemTotal(string(b))
	}
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} { // v2, v1
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if l, ok := parseMemoryMax(string(b)); ok && (total == 0 || l < total) {
			return l
		}
		break
	}
	return total
}

// parseMemoryMax reads a cgroup memory limit: a number of bytes, or "max"
// (cgroup v2) for none; ok is false when there is none.
func parseMemoryMax(s string) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v <= 0 {
		return 0, false
	}
	return v, true
}

// parseMemTotal reads MemTotal from /proc/meminfo, in bytes.
func parseMemTotal(s string) (int64, bool) {
	for _, line := range strings.Split(s, "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				if v, err := strconv.ParseInt(f[0], 10, 64); err == nil && v > 0 {
					return v << 10, true
				}
			}
		}
	}
	return 0, false
}
