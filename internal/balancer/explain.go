package balancer

import (
	"fmt"
	"math"
)

// Explain says in a short line why p picked workers[idx] for req, for logs:
// the policy's own Reason if it has one, else a generic line.
func Explain(p Policy, req Request, workers []WorkerState, idx int) string {
	if r, ok := p.(Reasoner); ok {
		return r.Reason(req, workers, idx)
	}
	if idx < 0 || idx >= len(workers) {
		return "no worker picked"
	}
	w := workers[idx]
	return fmt.Sprintf("picked %s (%d in flight, finishes in %s)", w.ID, w.InFlight, seconds(FinishTime(req, workers, idx)))
}

// seconds formats a duration in seconds for a reason line: "0.84s",
// "12.3s", "1520s".
func seconds(s float64) string {
	switch {
	case math.IsInf(s, 1) || math.IsNaN(s):
		return "never"
	case s >= 100:
		return fmt.Sprintf("%.0fs", s)
	case s >= 10:
		return fmt.Sprintf("%.1fs", s)
	case s >= 0.01 || s == 0:
		return fmt.Sprintf("%.2fs", s)
	}
	return fmt.Sprintf("%.2gs", s)
}

// runnerUp returns the eligible worker other than idx that is best by less,
// or -1 if there is none.
func runnerUp(workers []WorkerState, idx int, less func(i, j int) bool) int {
	best := -1
	for i := range workers {
		if i == idx || !Eligible(workers[i]) {
			continue
		}
		if best < 0 || less(i, best) {
			best = i
		}
	}
	return best
}

// badIndex is the reason line for an index that is not a pick.
func badIndex(name string, workers []WorkerState, idx int) (string, bool) {
	if idx < 0 || idx >= len(workers) {
		return name + ": no worker picked", true
	}
	return "", false
}
