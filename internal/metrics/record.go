package metrics

import (
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/workload"
)

// Outcome is how a request ended.
type Outcome string

// The outcomes of a request.
const (
	OutcomeOK          Outcome = "ok"           // served, 2xx
	OutcomeClientError Outcome = "client_error" // bad request, 4xx
	OutcomeServerError Outcome = "server_error" // the worker failed, 5xx
	OutcomeCancelled   Outcome = "cancelled"    // the client went away or a deadline passed
	OutcomeRejected    Outcome = "rejected"     // refused before running (queue full, draining)
)

// Outcomes lists every outcome in a stable order.
var Outcomes = []Outcome{OutcomeOK, OutcomeClientError, OutcomeServerError, OutcomeCancelled, OutcomeRejected}

// RequestRecord is what one request cost. A request is identified by its
// ID: appending a record whose ID is already stored replaces the stored one.
type RequestRecord struct {
	ID       string            // request id, unique
	Time     time.Time         // when the request started
	Features workload.Features // workload, parameters, derived features and input hash
	Multi    bool              // the original's multi query flag, kept for completeness
	Units    int64             // deterministic work units
	CPU      time.Duration     // CPU time of the threads that served it
	Wall     time.Duration     // elapsed time
	WorkerID string            // the worker that served it
	Outcome  Outcome
	Status   int    // HTTP status sent, 0 if none was sent
	Error    string // error message for a failed request
	// PredictedUnits is the load balancer's prediction of Units when known,
	// else 0.
	PredictedUnits float64
}

// WorkerSample is one observation of a worker. A sample is identified by
// its worker and time: appending one with the same WorkerID and Time as a
// stored sample replaces it.
type WorkerSample struct {
	Time        time.Time
	WorkerID    string
	Address     string // host:port the worker serves on
	CPUPercent  float64
	MemoryBytes uint64          // at most math.MaxInt64
	InFlight    int             // requests being served
	Health      lifecycle.State // the worker's state: ready, draining, …
}

// Decision is one autoscaling decision. A decision is identified by its time
// and policy: appending one with the same Time and Policy as a stored
// decision replaces it.
type Decision struct {
	Time     time.Time
	Policy   string // the autoscaling policy that decided
	Action   lifecycle.Action
	From, To int    // pool size before and after
	WorkerID string // the worker added, removed or replaced, if one
	Reason   string // why, in words the dashboard and logs show
}
