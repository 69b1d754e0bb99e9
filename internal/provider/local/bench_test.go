package local

import (
	"context"
	"log/slog"
	"testing"

	"github.com/specialvfx/vfx/internal/provider/providertest"
)

// BenchmarkLaunchTerminate measures the life of one real worker process:
// Launch until /health answers 200, then Terminate until it has exited.
func BenchmarkLaunchTerminate(b *testing.B) {
	ctx := context.Background()
	p, err := New(ctx, Config{Binary: vfxBinary, StateDir: b.TempDir(), Store: "none", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close(ctx)
	providertest.LaunchTerminate(b, p)
}

// BenchmarkList measures List over 4 ready workers (no probing).
func BenchmarkList(b *testing.B) {
	ctx := context.Background()
	p, err := New(ctx, Config{Binary: vfxBinary, StateDir: b.TempDir(), Store: "none", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close(ctx)
	if _, err := p.Launch(ctx, 4); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.List(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
