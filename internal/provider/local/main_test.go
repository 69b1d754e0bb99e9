package local

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/testutil"
)

// vfxBinary is the vfx executable built once for this package's tests.
var vfxBinary string

// helperEnv makes the test binary act as a parent process that launches
// one worker and then waits to be killed (see runHelper).
const helperEnv = "VFX_LOCAL_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelper())
	}
	os.Exit(testutil.Main(m, testutil.MainOptions{Binary: &vfxBinary, Leaks: true}))
}

// helperProviders keeps the helper's providers referenced, and their
// locks held, until it is killed.
var helperProviders []*Provider

// runHelper launches one worker with the configuration given in the
// environment, and an attached one as a control when asked, prints
// "<pid> <address> <state>" for each and blocks until killed.
func runHelper() int {
	ctx := context.Background()
	lease, _ := time.ParseDuration(os.Getenv("VFX_HELPER_LEASE"))
	cfgs := []Config{{
		Workers:       provider.Workers{Binary: os.Getenv("VFX_HELPER_BINARY"), StateDir: os.Getenv("VFX_HELPER_STATE"), Store: "none", LeaseTimeout: lease},
		Detach:        os.Getenv("VFX_HELPER_DETACH") == "1",
		noDeathSignal: os.Getenv("VFX_HELPER_NO_DEATH_SIGNAL") == "1",
	}}
	if dir := os.Getenv("VFX_HELPER_CONTROL_STATE"); dir != "" {
		cfgs = append(cfgs, Config{Workers: provider.Workers{Binary: cfgs[0].Binary, StateDir: dir, Store: "none"}})
	}
	for _, cfg := range cfgs {
		p, err := New(ctx, cfg)
		helperProviders = append(helperProviders, p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 2
		}
		insts, err := p.Launch(ctx, 1)
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 2
		}
		r, err := readRecord(p.files.path(insts[0].ID))
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 2
		}
		fmt.Printf("%d %s %s\n", r.PID, r.Address, insts[0].State)
	}
	time.Sleep(time.Hour)
	return 0
}
