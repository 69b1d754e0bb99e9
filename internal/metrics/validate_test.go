package metrics

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/workload"
)

var t0 = time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)

func okRequest() RequestRecord {
	return RequestRecord{
		Key: "k1", Role: RoleAttempt, RequestID: "r1", Attempt: 1, Time: t0,
		Features: workload.Features{Kind: workload.Blur}, Outcome: OutcomeOK, Status: 200,
	}
}

func TestRequestValidate(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*RequestRecord)
		want   string // substring of the error; "" = valid
	}{
		{"valid", func(*RequestRecord) {}, ""},
		{"no status sent", func(r *RequestRecord) { r.Status = 0; r.Outcome = OutcomeCancelled }, ""},
		{"latest time", func(r *RequestRecord) { r.Time = MaxTime }, ""},
		{"missing key", func(r *RequestRecord) { r.Key = "" }, "key: missing"},
		{"long key", func(r *RequestRecord) { r.Key = strings.Repeat("x", MaxIDLen+1) }, "key: 257 bytes"},
		{"key not utf-8", func(r *RequestRecord) { r.Key = "a\xffb" }, "key: not valid UTF-8"},
		{"missing request id", func(r *RequestRecord) { r.RequestID = "" }, "request_id: missing"},
		{"long client request id", func(r *RequestRecord) { r.ClientRequestID = strings.Repeat("x", MaxIDLen+1) }, "client_request_id: 257 bytes"},
		{"client request id", func(r *RequestRecord) { r.ClientRequestID = "mine" }, ""},
		{"second attempt", func(r *RequestRecord) { r.Attempt = 2 }, ""},
		{"attempt 0", func(r *RequestRecord) { r.Attempt = 0 }, "an attempt record has attempt >= 1"},
		{"attempt with attempts", func(r *RequestRecord) { r.Attempts = 1 }, "an attempt record has attempt >= 1 and attempts 0"},
		{"final", func(r *RequestRecord) { r.Role, r.Attempt, r.Attempts = RoleFinal, 0, 3 }, ""},
		{"final answered by the load balancer", func(r *RequestRecord) { r.Role, r.Attempt, r.Attempts = RoleFinal, 0, 0 }, ""},
		{"final with an attempt number", func(r *RequestRecord) { r.Role, r.Attempts = RoleFinal, 1 }, "a final record has attempt 0"},
		{"final with negative attempts", func(r *RequestRecord) { r.Role, r.Attempt, r.Attempts = RoleFinal, 0, -1 }, "a final record"},
		{"direct", func(r *RequestRecord) { r.Role, r.Attempts = RoleDirect, 1 }, ""},
		{"direct second attempt", func(r *RequestRecord) { r.Role, r.Attempt, r.Attempts = RoleDirect, 2, 1 }, "a direct record has attempt 1 and attempts 1"},
		{"missing role", func(r *RequestRecord) { r.Role = "" }, `role: unknown role ""`},
		{"unknown role", func(r *RequestRecord) { r.Role = "retry" }, `role: unknown role "retry"`},
		{"missing time", func(r *RequestRecord) { r.Time = time.Time{} }, "time: missing"},
		{"time after 2262", func(r *RequestRecord) { r.Time = MaxTime.Add(1) }, "time:"},
		{"time before 1677", func(r *RequestRecord) { r.Time = MinTime.Add(-1) }, "time:"},
		{"no workload", func(r *RequestRecord) { r.Features.Kind = "" }, "features.workload"},
		{"unknown workload", func(r *RequestRecord) { r.Features.Kind = "blur" }, "features.workload"},
		{"long hash", func(r *RequestRecord) { r.Features.InputHash = strings.Repeat("a", 300) }, "features.input_hash"},
		{"negative units", func(r *RequestRecord) { r.Units = -1 }, "units: negative"},
		{"negative cpu", func(r *RequestRecord) { r.CPU = -1 }, "cpu: negative"},
		{"negative wall", func(r *RequestRecord) { r.Wall = -1 }, "wall: negative"},
		{"unknown outcome", func(r *RequestRecord) { r.Outcome = "meh" }, "outcome"},
		{"missing outcome", func(r *RequestRecord) { r.Outcome = "" }, "outcome"},
		{"status 99", func(r *RequestRecord) { r.Status = 99 }, "status: 99"},
		{"status 600", func(r *RequestRecord) { r.Status = 600 }, "status: 600"},
		{"long error", func(r *RequestRecord) { r.Error = strings.Repeat("e", MaxTextLen+1) }, "error: 4097 bytes"},
		{"NaN prediction", func(r *RequestRecord) { r.PredictedUnits = math.NaN() }, "predicted_units"},
		{"infinite prediction", func(r *RequestRecord) { r.PredictedUnits = math.Inf(1) }, "predicted_units"},
		{"negative prediction", func(r *RequestRecord) { r.PredictedUnits = -1 }, "predicted_units"},
		{"NaN probe", func(r *RequestRecord) { r.Features.ProbeUnits = math.NaN() }, "probe_units"},
		{"negative probe", func(r *RequestRecord) { r.Features.ProbeUnits = -1 }, "probe_units"},
		{"huge prediction", func(r *RequestRecord) { r.PredictedUnits = 1e19 }, "predicted_units"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := okRequest()
			c.modify(&r)
			err := r.Validate()
			if c.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidRecord) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate error %v, want ErrInvalidRecord mentioning %q", err, c.want)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	err := RequestRecord{Units: -1}.Validate()
	for _, field := range []string{"key:", "request_id:", "role:", "time:", "features.workload:", "units:", "outcome:"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("error %v does not name %s", err, field)
		}
	}
}

func TestSampleValidate(t *testing.T) {
	ok := WorkerSample{Time: t0, WorkerID: "w1", Health: lifecycle.Ready}
	cases := []struct {
		name   string
		modify func(*WorkerSample)
		want   string
	}{
		{"valid", func(*WorkerSample) {}, ""},
		{"over 100 percent on several cores", func(s *WorkerSample) { s.CPUPercent = 180 }, ""},
		{"largest memory", func(s *WorkerSample) { s.MemoryBytes = math.MaxInt64 }, ""},
		{"missing worker", func(s *WorkerSample) { s.WorkerID = "" }, "worker_id: missing"},
		{"missing time", func(s *WorkerSample) { s.Time = time.Time{} }, "time: missing"},
		{"NaN cpu", func(s *WorkerSample) { s.CPUPercent = math.NaN() }, "cpu_percent"},
		{"negative cpu", func(s *WorkerSample) { s.CPUPercent = -0.5 }, "cpu_percent"},
		{"memory beyond int64", func(s *WorkerSample) { s.MemoryBytes = math.MaxInt64 + 1 }, "memory_bytes"},
		{"negative in flight", func(s *WorkerSample) { s.InFlight = -1 }, "in_flight"},
		{"every state", func(s *WorkerSample) { s.Health = lifecycle.Terminated }, ""},
		{"no health", func(s *WorkerSample) { s.Health = 0 }, "health: invalid worker state 0"},
		{"not a state", func(s *WorkerSample) { s.Health = lifecycle.Terminated + 1 }, "health: invalid worker state"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ok
			c.modify(&s)
			err := s.Validate()
			if c.want == "" && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if c.want != "" && (!errors.Is(err, ErrInvalidRecord) || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("Validate error %v, want ErrInvalidRecord mentioning %q", err, c.want)
			}
		})
	}
}

func TestDecisionValidate(t *testing.T) {
	ok := Decision{Time: t0, Policy: "p", Action: lifecycle.ActionAdd, From: 1, To: 2}
	cases := []struct {
		name   string
		modify func(*Decision)
		want   string
	}{
		{"valid", func(*Decision) {}, ""},
		{"missing policy", func(d *Decision) { d.Policy = "" }, "policy: missing"},
		{"no action", func(d *Decision) { d.Action = 0 }, "action: invalid scaling action 0"},
		{"not an action", func(d *Decision) { d.Action = lifecycle.ActionReplace + 1 }, "action: invalid scaling action"},
		{"negative from", func(d *Decision) { d.From = -1 }, "from: negative"},
		{"negative to", func(d *Decision) { d.To = -1 }, "to: negative"},
		{"long reason", func(d *Decision) { d.Reason = strings.Repeat("r", MaxTextLen+1) }, "reason"},
		{"reason not utf-8", func(d *Decision) { d.Reason = "\xc3" }, "reason: not valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := ok
			c.modify(&d)
			err := d.Validate()
			if c.want == "" && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if c.want != "" && (!errors.Is(err, ErrInvalidRecord) || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("Validate error %v, want ErrInvalidRecord mentioning %q", err, c.want)
			}
		})
	}
}

func TestValidateBatchNamesIndexesAndBounds(t *testing.T) {
	recs := make([]RequestRecord, 30)
	for i := range recs {
		recs[i] = okRequest()
	}
	recs[3].Key = ""
	if err := ValidateRequests(recs); err == nil || !strings.Contains(err.Error(), "record 3:") {
		t.Errorf("error %v does not name record 3", err)
	}
	for i := range recs {
		recs[i].Key = ""
	}
	err := ValidateRequests(recs)
	if !errors.Is(err, ErrInvalidRecord) || !strings.Contains(err.Error(), "20 more invalid records") {
		t.Errorf("error for 30 bad records: %v", err)
	}
	if n := strings.Count(err.Error(), "key: missing"); n != maxBatchErrors {
		t.Errorf("error describes %d records, want %d", n, maxBatchErrors)
	}
}

func TestTruncateText(t *testing.T) {
	cases := []struct {
		name, in string
	}{
		{"short", "fine"},
		{"exact", strings.Repeat("a", MaxTextLen)},
		{"long ascii", strings.Repeat("a", MaxTextLen+10)},
		{"long multibyte", strings.Repeat("é", MaxTextLen)},
		{"invalid utf-8", "bad \xff\xfe bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := truncateText(c.in)
			if len(got) > MaxTextLen || !utf8.ValidString(got) {
				t.Fatalf("truncateText gave %d bytes, valid UTF-8 %v", len(got), utf8.ValidString(got))
			}
			if utf8.ValidString(c.in) && len(c.in) <= MaxTextLen && got != c.in {
				t.Errorf("a text that fits was changed")
			}
			if len(c.in) > MaxTextLen && !strings.HasSuffix(got, "…") {
				t.Errorf("a cut text is not marked")
			}
		})
	}
}

func TestQueryMatchesAndValidate(t *testing.T) {
	r := okRequest()
	r.WorkerID, r.Features.InputHash, r.ClientRequestID = "w1", "h", "c1"
	cases := []struct {
		name string
		q    RequestQuery
		want bool
	}{
		{"empty", RequestQuery{}, true},
		{"workload", RequestQuery{Workload: workload.Blur}, true},
		{"other workload", RequestQuery{Workload: workload.Enhance}, false},
		{"since inclusive", RequestQuery{Since: t0}, true},
		{"until exclusive", RequestQuery{Until: t0}, false},
		{"hash", RequestQuery{InputHash: "h"}, true},
		{"other hash", RequestQuery{InputHash: "g"}, false},
		{"worker", RequestQuery{WorkerID: "w1"}, true},
		{"other worker", RequestQuery{WorkerID: "w2"}, false},
		{"request", RequestQuery{RequestID: "r1"}, true},
		{"other request", RequestQuery{RequestID: "r2"}, false},
		{"client request", RequestQuery{ClientRequestID: "c1"}, true},
		{"other client request", RequestQuery{ClientRequestID: "r1"}, false},
		{"role", RequestQuery{Roles: []Role{RoleAttempt}}, true},
		{"attempt roles", RequestQuery{Roles: AttemptRoles}, true},
		{"outcome roles", RequestQuery{Roles: OutcomeRoles}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.q.Matches(r); got != c.want {
				t.Errorf("Matches = %v, want %v", got, c.want)
			}
			if err := c.q.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
	if err := (RequestQuery{Roles: []Role{RoleFinal, "retry"}}).Validate(); !errors.Is(err, ErrInvalidQuery) || !strings.Contains(err.Error(), `roles: unknown role "retry"`) {
		t.Errorf("a query for an unknown role: error %v", err)
	}
	if EffectiveLimit(0) != DefaultLimit || EffectiveLimit(7) != 7 {
		t.Error("EffectiveLimit")
	}
}
