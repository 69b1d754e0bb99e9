package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/balancer"
	"github.com/specialvfx/vfx/internal/sim"
	"github.com/specialvfx/vfx/internal/sim/report"
	"github.com/specialvfx/vfx/internal/texttable"
	"github.com/specialvfx/vfx/internal/trace"
)

func init() { addCommand(newSimCmd) }

// simFlags are the flags of vfx sim.
type simFlags struct {
	tracePath, out      string
	generate            string
	arr                 sim.Arrivals
	routings, scalings  []string
	fail                []string
	workers, minW, maxW int
	parallel            int
	overheadSet         bool
	queueOrder          string
	cfg                 sim.Config
}

const simLong = `Simulate the load balancer, the autoscaler and a pool of workers on a
trace, with the production policies: the cost estimator predicts each
request, the routing policy (--policies) picks its worker, the autoscaler
(--scalers) decides the pool size every --interval. Every pair of routing
and scaling policy runs on the same requests; the results come side by
side: p50/p95/p99 latency, SLO attainment (--slo), worker-seconds, workers
launched and drained, queue and pool peaks.

The requests come from a trace (--trace FILE: what vfx load --out recorded,
or planned with --dry-run; JSON Lines or CSV) or are generated (--generate
poisson, bursts or diurnal, --rate, --count), their costs drawn from the
trace's requests (or a built-in mix of ray traces, blurs and enhances). A
request costs what the worker reported for it, or its workload's prior,
counted in ray-tracer equivalent units as the load balancer counts work
(each workload's cost per unit learnt from the trace's CPU times). A trace
that was run also gets a "measured" row: what the real system did.

Workers boot for --boot-delay, run up to --max-inflight requests at once
sharing their --speed (work units per second; by default what the trace's
workers showed) among them; --overhead (by default the trace's latency
beyond the workers' compute) is added to every latency. Requests no worker
can take wait in the load balancer's queue, served in its order with its
code: --queue-order spf (smallest predicted first; one that waited
--queue-aging goes before every younger one) or fifo. --fail 30s:w3
kills worker w3 at 30 s (30s alone: a random ready one); its requests are
retried elsewhere. The same --seed gives the same results.

--out DIR writes report.md with the table and SVG plots: latency over time,
pool size and backlog over time, latency CDF per policy pair.`

func newSimCmd() *cobra.Command {
	f := simFlags{cfg: sim.Default()}
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Simulate routing and scaling policies on a trace, at any pool size, with the production policy code",
		Long:  simLong,
		Example: `  vfx load http://127.0.0.1:8000 --preset course --rate 5 --duration 1m --out run.jsonl
  vfx sim --trace run.jsonl --workers 4 --policies cost,least-requests,round-robin --scalers backlog,fixed
  vfx sim --generate poisson --rate 800 --count 1000000 --workers 1000 --min 100 --scalers backlog --out report/
  vfx sim --trace run.jsonl --generate diurnal --rate 50 --period 10m --count 50000 --workers 20 --fail 2m:w3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd) },
	}
	f.bind(cmd.Flags())
	return cmd
}

func (f *simFlags) bind(fs *pflag.FlagSet) {
	c := &f.cfg
	pathVar(fs, &f.tracePath, "trace", "trace to replay, or to draw generated requests from (JSON Lines or CSV, as vfx load --out writes)")
	fs.StringVar(&f.generate, "generate", "", "generate the arrivals: poisson, bursts or diurnal (costs drawn from --trace, else a built-in mix)")
	fs.Float64Var(&f.arr.Rate, "rate", 10, "generated requests per second (poisson; the peak of diurnal)")
	fs.Float64Var(&f.arr.MinRate, "min-rate", 0, "diurnal: the lowest rate (default --rate/10)")
	fs.DurationVar(&f.arr.Period, "period", 10*time.Minute, "diurnal: the period of the ramp, low to high and back")
	fs.IntVar(&f.arr.Count, "count", 1000, "requests to generate")
	fs.IntVar(&f.arr.BurstSize, "burst-size", 10, "bursts: requests per burst")
	fs.DurationVar(&f.arr.BurstGap, "burst-gap", 10*time.Second, "bursts: time from one burst to the next")

	fs.StringSliceVar(&f.routings, "policies", []string{balancer.DefaultPolicy}, "routing policies to compare: "+strings.Join(balancer.Names(), ", "))
	fs.StringSliceVar(&f.scalings, "scalers", []string{"backlog"}, "scaling policies to compare: "+strings.Join(sim.ScalingNames(), ", ")+" (none: no autoscaler)")
	fs.IntVar(&f.workers, "workers", 4, "workers ready at the start; the fixed policy keeps them")
	fs.IntVar(&f.minW, "min", 1, "the autoscaler's smallest pool")
	fs.IntVar(&f.maxW, "max", 0, "the autoscaler's largest pool (default --workers)")
	fs.DurationVar(&c.Autoscaler.Interval, "interval", c.Autoscaler.Interval, "how often the autoscaler decides (and the series are sampled)")
	fs.DurationVar(&c.Autoscaler.ScaleDownDelay, "scale-down-delay", c.Autoscaler.ScaleDownDelay, "the autoscaler's scale-down stabilisation window")
	fs.IntVar(&c.Autoscaler.MaxScaleDownStep, "max-scale-down-step", c.Autoscaler.MaxScaleDownStep, "most workers drained per decision")

	fs.Float64Var(&c.Speed, "speed", 0, "a worker's speed in ray-tracer equivalent work units per second (default: the trace workers' median, else "+fmt.Sprintf("%.0e", autoscaler.DefaultSpeed)+")")
	fs.Float64Var(&c.CPUs, "cpus", 0, "a CPU quota per worker in cores, as Docker's --cpus (vfx up --worker-cpus): each request runs on a core of its own at --speed until the quota of the period is spent (0: no quota; --speed is then the worker's)")
	fs.IntVar(&c.Cores, "cores", 0, "with --cpus: cores a worker's requests may run on at once (default: this machine's)")
	fs.DurationVar(&c.CPUPeriod, "cpu-period", c.CPUPeriod, "with --cpus: the quota's period")
	fs.DurationVar(&c.BootDelay, "boot-delay", c.BootDelay, "how long a launched worker boots")
	fs.IntVar(&c.MaxInFlight, "max-inflight", c.MaxInFlight, "requests a worker runs at once (0: unlimited)")
	fs.IntVar(&c.QueueLen, "queue-len", c.QueueLen, "requests the load balancer queues at most")
	fs.DurationVar(&c.QueueTimeout, "queue-timeout", c.QueueTimeout, "longest wait in the queue")
	fs.StringVar(&f.queueOrder, "queue-order", c.QueueOrder.String(), "order queued requests get workers in, as vfx lb's: spf (smallest predicted first, with aging) or fifo")
	fs.DurationVar(&c.QueueAging, "queue-aging", c.QueueAging, "under spf, a request queued this long goes before every younger one")
	fs.StringSliceVar(&f.fail, "fail", nil, "worker failures, TIME[:WORKER],… e.g. 30s:w3,1m (a random ready worker)")
	fs.DurationVar(&c.Overhead, "overhead", 0, "latency added to every request for the network, the load balancer and decoding (default: the trace's median latency minus worker wall time, else 0)")
	fs.DurationVar(&c.SLO, "slo", c.SLO, "latency target of the SLO attainment")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the generated arrivals and of the randomness of the run")
	pathVar(fs, &f.out, "out", "write report.md and its SVG plots into this directory")
	fs.IntVar(&f.parallel, "parallel", 0, "policy pairs simulated at once (0: one per core)")
}

// config checks the flags and builds the run's configuration.
func (f *simFlags) config(fs *pflag.FlagSet) (sim.Config, error) {
	c := f.cfg
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if f.tracePath == "" && f.generate == "" {
		bad("missing requests: --trace FILE (from vfx load --out) or --generate poisson|bursts|diurnal")
	}
	if f.generate == "" {
		for _, name := range []string{"rate", "min-rate", "period", "count", "burst-size", "burst-gap"} {
			if fs.Changed(name) {
				bad("--%s: applies to --generate", name)
			}
		}
	}
	for _, s := range f.fail {
		fl, err := parseFailure(s)
		if err != nil {
			bad("--fail %q: %w", s, err)
			continue
		}
		c.Failures = append(c.Failures, fl)
	}
	if o, err := balancer.ParseQueueOrder(f.queueOrder); err != nil {
		bad("--queue-order: must be spf or fifo, got %q", f.queueOrder)
	} else {
		c.QueueOrder = o
	}
	c.Workers = f.workers
	c.Autoscaler.Min = f.minW
	c.Autoscaler.Max = f.maxW
	if f.maxW == 0 {
		c.Autoscaler.Max = max(f.workers, f.minW, 1)
	}
	c.Autoscaler.BootTime = c.BootDelay
	f.overheadSet = fs.Changed("overhead")
	if c.Cores == 0 {
		c.Cores = runtime.NumCPU()
	}
	for _, name := range []string{"cores", "cpu-period"} {
		if fs.Changed(name) && c.CPUs == 0 {
			bad("--%s: applies with --cpus", name)
		}
	}
	if f.parallel < 0 {
		bad("--parallel: must be ≥ 0, got %d", f.parallel)
	}
	if len(f.routings) == 0 || len(f.scalings) == 0 {
		bad("--policies and --scalers: give at least one of each")
	}
	for _, r := range f.routings {
		for _, s := range f.scalings {
			p := c
			p.Routing, p.Scaling = r, s
			if p.Speed == 0 {
				p.Speed = 1
			}
			if err := p.Validate(); err != nil {
				for _, line := range strings.Split(err.Error(), "\n") {
					msg := fmt.Sprintf("--%s", strings.ReplaceAll(line, "_", "-"))
					if !containsErr(errs, msg) {
						bad("%s", msg)
					}
				}
			}
		}
	}
	return c, errors.Join(errs...)
}

func containsErr(errs []error, msg string) bool {
	for _, e := range errs {
		if e.Error() == msg {
			return true
		}
	}
	return false
}

// parseFailure reads TIME[:WORKER].
func parseFailure(s string) (sim.Failure, error) {
	at, id, _ := strings.Cut(s, ":")
	d, err := time.ParseDuration(at)
	if err != nil {
		return sim.Failure{}, fmt.Errorf("want TIME[:WORKER], e.g. 30s:w3: %w", err)
	}
	if d < 0 {
		return sim.Failure{}, errors.New("the time is negative")
	}
	return sim.Failure{At: d, Worker: id}, nil
}

// requests reads or generates the requests, and says where they came
// from.
//
// A replayed trace that was run (not a plan) also gives the measured row:
// what the real system answered, to set beside the simulations.
func (f *simFlags) requests(c *sim.Config) ([]sim.Request, string, *sim.Result, error) {
	var entries []trace.Entry
	var reqs []sim.Request
	from := ""
	if f.tracePath != "" {
		var err error
		if entries, err = trace.ReadFile(f.tracePath, trace.Limits{}); err != nil {
			return nil, "", nil, fmt.Errorf("--trace: %w", err)
		}
		reqs = sim.FromTrace(entries)
		from = fmt.Sprintf("%d requests of %s", len(reqs), f.tracePath)
		c.UnitCosts = sim.UnitCostsOf(entries)
		if !f.overheadSet {
			c.Overhead = sim.OverheadOf(entries)
		}
		switch {
		case c.Speed != 0:
		case c.CPUs > 0:
			c.Speed = sim.CoreSpeedOf(entries, c.UnitCosts)
		default:
			c.Speed = sim.SpeedOf(entries, c.UnitCosts)
		}
	}
	if c.Speed == 0 {
		c.Speed = autoscaler.DefaultSpeed
	}
	if f.generate != "" {
		pool, poolName := reqs, f.tracePath
		if len(pool) == 0 {
			pool, poolName = sim.DefaultPool(), "a built-in mix"
		}
		a := f.arr
		a.Kind = f.generate
		if a.Kind == sim.Diurnal && a.MinRate == 0 {
			a.MinRate = a.Rate / 10
		}
		var err error
		if reqs, err = sim.Generate(a, pool, c.Seed); err != nil {
			return nil, "", nil, usageError(err)
		}
		from = fmt.Sprintf("%d generated requests (%s), costs drawn from %s", len(reqs), describeArrivals(a), poolName)
		return reqs, from, nil, nil
	}
	return reqs, from, sim.Measured(entries, c.SLO, c.Autoscaler.Interval), nil
}

func describeArrivals(a sim.Arrivals) string {
	switch a.Kind {
	case sim.Bursts:
		return fmt.Sprintf("bursts of %d every %s", a.BurstSize, a.BurstGap)
	case sim.Diurnal:
		return fmt.Sprintf("diurnal %g to %g/s over %s", a.MinRate, a.Rate, a.Period)
	}
	return fmt.Sprintf("poisson %g/s", a.Rate)
}

func (f *simFlags) run(cmd *cobra.Command) error {
	cfg, err := f.config(cmd.Flags())
	if err != nil {
		return usageError(err)
	}
	reqs, from, measured, err := f.requests(&cfg)
	if err != nil {
		return err
	}
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	pool := fmt.Sprintf("%d workers at the start (min %d, max %d) of %s units/s, %d requests at once each, boot %s, seed %d",
		cfg.Workers, cfg.Autoscaler.Min, cfg.Autoscaler.Max, si(cfg.Speed), cfg.MaxInFlight, cfg.BootDelay, cfg.Seed)
	if cfg.CPUs > 0 {
		pool = fmt.Sprintf("%d workers at the start (min %d, max %d) of %g CPUs (%s units/s a core, %d cores at once, period %s), %d requests at once each, boot %s, seed %d",
			cfg.Workers, cfg.Autoscaler.Min, cfg.Autoscaler.Max, cfg.CPUs, si(cfg.Speed), cfg.Cores, cfg.CPUPeriod, cfg.MaxInFlight, cfg.BootDelay, cfg.Seed)
	}
	if cfg.Overhead > 0 {
		pool += fmt.Sprintf(", %s overhead a request", texttable.Duration(cfg.Overhead))
	}
	if cfg.QueueOrder == balancer.QueueSPF {
		pool += fmt.Sprintf(", queue spf with %s aging", cfg.QueueAging)
	} else {
		pool += ", queue " + cfg.QueueOrder.String()
	}
	fmt.Fprintf(stdout, "sim: %s\nsim: %s\n", from, pool)
	type pair struct{ routing, scaling string }
	var pairs []pair
	for _, r := range f.routings {
		for _, s := range f.scalings {
			pairs = append(pairs, pair{r, s})
		}
	}
	par := f.parallel
	if par == 0 {
		par = runtime.GOMAXPROCS(0)
	}
	prog := newSimProgress(stderr, len(pairs), len(reqs))
	results := make([]*sim.Result, len(pairs))
	errs := make([]error, len(pairs))
	sem := make(chan struct{}, min(par, len(pairs)))
	var wg sync.WaitGroup
	for i, p := range pairs {
		c := cfg
		c.Routing, c.Scaling = p.routing, p.scaling
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			results[i], errs[i] = sim.Run(c, reqs, prog.pair(i))
		})
	}
	wg.Wait()
	prog.done()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if measured != nil {
		results = append([]*sim.Result{measured}, results...)
	}
	fmt.Fprintln(stdout)
	if err := sim.WriteTable(stdout, results); err != nil {
		return err
	}
	if f.out != "" {
		meta := report.Meta{Title: "vfx sim", Lines: []string{from, pool}}
		if _, err := report.Write(f.out, meta, results); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nreport: %s (with latency, pool, backlog and CDF plots)\n", f.out+string(os.PathSeparator)+"report.md")
	}
	return nil
}

// si writes a speed with an SI prefix: 50M, 1.5k, 2.
func si(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.3gG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.3g", v)
}

// simProgress draws one progress line for all the policy pairs on a
// terminal, redrawn in place; off a terminal it shows nothing.
type simProgress struct {
	w        io.Writer
	mu       sync.Mutex
	start    time.Time
	last     time.Time
	resolved []int // per pair
	total    int   // requests of all the pairs
	drawn    bool
}

func newSimProgress(w io.Writer, pairs, requests int) *simProgress {
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		return &simProgress{w: w, start: time.Now(), resolved: make([]int, pairs), total: pairs * requests}
	}
	return nil
}

// pair returns the progress callback of policy pair i.
func (p *simProgress) pair(i int) func(sim.Progress) {
	if p == nil {
		return nil
	}
	return func(pr sim.Progress) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.resolved[i] = pr.Resolved
		now := time.Now()
		if now.Sub(p.last) < ttyRefresh {
			return
		}
		p.last = now
		sum := 0
		for _, r := range p.resolved {
			sum += r
		}
		frac := 0.0
		if p.total > 0 {
			frac = float64(sum) / float64(p.total)
		}
		const width = 20
		n := int(frac * width)
		fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%  %d/%d requests of %d policy pairs  %.1fs\x1b[K",
			strings.Repeat("=", n), strings.Repeat(" ", width-n), 100*frac, sum, p.total, len(p.resolved), now.Sub(p.start).Seconds())
		p.drawn = true
	}
}

// done ends the progress line.
func (p *simProgress) done() {
	if p != nil && p.drawn {
		fmt.Fprintln(p.w)
	}
}
