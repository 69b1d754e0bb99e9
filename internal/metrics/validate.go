package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/specialvfx/vfx/internal/workload"
)

// Limits every record must respect, so that every store can keep it (a
// DynamoDB item, for instance, has a size limit).
const (
	// MaxIDLen is the longest identifier in bytes: request and worker IDs,
	// policy names, addresses, input hashes and image formats.
	MaxIDLen = 256
	// MaxTextLen is the longest free text in bytes: a request's Error and a
	// decision's Reason. The Recorder truncates longer texts to fit.
	MaxTextLen = 4096
	// MaxPredictedUnits is the largest prediction a record may carry: as
	// many units as an int64 counts.
	MaxPredictedUnits = float64(math.MaxInt64)
)

// Earliest and latest times a record can carry: the range of int64
// nanoseconds since the Unix epoch (years 1677 to 2262).
var (
	MinTime = time.Unix(0, math.MinInt64).UTC()
	MaxTime = time.Unix(0, math.MaxInt64).UTC()
)

// Validate reports every reason the record cannot be stored, each naming the
// field, joined and wrapping ErrInvalidRecord; nil if it can.
func (r RequestRecord) Validate() error {
	var errs problems
	errs.add(checkID("key", r.Key, true))
	errs.add(checkID("request_id", r.RequestID, true))
	errs.add(checkID("client_request_id", r.ClientRequestID, false))
	errs.add(checkAttempts(r.Role, r.Attempt, r.Attempts))
	errs.add(checkTime("time", r.Time))
	if !slices.Contains(workload.Kinds, r.Features.Kind) {
		errs.add(fmt.Errorf("features.workload: unknown workload %q", r.Features.Kind))
	}
	errs.add(checkID("features.format", r.Features.Format, false))
	errs.add(checkID("features.input_hash", r.Features.InputHash, false))
	errs.add(checkID("worker_id", r.WorkerID, false))
	errs.add(checkText("error", r.Error))
	if r.Units < 0 {
		errs.add(fmt.Errorf("units: negative (%d)", r.Units))
	}
	if r.CPU < 0 {
		errs.add(fmt.Errorf("cpu: negative (%v)", r.CPU))
	}
	if r.Wall < 0 {
		errs.add(fmt.Errorf("wall: negative (%v)", r.Wall))
	}
	if !slices.Contains(Outcomes, r.Outcome) {
		errs.add(fmt.Errorf("outcome: unknown outcome %q", r.Outcome))
	}
	if r.Status != 0 && (r.Status < 100 || r.Status > 599) {
		errs.add(fmt.Errorf("status: %d is not an HTTP status (want 0 or 100-599)", r.Status))
	}
	if !(r.PredictedUnits >= 0 && r.PredictedUnits <= MaxPredictedUnits) { // also false for NaN
		errs.add(fmt.Errorf("predicted_units: %v is outside 0..%g", r.PredictedUnits, MaxPredictedUnits))
	}
	if p := r.Features.ProbeUnits; !(p >= 0 && p <= MaxPredictedUnits) { // also false for NaN
		errs.add(fmt.Errorf("features.probe_units: %v is outside 0..%g", p, MaxPredictedUnits))
	}
	return wrapInvalid(errs)
}

// checkAttempts checks a role and the attempt numbers it allows.
func checkAttempts(role Role, attempt, attempts int) error {
	switch role {
	case RoleAttempt:
		if attempt < 1 || attempts != 0 {
			return fmt.Errorf("attempt, attempts: an attempt record has attempt >= 1 and attempts 0 (got %d and %d)", attempt, attempts)
		}
	case RoleFinal:
		if attempt != 0 || attempts < 0 {
			return fmt.Errorf("attempt, attempts: a final record has attempt 0 and attempts >= 0 (got %d and %d)", attempt, attempts)
		}
	case RoleDirect:
		if attempt != 1 || attempts != 1 {
			return fmt.Errorf("attempt, attempts: a direct record has attempt 1 and attempts 1 (got %d and %d)", attempt, attempts)
		}
	default:
		return fmt.Errorf("role: unknown role %q (want attempt, final or direct)", role)
	}
	return nil
}

// Validate reports every reason the sample cannot be stored, each naming the
// field, joined and wrapping ErrInvalidRecord; nil if it can.
func (s WorkerSample) Validate() error {
	var errs problems
	errs.add(checkTime("time", s.Time))
	errs.add(checkID("worker_id", s.WorkerID, true))
	errs.add(checkID("address", s.Address, false))
	if math.IsNaN(s.CPUPercent) || math.IsInf(s.CPUPercent, 0) || s.CPUPercent < 0 {
		errs.add(fmt.Errorf("cpu_percent: %v is not a finite, non-negative number", s.CPUPercent))
	}
	if s.MemoryBytes > math.MaxInt64 {
		errs.add(fmt.Errorf("memory_bytes: %d exceeds %d", s.MemoryBytes, int64(math.MaxInt64)))
	}
	if s.InFlight < 0 {
		errs.add(fmt.Errorf("in_flight: negative (%d)", s.InFlight))
	}
	if _, err := s.Health.MarshalText(); err != nil {
		errs.add(fmt.Errorf("health: %w", err))
	}
	return wrapInvalid(errs)
}

// Validate reports every reason the decision cannot be stored, each naming
// the field, joined and wrapping ErrInvalidRecord; nil if it can.
func (d Decision) Validate() error {
	var errs problems
	errs.add(checkTime("time", d.Time))
	errs.add(checkID("policy", d.Policy, true))
	errs.add(checkID("worker_id", d.WorkerID, false))
	errs.add(checkText("reason", d.Reason))
	if _, err := d.Action.MarshalText(); err != nil {
		errs.add(fmt.Errorf("action: %w", err))
	}
	if d.From < 0 {
		errs.add(fmt.Errorf("from: negative (%d)", d.From))
	}
	if d.To < 0 {
		errs.add(fmt.Errorf("to: negative (%d)", d.To))
	}
	return wrapInvalid(errs)
}

// ValidateRequests validates a batch, naming the index of each bad record.
func ValidateRequests(recs []RequestRecord) error {
	return validateBatch(recs, RequestRecord.Validate)
}

// ValidateWorkerSamples validates a batch, naming the index of each bad
// sample.
func ValidateWorkerSamples(s []WorkerSample) error {
	return validateBatch(s, WorkerSample.Validate)
}

// ValidateDecisions validates a batch, naming the index of each bad decision.
func ValidateDecisions(d []Decision) error {
	return validateBatch(d, Decision.Validate)
}

// maxBatchErrors bounds how many bad records one batch error describes.
const maxBatchErrors = 10

func validateBatch[T any](batch []T, validate func(T) error) error {
	var errs problems
	bad := 0
	for i, r := range batch {
		if err := validate(r); err != nil {
			bad++
			if bad <= maxBatchErrors {
				errs.add(fmt.Errorf("record %d: %w", i, err))
			}
		}
	}
	if bad > maxBatchErrors {
		errs.add(fmt.Errorf("%d more invalid records", bad-maxBatchErrors))
	}
	return errors.Join(errs...)
}

// problems collects validation errors; adding nil is a no-op, so a valid
// record costs no allocation.
type problems []error

func (p *problems) add(err error) {
	if err != nil {
		*p = append(*p, err)
	}
}

func wrapInvalid(errs problems) error {
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	return nil
}

func checkTime(field string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%s: missing", field)
	}
	if t.Before(MinTime) || t.After(MaxTime) {
		return fmt.Errorf("%s: %v is outside %v..%v", field, t, MinTime, MaxTime)
	}
	return nil
}

func checkID(field, s string, required bool) error {
	switch {
	case required && s == "":
		return fmt.Errorf("%s: missing", field)
	case len(s) > MaxIDLen:
		return fmt.Errorf("%s: %d bytes long, more than %d", field, len(s), MaxIDLen)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s: not valid UTF-8", field)
	}
	return nil
}

func checkText(field, s string) error {
	switch {
	case len(s) > MaxTextLen:
		return fmt.Errorf("%s: %d bytes long, more than %d", field, len(s), MaxTextLen)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s: not valid UTF-8", field)
	}
	return nil
}

// truncateText makes s valid UTF-8 of at most MaxTextLen bytes, marking a
// cut with "…".
func truncateText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= MaxTextLen {
		return s
	}
	const mark = "…"
	cut := MaxTextLen - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
