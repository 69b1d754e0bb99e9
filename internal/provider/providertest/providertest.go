package providertest

import (
	"context"
	"testing"

	"github.com/specialvfx/vfx/internal/provider"
)

// ListByID lists p's instances by id, failing tb if List fails.
func ListByID(tb testing.TB, p provider.Provider) map[string]provider.Instance {
	tb.Helper()
	list, err := p.List(context.Background())
	if err != nil {
		tb.Fatalf("List: %v", err)
	}
	m := map[string]provider.Instance{}
	for _, in := range list {
		m[in.ID] = in
	}
	return m
}

// LaunchTerminate is the loop of a benchmark of one worker's life: each
// iteration launches one worker with p and terminates it.
func LaunchTerminate(b *testing.B, p provider.Provider) {
	ctx := context.Background()
	for b.Loop() {
		insts, err := p.Launch(ctx, 1)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Terminate(ctx, insts[0].ID); err != nil {
			b.Fatal(err)
		}
	}
}
