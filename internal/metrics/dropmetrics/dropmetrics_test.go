package dropmetrics

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	vfxtest "github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/workload"
)

// blockedStore never finishes a write before its context ends.
type blockedStore struct{ metrics.Store }

func (blockedStore) AppendRequests(ctx context.Context, _ []metrics.RequestRecord) error {
	<-ctx.Done()
	return ctx.Err()
}

func (blockedStore) AppendWorkerSamples(ctx context.Context, _ []metrics.WorkerSample) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestCollectorCountsARecordersDrops: a recorder whose queue (3 records)
// is full drops the next ones; the counter shows them by kind and reason,
// and every other kind and reason at zero.
func TestCollectorCountsARecordersDrops(t *testing.T) {
	r := metrics.NewRecorder(blockedStore{}, metrics.RecorderOptions{QueueLen: 3, FlushInterval: time.Hour}, nil)
	t0 := time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
	r.WorkerSample(metrics.WorkerSample{Time: t0, WorkerID: "w", Health: lifecycle.Ready}) // queued
	// 2 requests queued, 3 dropped.
	for i := range 5 {
		r.Request(metrics.RequestRecord{
			Key: metrics.NewID(), Role: metrics.RoleFinal, RequestID: "r", Time: t0.Add(time.Duration(i)),
			Features: workload.Features{Kind: workload.Blur}, Outcome: metrics.OutcomeOK,
		})
	}
	r.WorkerSample(metrics.WorkerSample{Time: t0.Add(1), WorkerID: "w", Health: lifecycle.Ready}) // dropped: queue full
	r.WorkerSample(metrics.WorkerSample{WorkerID: "w"})                                           // dropped: invalid, no time

	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(r, prometheus.Labels{"worker": "w1"}))
	got := gather(t, reg)
	want := map[string]float64{}
	for _, k := range metrics.RecordKinds {
		for _, reason := range metrics.DropReasons {
			want[string(k)+"/"+string(reason)] = 0
		}
	}
	want["request/queue_full"], want["worker_sample/queue_full"], want["worker_sample/invalid"] = 3, 1, 1
	if !maps.Equal(got, want) {
		t.Errorf("%s series:\ngot  %v\nwant %v", Name, got, want)
	}

	// Close gives up on the three queued records: they are counted too.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := r.Close(ctx); err == nil {
		t.Fatal("Close of a recorder whose store never answers succeeded")
	}
	if got := gather(t, reg); got["request/unwritten"] != 2 || got["worker_sample/unwritten"] != 1 {
		t.Errorf("after Close: %v, want the 2 requests and the sample left in the queue counted as unwritten", got)
	}
}

// gather reads the counter's series from reg, as kind/reason -> value,
// checking that each carries the worker label.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != Name || f.GetType() != dto.MetricType_COUNTER {
			t.Fatalf("unexpected family %s of type %v", f.GetName(), f.GetType())
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["worker"] != "w1" {
				t.Errorf("series %v lacks the worker label", labels)
			}
			out[labels["kind"]+"/"+labels["reason"]] = m.GetCounter().GetValue()
		}
	}
	return out
}

func TestImports(t *testing.T) {
	vfxtest.AssertNoDeps(t, "github.com/specialvfx/vfx/internal/metrics/dropmetrics",
		"database/sql", "modernc.org/", "github.com/aws/", "github.com/specialvfx/vfx/internal/metrics/sqlite")
}
