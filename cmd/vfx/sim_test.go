package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/trace"
	"github.com/specialvfx/vfx/internal/workload"
)

// TestSimFlags: every wrong flag is a usage error (exit 2) that names it.
func TestSimFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"no requests", []string{}, []string{"missing requests: --trace FILE"}},
		{"generator flags without --generate", []string{"--trace", "x.jsonl", "--rate", "5"}, []string{"--rate: applies to --generate"}},
		{"unknown policies", []string{"--generate", "poisson", "--policies", "fastest", "--scalers", "magic"},
			[]string{`unknown balancer policy "fastest"`, `unknown autoscaling policy "magic"`}},
		{"quota flags without a quota", []string{"--generate", "poisson", "--cores", "4", "--cpu-period", "50ms"},
			[]string{"--cores: applies with --cpus", "--cpu-period: applies with --cpus"}},
		{"bad quota", []string{"--generate", "poisson", "--cpus", "-1"}, []string{"--cpus: must be a finite number ≥ 0, got -1"}},
		{"bad failure", []string{"--generate", "poisson", "--fail", "soon:w1"}, []string{`--fail "soon:w1": want TIME[:WORKER]`}},
		{"bad pool", []string{"--generate", "poisson", "--workers", "-1", "--max-inflight", "-2"},
			[]string{"--workers: must be in [0, 100000], got -1", "--max-inflight: must be ≥ 0, got -2"}},
		{"bad queue", []string{"--generate", "poisson", "--queue-order", "lifo", "--queue-aging", "-1s"},
			[]string{`--queue-order: must be spf or fifo, got "lifo"`, "--queue-aging: must be ≥ 0, got -1s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code, err := runRoot(t, append([]string{"sim"}, tc.args...)...)
			if code != 2 {
				t.Fatalf("exit %d (%v), want 2:\n%s", code, err, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestSimComparesPoliciesOnATrace: a recorded trace is replayed under every
// pair of routing and scaling policy, the table has a row per pair, the
// speed comes from the trace, and --out writes the report and its plots.
func TestSimComparesPoliciesOnATrace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.jsonl")
	var entries []trace.Entry
	for i := range 200 {
		units := int64(1_000_000)
		if i%5 == 0 {
			units = 20_000_000
		}
		entries = append(entries, trace.Entry{
			Seq: i, At: time.Duration(i) * 500 * time.Millisecond,
			Features: workload.Features{Kind: workload.Blur, Width: 100 + i%7, Height: 100},
			Status:   200, Latency: time.Duration(units/10)*time.Microsecond + 50*time.Millisecond,
			Units: units, Wall: time.Duration(units/10) * time.Microsecond,
		})
	}
	if err := trace.WriteFile(path, entries); err != nil {
		t.Fatal(err)
	}
	out, code, err := runRoot(t, "sim", "--trace", path, "--workers", "2", "--policies", "cost,round-robin",
		"--scalers", "backlog,fixed", "--out", filepath.Join(dir, "report"))
	if code != 0 {
		t.Fatalf("exit %d (%v):\n%s", code, err, out)
	}
	for _, want := range []string{
		"sim: 200 requests of " + path,
		"of 300k units/s", // units / wall of the trace, in ray-tracer equivalents (a blur unit is 0.03)
		"measured     (trace)   200        0",
		"150.0ms  2.05s  2.05s  2.05s  80.0%         -         -        -         -           -          -",
		// Requests that ran alone on their worker, replayed on as many
		// workers of the speed they showed, take what they took.
		"cost         fixed     200        0  150.0ms  2.05s  2.05s  2.05s  80.0%",
		"50.0ms overhead a request", // latency minus wall
		"cost         backlog   200",
		"cost         fixed     200",
		"round-robin  backlog   200",
		"round-robin  fixed     200",
		"report: " + filepath.Join(dir, "report", "report.md"),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"report.md", "latency.svg", "pool.svg", "backlog.svg", "cdf.svg"} {
		if _, err := os.Stat(filepath.Join(dir, "report", f)); err != nil {
			t.Error(err)
		}
	}
}

// TestSimIsDeterministic: the same seed prints the same table, whether the
// policy pairs run one after the other or at once.
func TestSimIsDeterministic(t *testing.T) {
	args := []string{"sim", "--generate", "diurnal", "--rate", "20", "--period", "1m", "--count", "2000", "--workers", "3",
		"--max", "10", "--policies", "p2c,round-robin", "--scalers", "backlog,cpu", "--fail", "20s", "--seed", "9"}
	a, code, err := runRoot(t, append(args, "--parallel", "1")...)
	if code != 0 {
		t.Fatalf("exit %d (%v):\n%s", code, err, a)
	}
	b, _, _ := runRoot(t, append(args, "--parallel", "4")...)
	if a != b {
		t.Errorf("two runs with seed 9 differ:\n%s\n%s", a, b)
	}
}

// FuzzParseFailure: --fail never panics, and what it accepts is a time
// that is not negative.
func FuzzParseFailure(f *testing.F) {
	for _, s := range []string{"30s:w3", "1m", "-1s", ":w1", "1h:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fl, err := parseFailure(s)
		if err == nil && fl.At < 0 {
			t.Fatalf("%q: accepted a negative time %v", s, fl.At)
		}
	})
}
