package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/specialvfx/vfx/internal/loadgen"
)

func init() { addCommand(newLoadCmd) }

// loadFlags are the flags of vfx load.
type loadFlags struct {
	preset, spec, data  string
	listPresets, dryRun bool
	allowRemote         bool
	arrival, phases     string
	out, format         string
	reportEvery         time.Duration
	seed                uint64
	cfg                 loadgen.Config
}

const loadLong = `Push a request mix at a worker or the load balancer (URL, e.g.
http://127.0.0.1:8000) and measure what comes back.

The mix is a preset (--preset course, unseen or tiny; --list-presets says
what each sends) or a spec file (--spec FILE, YAML or JSON: items of ray
traces, blurs and enhances, each with a weight; unknown keys are errors).
Every file is read once, every body built once.

Open loop (the default): requests arrive on a schedule, whatever the server
does: Poisson at --rate, --arrival constant, --bursts N, an --arrival
diurnal ramp, or --phases. Each request's latency is measured from its
scheduled time, not from when it actually left, so a slow server cannot
hide its queueing by holding the generator back (coordinated omission).
If the generator itself falls behind its schedule (--max-inflight requests
already in flight, or no CPU to spare), it sends late rather than less, and
says so: how many requests left more than 10ms late, and the largest lag.

Closed loop (--clients N): N clients, each sending its next request when
its previous one is answered (and --think has passed); latency is from the
send. It finds capacity, not the latency users see at a given rate.

Every run is bounded: --duration and/or --count (at most 24h and 10,000,000
requests; --bursts and --phases end by themselves), --timeout per request.
Ctrl-C stops sending, waits up to --drain for the answers in flight and
prints the summary of what ran. The target must be on this machine unless
--allow-remote is given.

--seed makes the sequence (items, parameters, arrival times) reproducible.
--out writes every request (scheduled time, features, status, latency,
worker, cost) as JSON Lines, or CSV for a .csv name: the trace vfx sim
replays. The summary (stdout) has a row per item, per workload and for all:
requests, errors by status, mean, p50, p90, p99, max latency, throughput.`

func newLoadCmd() *cobra.Command {
	f := loadFlags{cfg: loadgen.DefaultConfig()}
	cmd := &cobra.Command{
		Use:   "load URL",
		Short: "Push a request mix at a worker or the load balancer and measure latency (open or closed loop)",
		Long:  loadLong,
		Example: `  vfx load http://127.0.0.1:8000 --preset course --rate 5 --duration 1m --out run.jsonl
  vfx load http://127.0.0.1:8000 --preset course --bursts 10 --burst-gap 2s
  vfx load http://127.0.0.1:8000 --spec mix.yaml --clients 4 --count 200 --format json
  vfx load --preset unseen --rate 2 --count 500 --dry-run --out plan.jsonl`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.listPresets {
				return listPresets(cmd.OutOrStdout())
			}
			return f.run(cmd, args)
		},
	}
	f.bind(cmd.Flags())
	return cmd
}

func (f *loadFlags) bind(fs *pflag.FlagSet) {
	c := &f.cfg
	fs.StringVar(&f.preset, "preset", "", "built-in request mix: "+strings.Join(loadgen.PresetNames(), ", ")+" (see --list-presets)")
	pathVar(fs, &f.spec, "spec", "request mix file (YAML or JSON); its paths are relative to it")
	pathVar(fs, &f.data, "data", "seed-data directory of the presets (default "+loadgen.DefaultDataDir+" from the working directory, then from the module root of this executable)")
	fs.BoolVar(&f.listPresets, "list-presets", false, "list the presets and exit")

	fs.StringVar(&f.arrival, "arrival", string(loadgen.Poisson), "open-loop arrivals: poisson, constant, bursts, diurnal or phases")
	fs.Float64Var(&c.Arrivals.Rate, "rate", c.Arrivals.Rate, "requests per second (poisson, constant; the peak of diurnal)")
	fs.Float64Var(&c.Arrivals.MinRate, "min-rate", 0, "diurnal: the lowest rate, at the start of each period (default --rate/10)")
	fs.DurationVar(&c.Arrivals.Period, "period", c.Arrivals.Period, "diurnal: the period of the ramp, low to high and back")
	fs.IntVar(&c.Arrivals.Bursts, "bursts", 0, "send this many bursts (--arrival bursts)")
	fs.IntVar(&c.Arrivals.BurstSize, "burst-size", 0, "requests per burst (default: the mix's own burst, else 10)")
	fs.DurationVar(&c.Arrivals.BurstGap, "burst-gap", c.Arrivals.BurstGap, "time from one burst to the next")
	fs.DurationVar(&c.Arrivals.BurstSpread, "burst-spread", 0, "spread a burst's requests at random over this time (0: all at once)")
	fs.StringVar(&f.phases, "phases", "", "phases of constant Poisson rate, name:duration@rate,… e.g. quiet:20s@0.5,burst:25s@6 (--arrival phases)")
	fs.IntVar(&c.MaxInFlight, "max-inflight", c.MaxInFlight, "open loop: requests (and connections) in flight at most; one due beyond it waits and counts as late. A few dozen suit a fast endpoint's throughput, as wrk's -c")

	fs.IntVar(&c.Clients, "clients", 0, "closed loop: this many clients, each sending its next request when its previous one is answered")
	fs.DurationVar(&c.Think, "think", 0, "closed loop: a client's pause between an answer and its next request")

	fs.DurationVar(&c.Duration, "duration", 0, "send for this long (at most 24h)")
	fs.IntVar(&c.Count, "count", 0, "send this many requests (at most 10000000)")
	fs.DurationVar(&c.Timeout, "timeout", c.Timeout, "give up on a request after this long")
	fs.DurationVar(&c.Drain, "drain", c.Drain, "after Ctrl-C, wait this long at most for the answers in flight")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the sequence: items, parameters, arrival times (default: from the clock, and printed)")
	fs.BoolVar(&f.allowRemote, "allow-remote", false, "allow a target beyond this machine")

	pathVar(fs, &f.out, "out", "write every request to this trace file (JSON Lines; CSV for a .csv name)")
	fs.StringVar(&f.format, "format", "table", "summary format: table or json")
	fs.DurationVar(&f.reportEvery, "report-every", 5*time.Second, "when stderr is not a terminal, print a progress line this often (0: none)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "send nothing: write the planned sequence (scheduled times, items, features) to --out")
}

// openLoopFlags are the flags that describe open-loop arrivals.
var openLoopFlags = []string{"arrival", "rate", "min-rate", "period", "bursts", "burst-size", "burst-gap", "burst-spread", "phases", "max-inflight"}

// arrivalOf names the arrival process of the flags that belong to one.
var arrivalOf = map[string]loadgen.ArrivalKind{
	"min-rate": loadgen.Diurnal, "period": loadgen.Diurnal,
	"bursts": loadgen.Bursts, "burst-size": loadgen.Bursts, "burst-gap": loadgen.Bursts, "burst-spread": loadgen.Bursts,
	"phases": loadgen.Phases,
}

// config checks the flags and fills the run's configuration (without its
// mix), each problem a usage error naming its flag.
func (f *loadFlags) config(fs *pflag.FlagSet, args []string) (loadgen.Config, error) {
	c := f.cfg
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	c.AllowRemote = f.allowRemote
	switch {
	case len(args) == 1:
		c.Target = strings.TrimRight(args[0], "/")
		if _, err := loadgen.CheckTarget(c.Target, c.AllowRemote); errors.Is(err, loadgen.ErrRemote) {
			bad("%w; --allow-remote lets vfx load send to it", err)
		} else if err != nil {
			bad("%w", err)
		}
	case !f.dryRun:
		bad("missing URL: the worker or load balancer to load, e.g. vfx load http://127.0.0.1:8000 --preset course --count 100")
	}
	switch {
	case f.preset == "" && f.spec == "":
		bad("missing request mix: --preset NAME (%s; see --list-presets) or --spec FILE", strings.Join(loadgen.PresetNames(), ", "))
	case f.preset != "" && f.spec != "":
		bad("--preset and --spec: give one of them")
	case f.spec != "" && fs.Changed("data"):
		bad("--data: the presets' seed data; the files of --spec are relative to the spec")
	}
	if f.format != "table" && f.format != "json" {
		bad("--format %q: want table or json", f.format)
	}
	c.Arrivals.Kind = loadgen.ArrivalKind(f.arrival)
	if c.Clients > 0 {
		for _, name := range openLoopFlags {
			if fs.Changed(name) {
				bad("--%s: an open-loop flag, and --clients runs a closed loop", name)
			}
		}
		if f.dryRun {
			bad("--dry-run: a closed loop (--clients) has no schedule to plan")
		}
	} else {
		if fs.Changed("think") {
			bad("--think: the pause of a closed-loop client; give --clients too")
		}
		c.Arrivals.Kind = f.arrivalKind(fs)
		for _, name := range openLoopFlags {
			if kind, ok := arrivalOf[name]; ok && fs.Changed(name) && c.Arrivals.Kind != kind {
				bad("--%s: applies to --arrival %s, not %s", name, kind, c.Arrivals.Kind)
			}
		}
		if fs.Changed("rate") && c.Arrivals.Kind != loadgen.Poisson && c.Arrivals.Kind != loadgen.Constant && c.Arrivals.Kind != loadgen.Diurnal {
			bad("--rate: does not apply to --arrival %s", c.Arrivals.Kind)
		}
		if !fs.Changed("min-rate") {
			c.Arrivals.MinRate = c.Arrivals.Rate / 10
		}
		if f.phases != "" {
			ps, err := loadgen.ParsePhases(f.phases)
			if err != nil {
				bad("--phases: %w", err)
			}
			c.Arrivals.Phases = ps
		}
	}
	if f.dryRun && f.out == "" {
		bad("--dry-run: give --out FILE, where the planned sequence goes")
	}
	if f.reportEvery < 0 {
		bad("--report-every: %v is negative", f.reportEvery)
	}
	c.Seed = f.seed
	if !fs.Changed("seed") {
		c.Seed = uint64(time.Now().UnixNano())
	}
	if err := c.Validate(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			switch {
			case strings.HasPrefix(line, "mix: "): // loaded after the flags
			case strings.HasPrefix(line, "url: "): // checked above
			default:
				bad("--%s", line)
			}
		}
	}
	return c, errors.Join(errs...)
}

// arrivalKind is --arrival, or the process --bursts or --phases implies.
func (f *loadFlags) arrivalKind(fs *pflag.FlagSet) loadgen.ArrivalKind {
	switch {
	case fs.Changed("arrival"):
		return loadgen.ArrivalKind(f.arrival)
	case fs.Changed("bursts"):
		return loadgen.Bursts
	case fs.Changed("phases"):
		return loadgen.Phases
	}
	return loadgen.Poisson
}

// mix loads the preset or the spec.
func (f *loadFlags) mix() (*loadgen.Mix, error) {
	if f.spec != "" {
		return loadgen.LoadMix(f.spec)
	}
	p, err := loadgen.FindPreset(f.preset)
	if err != nil {
		return nil, usageError(fmt.Errorf("--preset: %w", err))
	}
	dir := ""
	if p.NeedsData {
		cwd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		exe, _ := os.Executable()
		if dir, err = loadgen.FindData(f.data, cwd, exe); err != nil {
			return nil, fmt.Errorf("preset %s: %w; pass --data DIR, the seed-data directory (with raytracer/ and imageproc/)", p.Name, err)
		}
	}
	return p.Load(dir)
}

func (f *loadFlags) run(cmd *cobra.Command, args []string) error {
	cfg, err := f.config(cmd.Flags(), args)
	if err != nil {
		return usageError(err)
	}
	if cfg.Mix, err = f.mix(); err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	var tf *loadgen.TraceFile
	if f.out != "" {
		if tf, err = loadgen.CreateTrace(f.out); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		cfg.Trace = tf
	}
	if f.dryRun {
		n, err := loadgen.Plan(cmd.Context(), cfg, tf)
		if cerr := tf.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "load: planned %d requests of mix %s (%s, seed %d) in %s; nothing sent\n", n, cfg.Mix.Name(), cfg.Arrivals, cfg.Seed, f.out)
		return nil
	}
	fmt.Fprintln(stderr, loadHeader(cfg))
	prog := newLoadProgress(stderr, cfg, f.reportEvery)
	if prog != nil {
		cfg.Progress, cfg.ProgressEvery = prog.report, prog.every
	}
	sum, runErr := loadgen.Run(cmd.Context(), cfg)
	prog.done()
	if tf != nil {
		if err := tf.Close(); runErr == nil {
			runErr = err
		}
	}
	if sum != nil {
		if err := writeLoadSummary(cmd.OutOrStdout(), sum, f.format); err != nil {
			return err
		}
		if f.out != "" {
			fmt.Fprintf(stderr, "load: trace of %d requests in %s\n", sum.Sent, f.out)
		}
	}
	if runErr != nil {
		return runErr
	}
	if sum.Interrupted {
		return &exitCodeError{code: 130, err: errors.New("interrupted: the summary covers the requests sent until then")}
	}
	return nil
}

// loadHeader says what the run will do.
func loadHeader(c loadgen.Config) string {
	load := fmt.Sprintf("open loop (%s)", c.Arrivals)
	if c.Clients > 0 {
		load = fmt.Sprintf("closed loop (%d clients)", c.Clients)
	}
	var bounds []string
	if c.Duration > 0 {
		bounds = append(bounds, "for "+c.Duration.String())
	}
	if c.Count > 0 {
		bounds = append(bounds, fmt.Sprintf("at most %d requests", c.Count))
	}
	if len(bounds) == 0 {
		bounds = append(bounds, "until the arrivals end")
	}
	items := fmt.Sprintf("%d items", len(c.Mix.Items()))
	if len(c.Mix.Items()) == 1 {
		items = "1 item"
	}
	return fmt.Sprintf("load: sending mix %s (%s) to %s, %s, %s, seed %d", c.Mix.Name(), items, c.Target, load,
		strings.Join(bounds, " or "), c.Seed)
}

func writeLoadSummary(w io.Writer, s *loadgen.Summary, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	return s.WriteTable(w)
}

// listPresets prints the presets and what each sends.
func listPresets(w io.Writer) error {
	for _, p := range loadgen.Presets() {
		data := "needs no data"
		if p.NeedsData {
			data = "reads the seed data (--data DIR)"
		}
		if _, err := fmt.Fprintf(w, "%s\n%s\n  %s\n\n", p.Name, wrap(p.Description, 76, "  "), data); err != nil {
			return err
		}
	}
	return nil
}

// wrap breaks s into lines of at most width characters, each indented.
func wrap(s string, width int, indent string) string {
	var lines []string
	line := indent
	for _, word := range strings.Fields(s) {
		if len(line) > len(indent) && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += word
	}
	return strings.Join(append(lines, line), "\n")
}
