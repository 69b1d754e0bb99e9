package balancer

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/specialvfx/vfx/internal/workload"
)

// Request is what a policy knows about the request to place.
type Request struct {
	Kind workload.Kind
	// Units is the request's predicted cost in work units.
	Units float64
}

// WorkerState is a snapshot of one worker, as the load balancer sees it.
type WorkerState struct {
	ID string
	// Ready is true when the worker accepts new requests (not booting,
	// unhealthy or draining).
	Ready bool
	// InFlight counts the requests the worker is serving.
	InFlight int
	// MaxInFlight bounds InFlight (0 = unlimited); a worker at its limit
	// cannot take more.
	MaxInFlight int
	// PredictedLeft is the predicted units still to do for the in-flight
	// requests (their predictions minus estimated progress).
	PredictedLeft float64
	// Speed is the learnt units per second one request gets on the worker
	// when it has a core to itself (0 = unknown: the median of the known
	// speeds in the snapshot is used, or 1 when none is known). The worker
	// gets through Speed × Cores units per second when busy.
	Speed float64
	// Cores is how many requests the worker runs side by side at full
	// speed: m > Cores in-flight requests share them, each getting
	// Speed × Cores/m (processor sharing). It may be fractional (a
	// container limited to a quarter of a CPU has 0.25). 0 = unknown,
	// taken as 1.
	Cores float64
	// Left is the predicted units still to do of each in-flight request,
	// ascending (nil: PredictedLeft split evenly over InFlight). Policies
	// read it only; the caller may reuse its backing array once Pick
	// returns.
	Left []float64
	// CPUPercent is the last reported CPU utilisation, 0..100 (negative =
	// unknown).
	CPUPercent float64
}

// Policy picks the worker for a request. Pick returns an index into workers
// of a worker that is Ready and below its MaxInFlight, or ErrNoWorker when
// there is none. rng is the caller's source of randomness (a *rand.Rand is
// not safe for concurrent use: give each goroutine its own); policies that
// need none accept nil.
type Policy interface {
	Pick(req Request, workers []WorkerState, rng *rand.Rand) (int, error)
}

// Reasoner is implemented by policies that can explain a pick.
type Reasoner interface {
	// Reason says in a short line why workers[idx] was picked for req.
	Reason(req Request, workers []WorkerState, idx int) string
}

// ErrNoWorker means no worker is Ready with a free slot.
var ErrNoWorker = errors.New("no ready worker can take the request")

// Eligible reports whether w can take a request now: Ready and below its
// MaxInFlight.
func Eligible(w WorkerState) bool {
	return w.Ready && (w.MaxInFlight <= 0 || w.InFlight < w.MaxInFlight)
}

// knownSpeed reports whether v is a usable speed.
func knownSpeed(v float64) bool { return v > 0 && !math.IsInf(v, 0) }

// SpeedFallback is the speed assumed for workers whose Speed is unknown:
// the median of the known speeds in workers, or 1 when none is known.
func SpeedFallback(workers []WorkerState) float64 {
	bp := scratch.Get().(*[]float64)
	known := (*bp)[:0]
	for i := range workers {
		if knownSpeed(workers[i].Speed) {
			known = append(known, workers[i].Speed)
		}
	}
	m := 1.0
	if len(known) > 0 {
		m = median(known)
	}
	*bp = known[:0]
	scratch.Put(bp)
	return m
}

// scratch recycles the buffer SpeedFallback selects the median in.
var scratch = sync.Pool{New: func() any { return new([]float64) }}

// median returns the median of v (the mean of the two middle values for an
// even count; 0 for none), reordering v. It selects in expected linear
// time.
func median(v []float64) float64 {
	n := len(v)
	if n == 0 {
		return 0
	}
	hi := selectKth(v, n/2)
	if n%2 == 1 {
		return hi
	}
	// After selection v[:n/2] holds the smaller half; its maximum is the
	// other middle value.
	lo := v[0]
	for _, x := range v[1 : n/2] {
		lo = max(lo, x)
	}
	return (lo + hi) / 2
}

// selectKth reorders v so that v[k] is the value a sort would put there,
// with smaller or equal values before it, and returns v[k] (Hoare's
// selection with a median-of-three pivot; sorts small or stubborn ranges).
func selectKth(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for rounds := 0; hi-lo > 16; rounds++ {
		if rounds > 64 {
			break
		}
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	slices.Sort(v[lo : hi+1])
	return v[k]
}

// finishTimer computes predicted finish times over one snapshot, working
// out the speed fallback only if some worker needs it.
type finishTimer struct {
	workers  []WorkerState
	units    float64
	fallback float64 // 0 until needed
}

func newFinishTimer(req Request, workers []WorkerState) finishTimer {
	return finishTimer{workers: workers, units: nonNeg(req.Units)}
}

// at is the predicted time, in seconds, for workers[i] to finish the
// request: (PredictedLeft + Units) / Speed.
func (ft *finishTimer) at(i int) float64 {
	w := &ft.workers[i]
	speed := w.Speed
	if !knownSpeed(speed) {
		if ft.fallback == 0 {
			ft.fallback = SpeedFallback(ft.workers)
		}
		speed = ft.fallback
	}
	t := (nonNeg(w.PredictedLeft) + ft.units) / speed
	if math.IsNaN(t) {
		return math.Inf(1)
	}
	return t
}

// FinishTime is the predicted time in seconds for workers[i] to finish req,
// as the cost policy computes it.
func FinishTime(req Request, workers []WorkerState, i int) float64 {
	ft := newFinishTimer(req, workers)
	return ft.at(i)
}

// nonNeg maps negative values and NaN to 0 (+Inf stays: an infinite
// backlog is never preferred).
func nonNeg(v float64) float64 {
	if v > 0 {
		return v
	}
	return 0
}

// cpuLoad is w's CPU utilisation for comparison: unknown (negative or NaN)
// counts as 100 %.
func cpuLoad(w WorkerState) float64 {
	if w.CPUPercent >= 0 {
		return w.CPUPercent
	}
	return 100
}
