package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/console"
	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/docker"
	"github.com/specialvfx/vfx/internal/provider/local"
	"github.com/specialvfx/vfx/internal/reqstats"
	"github.com/specialvfx/vfx/internal/workload"
)

func init() { addCommand(newUpCmd) }

func newUpCmd() *cobra.Command {
	var (
		f       lbFlags
		workers int
		pf      providerFlags
		as      *autoscaleFlags
		verbose bool
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

Output: the steps of start-up and shutdown that take a while show their
progress (a spinner with the elapsed time on a terminal, a plain line after
two seconds otherwise), then a banner says where to send requests. On a
terminal a status line below it is redrawn every second: workers by state,
the queue, the requests of the last 10 s (rate, p50 and p99 latency,
failures) and the predicted backlog; otherwise there is no periodic output
(the state API and /metrics serve the same). The log goes to
STATE-DIR/logs/vfx-up.log; standard error shows its warnings and errors, or
all of it with -v, or with an explicit --log-level.

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
			// The providers log through the default logger, which becomes
			// vfx up's own once it owns the deployment (runUp).
			prov, err := pf.setup(providerEnv{stateDir: f.stateDir, store: storeURL, workerEnv: tokens.workerEnv(), workerToken: tokens.worker, log: slog.New(defaultHandler{})})
			if err != nil {
				return err
			}
			if err := prov.checkPool(acfg.Scaling.Max); err != nil {
				return err
			}
			return runUp(cmd.Context(), cmd, verbose, upOptions{
				flags: f, tokens: tokens, stateDir: f.stateDir, scale: acfg, allVM: as.allVM, prov: prov, storeURL: storeURL,
			})
		},
	}
	fs := cmd.Flags()
	f.bind(fs)
	fs.IntVar(&workers, "workers", 0, "run a fixed pool of this many workers (no autoscaling)")
	pf.bind(fs, local.Name, []string{local.Name, docker.Name}, false)
	as = addAutoscaleFlags(fs)
	fs.BoolVarP(&verbose, "verbose", "v", false, "show the whole log on standard error (it always goes to STATE-DIR/logs/"+upLogName+"; without -v only warnings and errors show)")
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

// runUp binds the listener and takes the deployment (startProvider), then
// opens the log in the state directory, brings the pool to its minimum and
// runs the load balancer; the flags are checked before (see newUpCmd), so
// that a bad one, or a deployment another vfx owns, leaves nothing behind.
func runUp(ctx context.Context, cmd *cobra.Command, verbose bool, o upOptions) error {
	f, storeURL := o.flags, o.storeURL
	con := newConsole(cmd.OutOrStdout(), upConsoleOptions)
	step := con.Start("starting the " + o.prov.name + " provider")
	ln, prov, err := startProvider(ctx, &f, o.prov)
	if err := step.Done(err); err != nil {
		return err
	}
	out, err := newUpOutput(cmd, o.stateDir, verbose, con)
	if err != nil {
		ln.Close()
		closeProvider(ctx, prov, slog.Default())
		return err
	}
	defer out.Close()
	slog.SetDefault(out.log)
	log := out.log
	win := reqstats.NewWindow(time.Now(), reqstats.Options{})
	waitStatus := func() {}
	defer func() { waitStatus() }()
	return runLB(ctx, lbSetup{
		flags: f, tokens: o.tokens, storeURL: storeURL, provName: o.prov.name, prov: prov, ownsPool: true, log: log,
		ln: ln, notice: cmd.ErrOrStderr(),
		launch: func(ctx context.Context) error {
			return keepPoolSize(ctx, prov, o.scale.Scaling.Min, out.con, o.prov.name, log)
		},
		autoscale: newAutoscaling(ctx, o.scale, o.allVM, prov, log),
		con:       out.con,
		wrap: func(h http.Handler) http.Handler {
			return reqstats.Measure(h, win, nil, computePaths()...)
		},
		serving: func(s *lbServing) {
			printUp(out, s, o, storeURL)
			if out.con.Terminal() {
				waitStatus = startStatus(ctx, out.con, s.pool, win)
			}
		},
	})
}

// computePaths are the paths of the compute requests.
func computePaths() []string {
	var paths []string
	for _, k := range workload.Kinds {
		paths = append(paths, k.Path())
	}
	return paths
}

// keepPoolSize launches workers until the provider has n live ones
// (adopted ones count), showing the launch's progress on con.
func keepPoolSize(ctx context.Context, prov provider.Provider, n int, con *console.Console, provName string, log *slog.Logger) error {
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
	what := fmt.Sprintf("starting %d %s", n-live, workerNoun(provName, n-live))
	if provName == docker.Name {
		what += " (the first start builds the worker image)"
	}
	step := con.Start(what)
	_, err = prov.Launch(ctx, n-live)
	if err := step.Done(err); err != nil {
		return fmt.Errorf("launch %d workers: %w", n-live, err)
	}
	return nil
}

// workerNoun names n workers of a provider: "local worker", "workers in
// Docker containers".
func workerNoun(provName string, n int) string {
	switch {
	case provName == docker.Name && n == 1:
		return "worker in a Docker container"
	case provName == docker.Name:
		return "workers in Docker containers"
	case n == 1:
		return "local worker"
	}
	return "local workers"
}

// printUp prints the banner of a running vfx up, and a separator below
// which the log follows when it is shown.
func printUp(out *upOutput, s *lbServing, o upOptions, storeURL string) {
	logs := "worker logs in " + filepath.Join(o.stateDir, "logs")
	if o.prov.name == docker.Name {
		logs = "worker logs: docker logs CONTAINER"
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
	shown := "warnings and errors shown here; -v for all"
	if out.verbose {
		shown = "shown below"
	}
	out.con.Printf(`SpecialVFX@Cloud is up: %d %s behind the load balancer (routing policy %s, %s).

  Send requests to %[5]s, e.g.
    curl -X POST '%[5]s/raytracer?scols=400&srows=300&wcols=400&wrows=300&coff=0&roff=0&aa=false' --data @payload.json
    curl -X POST %[5]s/blurimage --data @temp.txt
  State:    %[5]s/api/v1/state%[10]s
  Metrics:  %[5]s/metrics%[10]s
%[11]s  Data:     %[6]s (metrics store %[7]s, %[8]s,
            %[9]s)
  Log:      %[12]s (%[13]s)

Press Ctrl-C to stop.`, s.workers, workerNoun(o.prov.name, s.workers), o.flags.cfg.Policy, scaling, s.url, o.stateDir, storeURL, logs, files, admin, records, out.logPath, shown)
	if out.verbose {
		out.con.Printf("──── log %s", strings.Repeat("─", 62))
	}
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and -_./:=@%+,
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
