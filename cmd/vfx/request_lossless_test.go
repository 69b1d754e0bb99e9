package main

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/specialvfx/vfx/internal/testutil"
)

// TestRequestLosslessOutput: vfx request with a lossless output file
// writes exactly the pixels of the offline command, although the input is
// a JPEG (whose format a worker answers in by default).
func TestRequestLosslessOutput(t *testing.T) {
	bin := testutil.NeedVFX(t)
	addr := testutil.NeedFreeAddr(t)
	testutil.StartProc(t, exec.Command(bin, "worker", "--listen", addr, "--id", "w1", "--store", "none"), 10*time.Second)
	testutil.WaitFor(t, 30*time.Second, 20*time.Millisecond, "the worker's /health", func() bool {
		_, err := testutil.GetJSON[map[string]any](t.Context(), "http://"+addr+"/health", time.Second)
		return err == nil
	})
	in := testutil.SeedPath(t, "imageproc/inputs/dull.jpg")
	dir := t.TempDir()
	for _, tc := range []struct{ workload, out string }{
		{"enhance", "enhanced.png"},
		{"blur", "blurred.bmp"},
	} {
		t.Run(tc.workload+" to "+filepath.Ext(tc.out), func(t *testing.T) {
			got, want := filepath.Join(dir, "request-"+tc.out), filepath.Join(dir, "offline-"+tc.out)
			run(t, bin, "request", tc.workload, in, "-o", got, "--url", "http://"+addr)
			run(t, bin, tc.workload, in, "-o", want)
			if err := testutil.ImagesEqual(testutil.ReadLosslessImage(t, got), testutil.ReadLosslessImage(t, want)); err != nil {
				t.Fatalf("vfx request %s -o %s differs from vfx %s: %v", tc.workload, tc.out, tc.workload, err)
			}
		})
	}
}

// run runs bin with args and fails t unless it succeeds.
func run(t *testing.T, bin string, args ...string) {
	t.Helper()
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("vfx %v: %v\n%s", args, err, out)
	}
}
