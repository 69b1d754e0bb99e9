package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/specialvfx/vfx/internal/loadgen"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/trace"
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

// replay sends the trace through the load generator: an open loop of
// Poisson arrivals at each phase's rate, each request's type drawn by
// weight, from the seed (the same for every policy). At most maxOpen
// requests are open at once; one that finds the bound reached waits, and
// its latency still counts from its scheduled time.
func replay(ctx context.Context, base string, mix *loadgen.Mix, phases []loadgen.Phase, seed uint64, limit, maxOpen int) ([]trace.Entry, error) {
	cfg := loadgen.DefaultConfig()
	cfg.Target, cfg.Mix, cfg.Seed = base, mix, seed
	cfg.Arrivals = loadgen.Arrivals{Kind: loadgen.Phases, Phases: phases}
	cfg.Count, cfg.MaxInFlight, cfg.Timeout = limit, maxOpen, 5*time.Minute
	var es entries
	cfg.Trace = &es
	if _, err := loadgen.Run(ctx, cfg); err != nil {
		return nil, err
	}
	return es, nil
}

// calibrate measures each type's unloaded latency on the idle pool: the
// median of n requests sent one at a time after warm ones (which also
// teach the load balancer's cost model). A pause follows each request, so
// the pool stays mostly idle and the autoscaler has no reason to grow it.
// n 0 only warms.
func calibrate(ctx context.Context, base, seedDir string, types []reqType, warm, n int, pause time.Duration) error {
	for i := range types {
		t := &types[i]
		mix, err := mixOf(seedDir, *t)
		if err != nil {
			return err
		}
		for k, count := range []int{warm, n} {
			if count == 0 {
				continue
			}
			cfg := loadgen.DefaultConfig()
			cfg.Target, cfg.Mix, cfg.Clients, cfg.Count, cfg.Think = base, mix, 1, count, pause
			cfg.Timeout = 5 * time.Minute
			sum, err := loadgen.Run(ctx, cfg)
			if err != nil {
				return fmt.Errorf("calibrate %s: %w", t.Name, err)
			}
			if all := sum.Total(); all.OK != count {
				return fmt.Errorf("calibrate %s: %d of %d requests answered (%s)", t.Name, all.OK, count, loadgen.FormatErrors(all.Errors))
			}
			if k == 1 {
				t.unloaded = sum.Total().P50
			}
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
