package e2etest

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/proxy"
	"github.com/specialvfx/vfx/internal/testutil"
	"github.com/specialvfx/vfx/internal/wire"
	"github.com/specialvfx/vfx/internal/worker"
)

// The budgets and the bound of TestHostileConcurrencyStaysWithinTheBudgets:
// each process's peak resident memory stays within twice its budget (the
// garbage collector lets the heap grow to twice what is live) plus a fixed
// baseline (the runtime, the binary, buffers of connections).
const (
	hostileLBBudget     = 384 << 20
	hostileWorkerBudget = 512 << 20
	rssBaseline         = 64 << 20
)

// TestHostileConcurrencyStaysWithinTheBudgets sends 16 texture bombs
// (100 KB PNGs declaring 4096×4096 16-bit pixels) and 24 bodies of 63 MiB
// at once to a real `vfx lb` in front of a real `vfx worker`, with normal
// requests meanwhile. Both processes' peak resident memory (VmHWM) stays
// within twice its budget plus 64 MiB, every normal request is served, the
// attack gets answers (served, refused as too large, or 503 to retry) and
// not failures, and once it is over the budgets are back to zero.
func TestHostileConcurrencyStaysWithinTheBudgets(t *testing.T) {
	waddr := testutil.NeedFreeAddr(t)
	w := start(t, "worker", "--listen", waddr, "--store", "none", "--id", "hostile",
		"--max-memory", fmt.Sprint(hostileWorkerBudget))
	w.WaitOutput(t, regexp.MustCompile(`worker listening`), 30*time.Second)
	lb := start(t, "lb", "--provider", "static", "--workers", "http://"+waddr, "--policy", "round-robin",
		"--listen", testutil.NeedFreeAddr(t), "--store", "none", "--max-buffered", fmt.Sprint(hostileLBBudget))
	base := lb.WaitOutput(t, lbRE, 30*time.Second)[1]

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	scene := testutil.SeedFile(t, "raytracer/scenes/test01.txt")
	res := testutil.HostileLoad{
		Base: base, Bombs: 16, Bodies: 24, BodySize: 63 << 20,
		NormalPath:   "/raytracer?scols=8&srows=6&wcols=8&wrows=6&coff=0&roff=0",
		NormalBody:   wire.RaytraceBody(scene, nil),
		RaytraceBody: wire.RaytraceBody,
	}.Hostile(ctx)
	t.Logf("%s in %s", res, res.Wall.Round(time.Millisecond))
	if ctx.Err() != nil {
		t.Fatalf("the attack did not end within its deadline: %s", res)
	}

	for _, p := range []struct {
		name   string
		proc   *proc
		budget int64
	}{{"load balancer", lb, hostileLBBudget}, {"worker", w, hostileWorkerBudget}} {
		peak, cpu, err := testutil.ProcessPeak(p.proc.Cmd.Process.Pid)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: peak RSS %d MiB (budget %d MiB), %.1f CPU-s", p.name, peak>>20, p.budget>>20, cpu.Seconds())
		if bound := 2*p.budget + rssBaseline; peak > bound {
			t.Errorf("%s: peak RSS %d MiB, above twice its budget plus %d MiB (%d MiB)", p.name, peak>>20, rssBaseline>>20, bound>>20)
		}
	}
	for i, code := range res.Normal {
		if code != http.StatusOK {
			t.Errorf("normal request %d of %d during the attack: status %d", i+1, len(res.Normal), code)
		}
	}
	served := 0
	for kind, codes := range res.Attacks {
		for code, n := range codes {
			switch {
			case code == http.StatusOK:
				served += n
			case code == http.StatusBadRequest, code == http.StatusRequestEntityTooLarge, code == http.StatusServiceUnavailable:
			case code == 0 && kind != "bomb":
				// A large body refused before it is read: the client may
				// still be sending it when the connection closes, and
				// never read the answer.
			default:
				t.Errorf("%d %s requests got %d", n, kind, code)
			}
		}
	}
	if served == 0 {
		t.Errorf("no request of the attack was served: %s", res)
	}

	waitZero := func(what string, reserved func() (int64, error)) {
		t.Helper()
		testutil.WaitFor(t, 30*time.Second, 50*time.Millisecond, what+"'s memory budget back to zero", func() bool {
			n, err := reserved()
			return err == nil && n == 0
		})
	}
	waitZero("the load balancer", func() (int64, error) {
		st, err := testutil.GetJSON[proxy.State](ctx, base+"/api/v1/state", 5*time.Second)
		return st.Memory.Reserved, err
	})
	waitZero("the worker", func() (int64, error) {
		st, err := testutil.GetJSON[worker.StatusReport](ctx, "http://"+waddr+"/status", 5*time.Second)
		return st.MemoryReserved, err
	})
}
