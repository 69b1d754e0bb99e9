package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/workload"
)

func init() { addCommand(newMetricsCmd) }

// metricsOpts are the flags every metrics subcommand shares.
type metricsOpts struct {
	store  string
	since  time.Duration
	limit  int
	format string
}

// metricsFormats are the output formats of the metrics subcommands.
var metricsFormats = []string{"table", "csv", "json"}

func newMetricsCmd() *cobra.Command {
	var o metricsOpts
	cmd := &cobra.Command{
		Use:   "metrics",
		Short: "Show the records in the metrics store: requests, worker samples, autoscaling decisions",
		Long: `Read the metrics store (newest records first) and print them as an aligned
table, CSV with a header row, or JSON (one object per line, snake_case keys).
The store must exist: these commands never create one.`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.store, "store", envOr(metrics.EnvStore, metrics.DefaultURL), "metrics store URL, e.g. sqlite:PATH (env "+metrics.EnvStore+")")
	pf.DurationVar(&o.since, "since", 0, "only records from the last DURATION, e.g. 1h (0 = all)")
	pf.IntVar(&o.limit, "limit", metrics.DefaultLimit, fmt.Sprintf("most records to print, 1..%d", metrics.MaxLimit))
	pf.StringVar(&o.format, "format", "table", "output format: "+strings.Join(metricsFormats, ", "))
	cmd.AddCommand(newMetricsRequestsCmd(&o), newMetricsWorkersCmd(&o), newMetricsDecisionsCmd(&o))
	return cmd
}

func newMetricsRequestsCmd(o *metricsOpts) *cobra.Command {
	var wl, worker, hash, requestID, clientID string
	var roles []string
	cmd := &cobra.Command{
		Use:   "requests",
		Short: "Request records: each attempt on a worker and what the client got, with workload, size, work units, CPU and wall time, worker, outcome",
		Long: `Request records, newest first. A request sent through the load balancer has
one record per attempt (role attempt, written by the worker that ran it) and
one final record (role final, written by the load balancer: what the client
got); a request sent to a worker directly has one direct record. The records
of one request share its request id; --request ID lists them, and
--client-request-id ID those of the requests a client sent with that
X-Request-Id, in the order they started.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := metrics.RequestQuery{WorkerID: worker, InputHash: hash, RequestID: requestID, ClientRequestID: clientID}
			var problems []error
			if wl != "" {
				k, err := workload.ParseKind(wl)
				if err != nil {
					problems = append(problems, fmt.Errorf("--workload: %w", err))
				}
				q.Workload = k
			}
			for _, r := range roles {
				if !slices.Contains(metrics.Roles, metrics.Role(r)) {
					problems = append(problems, fmt.Errorf("--role %q: want attempt, final or direct", r))
				}
				q.Roles = append(q.Roles, metrics.Role(r))
			}
			if err := errors.Join(problems...); err != nil {
				return usageError(err)
			}
			return o.run(cmd, func(ctx context.Context, s metrics.Store, since time.Time, w io.Writer) error {
				q.Since, q.Limit = since, o.limit
				recs, err := s.Requests(ctx, q)
				if err != nil {
					return err
				}
				if q.RequestID != "" || q.ClientRequestID != "" {
					slices.Reverse(recs) // the story of a request: in the order its records started
				}
				return mtWrite(w, o.format, mtRequestColumns, recs)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&wl, "workload", "", "only this workload: raytracer, blur or enhance")
	f.StringVar(&worker, "worker", "", "only requests served by this worker id")
	f.StringVar(&hash, "input-hash", "", "only requests with this input hash (hex SHA-256)")
	f.StringVar(&requestID, "request", "", "only the records of this request id (its attempts and final outcome), oldest first")
	f.StringVar(&clientID, "client-request-id", "", "only the records of requests the client sent with this X-Request-Id, oldest first")
	f.StringSliceVar(&roles, "role", nil, "only records of these roles: attempt, final, direct (comma-separated)")
	return cmd
}

func newMetricsWorkersCmd(o *metricsOpts) *cobra.Command {
	var worker string
	cmd := &cobra.Command{
		Use:   "workers",
		Short: "Worker samples: CPU, memory, requests in flight, health",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd, func(ctx context.Context, s metrics.Store, since time.Time, w io.Writer) error {
				samples, err := s.WorkerSamples(ctx, metrics.WorkerQuery{WorkerID: worker, Since: since, Limit: o.limit})
				if err != nil {
					return err
				}
				return mtWrite(w, o.format, mtSampleColumns, samples)
			})
		},
	}
	cmd.Flags().StringVar(&worker, "worker", "", "only samples of this worker id")
	return cmd
}

func newMetricsDecisionsCmd(o *metricsOpts) *cobra.Command {
	return &cobra.Command{
		Use:   "decisions",
		Short: "Autoscaling decisions: policy, action, pool size before and after, reason",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd, func(ctx context.Context, s metrics.Store, since time.Time, w io.Writer) error {
				ds, err := s.Decisions(ctx, metrics.DecisionQuery{Since: since, Limit: o.limit})
				if err != nil {
					return err
				}
				return mtWrite(w, o.format, mtDecisionColumns, ds)
			})
		},
	}
}

// run validates the shared flags, opens the existing store and runs query.
func (o *metricsOpts) run(cmd *cobra.Command, query func(ctx context.Context, s metrics.Store, since time.Time, w io.Writer) error) error {
	var problems []error
	if !slices.Contains(metricsFormats, o.format) {
		problems = append(problems, fmt.Errorf("--format %q: want one of %s", o.format, strings.Join(metricsFormats, ", ")))
	}
	if o.limit < 1 || o.limit > metrics.MaxLimit {
		problems = append(problems, fmt.Errorf("--limit %d: want 1..%d", o.limit, metrics.MaxLimit))
	}
	if o.since < 0 {
		problems = append(problems, fmt.Errorf("--since %v: want a positive duration or 0", o.since))
	}
	store, err := resolveStoreURL(o.store, false)
	if err != nil {
		problems = append(problems, fmt.Errorf("--store: %w", err))
	}
	if err := errors.Join(problems...); err != nil {
		return usageError(err)
	}
	var since time.Time
	if o.since > 0 {
		since = time.Now().Add(-o.since)
	}
	ctx := cmd.Context()
	s, err := stores().OpenWith(ctx, store, metrics.OpenOptions{MustExist: true})
	if errors.Is(err, metrics.ErrNotExist) {
		return fmt.Errorf("metrics store %s does not exist (a worker creates it when it first records; "+
			"point --store or %s at an existing store: vfx up prints the command with its store)", store, metrics.EnvStore)
	}
	if err != nil {
		return err
	}
	err = query(ctx, s, since, cmd.OutOrStdout())
	return errors.Join(err, s.Close())
}
