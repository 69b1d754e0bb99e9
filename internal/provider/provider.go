package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/specialvfx/vfx/internal/lifecycle"
)

// Instance is one worker.
type Instance struct {
	ID      string `json:"id"`
	Address string `json:"address"` // base URL, e.g. http://127.0.0.1:41234
	// State is the worker's state as the provider sees it: its
	// platform's own states mapped as package lifecycle describes.
	State      lifecycle.State `json:"state"`
	LaunchedAt time.Time       `json:"launched_at"`
	// Adopted is true for an instance found running at start-up rather than
	// launched by this process.
	Adopted bool `json:"adopted,omitempty"`
}

// Provider starts, stops and lists worker instances. Every method takes a
// context; implementations are safe for concurrent use.
type Provider interface {
	// Launch starts n workers and returns them (booting, or ready when
	// they answered their health check already).
	Launch(ctx context.Context, n int) ([]Instance, error)
	// Terminate stops one worker. Draining is the caller's business: by the
	// time Terminate is called, the worker should have no work left.
	Terminate(ctx context.Context, id string) error
	// List returns the workers that exist, including ones adopted at start-up.
	List(ctx context.Context) ([]Instance, error)
}

// Closer is implemented by providers that own resources to release on exit
// (local processes, containers of this deployment).
type Closer interface {
	// Close terminates every worker the provider owns and releases its
	// resources.
	Close(ctx context.Context) error
}

// ErrNotFound is returned by Terminate for an unknown instance.
var ErrNotFound = errors.New("instance not found")

// ErrFixed is returned by Launch of providers whose pool cannot grow.
var ErrFixed = errors.New("provider has a fixed set of workers")

// Factory builds a provider from its options.
type Factory func(ctx context.Context, opts Options) (Provider, error)

// Options are the settings every provider may read; each ignores what does
// not apply to it.
type Options struct {
	// Binary is the vfx executable to run workers from (local, docker).
	Binary string
	// WorkerArgs are extra arguments passed to `vfx worker`.
	WorkerArgs []string
	// WorkerEnv are extra environment variables of the workers
	// ("KEY=value"): how a secret such as the worker token reaches them,
	// never their command line, which anyone listing processes sees.
	// Providers must not log them.
	WorkerEnv []string
	// StateDir is where a provider keeps what lets it adopt its workers after
	// a restart.
	StateDir string
	// Store is the metrics store URL handed to workers.
	Store string
	// Addresses are the worker URLs of the static provider.
	Addresses []string
	// Deployment names this deployment so that only its own resources are
	// touched (container labels, instance tags).
	Deployment string
	// WorkerCPUs and WorkerMemory limit each worker (docker).
	WorkerCPUs   float64
	WorkerMemory int64
	// Extra holds provider-specific settings by key.
	Extra map[string]string
}

var (
	mu        sync.RWMutex
	factories = map[string]Factory{}
)

// Register makes a provider available by name. It panics on a duplicate.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[name]; dup {
		panic("provider: duplicate registration of " + name)
	}
	factories[name] = f
}

// Names lists the registered providers.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(factories))
	for n := range factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New builds the provider registered under name.
func New(ctx context.Context, name string, opts Options) (Provider, error) {
	mu.RLock()
	f, ok := factories[name]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown provider %q (registered: %s)", name, strings.Join(Names(), ", "))
	}
	p, err := f(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", name, err)
	}
	return p, nil
}
