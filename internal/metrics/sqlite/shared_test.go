package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/workload"
)

// writeBatches appends batches of request records with IDs prefix-N, a
// worker sample and a decision per batch.
func writeBatches(ctx context.Context, s metrics.Store, prefix string, batches, per int) error {
	base := time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
	for b := range batches {
		recs := make([]metrics.RequestRecord, per)
		for i := range recs {
			n := b*per + i
			recs[i] = metrics.RequestRecord{
				Key: fmt.Sprintf("%s-%05d", prefix, n), Role: metrics.RoleDirect, RequestID: fmt.Sprintf("%s-%05d", prefix, n),
				Attempt: 1, Attempts: 1, Time: base.Add(time.Duration(n) * time.Millisecond),
				Features: workload.Features{Kind: workload.Kinds[n%3], Width: n, Height: 1},
				Units:    int64(n), WorkerID: prefix, Outcome: metrics.OutcomeOK, Status: 200,
			}
		}
		if err := s.AppendRequests(ctx, recs); err != nil {
			return fmt.Errorf("%s batch %d: %w", prefix, b, err)
		}
		t := base.Add(time.Duration(b) * time.Second)
		if err := s.AppendWorkerSamples(ctx, []metrics.WorkerSample{{Time: t, WorkerID: prefix, Health: lifecycle.Ready}}); err != nil {
			return fmt.Errorf("%s sample %d: %w", prefix, b, err)
		}
		if err := s.AppendDecisions(ctx, []metrics.Decision{{Time: t, Policy: prefix, Action: lifecycle.ActionKeep}}); err != nil {
			return fmt.Errorf("%s decision %d: %w", prefix, b, err)
		}
	}
	return nil
}

// countAll checks that every writer's records are in the store.
func countAll(t *testing.T, s metrics.Store, prefixes []string, batches, per int) {
	t.Helper()
	ctx := context.Background()
	for _, p := range prefixes {
		r, err := s.Requests(ctx, metrics.RequestQuery{WorkerID: p, Limit: metrics.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		w, err := s.WorkerSamples(ctx, metrics.WorkerQuery{WorkerID: p})
		if err != nil {
			t.Fatal(err)
		}
		if len(r) != batches*per || len(w) != batches {
			t.Errorf("writer %s: %d requests and %d samples stored, want %d and %d", p, len(r), len(w), batches*per, batches)
		}
	}
	d, err := s.Decisions(ctx, metrics.DecisionQuery{Limit: metrics.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != batches*len(prefixes) {
		t.Errorf("%d decisions stored, want %d", len(d), batches*len(prefixes))
	}
}

// TestTwoStoresOneFile writes one file through two Store instances, each
// with its own connection pool, from several goroutines each.
func TestTwoStoresOneFile(t *testing.T) {
	const writers, batches, per = 4, 8, 25
	ctx := context.Background()
	path := tempPath(t)
	stores := []*Store{mustOpen(t, path), mustOpen(t, path)}
	var prefixes []string
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		p := fmt.Sprintf("s%d-g%d", i%2, i)
		prefixes = append(prefixes, p)
		wg.Go(func() { errs <- writeBatches(ctx, stores[i%2], p, batches, per) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	countAll(t, stores[0], prefixes, batches, per)
	countAll(t, stores[1], prefixes, batches, per)
}

// helperEnv names the file a helper process writes; the helper is this test
// binary, which TestMain turns into a writer when the variable is set.
const helperEnv = "VFX_SQLITE_TEST_HELPER"

// TestProcessesShareFile writes one file from several processes at once,
// as the workers of one machine do.
func TestProcessesShareFile(t *testing.T) {
	const procs, batches, per = 3, 8, 25
	path := tempPath(t)
	mustOpen(t, path) // create and migrate first, so the helpers race on writes only
	prefixes := runHelpers(t, path, procs, batches, per)
	countAll(t, mustOpen(t, path), prefixes, batches, per)
}

// TestProcessesCreateFileAtOnce starts several processes that open the
// same new file at the same moment, as the workers of `vfx up` or of a
// Docker deployment do at start-up: every one must get a store.
func TestProcessesCreateFileAtOnce(t *testing.T) {
	const procs, batches, per = 6, 1, 5
	for range 3 {
		path := tempPath(t)
		prefixes := runHelpers(t, path, procs, batches, per)
		countAll(t, mustOpen(t, path), prefixes, batches, per)
	}
}

// runHelpers runs procs helper processes at once, each appending batches ×
// per records to path under its own ID prefix, and returns the prefixes.
func runHelpers(t *testing.T, path string, procs, batches, per int) []string {
	t.Helper()
	var prefixes []string
	var cmds []*exec.Cmd
	for i := range procs {
		p := fmt.Sprintf("proc%d", i)
		prefixes = append(prefixes, p)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(),
			helperEnv+"="+path, "HELPER_PREFIX="+p,
			"HELPER_BATCHES="+strconv.Itoa(batches), "HELPER_PER="+strconv.Itoa(per))
		cmds = append(cmds, cmd)
	}
	outs := make([][]byte, procs)
	errs := make([]error, procs)
	var wg sync.WaitGroup
	for i, cmd := range cmds {
		wg.Go(func() { outs[i], errs[i] = cmd.CombinedOutput() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("helper process %d: %v\n%s", i, err, outs[i])
		}
	}
	return prefixes
}

// TestMain runs the helper of TestProcessesShareFile when the environment
// asks for it, and the tests otherwise, failing a passing run that leaves
// goroutines behind (the recorders', the store test suite's).
func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		if err := helper(path); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(testutil.Main(m, testutil.MainOptions{Leaks: true}))
}

func helper(path string) error {
	batches, err1 := strconv.Atoi(os.Getenv("HELPER_BATCHES"))
	per, err2 := strconv.Atoi(os.Getenv("HELPER_PER"))
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	return writeBatches(ctx, s, os.Getenv("HELPER_PREFIX"), batches, per)
}
