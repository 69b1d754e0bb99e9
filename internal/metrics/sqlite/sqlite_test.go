package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) metrics.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "metrics.db"), Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

func TestOpenThroughURL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "m.db")
	ms, err := metrics.Openers{"sqlite": OpenURL}.Open(context.Background(), "sqlite://"+path+"?busy_timeout=2s")
	if err != nil {
		t.Fatalf("metrics.Openers.Open: %v", err)
	}
	defer ms.Close()
	s, ok := ms.(*Store)
	if !ok || s.Path() != path {
		t.Fatalf("metrics.Openers.Open returned %T for %q", ms, path)
	}
	var ms2 int
	if err := s.db.QueryRow(`PRAGMA busy_timeout`).Scan(&ms2); err != nil || ms2 != 2000 {
		t.Errorf("busy_timeout %d ms (err %v), want 2000 from the URL", ms2, err)
	}
}
