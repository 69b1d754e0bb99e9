package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/docker"
	"github.com/specialvfx/vfx/internal/provider/local"
)

func init() { addCommand(newUpCmd) }

func newUpCmd() *cobra.Command {
	var (
		f       lbFlags
		workers int
		pf      providerFlags
		as      *autoscaleFlags
	)
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the whole service: the load balancer, an autoscaled pool of workers and the metrics store",
		Long: `Start SpecialVFX@Cloud on this machine with no configuration: the
cost-aware load balancer on --listen (default 127.0.0.1:8000), a pool of workers
("vfx worker" processes on free 127.0.0.1 ports, or Docker containers with
--provider docker) that the autoscaler grows and shrinks between --min and
--max (default 1 to 4, policy backlog), and the embedded SQLite metrics
store in --state-dir (default: the state_dir of --autoscale-config, else
vfx-data) that the workers record every request in and the cost model
learns from. The banner names the state directory and prints the
"vfx metrics requests --store ..." command that reads the store.

The pool starts with --min workers. Every --scale-interval the autoscaler
compares the predicted work in flight, queued and arriving with what the
workers can do, launches workers when it is not enough, and removes
workers it no longer needs by draining them: a draining worker gets no new
requests, finishes the ones it has (at most --drain-timeout), and only then
is terminated. Its decisions are logged, recorded in the metrics store,
shown in the state API (/api/v1/state, "autoscaler") and written to
ASState.xml in --state-dir; VMState.xml there holds every worker's state,
rewritten every 5 s, and with --all-vm-instances allVmInstances.xml lists
the ready workers in the original system's format. --workers N runs a fixed pool of N workers instead
(the same as --scale-policy fixed --min N --max N). The --autoscale-config
YAML file sets the other autoscaler settings; flags override it.

A deployment (the state directory; with --provider docker, the
--deployment name) has one owner: while another vfx runs it, "vfx up"
refuses in one line naming it (pid, address) and touches nothing. Workers a
killed owner left (local ones started with --detach-workers, containers
within their lease) are adopted rather than started again. With --provider
docker, the worker image is built from this vfx binary on the first start
(and again when the binary changes); --docker-image runs an existing image
instead. Every flag is checked, and the listener bound, before anything
starts; a provider flag the provider does not use is an error.

Ctrl-C or SIGTERM stops everything in order: the autoscaler stops, the load
balancer stops accepting, finishes the queued and in-flight requests (at
most --shutdown-timeout; the rest get 503 with Retry-After), the workers are
terminated (each finishes its own requests first), and the store is
flushed; the log says how many requests were finished and how many handed
back. A second Ctrl-C stops now: the requests left get 503 at once and the
workers are killed. Local workers are started with --exit-with-parent, so
even a killed "vfx up" leaves no worker behind (unless --detach-workers);
every worker holds a lease (--worker-lease-timeout) and exits by itself
when its "vfx up" stops renewing it, killed or frozen.

Listening beyond 127.0.0.1 needs an admin token (--admin-token-file FILE
or $` + envAdminToken + `) for /api/v1/* and /metrics; a worker token
(--worker-token-file FILE or $` + envWorkerToken + `) is handed to the
workers through their environment and closes them to anyone without it.`,
		Example: `  vfx up
  vfx up --min 2 --max 8 --listen 127.0.0.1:8080 --state-dir /tmp/vfx
  vfx up --workers 3
  vfx up --provider docker --worker-cpus 0.5 --scale-policy cpu
  vfx up --worker-arg=--threads=1 --worker-stop-timeout 1m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tokens, err := f.tokens()
			if err != nil {
				return err
			}
			acfg, err := as.config("")
			if err != nil {
				return err
			}
			if err := f.useStateDir(cmd.Flags(), &acfg); err != nil {
				return err
			}
			if cmd.Flags().Changed("workers") {
				for _, name := range []string{"min", "max", "scale-policy"} {
					if cmd.Flags().Changed(name) {
						return fmt.Errorf("--workers %d is a fixed pool: give either --workers or --%s", workers, name)
					}
				}
				if workers < 1 || workers > autoscaler.MaxWorkersLimit {
					return fmt.Errorf("--workers: must be in [1, %d], got %d", autoscaler.MaxWorkersLimit, workers)
				}
				acfg.Scaling.Policy, acfg.Scaling.Min, acfg.Scaling.Max = "fixed", workers, workers
			}
			if err := acfg.validate(); err != nil {
				return err
			}
			storeURL, err := f.storeURL()
			if err != nil {
				return err
			}
			if err := f.check(); err != nil {
				return err
			}
			prov, err := pf.setup(providerEnv{stateDir: f.stateDir, store: storeURL, workerEnv: tokens.workerEnv(), workerToken: tokens.worker, log: slog.Default()})
			if err != nil {
				return err
			}
			if err := prov.checkPool(acfg.Scaling.Max); err != nil {
				return err
			}
			return runUp(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), upOptions{
				flags: f, tokens: tokens, stateDir: f.stateDir, scale: acfg, allVM: as.allVM, prov: prov, storeURL: storeURL,
			}, slog.Default())
		},
	}
	fs := cmd.Flags()
	f.bind(fs)
	fs.IntVar(&workers, "workers", 0, "run a fixed pool of this many workers (no autoscaling)")
	pf.bind(fs, local.Name, []string{local.Name, docker.Name}, false)
	as = addAutoscaleFlags(fs)
	return cmd
}

// upOptions are what vfx up runs.
type upOptions struct {
	flags    lbFlags
	tokens   lbTokens
	stateDir string // absolute
	scale    autoscaleConfig
	allVM    bool // also write allVmInstances.xml
	prov     providerSetup
	storeURL string
}

// runUp binds the listener, takes the deployment (startProvider), opens
// the store, brings the pool to its minimum and runs the load balancer;
// the flags are checked before (see newUpCmd), so that a bad one leaves
// nothing behind.
func runUp(ctx context.Context, out, notice io.Writer, o upOptions, log *slog.Logger) error {
	f, storeURL := o.flags, o.storeURL
	ln, prov, err := startProvider(ctx, &f, o.prov)
	if err != nil {
		return err
	}
	return runLB(ctx, lbSetup{
		flags: f, tokens: o.tokens, storeURL: storeURL, provName: o.prov.name, prov: prov, ownsPool: true, log: log,
		ln: ln, notice: notice,
		launch:    func(ctx context.Context) error { return keepPoolSize(ctx, prov, o.scale.Scaling.Min, log) },
		autoscale: newAutoscaling(ctx, o.scale, o.allVM, prov, log),
		serving: func(s *lbServing) {
			printUp(out, s, o, storeURL)
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
		if in.State != lifecycle.Terminated {
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

func printUp(out io.Writer, s *lbServing, o upOptions, storeURL string) {
	kind, logs := "local worker", "worker logs in "+filepath.Join(o.stateDir, "logs")
	if o.prov.name == docker.Name {
		kind, logs = "worker in a Docker container", "worker logs: docker logs CONTAINER"
		if s.workers != 1 {
			kind = "workers in Docker containers"
		}
	} else if s.workers != 1 {
		kind = "local workers"
	}
	files := "VMState.xml and ASState.xml"
	if o.allVM {
		files = "VMState.xml, ASState.xml and allVmInstances.xml"
	}
	sc := o.scale.Scaling
	scaling := fmt.Sprintf("autoscaled %d–%d by policy %s", sc.Min, sc.Max, sc.Policy)
	if sc.Policy == "fixed" {
		scaling = fmt.Sprintf("a fixed pool of %d", sc.Min)
	}
	admin := ""
	if !o.tokens.admin.Empty() {
		admin = " (with Authorization: Bearer ADMIN-TOKEN)"
	}
	records := ""
	if storeURL != "none" {
		records = "  Records:  vfx metrics requests --store " + shellQuote(storeURL) + "\n"
	}
	fmt.Fprintf(out, `SpecialVFX@Cloud is up: %d %s behind the load balancer (routing policy %s, %s).

  Send requests to %[5]s, e.g.
    curl -X POST '%[5]s/raytracer?scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false' --data @payload.json
    curl -X POST %[5]s/blurimage --data @temp.txt
  State:    %[5]s/api/v1/state%[10]s
  Metrics:  %[5]s/metrics%[10]s
%[11]s  Data:     %[6]s (metrics store %[7]s, %[8]s,
            %[9]s)

Press Ctrl-C to stop.
`, s.workers, kind, o.flags.cfg.Policy, scaling, s.url, o.stateDir, storeURL, logs, files, admin, records)
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and -_./:=@%+,
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
