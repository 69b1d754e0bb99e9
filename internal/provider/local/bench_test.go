package local

import (
	"context"
	"log/slog"
	"testing"

	"github.com/specialvfx/vfx/internal/provider"
	"github.com/specialvfx/vfx/internal/provider/providertest"
)

// newBenchProvider is a quiet provider on a fresh state directory, closed
// when the benchmark ends.
func newBenchProvider(b *testing.B) *Provider {
	b.Helper()
	p, err := New(context.Background(), Config{Workers: provider.Workers{
		Binary: vfxBinary, StateDir: b.TempDir(), Store: "none", Logger: slog.New(slog.DiscardHandler),
	}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

// BenchmarkLaunchTerminate measures the life of one real worker process:
// Launch until /health answers 200, then Terminate until it has exited.
func BenchmarkLaunchTerminate(b *testing.B) {
	providertest.LaunchTerminate(b, newBenchProvider(b))
}

// BenchmarkList measures List over 4 ready workers (no probing).
func BenchmarkList(b *testing.B) {
	ctx := context.Background()
	p := newBenchProvider(b)
	if _, err := p.Launch(ctx, 4); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.List(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
