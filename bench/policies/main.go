// Command policies compares the load balancer's routing policies on real
// processes: the same seeded sequence of mixed requests (the course's test
// pattern: complex and simple ray traces, blurs and enhances arriving
// together in bursts; the mix is mix.yaml, sent by internal/loadgen) goes
// through `vfx lb` in front of the same fixed pool of `vfx worker`
// processes once per policy, and it prints a Markdown table of latency
// (mean, p50, p95, p99, max, each from the request's scheduled time) and
// makespan per policy.
//
// Every worker is pinned to a CPU of its own (taskset, GOMAXPROCS=1,
// --threads 1), so a worker is one core that shares it between the
// requests it runs. Before the runs a training pass sends each distinct
// request to a worker that records it in a SQLite store; every policy's
// load balancer starts from a copy of that store, so each starts with the
// same trained cost model. The load balancer is restarted for each policy.
// The training pass and the measured runs are internal/loadgen runs: the
// same generator as `vfx load`.
//
// It is run by bench/policies.sh; everything listens on 127.0.0.1 and the
// whole run is bounded by -timeout.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/specialvfx/vfx/internal/loadgen"
	"github.com/specialvfx/vfx/internal/trace"
)

func main() {
	var o options
	flag.StringVar(&o.vfx, "vfx", "", "the vfx binary (required)")
	flag.StringVar(&o.seedData, "seed-data", "../shared/seed-data", "the seed-data directory")
	flag.StringVar(&o.mix, "mix", "bench/policies/mix.yaml", "the request mix (a vfx load spec; its paths are relative to -seed-data)")
	flag.StringVar(&o.policies, "policies", "cost,least-requests,round-robin,p2c,cpu", "policies to compare, comma-separated")
	flag.IntVar(&o.workers, "workers", 2, "workers, each pinned to its own CPU")
	flag.IntVar(&o.bursts, "bursts", 10, "bursts in the trace")
	flag.DurationVar(&o.gap, "gap", 1200*time.Millisecond, "time between bursts")
	flag.DurationVar(&o.spread, "spread", 360*time.Millisecond, "a burst's requests arrive at random over this time")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the trace")
	flag.StringVar(&o.seeds, "seeds", "", "seeds to run one after the other, comma-separated (overrides -seed): the policies' order rotates from seed to seed, and a summary over the seeds follows (median, min and max of each figure and of cost's ratio to each other policy)")
	flag.StringVar(&o.dockerCPUs, "docker-cpus", "", "run the workers as Docker containers limited to these CPUs, comma-separated (\"1.0,0.25\": a heterogeneous pool; overrides -workers); needs -vfx-static")
	flag.StringVar(&o.vfxStatic, "vfx-static", "", "a statically linked vfx binary for -docker-cpus")
	flag.DurationVar(&o.timeout, "timeout", 9*time.Minute, "bound on the whole run")
	flag.StringVar(&o.stateDir, "state-dir", "", "if set, save each policy's load balancer state (/api/v1/state) after its run there, as POLICY-seedN.json")
	flag.Parse()
	if o.vfx == "" {
		fmt.Fprintln(os.Stderr, "policies: -vfx is required")
		os.Exit(2)
	}
	sig, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(sig, o.timeout)
	defer cancel()
	if err := runSeeds(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "policies:", err)
		os.Exit(1)
	}
}

// runSeeds runs the comparison once per seed, rotating the policies'
// order, and summarises.
func runSeeds(ctx context.Context, o options) error {
	if o.dockerCPUs != "" {
		if o.vfxStatic == "" {
			return errors.New("-docker-cpus needs -vfx-static")
		}
		img, err := dockerImage(ctx, o.vfxStatic)
		if err != nil {
			return err
		}
		o.image = img
		o.workers = len(strings.Split(o.dockerCPUs, ","))
	}
	if o.seeds == "" {
		_, err := run(ctx, o)
		return err
	}
	pols := strings.Split(o.policies, ",")
	var seeds []uint64
	for _, f := range strings.Split(o.seeds, ",") {
		var v uint64
		if _, err := fmt.Sscan(strings.TrimSpace(f), &v); err != nil {
			return fmt.Errorf("-seeds: %q is not a seed", f)
		}
		seeds = append(seeds, v)
	}
	all := map[string][]row{}
	for i, seed := range seeds {
		o.seed = seed
		k := i % len(pols)
		o.policies = strings.Join(append(slices.Clone(pols[k:]), pols[:k]...), ",")
		rows, err := run(ctx, o)
		if err != nil {
			return fmt.Errorf("seed %d: %w", seed, err)
		}
		for _, r := range rows {
			all[r.policy] = append(all[r.policy], r)
		}
	}
	printSummary(os.Stdout, o, seeds, pols, all)
	return nil
}

type options struct {
	vfx, seedData, mix, policies string
	stateDir, seeds              string
	dockerCPUs, vfxStatic, image string
	workers, bursts              int
	gap, spread, timeout         time.Duration
	seed                         uint64
}

// run compares the policies on one seed's trace and prints its tables.
func run(ctx context.Context, o options) ([]row, error) {
	dir, err := os.MkdirTemp("", "vfx-policies-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	spec, err := loadgen.LoadSpec(o.mix)
	if err != nil {
		return nil, err
	}
	mix, err := loadgen.NewMix(o.mix, spec, o.seedData)
	if err != nil {
		return nil, err
	}
	arrivals := loadgen.Arrivals{Kind: loadgen.Bursts, Bursts: o.bursts, BurstGap: o.gap, BurstSpread: o.spread}

	// Training pass: two bursts, one after the other, recorded in train.db.
	trainDB := filepath.Join(dir, "train.db")
	tw, err := startProc(ctx, o.vfx, []string{"taskset", "-c", "0"}, "worker", "--listen", freeAddr(), "--store", "sqlite:"+trainDB,
		"--id", "train", "--threads", "1", "--max-inflight", "32", "--log-level", "warn")
	if err != nil {
		return nil, err
	}
	trained, err := send(ctx, "http://"+tw.addr, mix, loadgen.Arrivals{Kind: loadgen.Bursts, Bursts: 2, BurstGap: 3 * time.Second}, o.seed)
	for _, e := range trained {
		if err == nil && !e.OK() {
			err = fmt.Errorf("%s: %d %s", e.Item, e.Status, e.Error)
		}
	}
	if serr := tw.stop(); err == nil && serr != nil {
		err = fmt.Errorf("training worker: %w", serr)
	}
	if err != nil {
		return nil, fmt.Errorf("training: %w", err)
	}

	// The pool: one worker per CPU, or Docker containers with CPU limits.
	var addrs []string
	if o.image != "" {
		for i, cpus := range strings.Split(o.dockerCPUs, ",") {
			c, err := startContainer(ctx, o.image, strings.TrimSpace(cpus), i)
			if err != nil {
				return nil, err
			}
			defer c.stop()
			addrs = append(addrs, "http://"+c.addr)
		}
	}
	for i := range o.workers {
		if o.image != "" {
			break
		}
		w, err := startProc(ctx, o.vfx, []string{"taskset", "-c", fmt.Sprint(i % 2)}, "worker", "--listen", freeAddr(), "--store", "none",
			"--id", fmt.Sprintf("w%d", i), "--threads", "1", "--max-inflight", "32", "--log-level", "warn")
		if err != nil {
			return nil, err
		}
		defer w.stop()
		addrs = append(addrs, "http://"+w.addr)
	}

	var (
		rows []row
		n    int
	)
	for _, pol := range strings.Split(o.policies, ",") {
		db := filepath.Join(dir, pol+".db")
		if err := copyFile(trainDB, db); err != nil {
			return nil, err
		}
		lb, err := startProc(ctx, o.vfx, nil, "lb", "--provider", "static", "--workers", strings.Join(addrs, ","),
			"--listen", freeAddr(), "--store", "sqlite:"+db, "--policy", pol, "--health-interval", "200ms", "--log-level", "warn")
		if err != nil {
			return nil, err
		}
		if err := waitReady(ctx, "http://"+lb.addr, len(addrs)); err != nil {
			lb.stop()
			return nil, fmt.Errorf("%s: %w", pol, err)
		}
		load := loadAvg()
		entries, err := send(ctx, "http://"+lb.addr, mix, arrivals, o.seed)
		if err == nil && o.stateDir != "" {
			err = saveState("http://"+lb.addr, filepath.Join(o.stateDir, fmt.Sprintf("%s-seed%d.json", pol, o.seed)))
		}
		if serr := lb.stop(); err == nil && serr != nil {
			err = fmt.Errorf("%s load balancer: %w", pol, serr)
		}
		if err != nil {
			return nil, err
		}
		n = len(entries)
		r := summarise(pol, entries)
		r.load = [2]float64{load, loadAvg()}
		rows = append(rows, r)
		time.Sleep(500 * time.Millisecond)
	}
	printTable(os.Stdout, o, mix, n, rows)
	return rows, nil
}

// send runs the mix's sequence of the seed against base (open loop) and
// returns every request's trace entry: the same seed, the same sequence
// for every policy.
func send(ctx context.Context, base string, mix *loadgen.Mix, arrivals loadgen.Arrivals, seed uint64) ([]trace.Entry, error) {
	cfg := loadgen.DefaultConfig()
	cfg.Target, cfg.Mix, cfg.Arrivals, cfg.Seed = base, mix, arrivals, seed
	cfg.Timeout = 2 * time.Minute
	var entries entryList
	cfg.Trace = &entries
	sum, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if sum.Interrupted {
		return nil, errors.New("the run was interrupted")
	}
	return entries, nil
}

// entryList is a loadgen.Sink that keeps the entries.
type entryList []trace.Entry

func (l *entryList) Write(e trace.Entry) error {
	*l = append(*l, e)
	return nil
}

type row struct {
	policy                      string
	n, errors                   int
	mean, p50, p95, p99, maxLat time.Duration
	makespan                    time.Duration
	byClass                     map[string]time.Duration // mean
	load                        [2]float64               // the machine's 1-minute load average before and after
}

func summarise(policy string, entries []trace.Entry) row {
	r := row{policy: policy, n: len(entries), byClass: map[string]time.Duration{}}
	var lats []time.Duration
	var first, last time.Duration = -1, 0
	sums := map[string]time.Duration{}
	counts := map[string]int{}
	for _, e := range entries {
		if !e.OK() {
			r.errors++
			continue
		}
		lats = append(lats, e.Latency)
		sums[e.Item] += e.Latency
		counts[e.Item]++
		if first < 0 || e.At < first {
			first = e.At
		}
		last = max(last, e.At+e.Latency)
	}
	if len(lats) == 0 {
		return r
	}
	slices.Sort(lats)
	var sum time.Duration
	for _, l := range lats {
		sum += l
	}
	q := func(p float64) time.Duration { return loadgen.Quantile(lats, p) }
	r.mean, r.p50, r.p95, r.p99, r.maxLat = sum/time.Duration(len(lats)), q(0.5), q(0.95), q(0.99), lats[len(lats)-1]
	r.makespan = last - first
	for k, s := range sums {
		r.byClass[k] = s / time.Duration(counts[k])
	}
	return r
}

func printTable(w io.Writer, o options, mix *loadgen.Mix, n int, rows []row) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d.Microseconds())/1000) }
	pool := fmt.Sprintf("%d workers, one CPU each", o.workers)
	if o.dockerCPUs != "" {
		pool = "Docker workers at " + o.dockerCPUs + " CPU"
	}
	fmt.Fprintf(w, "### Routing policies on the same trace (%d requests in %d bursts %s apart, each spread over %s, seed %d; %s)\n\n",
		n, o.bursts, o.gap, o.spread, o.seed, pool)
	fmt.Fprintln(w, "| policy | requests | errors | mean ms | p50 ms | p95 ms | p99 ms | max ms | makespan s | load avg |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %s | %s | %.2f | %.1f–%.1f |\n", r.policy, r.n, r.errors,
			ms(r.mean), ms(r.p50), ms(r.p95), ms(r.p99), ms(r.maxLat), r.makespan.Seconds(), r.load[0], r.load[1])
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, "| mean ms by request |")
	for _, r := range rows {
		fmt.Fprintf(w, " %s |", r.policy)
	}
	fmt.Fprint(w, "\n|---|")
	for range rows {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	for _, c := range mix.Items() {
		fmt.Fprintf(w, "| %s (%s) |", c.Name, c.About)
		for _, r := range rows {
			fmt.Fprintf(w, " %s |", ms(r.byClass[c.Name]))
		}
		fmt.Fprintln(w)
	}
	var cost *row
	for i := range rows {
		if rows[i].policy == "cost" {
			cost = &rows[i]
		}
	}
	if cost == nil {
		return
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		if r.policy == "cost" || r.p99 == 0 {
			continue
		}
		fmt.Fprintf(w, "- cost vs %s: p99 %s ms vs %s ms (%+.0f%%), mean %+.0f%%, makespan %+.0f%%\n", r.policy, ms(cost.p99), ms(r.p99),
			pct(cost.p99, r.p99), pct(cost.mean, r.mean), pct(cost.makespan, r.makespan))
	}
}

func pct(a, b time.Duration) float64 { return 100 * (float64(a) - float64(b)) / float64(b) }

// proc is a vfx process the benchmark started.
type proc struct {
	cmd  *exec.Cmd
	addr string
	done chan error
	log  *bytes.Buffer
}

// startProc starts `prefix... vfx args...` (GOMAXPROCS=1 for workers) and
// waits for its /health.
func startProc(ctx context.Context, vfx string, prefix []string, args ...string) (*proc, error) {
	argv := append(append([]string{}, prefix...), vfx)
	argv = append(argv, args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = os.Environ()
	if args[0] == "worker" {
		cmd.Env = append(cmd.Env, "GOMAXPROCS=1")
	}
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, addr: listenArg(args), done: make(chan error, 1), log: &log}
	go func() { p.done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + p.addr + "/health")
		if err == nil {
			resp.Body.Close()
			return p, nil
		}
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("%s exited: %v\n%s", strings.Join(args, " "), err, log.String())
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s does not answer /health", strings.Join(args, " "))
		}
	}
}

func listenArg(args []string) string {
	for i, a := range args {
		if a == "--listen" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// stop sends SIGTERM and waits (SIGKILL after 30 s).
func (p *proc) stop() error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		return errors.New("did not stop within 30 s of SIGTERM")
	}
}

// waitReady waits until the load balancer has n ready workers.
func waitReady(ctx context.Context, base string, n int) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		resp, err := http.Get(base + "/api/v1/state")
		if err == nil {
			var st struct {
				Workers []struct {
					State string `json:"state"`
				} `json:"workers"`
			}
			json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			ready := 0
			for _, w := range st.Workers {
				if w.State == "ready" {
					ready++
				}
			}
			if ready == n {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the load balancer at %s did not get %d ready workers", base, n)
}

// loadAvg is the machine's 1-minute load average (0 when unknown).
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var v float64
	fmt.Sscan(string(b), &v)
	return v
}

// saveState writes the load balancer's /api/v1/state to path.
func saveState(base, path string) error {
	resp, err := http.Get(base + "/api/v1/state")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// copyFile copies a SQLite file with its write-ahead log, if any.
func copyFile(src, dst string) error {
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(src + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst+suffix, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
