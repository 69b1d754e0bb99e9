package trace

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

// Entry is one request of a trace. At is the scheduled arrival time from
// the start of the run: an open-loop generator measures Latency from it,
// not from the moment the request actually left, so that a slow server
// cannot hide its queueing. The fields after Features are what happened;
// they are zero in a trace that was only generated, not run.
type Entry struct {
	// Seq numbers the requests of a run from 0, in scheduled order.
	Seq int `json:"seq"`
	// At is the scheduled arrival, from the start of the run.
	At time.Duration `json:"-"`
	// Item names the request mix's item the request was drawn from
	// (e.g. "raytrace-complex"), empty if none.
	Item     string            `json:"item,omitempty"`
	Features workload.Features `json:"features"`

	// Sent is when the request actually left, from the start of the run
	// (open loop: at or after At).
	Sent time.Duration `json:"-"`
	// Latency is from At to the end of the response (0: not run).
	Latency time.Duration `json:"-"`
	// Status is the HTTP status (0: no answer: a connection error or the
	// run ended first).
	Status int    `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
	// Worker is the worker that answered (X-Worker-Id), when known.
	Worker string `json:"worker,omitempty"`
	// Units, CPU and Wall are the worker's account of the request
	// (X-Work-Units, X-CPU-Ms, X-Wall-Ms), when it gave them.
	Units int64         `json:"units,omitempty"`
	CPU   time.Duration `json:"-"`
	Wall  time.Duration `json:"-"`
	// RequestID is the server's request id, for `vfx metrics requests
	// --request`.
	RequestID string `json:"request_id,omitempty"`
}

// Ran reports whether the entry records a request that was sent.
func (e Entry) Ran() bool { return e.Status != 0 || e.Error != "" || e.Latency > 0 }

// OK reports whether the request was answered with a 2xx status.
func (e Entry) OK() bool { return e.Status >= 200 && e.Status < 300 }

// ErrInvalid is wrapped by the error of an entry that fails Validate.
var ErrInvalid = errors.New("invalid trace entry")

// MaxDuration bounds the times of an entry: a trace spans at most a week.
const MaxDuration = 7 * 24 * time.Hour

// Validate reports every problem of e, each naming its field.
func (e Entry) Validate() error {
	var errs []error
	if e.Seq < 0 {
		errs = append(errs, fmt.Errorf("seq: %d is negative", e.Seq))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"at", e.At}, {"sent", e.Sent}, {"latency", e.Latency}, {"cpu", e.CPU}, {"wall", e.Wall}} {
		if d.v < 0 || d.v > MaxDuration {
			errs = append(errs, fmt.Errorf("%s: %v is out of range [0, %v]", d.name, d.v, MaxDuration))
		}
	}
	if _, err := workload.ParseKind(string(e.Features.Kind)); err != nil {
		errs = append(errs, fmt.Errorf("workload: %w", err))
	}
	if e.Status != 0 && (e.Status < 100 || e.Status > 599) {
		errs = append(errs, fmt.Errorf("status: %d is not an HTTP status", e.Status))
	}
	if e.Units < 0 {
		errs = append(errs, fmt.Errorf("units: %d is negative", e.Units))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w %d: %w", ErrInvalid, e.Seq, err)
	}
	return nil
}

// seconds converts a duration to seconds for the file forms, and back.
func seconds(d time.Duration) float64 { return d.Seconds() }

func fromSeconds(s float64) (time.Duration, error) {
	if math.IsNaN(s) || math.IsInf(s, 0) || s < 0 || s > MaxDuration.Seconds() {
		return 0, fmt.Errorf("%v seconds is out of range [0, %v]", s, MaxDuration.Seconds())
	}
	return time.Duration(math.Round(s * float64(time.Second))), nil
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fromMillis(ms float64) (time.Duration, error) {
	if math.IsNaN(ms) || math.IsInf(ms, 0) || ms < 0 || ms > float64(MaxDuration/time.Millisecond) {
		return 0, fmt.Errorf("%v ms is out of range", ms)
	}
	return time.Duration(math.Round(ms * float64(time.Millisecond))), nil
}
