package e2e

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/autoscaler/statefile"
	"github.com/specialvfx/vfx/internal/client"
	"github.com/specialvfx/vfx/internal/codec"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/sqlite"
	"github.com/specialvfx/vfx/internal/testutil"
)

// Burst and trickle sizes: the burst is heavy enough to outlast a scaling
// interval and a worker's boot, the trickle's requests are tiny.
const (
	burstRequests    = 40
	burstConcurrency = 10
	burstCols        = 400
	burstRows        = 300
	trickleCols      = 64
	trickleRows      = 48
)

func TestBurstGrowsThePoolAndQuietShrinksItWithoutFailures(t *testing.T) {
	u := startUp(t,
		"--min", "1", "--max", "3", "--scale-policy", "backlog",
		"--scale-interval", "500ms", "--scale-down-delay", "5s", "--stable-window", "10s",
		"--panic-window", "2s", "--boot-time", "1s", "--drain-timeout", "30s", "--all-vm-instances")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	scene04 := testutil.SeedFile(t, "raytracer/scenes/test04.txt")
	scene01 := testutil.SeedFile(t, "raytracer/scenes/test01.txt")
	c := client.New(u.base, &http.Client{Timeout: time.Minute})

	// Watch the pool: its largest size, and every worker's pid.
	var peak atomic.Int64
	watchCtx, stopWatch := context.WithCancel(ctx)
	var watching sync.WaitGroup
	watching.Go(func() {
		for watchCtx.Err() == nil {
			u.notePIDs()
			if st, err := u.state(watchCtx); err == nil {
				for n := int64(poolSize(st)); n > peak.Load(); {
					peak.Store(n)
				}
			}
			select { // the polling interval: workers live for seconds
			case <-watchCtx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	defer func() { stopWatch(); watching.Wait() }()

	// The burst: every response is a BMP of the window's size.
	burstStart := time.Now()
	served := checkedRequests(ctx, t, c, scene04, burstCols, burstRows, burstRequests, burstConcurrency)
	t.Logf("burst: %d ray traces of test04 at %dx%d in %v, served by %v", burstRequests, burstCols, burstRows, time.Since(burstStart).Round(time.Millisecond), served)

	// The pool grew: at least one add decision, and two workers or more.
	var st lbState
	waitUntil(ctx, t, 15*time.Second, "the pool to grow to 2 workers with an add decision", func() bool {
		var err error
		st, err = u.state(ctx)
		return err == nil && st.Autoscaler != nil && peak.Load() >= 2 && hasAction(st.Autoscaler.Decisions, lifecycle.ActionAdd)
	})
	t.Logf("peak pool size %d; autoscaler: desired %d, counts %+v", peak.Load(), st.Autoscaler.Desired, st.Autoscaler.Counts)

	// Quiet: a trickle of tiny requests while the pool shrinks back to
	// one worker. None may fail or be cut off.
	var trickleOK, trickleFailed atomic.Int64
	var trickleErrs []error
	trickleBy := map[string]int{}
	var trickleMu sync.Mutex
	trickleCtx, stopTrickle := context.WithCancel(ctx)
	var trickling sync.WaitGroup
	trickling.Go(func() {
		for trickleCtx.Err() == nil {
			res, err := raytrace(trickleCtx, c, scene01, trickleCols, trickleRows)
			switch {
			case err == nil:
				trickleOK.Add(1)
				trickleMu.Lock()
				trickleBy[res.WorkerID]++
				trickleMu.Unlock()
			case trickleCtx.Err() != nil:
			default:
				trickleFailed.Add(1)
				trickleMu.Lock()
				trickleErrs = append(trickleErrs, err)
				trickleMu.Unlock()
			}
			select { // the trickle's pace, not a synchronisation
			case <-trickleCtx.Done():
			case <-time.After(150 * time.Millisecond):
			}
		}
	})
	shrinkStart := time.Now()
	waitUntil(ctx, t, 60*time.Second, "the pool to shrink back to 1 worker", func() bool {
		var err error
		st, err = u.state(ctx)
		return err == nil && len(st.Workers) == 1 && st.Workers[0].State == "ready" &&
			st.Autoscaler != nil && len(st.Autoscaler.Draining) == 0 && st.Autoscaler.Launching == 0
	})
	t.Logf("shrank back to 1 worker in %v", time.Since(shrinkStart).Round(time.Millisecond))
	// A few more tiny requests on the pool of one.
	more := trickleOK.Load() + 3
	waitUntil(ctx, t, 30*time.Second, "3 more requests served by the pool of one", func() bool {
		return trickleOK.Load() >= more || trickleFailed.Load() > 0
	})
	stopTrickle()
	trickling.Wait()
	if n := trickleFailed.Load(); n > 0 {
		t.Errorf("%d requests failed during scale-in: %v", n, trickleErrs)
	}
	if trickleOK.Load() < 5 {
		t.Errorf("only %d trickle requests were served during scale-in", trickleOK.Load())
	}
	t.Logf("trickle: %d tiny requests served during scale-in, by %v", trickleOK.Load(), trickleBy)

	// The state API, ASState.xml: added, then removed by draining.
	if !hasAction(st.Autoscaler.Decisions, lifecycle.ActionRemove) {
		t.Errorf("state API shows no remove decision: %+v", st.Autoscaler.Decisions)
	}
	if st.Autoscaler.Counts.Drained < 1 || st.Autoscaler.Counts.DrainTimeouts != 0 {
		t.Errorf("drain counts %+v: want workers drained, none at the timeout", st.Autoscaler.Counts)
	}
	as := readASState(t, filepath.Join(u.dir, statefile.ASStateFile))
	for _, d := range as {
		t.Logf("decision: %s %d → %d %v: %s", d.Action, d.From, d.To, d.Workers, d.Reason)
	}
	if !hasXMLAction(as, "add") || !hasXMLAction(as, "remove") {
		t.Errorf("ASState.xml lacks an add or a remove: %+v", as)
	}
	vm := readVMState(t, filepath.Join(u.dir, statefile.VMStateFile))
	if len(vm) < 1 {
		t.Errorf("VMState.xml lists no worker")
	}
	// The original's file lists the ready workers VMState.xml shows.
	var all struct {
		Instances []struct {
			ID  string `xml:"instanceId"`
			DNS string `xml:"instanceDns"`
		} `xml:"vmInstance"`
	}
	readXML(t, filepath.Join(u.dir, statefile.AllVMInstancesFile), &all)
	if len(all.Instances) < 1 || !slices.Contains(vm, all.Instances[0].ID) || !strings.HasPrefix(all.Instances[0].DNS, "127.0.0.1:") {
		t.Errorf("allVmInstances.xml lists %+v; VMState.xml %v", all.Instances, vm)
	}

	// The removed workers' processes are gone, their state files too.
	stopWatch()
	watching.Wait()
	u.notePIDs()
	pids := u.workerPIDs()
	remaining := st.Workers[0].ID
	if len(pids) < 2 {
		t.Fatalf("saw the pids of %d workers (%v), want at least 2", len(pids), pids)
	}
	for id, pid := range pids {
		if id == remaining {
			if !workerAlive(pid, id) {
				t.Errorf("the remaining worker %s (pid %d) is not running", id, pid)
			}
			continue
		}
		waitUntil(ctx, t, 10*time.Second, fmt.Sprintf("worker %s (pid %d) to exit", id, pid), func() bool { return !workerAlive(pid, id) })
		waitUntil(ctx, t, 10*time.Second, fmt.Sprintf("the state file of removed worker %s to go", id), func() bool { return u.stateFile(id) == "" })
	}

	// A clean stop leaves no worker, and the store has the decisions.
	u.stop(t, 60*time.Second)
	for id, pid := range pids {
		waitUntil(ctx, t, 10*time.Second, fmt.Sprintf("worker %s (pid %d) to exit after vfx up", id, pid), func() bool { return !workerAlive(pid, id) })
	}
	store, err := sqlite.Open(ctx, filepath.Join(u.dir, "metrics.db"), sqlite.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ds, err := store.Decisions(ctx, metrics.DecisionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []lifecycle.Action
	for _, d := range ds {
		actions = append(actions, d.Action)
		if d.Policy != "backlog" || d.Reason == "" {
			t.Errorf("stored decision %+v", d)
		}
	}
	if !slices.Contains(actions, lifecycle.ActionAdd) || !slices.Contains(actions, lifecycle.ActionRemove) {
		t.Errorf("stored decisions %v: want an add and a remove", actions)
	}
}

// checkedRequests sends n ray traces of scene at cols×rows with the given
// concurrency and checks every answer: no error (status 200) and a BMP of
// that size. It returns how many each worker served.
func checkedRequests(ctx context.Context, t *testing.T, c *client.Client, scene []byte, cols, rows, n, conc int) map[string]int {
	t.Helper()
	var (
		mu     sync.Mutex
		served = map[string]int{}
		errs   []error
		next   atomic.Int64
		wg     sync.WaitGroup
	)
	for range conc {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				res, err := raytrace(ctx, c, scene, cols, rows)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					served[res.WorkerID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d requests failed: %v", len(errs), n, errs)
	}
	return served
}

// raytrace renders the whole scene at cols×rows and checks the answer.
func raytrace(ctx context.Context, c *client.Client, scene []byte, cols, rows int) (*client.Result, error) {
	res, err := c.Raytrace(ctx, scene, nil, client.RaytraceParams{SCols: cols, SRows: rows, WCols: cols, WRows: rows})
	if err != nil {
		return nil, err
	}
	img, format, err := codec.Decode(res.Image, codec.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("answer of %s is not an image: %w", res.WorkerID, err)
	}
	if b := img.Bounds(); format != "bmp" || b.Dx() != cols || b.Dy() != rows {
		return nil, fmt.Errorf("answer of %s is a %dx%d %s, want a %dx%d bmp", res.WorkerID, b.Dx(), b.Dy(), format, cols, rows)
	}
	return res, nil
}

// waitUntil polls cond every 100 ms until it holds or limit passes.
func waitUntil(ctx context.Context, t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func hasAction(ds []statefile.Decision, a lifecycle.Action) bool {
	return slices.ContainsFunc(ds, func(d statefile.Decision) bool { return d.Action == a })
}

type xmlDecision struct {
	Action  string   `xml:"action"`
	From    int      `xml:"from"`
	To      int      `xml:"to"`
	Workers []string `xml:"workers>worker"`
	Reason  string   `xml:"reason"`
}

func readASState(t *testing.T, path string) []xmlDecision {
	t.Helper()
	var doc struct {
		Decisions []xmlDecision `xml:"decision"`
	}
	readXML(t, path, &doc)
	return doc.Decisions
}

func hasXMLAction(ds []xmlDecision, a string) bool {
	return slices.ContainsFunc(ds, func(d xmlDecision) bool { return d.Action == a })
}

func readVMState(t *testing.T, path string) []string {
	t.Helper()
	var doc struct {
		States []struct {
			ID string `xml:"id"`
		} `xml:"vmState"`
	}
	readXML(t, path, &doc)
	var ids []string
	for _, s := range doc.States {
		ids = append(ids, s.ID)
	}
	return ids
}

func readXML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
