package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/sqlite"
	"github.com/specialvfx/vfx/internal/workload"
)

// metricsFixture writes a store with three recent requests, one old one
// (each sent to a worker directly: one direct record each), two worker
// samples and a decision, and returns its URL.
func metricsFixture(t *testing.T) (url string, now time.Time) {
	t.Helper()
	now = time.Now().UTC().Truncate(time.Millisecond)
	return "sqlite:" + metricsFixtureAt(t, now).Path(), now
}

// metricsFixtureAt writes metricsFixture's records, timed before now, and
// returns the store, closed.
func metricsFixtureAt(t *testing.T, now time.Time) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recs := []metrics.RequestRecord{
		{
			RequestID: "rt-1", Time: now.Add(-3 * time.Minute),
			Features: workload.Features{Kind: workload.Raytracer, SCols: 400, SRows: 300, WCols: 400, WRows: 300, AA: true, Shapes: 4, Lights: 3, SceneBytes: 512, InputBytes: 512, InputHash: "aa11"},
			Units:    1_234_567, CPU: 1500 * time.Microsecond, Wall: 2750 * time.Microsecond, WorkerID: "w1",
			Outcome: metrics.OutcomeOK, Status: 200, PredictedUnits: 1.2e6,
		},
		{
			RequestID: "blur-1", Time: now.Add(-2 * time.Minute),
			Features: workload.Features{Kind: workload.Blur, Width: 960, Height: 686, Format: "jpg", InputBytes: 80_000, InputHash: "bb22"},
			Units:    5_000_000, CPU: 40 * time.Millisecond, Wall: 45 * time.Millisecond, WorkerID: "w2",
			Outcome: metrics.OutcomeOK, Status: 200,
		},
		{
			RequestID: "enh-1", Time: now.Add(-1 * time.Minute),
			Features: workload.Features{Kind: workload.Enhance, Width: 640, Height: 480, Format: "png"},
			Outcome:  metrics.OutcomeClientError, Status: 400, Error: "bad image:\ttruncated\nheader", WorkerID: "w1",
		},
		{
			RequestID: "old-1", Time: now.Add(-48 * time.Hour),
			Features: workload.Features{Kind: workload.Raytracer, WCols: 10, WRows: 10},
			Units:    100, Outcome: metrics.OutcomeOK, Status: 200, WorkerID: "w1",
		},
	}
	for i := range recs { // requests sent to a worker directly
		recs[i].Key, recs[i].Role, recs[i].Attempt, recs[i].Attempts = "key-"+recs[i].RequestID, metrics.RoleDirect, 1, 1
	}
	if err := s.AppendRequests(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendWorkerSamples(ctx, []metrics.WorkerSample{
		{Time: now.Add(-30 * time.Second), WorkerID: "w1", Address: "127.0.0.1:9001", CPUPercent: 87.5, MemoryBytes: 64 << 20, InFlight: 2, Health: lifecycle.Ready},
		{Time: now.Add(-20 * time.Second), WorkerID: "w2", Address: "127.0.0.1:9002", CPUPercent: 3, MemoryBytes: 32 << 20, Health: lifecycle.Draining},
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendDecisions(ctx, []metrics.Decision{
		{Time: now.Add(-10 * time.Second), Policy: "backlog", Action: lifecycle.ActionAdd, From: 1, To: 2, Reason: "predicted backlog 12 s > 5 s"},
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// runMetricsCmd runs the root command in-process and returns its standard output.
func runMetricsCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestMetricsRequestsTable(t *testing.T) {
	url, now := metricsFixture(t)
	out, err := runMetricsCmd(t, "metrics", "requests", "--store", url, "--since", "1h")
	if err != nil {
		t.Fatalf("metrics requests: %v", err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want a header and 3 records (the 2-day-old one is outside --since 1h):\n%s", len(lines), out)
	}
	header := strings.Fields(lines[0])
	wantHeader := []string{"TIME", "REQUEST", "ROLE", "ATTEMPT", "WORKLOAD", "SIZE", "PIXELS", "UNITS", "CPU_MS", "WALL_MS", "WORKER", "OUTCOME", "STATUS"}
	if !slices.Equal(header, wantHeader) {
		t.Errorf("header %v, want %v", header, wantHeader)
	}
	want := [][]string{
		{now.Add(-1 * time.Minute).Format(mtTableTime), "enh-1", "direct", "1", "enhanceimage", "640x480", "307200", "0", "0.0", "0.0", "w1", "client_error", "400"},
		{now.Add(-2 * time.Minute).Format(mtTableTime), "blur-1", "direct", "1", "blurimage", "960x686", "658560", "5000000", "40.0", "45.0", "w2", "ok", "200"},
		{now.Add(-3 * time.Minute).Format(mtTableTime), "rt-1", "direct", "1", "raytracer", "400x300", "120000", "1234567", "1.5", "2.8", "w1", "ok", "200"},
	}
	for i, w := range want {
		if got := strings.Fields(lines[i+1]); !slices.Equal(got, w) {
			t.Errorf("row %d: %v, want %v", i, got, w)
		}
	}
	// Aligned: every column starts at the same offset on every line.
	for col := 1; col < len(wantHeader); col++ {
		start := strings.Index(lines[0], wantHeader[col])
		for _, l := range lines[1:] {
			if start >= len(l) || l[start-1] != ' ' || l[start] == ' ' {
				t.Errorf("column %s (offset %d) is not aligned in %q", wantHeader[col], start, l)
			}
		}
	}
}

func TestMetricsRequestsFilters(t *testing.T) {
	url, _ := metricsFixture(t)
	cases := []struct {
		name string
		args []string
		want []string // ids
	}{
		{"all time", nil, []string{"enh-1", "blur-1", "rt-1", "old-1"}},
		{"since", []string{"--since", "90s"}, []string{"enh-1"}},
		{"workload short name", []string{"--workload", "blur"}, []string{"blur-1"}},
		{"workload long name", []string{"--workload", "raytracer"}, []string{"rt-1", "old-1"}},
		{"worker", []string{"--worker", "w1"}, []string{"enh-1", "rt-1", "old-1"}},
		{"input hash", []string{"--input-hash", "bb22"}, []string{"blur-1"}},
		{"limit", []string{"--limit", "2"}, []string{"enh-1", "blur-1"}},
		{"nothing matches", []string{"--worker", "nobody"}, nil},
		{"role", []string{"--role", "direct"}, []string{"enh-1", "blur-1", "rt-1", "old-1"}},
		{"other roles", []string{"--role", "attempt,final"}, nil},
		{"request", []string{"--request", "blur-1"}, []string{"blur-1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runMetricsCmd(t, append([]string{"metrics", "requests", "--store", url, "--format", "csv"}, c.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatalf("output is not CSV: %v\n%s", err, out)
			}
			col := slices.Index(rows[0], "request_id")
			var ids []string
			for _, r := range rows[1:] {
				ids = append(ids, r[col])
			}
			if !slices.Equal(ids, c.want) {
				t.Errorf("ids %v, want %v", ids, c.want)
			}
		})
	}
}

func TestMetricsRequestsCSV(t *testing.T) {
	url, now := metricsFixture(t)
	out, err := runMetricsCmd(t, "metrics", "requests", "--store", url, "--format", "csv", "--since", "1h")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, out)
	}
	header := []string{
		"time", "key", "request_id", "client_request_id", "role", "attempt", "attempts", "workload", "scols", "srows", "wcols", "wrows", "coff", "roff", "aa",
		"shapes", "lights", "reflective", "transparent", "texmap_bytes", "scene_bytes",
		"width", "height", "format", "input_bytes", "input_hash", "pixels",
		"multi", "units", "cpu_ms", "wall_ms", "worker_id", "outcome", "status", "error", "predicted_units",
	}
	if !slices.Equal(rows[0], header) || len(rows) != 4 {
		t.Fatalf("header %v and %d rows, want %v and 3 records", rows[0], len(rows)-1, header)
	}
	rec := map[string]string{}
	for i, h := range rows[0] {
		rec[h] = rows[3][i] // rt-1
	}
	want := map[string]string{
		"time": now.Add(-3 * time.Minute).Format(time.RFC3339Nano), "key": "key-rt-1", "request_id": "rt-1",
		"client_request_id": "", "role": "direct", "attempt": "1", "attempts": "1", "workload": "raytracer",
		"scols": "400", "wcols": "400", "wrows": "300", "aa": "true", "shapes": "4", "lights": "3",
		"scene_bytes": "512", "input_hash": "aa11", "pixels": "120000", "units": "1234567",
		"cpu_ms": "1.5", "wall_ms": "2.75", "worker_id": "w1", "outcome": "ok", "status": "200",
		"predicted_units": "1.2e+06", "error": "", "format": "",
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("column %s = %q, want %q", k, rec[k], v)
		}
	}
	// The error with a tab and a newline survives CSV quoting.
	if rows[1][slices.Index(rows[0], "error")] != "bad image:\ttruncated\nheader" {
		t.Errorf("error column %q", rows[1][slices.Index(rows[0], "error")])
	}
}

func TestMetricsRequestsJSON(t *testing.T) {
	url, now := metricsFixture(t)
	out, err := runMetricsCmd(t, "metrics", "requests", "--store", url, "--format", "json", "--workload", "raytracer", "--since", "1h")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1 JSON object:\n%s", len(lines), out)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatalf("line is not a JSON object: %v\n%s", err, lines[0])
	}
	want := map[string]any{
		"time": now.Add(-3 * time.Minute).Format(time.RFC3339Nano), "key": "key-rt-1", "request_id": "rt-1",
		"role": "direct", "attempt": 1.0, "attempts": 1.0, "workload": "raytracer",
		"scols": 400.0, "srows": 300.0, "wcols": 400.0, "wrows": 300.0, "aa": true, "shapes": 4.0, "lights": 3.0,
		"scene_bytes": 512.0, "input_bytes": 512.0, "input_hash": "aa11", "pixels": 120000.0, "multi": false,
		"units": 1234567.0, "cpu_ms": 1.5, "wall_ms": 2.75, "worker_id": "w1", "outcome": "ok", "status": 200.0,
		"predicted_units": 1.2e6,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("key %s = %v, want %v", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected key %s = %v", k, got[k])
		}
	}
}

func TestMetricsWorkersAndDecisions(t *testing.T) {
	url, now := metricsFixture(t)
	cases := []struct {
		name string
		args []string
		want []string // whole output
	}{
		{"workers table", []string{"workers"}, []string{
			"TIME                      WORKER  ADDRESS         CPU_%  MEMORY_MIB  IN_FLIGHT  HEALTH",
			now.Add(-20*time.Second).Format(mtTableTime) + "  w2      127.0.0.1:9002  3.0    32.0        0          draining",
			now.Add(-30*time.Second).Format(mtTableTime) + "  w1      127.0.0.1:9001  87.5   64.0        2          ready",
		}},
		{"workers of one worker as csv", []string{"workers", "--worker", "w1", "--format", "csv"}, []string{
			"time,worker_id,address,cpu_percent,memory_bytes,in_flight,health",
			now.Add(-30*time.Second).Format(time.RFC3339Nano) + ",w1,127.0.0.1:9001,87.5,67108864,2,ready",
		}},
		{"workers json", []string{"workers", "--worker", "w2", "--format", "json"}, []string{
			`{"time":"` + now.Add(-20*time.Second).Format(time.RFC3339Nano) + `","worker_id":"w2","address":"127.0.0.1:9002","cpu_percent":3,"memory_bytes":33554432,"in_flight":0,"health":"draining"}`,
		}},
		{"decisions table", []string{"decisions"}, []string{
			"TIME                      POLICY   ACTION  FROM  TO  WORKER  REASON",
			now.Add(-10*time.Second).Format(mtTableTime) + "  backlog  add     1     2   -       predicted backlog 12 s > 5 s",
		}},
		{"decisions json", []string{"decisions", "--format", "json"}, []string{
			`{"time":"` + now.Add(-10*time.Second).Format(time.RFC3339Nano) + `","policy":"backlog","action":"add","from":1,"to":2,"reason":"predicted backlog 12 s \u003e 5 s"}`,
		}},
		{"decisions before the window", []string{"decisions", "--since", "5s", "--format", "csv"}, []string{
			"time,policy,action,from,to,worker_id,reason",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runMetricsCmd(t, append([]string{"metrics", "--store", url}, c.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.Join(c.want, "\n") + "\n"; out != want {
				t.Errorf("output:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}

func TestMetricsErrors(t *testing.T) {
	url, _ := metricsFixture(t)
	missing := filepath.Join(t.TempDir(), "nope", "metrics.db")
	cases := []struct {
		name string
		args []string
		want string
		code int // exit code, 0 = the default 1
	}{
		{"missing store", []string{"requests", "--store", "sqlite:" + missing}, "does not exist", 0},
		{"unknown scheme", []string{"requests", "--store", "mongo:x"}, "registered: ", 0},
		{"bad format", []string{"requests", "--store", url, "--format", "xml"}, `--format "xml"`, 2},
		{"bad limit", []string{"workers", "--store", url, "--limit", "0"}, "--limit 0", 2},
		{"negative since", []string{"decisions", "--store", url, "--since", "-1h"}, "--since", 2},
		{"bad workload", []string{"requests", "--store", url, "--workload", "sharpen"}, "--workload", 2},
		{"bad role", []string{"requests", "--store", url, "--role", "final,retry"}, `--role "retry"`, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := runMetricsCmd(t, append([]string{"metrics"}, c.args...)...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			var ec *exitCodeError
			if c.code != 0 && (!errors.As(err, &ec) || ec.code != c.code) {
				t.Errorf("exit code error %v, want code %d", err, c.code)
			}
		})
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("reading a missing store created %s (stat: %v)", filepath.Dir(missing), err)
	}
}

func TestMetricsStoreFromEnvironment(t *testing.T) {
	url, _ := metricsFixture(t)
	t.Setenv(metrics.EnvStore, url)
	out, err := runMetricsCmd(t, "metrics", "decisions", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("with %s set: %d lines, want a header and 1 decision:\n%s", metrics.EnvStore, n, out)
	}
}

// TestMetricsRequestsOfOneRequest: --request lists one request's records,
// --client-request-id those of the requests a client sent with its id:
// oldest first, so the final record (the load balancer received the
// request first) comes before the attempts, in their order.
func TestMetricsRequestsOfOneRequest(t *testing.T) {
	url := goldenStore(t)
	for _, args := range [][]string{
		{"--request", goldenRequestID},
		{"--client-request-id", `rt-2,"quoted"`},
		{"--client-request-id", `rt-2,"quoted"`, "--role", "final,attempt"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, err := runMetricsCmd(t, append([]string{"metrics", "requests", "--store", url}, args...)...)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			var got [][]string
			for _, l := range lines[1:] {
				f := strings.Fields(l)
				got = append(got, []string{f[1], f[2], f[3], f[10], f[11], f[12]}) // request, role, attempt, worker, outcome, status
			}
			want := [][]string{
				{goldenRequestID, "final", "(2)", "w3", "server_error", "500"},
				{goldenRequestID, "attempt", "1", "w1", "rejected", "503"},
				{goldenRequestID, "attempt", "2", "w3", "server_error", "500"},
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("records %v, want %v\n%s", got, want, out)
			}
		})
	}
	out, err := runMetricsCmd(t, "metrics", "requests", "--store", url, "--request", "rt-2", "--format", "csv")
	if err != nil || out != strings.SplitAfter(out, "\n")[0] {
		t.Errorf("a request id that is only a prefix of a client id matched records (%v):\n%s", err, out)
	}
}
