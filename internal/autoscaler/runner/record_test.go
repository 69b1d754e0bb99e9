package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/autoscaler/statefile"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/sqlite"
	"github.com/specialvfx/vfx/internal/testutil"
)

// readAS parses ASState.xml.
type readAS struct {
	Decisions []struct {
		ID      uint64   `xml:"id"`
		Time    string   `xml:"time"`
		Policy  string   `xml:"policy"`
		Action  string   `xml:"action"`
		From    int      `xml:"from"`
		To      int      `xml:"to"`
		Workers []string `xml:"workers>worker"`
		Reason  string   `xml:"reason"`
	} `xml:"decision"`
}

// readVM parses VMState.xml.
type readVM struct {
	States []struct {
		ID       string  `xml:"id"`
		Address  string  `xml:"address"`
		State    string  `xml:"state"`
		CPULoad  float64 `xml:"cpuLoad"`
		InFlight int     `xml:"inFlight"`
		Healthy  bool    `xml:"vmHealthy"`
	} `xml:"vmState"`
}

func parseXML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, data)
	}
}

func TestDecisionsAreRecorded(t *testing.T) {
	// Launch 2, the same again (nothing to record), drain two workers,
	// then enter panic mode with nothing to do (recorded as a keep).
	script := []autoscaler.Decision{
		{Desired: 3, Launch: 2, Reason: "burst"},
		{Desired: 3, Reason: "steady"},
		{Desired: 1, Drain: []string{"w1", "w2"}, Reason: "quiet"},
		{Desired: 1, Panic: true, Reason: "panic"},
	}
	pol := &scripted{next: func(n int, _ autoscaler.Observation) autoscaler.Decision { return script[n-1] }}
	cfg := testConfig()
	cfg.Policy = "backlog"
	loop := testLoop()
	loop.StateDir = t.TempDir()

	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "metrics.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rec := metrics.NewRecorder(store, metrics.RecorderOptions{}, nil)
	var logs testutil.LogBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	ev := newEvents()
	pool := newFakePool(ev, readyW("w1", 0, 0), readyW("w2", 0, 0), readyW("w3", 0, 0))
	clock := newFakeClock()
	r, err := New(Options{Config: cfg, Loop: loop, Policy: pol, Pool: pool, Provider: &fakeProvider{ev: ev}, Recorder: rec, Clock: clock, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	for range script {
		r.Step(ctx)
		clock.Advance(time.Second)
		done := make(chan struct{})
		go func() { r.work.Wait(); close(done) }()
		<-done
	}
	if err := rec.Close(ctx); err != nil {
		t.Fatal(err)
	}

	want := []struct {
		action  string
		from    int
		to      int
		workers []string
		reason  string
	}{
		{"add", 3, 3, nil, "burst"},
		{"remove", 5, 1, []string{"w1", "w2"}, "quiet"},
		{"keep", 3, 1, nil, "panic"},
	}

	// The metrics store, newest first.
	stored, err := store.Decisions(ctx, metrics.DecisionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(want) {
		t.Fatalf("%d decisions stored, want %d: %+v", len(stored), len(want), stored)
	}
	for i, w := range want {
		s := stored[len(stored)-1-i]
		if s.Action.String() != w.action || s.From != w.from || s.To != w.to || s.Policy != "backlog" ||
			s.WorkerID != joinIDs(w.workers, 256) || s.Reason != w.reason || !s.Time.Equal(t0.Add(time.Duration([]int{0, 2, 3}[i])*time.Second)) {
			t.Errorf("stored decision %d: %+v, want %+v", i, s, w)
		}
	}

	// The log: one info line per recorded decision with the constant
	// keys, the unrecorded one at debug.
	var infos, debugs []map[string]any
	for _, l := range logs.Lines(t) {
		if l["msg"] != "autoscaling decision" {
			continue
		}
		for _, k := range []string{"policy", "action", "from", "to", "workers", "reason", "panic"} {
			if _, ok := l[k]; !ok {
				t.Errorf("log line %v has no %q", l, k)
			}
		}
		switch l["level"] {
		case "INFO":
			infos = append(infos, l)
		case "DEBUG":
			debugs = append(debugs, l)
		}
	}
	if len(infos) != 3 || len(debugs) != 1 || debugs[0]["reason"] != "steady" {
		t.Fatalf("info lines %v\ndebug lines %v", infos, debugs)
	}
	for i, w := range want {
		if infos[i]["action"] != w.action || infos[i]["reason"] != w.reason {
			t.Errorf("log line %d: %v, want %+v", i, infos[i], w)
		}
	}

	// ASState.xml holds the same decisions, oldest first.
	var as readAS
	parseXML(t, filepath.Join(loop.StateDir, statefile.ASStateFile), &as)
	if len(as.Decisions) != len(want) {
		t.Fatalf("ASState.xml has %d decisions: %+v", len(as.Decisions), as)
	}
	for i, w := range want {
		d := as.Decisions[i]
		if d.ID != uint64(i+1) || d.Action != w.action || d.From != w.from || d.To != w.to ||
			!slices.Equal(d.Workers, w.workers) || d.Reason != w.reason || d.Policy != "backlog" {
			t.Errorf("ASState decision %d: %+v, want %+v", i, d, w)
		}
	}

	// The state API: newest first, the last evaluation, the panic mode.
	st := r.Snapshot()
	if len(st.Decisions) != 3 || st.Decisions[0].Action != lifecycle.ActionKeep || st.Decisions[2].Action != lifecycle.ActionAdd {
		t.Fatalf("recent decisions %+v", st.Decisions)
	}
	if st.LastDecision == nil || st.LastDecision.ID != 3 || !st.Panic || st.Desired != 1 || st.Policy != "backlog" || st.Config.Max != 4 {
		t.Fatalf("status %+v", st)
	}
	if st.Config.DrainTimeout != "30s" || st.Config.StateDir != loop.StateDir {
		t.Errorf("status shows drain timeout %q and state dir %q, want the loop's 30s and %q", st.Config.DrainTimeout, st.Config.StateDir, loop.StateDir)
	}
	js, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(js, []byte(`"workers":null`)) || !bytes.Contains(js, []byte(`"workers":["w1","w2"]`)) {
		t.Fatalf("status JSON %s: want workers as lists", js)
	}
}

// runRig starts Run in a goroutine; stop cancels it and waits for it.
func runRig(t *testing.T, g *rig) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- g.r.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitFor):
			t.Fatalf("Run did not return after its context ended; events %q", g.ev.all())
		}
	}
}

func TestStateFilesWrittenAndRewritten(t *testing.T) {
	pol := &scripted{next: func(n int, obs autoscaler.Observation) autoscaler.Decision {
		if n == 2 {
			return autoscaler.Decision{Desired: 2, Launch: 1, Reason: "more"}
		}
		return keep(n, obs)
	}}
	cfg := testConfig()
	loop := testLoop()
	loop.StateDir = filepath.Join(t.TempDir(), "state") // created by Run
	g := newRigLoop(t, cfg, loop, pol, readyW("w1", 3, 100))
	stop := runRig(t, g)
	defer stop()
	vmPath := filepath.Join(loop.StateDir, statefile.VMStateFile)
	asPath := filepath.Join(loop.StateDir, statefile.ASStateFile)

	// Both files exist as soon as Run starts: Run writes them before it
	// sets its timers.
	g.clock.WaitTimers(t, 2)
	var vm readVM
	parseXML(t, vmPath, &vm)
	if len(vm.States) != 1 || vm.States[0].ID != "w1" || vm.States[0].State != "ready" || vm.States[0].InFlight != 3 ||
		vm.States[0].CPULoad != 40 || !vm.States[0].Healthy || vm.States[0].Address != "http://127.0.0.1:8001" {
		t.Fatalf("VMState.xml: %+v", vm)
	}
	var as readAS
	parseXML(t, asPath, &as)
	if len(as.Decisions) != 0 {
		t.Fatalf("ASState.xml at start: %+v", as)
	}

	// Second tick: the launch is recorded and ASState.xml rewritten.
	for range 2 {
		g.clock.WaitTimers(t, 2) // the tick and the VMState timer
		g.clock.Advance(cfg.Interval)
	}
	g.ev.waitFor(t, "add new-1")
	g.clock.WaitTimers(t, 2) // the second Step is done
	as = readAS{}
	parseXML(t, asPath, &as)
	if len(as.Decisions) != 1 || as.Decisions[0].Action != "add" || as.Decisions[0].Reason != "more" {
		t.Fatalf("ASState.xml after a launch: %+v", as)
	}

	// VMState.xml is not rewritten before 5 s have passed …
	g.pool.set("w1", func(w *Worker) { w.InFlight, w.CPUPercent = 0, 12.5 })
	g.clock.Advance(2 * time.Second) // t = 4 s
	g.clock.WaitTimers(t, 2)
	vm = readVM{}
	parseXML(t, vmPath, &vm)
	if len(vm.States) != 1 || vm.States[0].InFlight != 3 {
		t.Fatalf("VMState.xml rewritten before its interval: %+v", vm)
	}
	// … and then holds the new state of every worker, not appended.
	g.clock.Advance(time.Second) // t = 5 s
	g.clock.WaitTimers(t, 2)
	deadline := time.Now().Add(waitFor)
	for {
		vm = readVM{}
		parseXML(t, vmPath, &vm)
		if len(vm.States) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(vm.States) != 2 || vm.States[0].ID != "w1" || vm.States[0].InFlight != 0 || vm.States[0].CPULoad != 12.5 ||
		vm.States[1].ID != "new-1" || vm.States[1].State != "booting" || vm.States[1].CPULoad != -1 || vm.States[1].Healthy {
		t.Fatalf("VMState.xml after 5 s: %+v", vm)
	}
}

func TestRunStopsOnCancelWithoutLeaks(t *testing.T) {
	defer goleak.VerifyNone(t)
	pol := &scripted{next: func(n int, obs autoscaler.Observation) autoscaler.Decision {
		if n == 1 {
			return autoscaler.Decision{Desired: 2, Launch: 1, Drain: []string{"w2"}}
		}
		return keep(n, obs)
	}}
	cfg := testConfig()
	loop := testLoop()
	loop.StateDir = t.TempDir()
	g := newRigLoop(t, cfg, loop, pol, readyW("w1", 0, 0), readyW("w2", 1, 100))
	g.prov.gate = make(chan struct{}) // the launch never finishes on its own
	stop := runRig(t, g)
	g.clock.WaitTimers(t, 2)
	g.clock.Advance(cfg.Interval)
	g.ev.waitFor(t, "launch 1")
	g.ev.waitFor(t, "drain w2")
	g.clock.WaitTimers(t, 3) // tick, VMState, drain timeout
	stop()
	// The draining worker still had a request in flight: it is left to
	// the provider's Close, not terminated.
	if g.ev.index("terminate w2") >= 0 {
		t.Fatalf("terminated on shutdown with a request in flight: %q", g.ev.all())
	}
}
