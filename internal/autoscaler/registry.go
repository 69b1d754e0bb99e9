package autoscaler

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Policies returns the constructor of every policy by name, in a map of
// the caller's own. Each constructor takes a valid Config.
func Policies() map[string]func(cfg Config) Policy {
	return map[string]func(cfg Config) Policy{
		"backlog": func(cfg Config) Policy { return newBacklog(cfg) },
		"cpu":     func(cfg Config) Policy { return newCPU(cfg) },
		"fixed":   func(cfg Config) Policy { return newFixed(cfg) },
	}
}

// Names lists the policy names in order.
func Names() []string {
	return slices.Sorted(maps.Keys(Policies()))
}

func namesList() string { return strings.Join(Names(), ", ") }

// New builds the policy called name with cfg. cfg.Policy is ignored; cfg
// must otherwise be valid.
func New(name string, cfg Config) (Policy, error) {
	mk, ok := Policies()[name]
	if !ok {
		return nil, fmt.Errorf("unknown autoscaling policy %q (want one of: %s)", name, namesList())
	}
	cfg.Policy = name
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("autoscaling policy %s: %w", name, err)
	}
	return mk(cfg), nil
}
