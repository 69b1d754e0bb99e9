package metrics

import (
	"context"
	"errors"
)

// Store keeps metrics records. Every method is safe for concurrent use, and
// every implementation passes the conformance suite of package storetest:
//
//   - Appends are all-or-nothing validated: a batch with an invalid record
//     is rejected whole with an error wrapping ErrInvalidRecord, and nothing
//     of it is written. An empty batch is a no-op.
//   - Records are append-only: nothing is ever replaced or deleted.
//     Appending a record whose identity (a request record's Key; worker and
//     time of a sample; time and policy of a decision) is already stored
//     leaves the stored record as it is, and within one batch the first
//     one wins. So re-sending a batch after an ambiguous failure (a
//     timeout after the store committed) creates no duplicates.
//   - Times are stored in UTC with nanosecond precision and read back
//     exactly, in UTC.
//   - Queries return records newest first (ties broken by identity,
//     descending: a request record's Key), at most the query's limit, and an empty, non-nil-error
//     result when nothing matches.
//   - A done context makes a method return an error wrapping ctx.Err().
//   - After Close, every method returns an error wrapping ErrClosed; Close
//     itself is idempotent.
type Store interface {
	AppendRequests(ctx context.Context, recs []RequestRecord) error
	AppendWorkerSamples(ctx context.Context, s []WorkerSample) error
	AppendDecisions(ctx context.Context, d []Decision) error
	Requests(ctx context.Context, q RequestQuery) ([]RequestRecord, error)
	WorkerSamples(ctx context.Context, q WorkerQuery) ([]WorkerSample, error)
	Decisions(ctx context.Context, q DecisionQuery) ([]Decision, error)
	Close() error
}

// Errors that callers branch on.
var (
	// ErrInvalidRecord is wrapped by the error of an append whose batch
	// holds a record that fails validation.
	ErrInvalidRecord = errors.New("invalid metrics record")
	// ErrInvalidQuery is wrapped by the error of a query that fails
	// validation.
	ErrInvalidQuery = errors.New("invalid metrics query")
	// ErrClosed is wrapped by the error of any call on a closed store.
	ErrClosed = errors.New("metrics store closed")
	// ErrNotExist is wrapped by the error of Open with MustExist set when
	// the store does not exist.
	ErrNotExist = errors.New("metrics store does not exist")
	// ErrUnknownScheme is wrapped by the error of Open for a URL whose
	// scheme no implementation registered.
	ErrUnknownScheme = errors.New("unknown metrics store scheme")
)
