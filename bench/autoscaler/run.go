package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/specialvfx/vfx/internal/client"
	"github.com/specialvfx/vfx/internal/testutil"
)

// upProc is a running `vfx up`.
type upProc struct {
	cmd  *exec.Cmd
	base string
	dir  string
	log  *os.File
	done chan struct{}
	err  error
}

// startUp starts `vfx up` with args in a fresh state directory under
// root and waits for a ready worker.
func startUp(ctx context.Context, bin, root, name string, args []string, wait time.Duration) (*upProc, error) {
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	port, err := testutil.FreePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "vfx-up.log"))
	if err != nil {
		return nil, err
	}
	all := append([]string{"up", "--listen", "127.0.0.1:" + strconv.Itoa(port), "--state-dir", dir,
		"--store", "sqlite:" + filepath.Join(dir, "metrics.db")}, args...)
	u := &upProc{base: "http://127.0.0.1:" + strconv.Itoa(port), dir: dir, log: logf, done: make(chan struct{})}
	u.cmd = exec.Command(bin, all...)
	u.cmd.Dir = dir
	u.cmd.Stdout, u.cmd.Stderr = logf, logf
	if err := u.cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() { u.err = u.cmd.Wait(); close(u.done) }()
	deadline := time.Now().Add(wait)
	for {
		st, err := u.state(ctx)
		if err == nil && st.count("ready") >= 1 {
			return u, nil
		}
		select {
		case <-u.done:
			return nil, fmt.Errorf("vfx up exited at start-up (%v); see %s", u.err, logf.Name())
		default:
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			u.stop(10 * time.Second)
			return nil, fmt.Errorf("no ready worker %v after start (last error %v); see %s", wait, err, logf.Name())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitPool waits until the pool has exactly n workers, none draining or
// being launched, or limit passes.
func (u *upProc) waitPool(ctx context.Context, n int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		st, err := u.state(ctx)
		if err == nil && st.running() == n && st.count("ready") == n {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the pool did not settle at %d workers within %v", n, limit)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// stop sends SIGTERM, then SIGKILL after timeout.
func (u *upProc) stop(timeout time.Duration) error {
	defer u.log.Close()
	_ = u.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-u.done:
		return u.err
	case <-time.After(timeout):
		_ = u.cmd.Process.Kill()
		<-u.done
		return fmt.Errorf("vfx up did not stop within %v of SIGTERM", timeout)
	}
}

// lbState is the part of GET /api/v1/state the benchmark reads.
type lbState struct {
	Workers []struct {
		ID    string `json:"id"`
		State string `json:"state"`
	} `json:"workers"`
	Autoscaler *struct {
		Desired   int `json:"desired"`
		Launching int `json:"launching"`
	} `json:"autoscaler"`
}

func (s lbState) count(state string) int {
	n := 0
	for _, w := range s.Workers {
		if w.State == state {
			n++
		}
	}
	return n
}

// running is the number of workers that exist (and cost): every worker of
// the pool, draining ones included, and those being launched.
func (s lbState) running() int {
	n := len(s.Workers)
	if s.Autoscaler != nil {
		n += s.Autoscaler.Launching
	}
	return n
}

func (u *upProc) state(ctx context.Context) (lbState, error) {
	return testutil.GetJSON[lbState](ctx, u.base+"/api/v1/state", 5*time.Second)
}

// sample is the pool size at one time.
type sample struct {
	t       time.Duration // after the trace's start
	running int
}

// sampler polls the state API every interval until ctx ends.
func (u *upProc) sampler(ctx context.Context, start time.Time, every time.Duration) []sample {
	var out []sample
	for {
		if st, err := u.state(ctx); err == nil {
			out = append(out, sample{t: time.Since(start), running: st.running()})
		}
		select {
		case <-ctx.Done():
			return out
		case <-time.After(every):
		}
	}
}

// result is one request of the trace.
type result struct {
	arrival
	latency time.Duration
	err     error
	worker  string
}

// replay sends the trace open-loop: each request at its time, whatever
// the others do. maxOpen bounds the requests open at once; one that finds
// the bound reached waits, and its latency counts from its scheduled time.
func replay(ctx context.Context, c *client.Client, types []reqType, trace []arrival, maxOpen int) []result {
	out := make([]result, len(trace))
	sem := make(chan struct{}, maxOpen)
	var wg sync.WaitGroup
	start := time.Now()
	for i, a := range trace {
		if d := time.Until(start.Add(a.At)); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			out[i] = result{arrival: a, err: ctx.Err()}
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			t := types[a.Type]
			res, err := c.Raytrace(ctx, t.sceneBytes, nil, client.RaytraceParams{SCols: t.Cols, SRows: t.Rows, WCols: t.Cols, WRows: t.Rows})
			r := result{arrival: a, latency: time.Since(start.Add(a.At)), err: err}
			if err == nil {
				r.worker = res.WorkerID
				if len(res.Image) < 54 || !bytes.HasPrefix(res.Image, []byte("BM")) {
					r.err = errors.New("answer is not a BMP")
				}
			}
			out[i] = r
		})
	}
	wg.Wait()
	return out
}

// calibrate measures each type's unloaded latency on the idle pool: the
// median of n sequential requests after warm requests (which also teach
// the load balancer's cost model). A pause as long as the request follows
// each one, so the pool stays half idle and the autoscaler has no reason
// to grow it.
func calibrate(ctx context.Context, c *client.Client, types []reqType, warm, n int) error {
	for i := range types {
		t := &types[i]
		var lat []time.Duration
		for k := range warm + n {
			start := time.Now()
			_, err := c.Raytrace(ctx, t.sceneBytes, nil, client.RaytraceParams{SCols: t.Cols, SRows: t.Rows, WCols: t.Cols, WRows: t.Rows})
			if err != nil {
				return fmt.Errorf("calibrate %s: %w", t.Name, err)
			}
			d := time.Since(start)
			if k >= warm {
				lat = append(lat, d)
			}
			time.Sleep(d)
		}
		if len(lat) > 0 {
			slices.Sort(lat)
			t.unloaded = lat[len(lat)/2]
		}
	}
	return nil
}

// scaleEvents counts the decisions of ASState.xml that launched, drained
// or replaced workers.
func scaleEvents(dir string) (int, error) {
	data, err := os.ReadFile(filepath.Join(dir, "ASState.xml"))
	if err != nil {
		return 0, err
	}
	var doc struct {
		Decisions []struct {
			Action string `xml:"action"`
		} `xml:"decision"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return 0, fmt.Errorf("ASState.xml: %w", err)
	}
	n := 0
	for _, d := range doc.Decisions {
		if d.Action == "add" || d.Action == "remove" || d.Action == "replace" {
			n++
		}
	}
	return n, nil
}
