package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
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
	var wl, worker, hash string
	cmd := &cobra.Command{
		Use:   "requests",
		Short: "Requests served: workload, size, work units, CPU and wall time, worker, outcome",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := metrics.RequestQuery{WorkerID: worker, InputHash: hash}
			if wl != "" {
				k, err := workload.ParseKind(wl)
				if err != nil {
					return &exitCodeError{2, fmt.Errorf("--workload: %w", err)}
				}
				q.Workload = k
			}
			return o.run(cmd, func(ctx context.Context, s metrics.Store, since time.Time, w io.Writer) error {
				q.Since, q.Limit = since, o.limit
				recs, err := s.Requests(ctx, q)
				if err != nil {
					return err
				}
				return mtWriteRequests(w, o.format, recs)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&wl, "workload", "", "only this workload: raytracer, blur or enhance")
	f.StringVar(&worker, "worker", "", "only requests served by this worker id")
	f.StringVar(&hash, "input-hash", "", "only requests with this input hash (hex SHA-256)")
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
				return mtWriteSamples(w, o.format, samples)
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
				return mtWriteDecisions(w, o.format, ds)
			})
		},
	}
}

// run validates the shared flags, opens the existing store and runs query.
func (o *metricsOpts) run(cmd *cobra.Command, query func(ctx context.Context, s metrics.Store, since time.Time, w io.Writer) error) error {
	var problems []error
	if !mtContains(metricsFormats, o.format) {
		problems = append(problems, fmt.Errorf("--format %q: want one of %s", o.format, strings.Join(metricsFormats, ", ")))
	}
	if o.limit < 1 || o.limit > metrics.MaxLimit {
		problems = append(problems, fmt.Errorf("--limit %d: want 1..%d", o.limit, metrics.MaxLimit))
	}
	if o.since < 0 {
		problems = append(problems, fmt.Errorf("--since %v: want a positive duration or 0", o.since))
	}
	if err := errors.Join(problems...); err != nil {
		return &exitCodeError{2, err}
	}
	var since time.Time
	if o.since > 0 {
		since = time.Now().Add(-o.since)
	}
	ctx := cmd.Context()
	s, err := stores().OpenWith(ctx, o.store, metrics.OpenOptions{MustExist: true})
	if errors.Is(err, metrics.ErrNotExist) {
		return fmt.Errorf("metrics store %s does not exist (a worker creates it when it first records; "+
			"point --store or %s at an existing store)", o.store, metrics.EnvStore)
	}
	if err != nil {
		return err
	}
	err = query(ctx, s, since, cmd.OutOrStdout())
	return errors.Join(err, s.Close())
}

func mtContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Value formatting shared by the formats.

// mtTableTime is how the table shows a time: UTC, milliseconds.
const mtTableTime = "2006-01-02T15:04:05.000Z07:00"

func mtMillis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// mtMillisText prints milliseconds exactly (to the nanosecond), without trailing
// zeros.
func mtMillisText(d time.Duration) string { return strconv.FormatFloat(mtMillis(d), 'f', -1, 64) }

// size is a request's output size as COLSxROWS.
func mtSize(f workload.Features) string {
	if f.Kind == workload.Raytracer {
		return fmt.Sprintf("%dx%d", f.WCols, f.WRows)
	}
	return fmt.Sprintf("%dx%d", f.Width, f.Height)
}

// cell keeps a table cell on one line and its columns aligned.
func mtCell(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func mtDash(s string) string {
	if s == "" {
		return "-"
	}
	return mtCell(s)
}

// mtWriteTable writes aligned columns.
func mtWriteTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func mtWriteCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// mtWriteJSONLines writes one JSON object per line.
func mtWriteJSONLines[T any](w io.Writer, vs []T) error {
	enc := json.NewEncoder(w)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return nil
}

// Requests.

// mtRequestJSON is the JSON form of a request record; the features keep
// their own snake_case keys (see workload.Features).
type mtRequestJSON struct {
	Time string `json:"time"`
	ID   string `json:"id"`
	workload.Features
	Pixels         int64   `json:"pixels"`
	Multi          bool    `json:"multi"`
	Units          int64   `json:"units"`
	CPUms          float64 `json:"cpu_ms"`
	Wallms         float64 `json:"wall_ms"`
	WorkerID       string  `json:"worker_id"`
	Outcome        string  `json:"outcome"`
	Status         int     `json:"status"`
	Error          string  `json:"error,omitempty"`
	PredictedUnits float64 `json:"predicted_units"`
}

var mtRequestCSVHeader = []string{
	"time", "id", "workload", "scols", "srows", "wcols", "wrows", "coff", "roff", "aa",
	"shapes", "lights", "reflective", "transparent", "texmap_bytes", "scene_bytes",
	"width", "height", "format", "input_bytes", "input_hash", "pixels",
	"multi", "units", "cpu_ms", "wall_ms", "worker_id", "outcome", "status", "error", "predicted_units",
}

func mtWriteRequests(w io.Writer, format string, recs []metrics.RequestRecord) error {
	switch format {
	case "json":
		out := make([]mtRequestJSON, len(recs))
		for i, r := range recs {
			out[i] = mtRequestJSON{
				Time: r.Time.UTC().Format(time.RFC3339Nano), ID: r.ID, Features: r.Features,
				Pixels: r.Features.Pixels(), Multi: r.Multi, Units: r.Units, CPUms: mtMillis(r.CPU), Wallms: mtMillis(r.Wall),
				WorkerID: r.WorkerID, Outcome: string(r.Outcome), Status: r.Status, Error: r.Error,
				PredictedUnits: r.PredictedUnits,
			}
		}
		return mtWriteJSONLines(w, out)
	case "csv":
		rows := make([][]string, len(recs))
		for i, r := range recs {
			f := r.Features
			itoa := strconv.Itoa
			rows[i] = []string{
				r.Time.UTC().Format(time.RFC3339Nano), r.ID, string(f.Kind),
				itoa(f.SCols), itoa(f.SRows), itoa(f.WCols), itoa(f.WRows), itoa(f.COff), itoa(f.ROff), strconv.FormatBool(f.AA),
				itoa(f.Shapes), itoa(f.Lights), itoa(f.Reflective), itoa(f.Transparent), itoa(f.TexmapBytes), itoa(f.SceneBytes),
				itoa(f.Width), itoa(f.Height), f.Format, itoa(f.InputBytes), f.InputHash, strconv.FormatInt(f.Pixels(), 10),
				strconv.FormatBool(r.Multi), strconv.FormatInt(r.Units, 10), mtMillisText(r.CPU), mtMillisText(r.Wall),
				r.WorkerID, string(r.Outcome), itoa(r.Status), r.Error, strconv.FormatFloat(r.PredictedUnits, 'g', -1, 64),
			}
		}
		return mtWriteCSV(w, mtRequestCSVHeader, rows)
	}
	rows := make([][]string, len(recs))
	for i, r := range recs {
		rows[i] = []string{
			r.Time.UTC().Format(mtTableTime), mtCell(r.ID), string(r.Features.Kind), mtSize(r.Features),
			strconv.FormatInt(r.Features.Pixels(), 10), strconv.FormatInt(r.Units, 10),
			strconv.FormatFloat(mtMillis(r.CPU), 'f', 1, 64), strconv.FormatFloat(mtMillis(r.Wall), 'f', 1, 64),
			mtDash(r.WorkerID), string(r.Outcome),
		}
	}
	return mtWriteTable(w, []string{"TIME", "ID", "WORKLOAD", "SIZE", "PIXELS", "UNITS", "CPU_MS", "WALL_MS", "WORKER", "OUTCOME"}, rows)
}

// Worker samples.

type mtSampleJSON struct {
	Time        string  `json:"time"`
	WorkerID    string  `json:"worker_id"`
	Address     string  `json:"address"`
	CPUPercent  float64 `json:"cpu_percent"`
	MemoryBytes uint64  `json:"memory_bytes"`
	InFlight    int     `json:"in_flight"`
	Health      string  `json:"health"`
}

func mtWriteSamples(w io.Writer, format string, samples []metrics.WorkerSample) error {
	switch format {
	case "json":
		out := make([]mtSampleJSON, len(samples))
		for i, s := range samples {
			out[i] = mtSampleJSON{
				Time: s.Time.UTC().Format(time.RFC3339Nano), WorkerID: s.WorkerID, Address: s.Address,
				CPUPercent: s.CPUPercent, MemoryBytes: s.MemoryBytes, InFlight: s.InFlight, Health: s.Health.String(),
			}
		}
		return mtWriteJSONLines(w, out)
	case "csv":
		rows := make([][]string, len(samples))
		for i, s := range samples {
			rows[i] = []string{
				s.Time.UTC().Format(time.RFC3339Nano), s.WorkerID, s.Address,
				strconv.FormatFloat(s.CPUPercent, 'g', -1, 64), strconv.FormatUint(s.MemoryBytes, 10),
				strconv.Itoa(s.InFlight), s.Health.String(),
			}
		}
		return mtWriteCSV(w, []string{"time", "worker_id", "address", "cpu_percent", "memory_bytes", "in_flight", "health"}, rows)
	}
	rows := make([][]string, len(samples))
	for i, s := range samples {
		rows[i] = []string{
			s.Time.UTC().Format(mtTableTime), mtCell(s.WorkerID), mtDash(s.Address),
			strconv.FormatFloat(s.CPUPercent, 'f', 1, 64),
			strconv.FormatFloat(float64(s.MemoryBytes)/(1<<20), 'f', 1, 64),
			strconv.Itoa(s.InFlight), mtCell(s.Health.String()),
		}
	}
	return mtWriteTable(w, []string{"TIME", "WORKER", "ADDRESS", "CPU_%", "MEMORY_MIB", "IN_FLIGHT", "HEALTH"}, rows)
}

// Decisions.

type mtDecisionJSON struct {
	Time     string `json:"time"`
	Policy   string `json:"policy"`
	Action   string `json:"action"`
	From     int    `json:"from"`
	To       int    `json:"to"`
	WorkerID string `json:"worker_id,omitempty"`
	Reason   string `json:"reason"`
}

func mtWriteDecisions(w io.Writer, format string, ds []metrics.Decision) error {
	switch format {
	case "json":
		out := make([]mtDecisionJSON, len(ds))
		for i, d := range ds {
			out[i] = mtDecisionJSON{
				Time: d.Time.UTC().Format(time.RFC3339Nano), Policy: d.Policy, Action: d.Action.String(),
				From: d.From, To: d.To, WorkerID: d.WorkerID, Reason: d.Reason,
			}
		}
		return mtWriteJSONLines(w, out)
	case "csv":
		rows := make([][]string, len(ds))
		for i, d := range ds {
			rows[i] = []string{
				d.Time.UTC().Format(time.RFC3339Nano), d.Policy, d.Action.String(),
				strconv.Itoa(d.From), strconv.Itoa(d.To), d.WorkerID, d.Reason,
			}
		}
		return mtWriteCSV(w, []string{"time", "policy", "action", "from", "to", "worker_id", "reason"}, rows)
	}
	rows := make([][]string, len(ds))
	for i, d := range ds {
		rows[i] = []string{
			d.Time.UTC().Format(mtTableTime), mtCell(d.Policy), mtCell(d.Action.String()),
			strconv.Itoa(d.From), strconv.Itoa(d.To), mtDash(d.WorkerID), mtCell(d.Reason),
		}
	}
	return mtWriteTable(w, []string{"TIME", "POLICY", "ACTION", "FROM", "TO", "WORKER", "REASON"}, rows)
}
