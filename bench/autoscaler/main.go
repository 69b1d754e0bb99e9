package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/specialvfx/vfx/internal/loadgen"
	"github.com/specialvfx/vfx/internal/testutil"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "autoscaler bench:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		bin        = flag.String("vfx", "", "vfx binary (required)")
		seedDir    = flag.String("seed-data", "", "seed-data directory (default: ../shared/seed-data from the module root)")
		work       = flag.String("dir", "", "directory for the runs' state (default: a temporary one)")
		providerF  = flag.String("provider", "docker", "worker provider: docker or local")
		cpus       = flag.Float64("worker-cpus", 0.5, "CPU limit of each docker worker")
		deployment = flag.String("deployment", "bench-autoscaler", "deployment name of the docker workers (their labels and network)")
		policies   = flag.String("policies", "backlog,backlog@0.5,cpu", "autoscaling policies to compare, in order; POLICY@U sets its --target-utilization to U")
		seed       = flag.Uint64("seed", 1, "seed of the trace")
		phasesF    = flag.String("phases", "quiet:20s@0.5,burst:25s@6,quiet:35s@0.5,burst:25s@6,quiet:15s@0.5", "trace phases name:duration@requests-per-second")
		maxN       = flag.Int("max", 3, "largest pool")
		maxReqs    = flag.Int("max-requests", 1000, "bound on the trace's requests")
		objFactor  = flag.Float64("objective", 2, "latency objective: this many times a request's unloaded latency")
		objSlack   = flag.Duration("objective-slack", 100*time.Millisecond, "added to every latency objective (network and scheduling noise)")
		extraArgs  = flag.String("up-args", "--scale-interval 1s --scale-down-delay 10s --stable-window 20s --panic-window 4s --boot-time 3s --drain-timeout 60s", "arguments passed to every vfx up")
		cpuScale   = flag.Float64("cpu-threshold-scale", 0, "multiply the cpu policy's 50%/15% thresholds by this (0 or 1: unchanged)")
		timeBudget = flag.Duration("timeout", 13*time.Minute, "bound on the whole benchmark")
	)
	flag.Parse()
	if *bin == "" {
		return fmt.Errorf("-vfx is required")
	}
	phases, err := loadgen.ParsePhases(*phasesF)
	if err != nil {
		return err
	}
	if err := (loadgen.Arrivals{Kind: loadgen.Phases, Phases: phases}).Validate(); err != nil {
		return err
	}
	if *seedDir == "" {
		root, err := testutil.RepoRoot()
		if err != nil {
			return err
		}
		*seedDir = filepath.Join(root, "..", "shared", "seed-data")
	}
	types := []reqType{
		{Name: "test04-400x300", Scene: "test04.txt", Cols: 400, Rows: 300, Weight: 0.5},
		{Name: "test03-400x300", Scene: "test03.txt", Cols: 400, Rows: 300, Weight: 0.3},
		{Name: "test01-200x150", Scene: "test01.txt", Cols: 200, Rows: 150, Weight: 0.2},
	}
	if _, err := mixOf(*seedDir, types...); err != nil { // every file, before anything starts
		return err
	}
	root := *work
	if root != "" {
		if err := os.MkdirAll(root, 0o755); err != nil {
			return err
		}
	} else {
		root, err = os.MkdirTemp("", "vfx-bench-autoscaler-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(root)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeBudget)
	defer cancel()

	// Workers report CPU % of their own CPU quota, so the original's 50 %/15 %
	// thresholds apply unchanged to CPU-limited containers.
	scale := *cpuScale
	if scale == 0 {
		scale = 1
	}
	cpuCfg := filepath.Join(root, "cpu-thresholds.yaml")
	if err := os.WriteFile(cpuCfg, fmt.Appendf(nil, "cpu_high: %g\ncpu_low: %g\n", 50*scale, 15*scale), 0o644); err != nil {
		return err
	}

	var rows []row
	calibrated := false
	for _, entry := range strings.Split(*policies, ",") {
		pol, target, hasTarget := strings.Cut(entry, "@")
		args := []string{"--provider", *providerF, "--min", "1", "--max", fmt.Sprint(*maxN), "--scale-policy", pol}
		label := pol
		if hasTarget {
			args = append(args, "--target-utilization", target)
			label = fmt.Sprintf("%s (target %s)", pol, target)
		}
		if *providerF == "docker" {
			args = append(args, "--worker-cpus", fmt.Sprint(*cpus), "--deployment", *deployment)
		}
		if pol == "cpu" {
			args = append(args, "--autoscale-config", cpuCfg)
		}
		args = append(args, strings.Fields(*extraArgs)...)
		fmt.Fprintf(os.Stderr, "== %s: vfx %s\n", label, strings.Join(args, " "))
		u, err := startUp(ctx, *bin, root, strings.ReplaceAll(entry, "@", "-"), args, 3*time.Minute)
		if err != nil {
			return err
		}
		if !calibrated {
			if err := calibrate(ctx, u.base, *seedDir, types, 2, 5, calibrationPause); err != nil {
				u.stop(time.Minute)
				return err
			}
			for i := range types {
				types[i].objective = time.Duration(*objFactor*float64(types[i].unloaded)) + *objSlack
			}
			calibrated = true
		} else if err := calibrate(ctx, u.base, *seedDir, slices.Clone(types), 2, 0, calibrationPause); err != nil { // the same warm-up, no measure
			u.stop(time.Minute)
			return err
		}
		// Start the trace from a pool at its minimum.
		if err := u.waitPool(ctx, 1, 90*time.Second); err != nil {
			u.stop(time.Minute)
			return err
		}
		mix, err := mixOf(*seedDir, types...)
		if err != nil {
			u.stop(time.Minute)
			return err
		}
		start := time.Now()
		sctx, stopSampling := context.WithCancel(ctx)
		samples := make(chan []sample, 1)
		go func() { samples <- u.sampler(sctx, start, 250*time.Millisecond) }()
		results, err := replay(ctx, u.base, mix, phases, *seed, *maxReqs, 256)
		end := time.Since(start)
		stopSampling()
		ss := <-samples
		if err != nil {
			u.stop(time.Minute)
			return err
		}
		events, err := scaleEvents(u.dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "scale events:", err)
			events = -1
		}
		if err := u.stop(2 * time.Minute); err != nil {
			fmt.Fprintln(os.Stderr, "stop:", err)
		}
		r, err := summarize(label, types, results, ss, end)
		if err != nil {
			return err
		}
		r.events = events
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "== %s: %s\n", label, r.line())
		if ctx.Err() != nil {
			return fmt.Errorf("benchmark stopped: %w", ctx.Err())
		}
	}
	printReport(os.Stdout, *providerF, *cpus, scale, *seed, phases, types, rows, *objFactor, *objSlack)
	return nil
}

func hostCores() int { return runtime.NumCPU() }

// calibrationPause follows each calibration request.
const calibrationPause = time.Second
