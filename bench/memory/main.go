// Command memory measures what hostile concurrency costs the load balancer
// and a worker: for each attack it starts a real `vfx lb` (static provider)
// in front of a real `vfx worker`, sends the attack at once with normal
// requests meanwhile (testutil.HostileLoad: texture bombs, that is 100 KB
// PNGs declaring 4096×4096 16-bit pixels, and bodies of 63 MiB), and prints
// a Markdown table of each process's peak resident memory (VmHWM) and CPU
// time, the answers the attack got and the normal requests served.
//
// It is run by bench/memory.sh; everything listens on 127.0.0.1, each
// attack is bounded by -timeout and the processes are stopped after it.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/proxy"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
)

type options struct {
	vfx          string
	seedData     string
	lbBudget     string
	workerMemory string
	bodySize     int
	timeout      time.Duration
	logs         string
}

// attack is one row of the table.
type attack struct {
	name          string
	bombs, bodies int
}

var attacks = []attack{
	{"16 texture bombs", 16, 0},
	{"24 bodies of 63 MiB", 0, 24},
	{"both at once", 16, 24},
}

func main() {
	var o options
	flag.StringVar(&o.vfx, "vfx", "", "the vfx binary (required)")
	flag.StringVar(&o.seedData, "seed-data", "../shared/seed-data", "the seed-data directory")
	flag.StringVar(&o.lbBudget, "max-buffered", "", "the load balancer's --max-buffered in bytes (empty: its default)")
	flag.StringVar(&o.workerMemory, "max-memory", "2GiB", "the worker's --max-memory (empty: its default)")
	flag.IntVar(&o.bodySize, "body-size", 63<<20, "size of the large bodies")
	flag.DurationVar(&o.timeout, "timeout", 3*time.Minute, "bound on each attack")
	flag.StringVar(&o.logs, "logs", "", "directory to keep the processes' logs in")
	flag.Parse()
	if o.vfx == "" {
		fmt.Fprintln(os.Stderr, "memory: -vfx is required")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "memory:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	scene, err := os.ReadFile(filepath.Join(o.seedData, "raytracer", "scenes", "test01.txt"))
	if err != nil {
		return err
	}
	lbBudget, workerMemory := o.lbBudget, o.workerMemory
	if lbBudget == "" {
		lbBudget = "default"
	}
	if workerMemory == "" {
		workerMemory = "default"
	}
	fmt.Printf("Load balancer --max-buffered %s, worker --max-memory %s, bodies of %d MiB; one `vfx lb` and one `vfx worker` per attack.\n\n",
		lbBudget, workerMemory, o.bodySize>>20)
	fmt.Println("| attack | wall s | LB peak RSS MiB | LB CPU s | worker peak RSS MiB | worker CPU s | answers | normal requests |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---|---|")
	for _, a := range attacks {
		row, err := measure(o, a, scene)
		if err != nil {
			return fmt.Errorf("%s: %w", a.name, err)
		}
		fmt.Println(row)
	}
	return nil
}

// measure runs one attack on fresh processes and returns its table row.
func measure(o options, a attack, scene []byte) (string, error) {
	waddr, err := testutil.FreeAddr()
	if err != nil {
		return "", err
	}
	laddr, err := testutil.FreeAddr()
	if err != nil {
		return "", err
	}
	wargs := []string{"worker", "--listen", waddr, "--store", "none", "--id", "bench"}
	if o.workerMemory != "" {
		wargs = append(wargs, "--max-memory", o.workerMemory)
	}
	w, err := startProc(o, wargs...)
	if err != nil {
		return "", err
	}
	defer w.stop()
	largs := []string{"lb", "--provider", "static", "--workers", "http://" + waddr, "--listen", laddr, "--store", "none"}
	if o.lbBudget != "" {
		largs = append(largs, "--max-buffered", o.lbBudget)
	}
	lb, err := startProc(o, largs...)
	if err != nil {
		return "", err
	}
	defer lb.stop()
	if err := waitReady("http://" + laddr); err != nil {
		return "", err
	}

	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	res := testutil.HostileLoad{
		Base: "http://" + laddr, Bombs: a.bombs, Bodies: a.bodies, BodySize: o.bodySize,
		NormalPath:   "/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0",
		NormalBody:   wire.RaytraceBody(scene, nil),
		RaytraceBody: wire.RaytraceBody,
	}.Hostile(ctx)
	if ctx.Err() != nil {
		return "", fmt.Errorf("not over within %s: %s", o.timeout, res)
	}
	lbPeak, lbCPU, err := testutil.ProcessPeak(lb.cmd.Process.Pid)
	if err != nil {
		return "", err
	}
	wPeak, wCPU, err := testutil.ProcessPeak(w.cmd.Process.Pid)
	if err != nil {
		return "", err
	}
	answers, normal, _ := strings.Cut(res.String(), "; normal: ")
	return fmt.Sprintf("| %s | %.1f | %d | %.1f | %d | %.1f | %s | %s |", a.name, res.Wall.Seconds(),
		lbPeak>>20, lbCPU.Seconds(), wPeak>>20, wCPU.Seconds(), answers, normal), nil
}

type proc struct {
	cmd  *exec.Cmd
	done chan error
	log  *bytes.Buffer
	name string
	o    options
}

// startProc starts `vfx args...` and waits for its /health.
func startProc(o options, args ...string) (*proc, error) {
	cmd := exec.Command(o.vfx, args...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, done: make(chan error, 1), log: &log, name: args[0], o: o}
	go func() { p.done <- cmd.Wait() }()
	addr := ""
	for i, a := range args {
		if a == "--listen" && i+1 < len(args) {
			addr = args[i+1]
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return p, nil
		}
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("%s exited: %v\n%s", strings.Join(args, " "), err, log.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s does not answer /health", strings.Join(args, " "))
		}
	}
}

// stop sends SIGTERM and waits (SIGKILL after 30 s), keeping the log if
// asked to.
func (p *proc) stop() error {
	defer func() {
		if p.o.logs != "" {
			os.WriteFile(filepath.Join(p.o.logs, fmt.Sprintf("%s-%d.log", p.name, p.cmd.Process.Pid)), p.log.Bytes(), 0o644)
		}
	}()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		return errors.New("did not stop within 30 s of SIGTERM")
	}
}

// waitReady waits until the load balancer at base has a ready worker.
func waitReady(base string) error {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		st, err := testutil.GetJSON[proxy.State](context.Background(), base+"/api/v1/state", 5*time.Second)
		if err == nil && len(st.Workers) == 1 && st.Workers[0].State == lifecycle.Ready {
			return nil
		}
	}
	return fmt.Errorf("the load balancer at %s has no ready worker after 30 s", base)
}
