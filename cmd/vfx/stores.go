package main

import (
	"fmt"
	"strings"

	"github.com/specialvfx/vfx/internal/metrics"
	"github.com/specialvfx/vfx/internal/metrics/sqlite"
)

// stores are the metrics store implementations the commands open, by URL
// scheme (--store, $VFX_STORE).
func stores() metrics.Openers {
	return metrics.Openers{"sqlite": sqlite.OpenURL}
}

// checkStoreScheme checks that a store URL ("none" aside) names a store
// the commands can open, before anything opens it.
func checkStoreScheme(u string) error {
	if strings.EqualFold(u, "none") {
		return nil
	}
	scheme, _, err := metrics.ParseURL(u)
	if err != nil {
		return err
	}
	ops := stores()
	if ops[scheme] == nil {
		return fmt.Errorf("%q: %w %q (known: %s)", u, metrics.ErrUnknownScheme, scheme, strings.Join(ops.Schemes(), ", "))
	}
	return nil
}
