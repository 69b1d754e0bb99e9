package main

import (
	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/sqlite"
)

// stores are the metrics store implementations the commands open, by URL
// scheme (--store, $VFX_STORE).
func stores() metrics.Openers {
	return metrics.Openers{"sqlite": sqlite.OpenURL}
}
