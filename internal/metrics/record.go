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

// Role says which part of a request a record describes and who wrote it.
type Role string

// The roles of a request record.
const (
	// RoleAttempt is one attempt of a request the load balancer sent to a
	// worker, recorded by that worker: what the attempt cost and how it
	// ended there.
	RoleAttempt Role = "attempt"
	// RoleFinal is what the client got from the load balancer, recorded by
	// the load balancer: the status sent, the attempts made, the worker
	// whose answer was relayed and the latency.
	RoleFinal Role = "final"
	// RoleDirect is a request a worker served with no load balancer in
	// front: its only attempt and what the client got, in one record.
	// Records written before roles existed read back as direct.
	RoleDirect Role = "direct"
)

// Roles lists every role in a stable order.
var Roles = []Role{RoleAttempt, RoleFinal, RoleDirect}

// RequestRecord is one record of a request: an attempt on a worker, the
// final outcome the load balancer sent, or a worker's direct answer (see
// Role). Records are append-only: a record is identified by its Key, and
// appending a record whose Key is already stored leaves the stored one
// as it is. A request's records share its RequestID.
type RequestRecord struct {
	// Key identifies this record: made by the process that writes the
	// record (NewID) when it makes it, never taken from a client. Unique.
	Key  string
	Role Role
	// RequestID is the server's id of the request (the load balancer's,
	// or that of a worker reached directly): shared by the request's
	// attempts and its final record. Not unique.
	RequestID string
	// ClientRequestID is the X-Request-Id the client sent, if it sent a
	// valid one: for correlation only, not unique, never a key.
	ClientRequestID string
	// Attempt is the attempt's number (1, 2, …) on an attempt record, 1 on
	// a direct one and 0 on a final one.
	Attempt int
	// Attempts is, on a final record, how many attempts the load balancer
	// made (0 if it answered the request itself before any); 1 on a
	// direct record and 0 on an attempt record.
	Attempts int
	Time     time.Time         // when the request (final) or the attempt started
	Features workload.Features // workload, parameters, derived features and input hash
	Multi    bool              // the original's multi query flag, kept for completeness
	Units    int64             // deterministic work units (final: the relayed attempt's)
	CPU      time.Duration     // CPU time of the threads that served it (final: the relayed attempt's)
	Wall     time.Duration     // elapsed time (final: the latency the client saw)
	WorkerID string            // the worker that ran it (final: the one whose answer was relayed)
	Outcome  Outcome
	Status   int    // HTTP status sent, 0 if none was sent
	Error    string // error message for a failed request
	// PredictedUnits is the load balancer's prediction of Units when known,
	// else 0.
	PredictedUnits float64
}

// WorkerSample is one observation of a worker. A sample is identified by
// its worker and time: appending one with the same WorkerID and Time as a
// stored sample leaves the stored one as it is.
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
// decision leaves the stored one as it is.
type Decision struct {
	Time     time.Time
	Policy   string // the autoscaling policy that decided
	Action   lifecycle.Action
	From, To int    // pool size before and after
	WorkerID string // the worker added, removed or replaced, if one
	Reason   string // why, in words the dashboard and logs show
}
