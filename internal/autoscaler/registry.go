package autoscaler

import (
	"fmt"
	"slices"
	"strings"
)

// registry maps a policy name to its constructor. cfg is already valid.
var registry = map[string]func(cfg Config) Policy{
	"backlog": func(cfg Config) Policy { return newBacklog(cfg) },
	"cpu":     func(cfg Config) Policy { return newCPU(cfg) },
	"fixed":   func(cfg Config) Policy { return newFixed(cfg) },
}

// Names lists the registered policy names in order.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func namesList() string { return strings.Join(Names(), ", ") }

// New builds the policy called name with cfg. cfg.Policy is ignored; cfg
// must otherwise be valid.
func New(name string, cfg Config) (Policy, error) {
	mk, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown autoscaling policy %q (want one of: %s)", name, namesList())
	}
	cfg.Policy = name
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("autoscaling policy %s: %w", name, err)
	}
	return mk(cfg), nil
}
