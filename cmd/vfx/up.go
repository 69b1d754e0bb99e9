package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/specialvfx/vfx/internal/provider"
)

func init() { addCommand(newUpCmd) }

func newUpCmd() *cobra.Command {
	var (
		f       lbFlags
		workers int
	)
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the whole service: the load balancer and a pool of local workers",
		Long: `Start SpecialVFX@Cloud on this machine with no configuration: the
cost-aware load balancer on --listen (default :8000), --workers local
"vfx worker" processes on free 127.0.0.1 ports, and the embedded SQLite
metrics store in --state-dir (default vfx-data) that the workers record
every request in and the cost model learns from.

Workers recorded in --state-dir that are still running (from a previous
"vfx up" that was killed) are adopted rather than started again.

Ctrl-C or SIGTERM stops everything in order: the load balancer stops
accepting, finishes the queued and in-flight requests (at most
--shutdown-timeout; the rest get 503 with Retry-After), the workers are
terminated (each finishes its own requests first), and the store is
flushed. Workers are started with --exit-with-parent, so even a killed
"vfx up" leaves no worker behind.`,
		Example: `  vfx up
  vfx up --workers 3 --listen 127.0.0.1:8080 --state-dir /tmp/vfx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if workers < 1 || workers > 64 {
				return fmt.Errorf("--workers: must be in [1, 64], got %d", workers)
			}
			return runUp(cmd.Context(), cmd.OutOrStdout(), f, workers, slog.Default())
		},
	}
	f.bind(cmd.Flags(), ":8000")
	cmd.Flags().IntVar(&workers, "workers", 2, "local workers to run")
	return cmd
}

func runUp(ctx context.Context, out io.Writer, f lbFlags, workers int, log *slog.Logger) error {
	storeURL, err := f.storeURL()
	if err != nil {
		return err
	}
	if err := f.cfg.Validate(); err != nil {
		return fmt.Errorf("load balancer config: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the vfx executable: %w", err)
	}
	stateDir, err := filepath.Abs(f.stateDir)
	if err != nil {
		return fmt.Errorf("--state-dir: %w", err)
	}
	prov, err := provider.New(ctx, "local", provider.Options{Binary: exe, StateDir: stateDir, Store: storeURL})
	if err != nil {
		return err
	}
	if err := keepPoolSize(ctx, prov, workers, log); err != nil {
		closeProvider(prov, log)
		return err
	}
	return runLB(ctx, lbSetup{
		flags: f, storeURL: storeURL, provName: "local", prov: prov, ownsPool: true, log: log,
		// The autoscaler attaches here (see runAutoscaler): it drives
		// this pool (Snapshot, Drain, WaitIdle, Add, Remove) and the
		// provider (Launch, Terminate). Until it does, the pool keeps the
		// --workers it was started with.
		started: nil,
		serving: func(s *lbServing) {
			printUp(out, s, f.cfg.Policy, stateDir, storeURL)
		},
	})
}

// keepPoolSize launches workers until the provider has n live ones
// (adopted ones count).
func keepPoolSize(ctx context.Context, prov provider.Provider, n int, log *slog.Logger) error {
	insts, err := prov.List(ctx)
	if err != nil {
		return fmt.Errorf("list workers: %w", err)
	}
	live := 0
	for _, in := range insts {
		if in.State != provider.Terminated {
			live++
		}
	}
	if live > 0 {
		log.Info("adopted running workers", "count", live)
	}
	if live >= n {
		return nil
	}
	if _, err := prov.Launch(ctx, n-live); err != nil {
		return fmt.Errorf("launch %d workers: %w", n-live, err)
	}
	return nil
}

func printUp(out io.Writer, s *lbServing, policy, stateDir, storeURL string) {
	fmt.Fprintf(out, `SpecialVFX@Cloud is up: %d local workers behind the load balancer (policy %s).

  Send requests to %[3]s, e.g.
    curl -X POST '%[3]s/raytracer?scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false' --data @payload.json
    curl -X POST %[3]s/blurimage --data @temp.txt
  State:    %[3]s/api/v1/state
  Metrics:  %[3]s/metrics
  Data:     %[4]s (metrics store %[5]s, worker logs in %[6]s)

Press Ctrl-C to stop.
`, s.workers, policy, s.url, stateDir, storeURL, filepath.Join(stateDir, "logs"))
}
