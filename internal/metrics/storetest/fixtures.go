package storetest

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/workload"
)

// zone is a non-UTC location: stores must return times in UTC.
var zone = time.FixedZone("UTC+1", 3600)

// t0 has nanoseconds that a store keeping microseconds would lose.
var t0 = time.Date(2024, 5, 2, 10, 0, 0, 123456789, zone)

// at is t0 plus n seconds.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

// fullRequest sets every field of a request record to a non-zero value (a
// direct record is the one role with both attempt numbers set).
func fullRequest() metrics.RequestRecord {
	return metrics.RequestRecord{
		Key:             "key-full-0001",
		Role:            metrics.RoleDirect,
		RequestID:       "req-full-0001",
		ClientRequestID: "client-full-0001",
		Attempt:         1,
		Attempts:        1,
		Time:            t0,
		Features: workload.Features{
			Kind:  workload.Raytracer,
			SCols: 800, SRows: 450, WCols: 400, WRows: 300, COff: 17, ROff: 23, AA: true,
			Shapes: 12, Lights: 4, Reflective: 3, Transparent: 2,
			TexmapBytes: 1_080_054, SceneBytes: 1234,
			Width: 640, Height: 480, Format: "bmp",
			InputBytes: 1_081_288, InputHash: strings.Repeat("ab", 32),
			ProbeUnits: 1.1111111111111111e11,
		},
		Multi:          true,
		Units:          123_456_789_012,
		CPU:            1234567891 * time.Nanosecond,
		Wall:           2345678912 * time.Nanosecond,
		WorkerID:       "worker-7",
		Outcome:        metrics.OutcomeServerError,
		Status:         500,
		Error:          "render: scene: line 3: unknown finish \"glossy\" — ünïcödé ✓",
		PredictedUnits: 1.2345678901234567e11,
	}
}

// fullSample sets every field of a worker sample to a non-zero value.
func fullSample() metrics.WorkerSample {
	return metrics.WorkerSample{
		Time:        t0,
		WorkerID:    "worker-7",
		Address:     "127.0.0.1:18007",
		CPUPercent:  87.654321,
		MemoryBytes: 3 << 30,
		InFlight:    5,
		Health:      lifecycle.Draining,
	}
}

// fullDecision sets every field of a decision to a non-zero value.
func fullDecision() metrics.Decision {
	return metrics.Decision{
		Time:     t0,
		Policy:   "predicted-backlog",
		Action:   lifecycle.ActionReplace,
		From:     4,
		To:       5,
		WorkerID: "worker-3",
		Reason:   "worker-3 unhealthy for 3 checks; backlog 1.2e9 units > 0.7 × capacity",
	}
}

// extremeRequests are valid records at the edges of what a store must keep.
func extremeRequests() []metrics.RequestRecord {
	return []metrics.RequestRecord{
		{ // the earliest time, every optional field zero
			Key: "min", Role: metrics.RoleFinal, RequestID: "min", Time: metrics.MinTime, Features: workload.Features{Kind: workload.Blur},
			Outcome: metrics.OutcomeOK,
		},
		{ // the latest time, the largest numbers
			Key: "max", Role: metrics.RoleAttempt, RequestID: "max", Attempt: math.MaxInt32, Time: metrics.MaxTime.In(zone), Features: workload.Features{
				Kind: workload.Enhance, Width: math.MaxInt32, Height: math.MaxInt32,
				InputBytes: math.MaxInt32, COff: -5, ROff: -7,
			},
			Units: math.MaxInt64, CPU: math.MaxInt64, Wall: math.MaxInt64,
			Outcome: metrics.OutcomeCancelled, Status: 599, PredictedUnits: metrics.MaxPredictedUnits,
		},
		{ // before the Unix epoch, longest identifiers and text
			Key: strings.Repeat("k", metrics.MaxIDLen), Role: metrics.RoleFinal, Attempts: math.MaxInt32,
			RequestID: strings.Repeat("i", metrics.MaxIDLen), ClientRequestID: strings.Repeat("c", metrics.MaxIDLen),
			Time:     time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
			Features: workload.Features{Kind: workload.Raytracer, InputHash: strings.Repeat("h", metrics.MaxIDLen)},
			WorkerID: strings.Repeat("w", metrics.MaxIDLen), Outcome: metrics.OutcomeRejected, Status: 503,
			Error: strings.Repeat("é", metrics.MaxTextLen/2), PredictedUnits: 1e-9,
		},
		{ // text that needs quoting or escaping somewhere
			Key: "quote'\"; DROP TABLE requests; --", Role: metrics.RoleDirect, Attempt: 1, Attempts: 1,
			RequestID: "'); DELETE FROM requests; --", ClientRequestID: "%_* LIKE '%'",
			Time: t0, Features: workload.Features{Kind: workload.Blur, Format: "jpeg"},
			Outcome: metrics.OutcomeClientError, Status: 400, Error: "line 1\nline 2\ttab\\backslash %s %d 💥",
		},
	}
}

// requestSet is the data set of the filter and order tests: six records,
// one a second apart, over three workloads, four input hashes, two
// workers, every role, four requests and two client request ids. Request
// q1 (client id c1) took two attempts, r1 and r3, and ended in r4; r5 is
// another request sent with c1.
func requestSet() []metrics.RequestRecord {
	mk := func(n int, k workload.Kind, hash, worker string, role metrics.Role, req, client string, attempt, attempts int) metrics.RequestRecord {
		return metrics.RequestRecord{
			Key: fmt.Sprintf("r%d", n), Role: role, RequestID: req, ClientRequestID: client,
			Attempt: attempt, Attempts: attempts, Time: at(n),
			Features: workload.Features{Kind: k, InputHash: hash, Width: n, Height: n},
			Units:    int64(n * 1000), WorkerID: worker, Outcome: metrics.OutcomeOK, Status: 200,
		}
	}
	return []metrics.RequestRecord{
		mk(1, workload.Raytracer, "h1", "w1", metrics.RoleAttempt, "q1", "c1", 1, 0),
		mk(2, workload.Blur, "h2", "w1", metrics.RoleDirect, "q2", "", 1, 1),
		mk(3, workload.Raytracer, "h1", "w2", metrics.RoleAttempt, "q1", "c1", 2, 0),
		mk(4, workload.Enhance, "h3", "w2", metrics.RoleFinal, "q1", "c1", 0, 2),
		mk(5, workload.Raytracer, "h4", "w1", metrics.RoleDirect, "q3", "c1", 1, 1),
		mk(6, workload.Blur, "h2", "w2", metrics.RoleFinal, "q4", "", 0, 0),
	}
}

// directRequest is a valid direct record with key and request id id.
func directRequest(id string, t time.Time, k workload.Kind) metrics.RequestRecord {
	return metrics.RequestRecord{
		Key: id, Role: metrics.RoleDirect, RequestID: id, Attempt: 1, Attempts: 1,
		Time: t, Features: workload.Features{Kind: k}, Outcome: metrics.OutcomeOK,
	}
}

func sampleSet() []metrics.WorkerSample {
	var out []metrics.WorkerSample
	for n := 1; n <= 6; n++ {
		w := "w1"
		if n%2 == 0 {
			w = "w2"
		}
		out = append(out, metrics.WorkerSample{
			Time: at(n), WorkerID: w, Address: "127.0.0.1:1", CPUPercent: float64(n), Health: lifecycle.Ready,
		})
	}
	return out
}

func decisionSet() []metrics.Decision {
	var out []metrics.Decision
	for n := 1; n <= 6; n++ {
		out = append(out, metrics.Decision{
			Time: at(n), Policy: "p", Action: lifecycle.ActionKeep, From: n, To: n, Reason: fmt.Sprint("step ", n),
		})
	}
	return out
}
