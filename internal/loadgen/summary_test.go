package loadgen

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/workload"
)

func TestQuantile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var out []time.Duration
		for _, x := range v {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{"none", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of five", ms(10, 20, 30, 40, 1000), 0.5, 30 * time.Millisecond},
		{"p90 of five is the largest", ms(10, 20, 30, 40, 1000), 0.9, time.Second},
		{"p50 of four is the second", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p50 of 1..100", ms(hundred...), 0.5, 50 * time.Millisecond},
		{"p90 of 1..100", ms(hundred...), 0.9, 90 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"max", ms(hundred...), 1, 100 * time.Millisecond},
	} {
		if got := Quantile(tc.sorted, tc.q); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestSummary: the rows of a hand-made run, computed by hand.
func TestSummary(t *testing.T) {
	m, err := newMix("hand", []*mixItem{
		{name: "ray-a", kind: workload.Raytracer, weight: 1, input: &Input{}},
		{name: "ray-b", kind: workload.Raytracer, weight: 1, input: &Input{}},
		{name: "blur", kind: workload.Blur, weight: 1, input: &Input{}},
		{name: "unused", kind: workload.Enhance, weight: 1, input: &Input{}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	sent.Store(9)
	cfg := Config{Mix: m, Target: "http://127.0.0.1:8000", Seed: 3, Arrivals: Arrivals{Kind: Poisson, Rate: 2}}
	c := newCollector(cfg, &sent)
	ms := time.Millisecond
	add := func(item int, at, sent, end time.Duration, status int, fail string) {
		c.add(result{item: m.items[item], input: m.items[item].input, at: at, sent: sent, end: end, status: status, fail: fail})
	}
	// ray-a: latencies 100, 300, 200 ms and a 503; ray-b: 50 ms and a
	// timeout; blur: 400 ms and one that left 30 ms late (latency 60 ms).
	add(0, 0, 0, 100*ms, 200, "")
	add(0, 10*ms, 11*ms, 310*ms, 200, "")
	add(0, 20*ms, 20*ms, 220*ms, 204, "")
	add(0, 30*ms, 30*ms, 35*ms, 503, "")
	add(1, 40*ms, 40*ms, 90*ms, 200, "")
	add(1, 50*ms, 50*ms, 1050*ms, 0, failTimeout)
	add(2, 60*ms, 60*ms, 460*ms, 200, "")
	add(2, 70*ms, 100*ms, 130*ms, 200, "")
	add(2, 80*ms, 80*ms, 90*ms, 0, failNoAnswer)
	s := c.summary(cfg, 2*time.Second, false)

	if s.Late != 1 || s.MaxLag != 30*ms || s.Sent != 9 || s.Loop != "open" || s.Load != "poisson 2/s" || s.Mix != "hand" {
		t.Errorf("summary %+v", s)
	}
	names := []string{}
	for _, r := range s.Rows {
		names = append(names, r.Name)
	}
	if got := strings.Join(names, ","); got != "ray-a,ray-b,blur,all raytracer,all" {
		t.Fatalf("rows %s", got)
	}
	for _, want := range []Row{
		{Name: "ray-a", Workload: workload.Raytracer, Count: 4, OK: 3, Errors: map[string]int{"503": 1},
			Mean: 200 * ms, P50: 200 * ms, P90: 300 * ms, P99: 300 * ms, Max: 300 * ms, Throughput: 2},
		{Name: "ray-b", Workload: workload.Raytracer, Count: 2, OK: 1, Errors: map[string]int{"timeout": 1},
			Mean: 50 * ms, P50: 50 * ms, P90: 50 * ms, P99: 50 * ms, Max: 50 * ms, Throughput: 0.5},
		{Name: "blur", Workload: workload.Blur, Count: 3, OK: 2, Errors: map[string]int{"no answer": 1},
			Mean: 230 * ms, P50: 60 * ms, P90: 400 * ms, P99: 400 * ms, Max: 400 * ms, Throughput: 1},
		// 50, 100, 200, 300 ms
		{Name: "all raytracer", Workload: workload.Raytracer, Count: 6, OK: 4, Errors: map[string]int{"503": 1, "timeout": 1},
			Mean: 162500 * time.Microsecond, P50: 100 * ms, P90: 300 * ms, P99: 300 * ms, Max: 300 * ms, Throughput: 2.5},
		// 50, 60, 100, 200, 300, 400 ms
		{Name: "all", Count: 9, OK: 6, Errors: map[string]int{"503": 1, "timeout": 1, "no answer": 1},
			Mean: 185 * ms, P50: 100 * ms, P90: 400 * ms, P99: 400 * ms, Max: 400 * ms, Throughput: 3.5},
	} {
		got, ok := s.Row(want.Name)
		if !ok {
			t.Errorf("no row %s", want.Name)
			continue
		}
		if got.Workload != want.Workload || got.Count != want.Count || got.OK != want.OK || FormatErrors(got.Errors) != FormatErrors(want.Errors) ||
			got.Mean != want.Mean || got.P50 != want.P50 || got.P90 != want.P90 || got.P99 != want.P99 || got.Max != want.Max || got.Throughput != want.Throughput {
			t.Errorf("row %s\n got %+v\nwant %+v", want.Name, got, want)
		}
	}

	var table bytes.Buffer
	if err := s.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"mix hand -> http://127.0.0.1:8000, open loop (poisson 2/s), seed 3\n9 requests sent in 2.00s\n",
		"BEHIND SCHEDULE: 1 of 9 requests left more than 10ms late (largest lag 30.0ms)",
		"item           workload   sent  ok  errors                          mean      p50      p90      p99      max  req/s\n",
		"ray-a          raytracer     4   3  503:1                        200.0ms  200.0ms  300.0ms  300.0ms  300.0ms    2.0\n",
		"all                          9   6  503:1 no-answer:1 timeout:1  185.0ms  100.0ms  400.0ms  400.0ms  400.0ms    3.5\n",
	} {
		if !strings.Contains(table.String(), w) {
			t.Errorf("table lacks\n%q\n%s", w, table.String())
		}
	}

	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Late     int     `json:"late"`
		MaxLagMs float64 `json:"max_lag_ms"`
		Rows     []struct {
			Name   string         `json:"name"`
			Errors map[string]int `json:"errors"`
			P90Ms  float64        `json:"p90_ms"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	if j.Late != 1 || j.MaxLagMs != 30 || len(j.Rows) != 5 || j.Rows[4].P90Ms != 400 || j.Rows[4].Errors["no answer"] != 1 {
		t.Errorf("JSON %s", b)
	}
}
