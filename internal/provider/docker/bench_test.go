package docker

import (
	"context"
	"log/slog"
	"testing"

	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/providertest"
)

// BenchmarkLaunchTerminate measures the life of one container (image
// already built): Launch until /health answers 200 through the published
// port, then Terminate until it is removed.
func BenchmarkLaunchTerminate(b *testing.B) {
	if engineErr != nil {
		b.Fatalf("the Docker engine is not reachable: %v", engineErr)
	}
	ctx := context.Background()
	dep := "bench-" + randomHex()
	p, err := New(ctx, Config{Deployment: dep, CPUs: 0.5, Memory: 256 << 20,
		Workers: provider.Workers{Binary: vfxBinary, StateDir: b.TempDir(), Store: "none", Logger: slog.New(slog.DiscardHandler)}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close(ctx)
	if _, err := p.workerImage(ctx); err != nil {
		b.Fatal(err)
	}
	providertest.LaunchTerminate(b, p)
}
