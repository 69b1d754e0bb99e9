package balancer

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// DefaultPolicy is the name of the policy used unless configured otherwise.
const DefaultPolicy = "cost"

var registry = struct {
	sync.RWMutex
	m map[string]func() Policy
}{m: map[string]func() Policy{}}

// Register makes a policy available by name. It panics if the name is
// empty or taken, or f is nil (a programming error, found at start-up).
func Register(name string, f func() Policy) {
	registry.Lock()
	defer registry.Unlock()
	if name == "" || f == nil {
		panic("balancer: Register needs a name and a constructor")
	}
	if _, dup := registry.m[name]; dup {
		panic(fmt.Sprintf("balancer: policy %q registered twice", name))
	}
	registry.m[name] = f
}

// New returns a new instance of the named policy.
func New(name string) (Policy, error) {
	registry.RLock()
	f, ok := registry.m[name]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown balancer policy %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return f(), nil
}

// Names lists the registered policies in sorted order.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.m))
	for n := range registry.m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
