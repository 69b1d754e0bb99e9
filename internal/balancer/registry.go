package balancer

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// DefaultPolicy is the name of the policy used unless configured otherwise.
const DefaultPolicy = "cost"

// Policies returns the constructor of every policy by name, in a map of
// the caller's own. Each call of a constructor returns a new instance.
func Policies() map[string]func() Policy {
	return map[string]func() Policy{
		"cost":           func() Policy { return NewCost() },
		"cpu":            func() Policy { return CPU{} },
		"least-requests": func() Policy { return LeastRequests{} },
		"p2c":            func() Policy { return P2C{} },
		"round-robin":    func() Policy { return &RoundRobin{} },
	}
}

// New returns a new instance of the named policy.
func New(name string) (Policy, error) {
	f, ok := Policies()[name]
	if !ok {
		return nil, fmt.Errorf("unknown balancer policy %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return f(), nil
}

// Names lists the policies in sorted order.
func Names() []string { return slices.Sorted(maps.Keys(Policies())) }
