package runner

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/specialvfx/vfx/internal/autoscaler"
	"github.com/specialvfx/vfx/internal/autoscaler/statefile"
)

// TestAllVMInstancesExport: with Options.AllVMInstances the loop writes the
// original's allVmInstances.xml beside VMState.xml, listing the ready
// workers; without it, it does not.
func TestAllVMInstancesExport(t *testing.T) {
	for _, on := range []bool{false, true} {
		t.Run(map[bool]string{false: "off", true: "on"}[on], func(t *testing.T) {
			cfg := testConfig()
			loop := testLoop()
			loop.StateDir = t.TempDir()
			ev := newEvents()
			pool := newFakePool(ev, readyW("w1", 3, 100), bootingW("w2"))
			r, err := New(Options{Config: cfg, Loop: loop, Policy: &scripted{next: func(n int, obs autoscaler.Observation) autoscaler.Decision { return keep(n, obs) }},
				Pool: pool, Provider: &fakeProvider{ev: ev}, Clock: newFakeClock(), AllVMInstances: on})
			if err != nil {
				t.Fatal(err)
			}
			r.writeVMState()
			if _, err := os.Stat(filepath.Join(loop.StateDir, statefile.VMStateFile)); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(loop.StateDir, statefile.AllVMInstancesFile))
			if !on {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("written without being asked for: %v %q", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<allVmInstances>
  <vmInstance>
    <instanceId>w1</instanceId>
    <instanceDns>127.0.0.1:8001</instanceDns>
    <cpuLoad>40.0</cpuLoad>
  </vmInstance>
</allVmInstances>

`
			if string(got) != want {
				t.Fatalf("allVmInstances.xml:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
