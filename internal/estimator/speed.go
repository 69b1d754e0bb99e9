package estimator

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// Defaults of SpeedOptions.
const (
	DefaultSpeedAlpha = 0.2
	// DefaultSpeed is the units per second assumed for a worker while no
	// worker's speed is known: the order of magnitude of one core ray
	// tracing or blurring.
	DefaultSpeed      = 5e7
	DefaultMaxWorkers = 10000
)

// SpeedOptions configure Speeds. The zero value of a field means its
// default.
type SpeedOptions struct {
	// Alpha in (0, 1] is the weight of the newest observation in the
	// moving average (default 0.2).
	Alpha float64
	// Default is the speed of an unknown worker while no worker is known
	// (default 5e7 units/s); once some are, an unknown worker gets their
	// median.
	Default float64
	// MaxWorkers bounds how many workers are tracked; beyond it the one
	// observed least recently is forgotten (default 10000).
	MaxWorkers int
}

// Validate reports every invalid field.
func (o SpeedOptions) Validate() error {
	var errs []error
	if !(o.Alpha >= 0 && o.Alpha <= 1) {
		errs = append(errs, fmt.Errorf("speed alpha: %v is outside (0, 1]", o.Alpha))
	}
	if !finiteNonNeg(o.Default) {
		errs = append(errs, fmt.Errorf("speed default: %v is not a finite positive number", o.Default))
	}
	if o.MaxWorkers < 0 {
		errs = append(errs, fmt.Errorf("speed max workers: %d is negative", o.MaxWorkers))
	}
	return errors.Join(errs...)
}

// Speeds learns each worker's speed: units per second of wall time per
// request, at the concurrency the worker was observed at, as an
// exponentially weighted moving average. A request of u units is predicted
// to take u / Speed(worker) seconds. Speeds is safe for concurrent use.
type Speeds struct {
	opts SpeedOptions

	mu      sync.RWMutex
	workers map[string]*workerSpeed
	seq     uint64  // observation counter, orders workers by recency
	median  float64 // of known speeds; valid unless dirty
	dirty   bool
}

type workerSpeed struct {
	speed   float64
	samples int64
	last    uint64
}

// NewSpeeds returns an empty speed table. Fields of o that are zero or
// invalid take their defaults; call o.Validate to report invalid ones.
func NewSpeeds(o SpeedOptions) *Speeds {
	if !(o.Alpha > 0 && o.Alpha <= 1) {
		o.Alpha = DefaultSpeedAlpha
	}
	if !(o.Default > 0) || math.IsInf(o.Default, 0) {
		o.Default = DefaultSpeed
	}
	if o.MaxWorkers <= 0 {
		o.MaxWorkers = DefaultMaxWorkers
	}
	return &Speeds{opts: o, workers: make(map[string]*workerSpeed), dirty: true}
}

// Observe learns that workerID did a request of units in wall time.
// Observations with no worker, no units, no time or non-finite values are
// ignored.
func (s *Speeds) Observe(workerID string, units float64, wall time.Duration) {
	if workerID == "" || !(units > 0) || math.IsInf(units, 0) || wall <= 0 {
		return
	}
	v := units / wall.Seconds()
	if !(v > 0) || math.IsInf(v, 0) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	w, ok := s.workers[workerID]
	if !ok {
		if len(s.workers) >= s.opts.MaxWorkers {
			s.evictOldestLocked()
		}
		w = &workerSpeed{speed: v}
		s.workers[workerID] = w
	} else {
		w.speed += s.opts.Alpha * (v - w.speed)
	}
	w.samples++
	w.last = s.seq
	s.dirty = true
}

func (s *Speeds) evictOldestLocked() {
	oldest, id := uint64(math.MaxUint64), ""
	for k, w := range s.workers {
		if w.last < oldest {
			oldest, id = w.last, k
		}
	}
	delete(s.workers, id)
}

// Forget drops a worker (for example once it is terminated).
func (s *Speeds) Forget(workerID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.workers[workerID]; ok {
		delete(s.workers, workerID)
		s.dirty = true
	}
}

// Lookup returns a worker's learnt speed, and false when it is unknown.
func (s *Speeds) Lookup(workerID string) (float64, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if w, ok := s.workers[workerID]; ok {
		return w.speed, true
	}
	return 0, false
}

// Speed returns a worker's learnt speed in units per second; for an unknown
// worker, the median of the known ones, or the default when none is known.
// It is always positive and finite.
func (s *Speeds) Speed(workerID string) float64 {
	if v, ok := s.Lookup(workerID); ok {
		return v
	}
	return s.fallback()
}

// fallback is the median of the known speeds, or the default.
func (s *Speeds) fallback() float64 {
	s.mu.RLock()
	if !s.dirty {
		m := s.median
		s.mu.RUnlock()
		return m
	}
	s.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dirty {
		s.median = s.medianLocked()
		s.dirty = false
	}
	return s.median
}

func (s *Speeds) medianLocked() float64 {
	if len(s.workers) == 0 {
		return s.opts.Default
	}
	v := make([]float64, 0, len(s.workers))
	for _, w := range s.workers {
		v = append(v, w.speed)
	}
	return median(v)
}

// median returns the median of v (the mean of the two middle values when
// len(v) is even), sorting v in place; 0 when v is empty.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	mid := len(v) / 2
	if len(v)%2 == 1 {
		return v[mid]
	}
	return (v[mid-1] + v[mid]) / 2
}

// SpeedsSnapshot is the speed table's state, JSON-friendly.
type SpeedsSnapshot struct {
	// Fallback is what an unknown worker is assumed to do.
	Fallback float64                `json:"fallback"`
	Workers  map[string]WorkerSpeed `json:"workers"`
}

// WorkerSpeed is one worker's learnt speed.
type WorkerSpeed struct {
	Speed   float64 `json:"units_per_second"`
	Samples int64   `json:"samples"`
}

// Snapshot returns a copy of the table.
func (s *Speeds) Snapshot() SpeedsSnapshot {
	fb := s.fallback()
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := SpeedsSnapshot{Fallback: fb, Workers: make(map[string]WorkerSpeed, len(s.workers))}
	for id, w := range s.workers {
		out.Workers[id] = WorkerSpeed{Speed: w.speed, Samples: w.samples}
	}
	return out
}
