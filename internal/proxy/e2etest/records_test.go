package e2etest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/sqlite"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
)

// recorded is a deployment whose processes all record into one store:
// workers started with `vfx worker`, and `vfx lb --provider static` in
// front of them.
type recorded struct {
	store   string // the SQLite file
	lb      *proc
	base    string // the load balancer's URL
	workers []*proc
	addrs   []string // the workers' URLs
}

var lbAnyRE = regexp.MustCompile(`load balancer on (http://\S+) \(policy \S+, provider static, (\d+) workers\)`)

// startRecorded starts n workers (with workerArgs) and a round-robin load
// balancer in front of them, all recording into one new store.
func startRecorded(t *testing.T, n int, workerArgs ...string) *recorded {
	t.Helper()
	d := &recorded{store: filepath.Join(t.TempDir(), "metrics.db")}
	for i := range n {
		addr := testutil.NeedFreeAddr(t)
		args := append([]string{"worker", "--listen", addr, "--store", "sqlite:" + d.store, "--id", fmt.Sprintf("w%d", i)}, workerArgs...)
		w := start(t, args...)
		w.WaitOutput(t, regexp.MustCompile(`worker listening`), 30*time.Second)
		d.workers = append(d.workers, w)
		d.addrs = append(d.addrs, "http://"+addr)
	}
	d.lb = start(t, "lb", "--provider", "static", "--workers", strings.Join(d.addrs, ","),
		"--listen", testutil.NeedFreeAddr(t), "--store", "sqlite:"+d.store, "--policy", "round-robin")
	m := d.lb.WaitOutput(t, lbAnyRE, 30*time.Second)
	if d.base = m[1]; m[2] != fmt.Sprint(n) {
		t.Fatalf("vfx lb says %s workers are ready, want %d", m[2], n)
	}
	return d
}

// stopAll stops the load balancer, then the workers still running, with
// SIGTERM: each writes its queued records before it exits.
func (d *recorded) stopAll(t *testing.T) {
	t.Helper()
	d.lb.stop(t, syscall.SIGTERM, 30*time.Second)
	for _, w := range d.workers {
		select {
		case <-w.Exited():
		default:
			w.stop(t, syscall.SIGTERM, 30*time.Second)
		}
	}
}

// records reads the store's request records that q selects, once every
// process stopped.
func (d *recorded) records(t *testing.T, q metrics.RequestQuery) []metrics.RequestRecord {
	t.Helper()
	s, err := sqlite.Open(context.Background(), d.store, sqlite.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q.Limit = metrics.MaxLimit
	recs, err := s.Requests(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// tinyRay is the path of a small ray trace and its body.
const tinyRay = "/raytracer?scols=40&srows=30&wcols=40&wrows=30&coff=0&roff=0"

func tinyRayBody(t *testing.T) []byte {
	b, _ := json.Marshal(map[string]string{"scene": string(testutil.SeedFile(t, "raytracer/scenes/test01.txt"))})
	return b
}

// send posts body to url with the given headers and returns the status and
// the response's headers, its body read.
func send(ctx context.Context, url string, body []byte, hdr map[string]string) (int, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, resp.Header, nil
}

func mustSend(t *testing.T, url string, body []byte, hdr map[string]string, status int) http.Header {
	t.Helper()
	got, h, err := send(t.Context(), url, body, hdr)
	if err != nil || got != status {
		t.Fatalf("POST %s: status %d (%v), want %d", url, got, err, status)
	}
	return h
}

// TestForgedRequestIDOverwritesNothing: a client sends a good request with
// its own X-Request-Id, then bad ones with the same id, through the load
// balancer and straight to the worker, one even with the load balancer's
// request id and attempt number: every request keeps a record of its own,
// and the first request's records still say it was served.
func TestForgedRequestIDOverwritesNothing(t *testing.T) {
	d := startRecorded(t, 1)
	const victim = "victim-1"
	client := map[string]string{wire.HeaderRequestID: victim}
	good := mustSend(t, d.base+tinyRay, tinyRayBody(t), client, 200)
	id := good.Get(wire.HeaderServerRequestID)
	if got := good.Get(wire.HeaderRequestID); got != victim {
		t.Errorf("%s %q sent back, want the client's %q", wire.HeaderRequestID, got, victim)
	}
	bad := []byte(`{}`)
	mustSend(t, d.base+"/raytracer?scols=8", bad, client, 400)           // the load balancer answers
	mustSend(t, d.addrs[0]+"/raytracer?scols=8", bad, client, 400)       // the worker, directly
	mustSend(t, d.addrs[0]+"/raytracer?scols=8", bad, map[string]string{ // with the load balancer's headers
		wire.HeaderRequestID: victim, wire.HeaderServerRequestID: id, wire.HeaderAttempt: "1",
	}, 400)
	d.stopAll(t)

	all := d.records(t, metrics.RequestQuery{ClientRequestID: victim})
	var served []metrics.RequestRecord
	keys := map[string]bool{}
	for _, r := range all {
		keys[r.Key] = true
		if r.Outcome == metrics.OutcomeOK && r.Status == 200 {
			served = append(served, r)
		}
	}
	if len(served) != 2 {
		t.Fatalf("%d ok 200 records with the client's id, want the good request's final record and attempt: %+v", len(served), all)
	}
	if len(all) != 5 || len(keys) != 5 {
		t.Errorf("%d records (%d keys) with the client's id, want 5, each its own: %+v", len(all), len(keys), all)
	}
	// What the client got for its first request is unambiguous.
	final := d.records(t, metrics.RequestQuery{RequestID: id, Roles: metrics.OutcomeRoles})
	if len(final) != 1 || final[0].Role != metrics.RoleFinal || final[0].Outcome != metrics.OutcomeOK || final[0].Status != 200 {
		t.Errorf("final records of request %s: %+v, want one, ok 200", id, final)
	}
	// The forged attempt is a record of its own beside the real one.
	attempts := d.records(t, metrics.RequestQuery{RequestID: id, Roles: []metrics.Role{metrics.RoleAttempt}})
	if len(attempts) != 2 || attempts[0].Status != 400 || attempts[1].Status != 200 || attempts[1].Units <= 0 {
		t.Errorf("attempt records of request %s: %+v, want the forged 400 and the real 200", id, attempts)
	}
}

// TestRetriedRequestRecordsEveryAttempt: worker w0 is busy (its one
// in-flight slot taken by a long render sent to it directly), so a request
// the load balancer sends it gets 503 and is retried on w1, which serves
// it. w0 records attempt 1 as rejected 503, w1 attempt 2 as ok 200, and the
// load balancer the final outcome: ok 200 after 2 attempts, on w1.
func TestRetriedRequestRecordsEveryAttempt(t *testing.T) {
	d := startRecorded(t, 2, "--max-inflight", "1")
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		long := strings.Replace(tinyRay, "scols=40&srows=30&wcols=40&wrows=30", "scols=4096&srows=4096&wcols=4096&wrows=4096", 1) + "&aa=true"
		send(ctx, d.addrs[0]+long, tinyRayBody(t), nil) // cancelled below
	})
	defer func() { cancel(); wg.Wait() }()
	type status struct {
		InFlight []json.RawMessage `json:"in_flight"`
	}
	testutil.WaitFor(t, 30*time.Second, 10*time.Millisecond, "w0 to be busy", func() bool {
		st, err := testutil.GetJSON[status](ctx, d.addrs[0]+"/status", 5*time.Second)
		return err == nil && len(st.InFlight) == 1
	})
	// Round-robin sends at least one of two requests in a row to w0 first.
	var ids []string
	for range 2 {
		h := mustSend(t, d.base+tinyRay, tinyRayBody(t), nil, 200)
		ids = append(ids, h.Get(wire.HeaderServerRequestID))
	}
	cancel()
	wg.Wait()
	d.stopAll(t)

	retried := 0
	for _, id := range ids {
		recs := d.records(t, metrics.RequestQuery{RequestID: id})
		final := d.records(t, metrics.RequestQuery{RequestID: id, Roles: []metrics.Role{metrics.RoleFinal}})
		if len(final) != 1 || final[0].Outcome != metrics.OutcomeOK || final[0].Status != 200 {
			t.Fatalf("request %s: final records %+v, want one, ok 200", id, final)
		}
		if final[0].Attempts != 2 {
			continue
		}
		retried++
		attempts := d.records(t, metrics.RequestQuery{RequestID: id, Roles: []metrics.Role{metrics.RoleAttempt}})
		if len(recs) != 3 || len(attempts) != 2 {
			t.Fatalf("request %s: %d records, %d of them attempts, want a final record and 2 attempts: %+v", id, len(recs), len(attempts), recs)
		}
		first, second := attempts[1], attempts[0] // newest first
		if first.Attempt != 1 || first.WorkerID != "w0" || first.Outcome != metrics.OutcomeRejected || first.Status != 503 {
			t.Errorf("attempt 1: %+v, want w0 rejected 503", first)
		}
		if second.Attempt != 2 || second.WorkerID != "w1" || second.Outcome != metrics.OutcomeOK || second.Status != 200 || second.Units <= 0 {
			t.Errorf("attempt 2: %+v, want w1 ok 200", second)
		}
		if f := final[0]; !strings.Contains(f.WorkerID, strings.TrimPrefix(d.addrs[1], "http://")) || f.Units != second.Units {
			t.Errorf("final record %+v, want the answer of w1 (%s), with its units", f, d.addrs[1])
		}
	}
	if retried == 0 {
		t.Errorf("none of the 2 requests took 2 attempts: round-robin sends at least one of them to the busy w0 first")
	}
}

// TestAnsweredRequestsOutliveAKilledWorker sends a steady load through the
// load balancer and SIGKILLs the only worker right after the last answer:
// every answered request has its final record (the load balancer's), and
// the worker's attempt records lost with it are counted and logged — at
// most what it queued in its last flush interval.
func TestAnsweredRequestsOutliveAKilledWorker(t *testing.T) {
	d := startRecorded(t, 1)
	const n, clients = 200, 4
	body := tinyRayBody(t)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		next   int
		failed []error
	)
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				if status, _, err := send(t.Context(), d.base+tinyRay, body, nil); err != nil || status != 200 {
					mu.Lock()
					failed = append(failed, fmt.Errorf("request %d: status %d (%v)", i, status, err))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := d.workers[0].Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	<-d.workers[0].Exited()
	for _, err := range failed {
		t.Error(err)
	}
	d.lb.stop(t, syscall.SIGTERM, 30*time.Second)

	finals := d.records(t, metrics.RequestQuery{Roles: []metrics.Role{metrics.RoleFinal}})
	ok := 0
	for _, f := range finals {
		if f.Outcome == metrics.OutcomeOK && f.Status == 200 {
			ok++
		}
	}
	if ok != n || len(finals) != n {
		t.Errorf("%d final records, %d of them ok 200, want one ok 200 for each of the %d answered requests", len(finals), ok, n)
	}
	attempts := len(d.records(t, metrics.RequestQuery{Roles: []metrics.Role{metrics.RoleAttempt}}))
	if attempts > n {
		t.Errorf("%d attempt records for %d requests, none of them retried", attempts, n)
	}
	t.Logf("SIGKILL after %d requests in %v (%.0f/s): the worker's last %d attempt records were lost (flush interval %v)",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), n-attempts, metrics.DefaultFlushInterval)
}
